"""End to end: the bot in group chats (issue 10, item 6), through the fake Bot API server.

In a group the bot answers only commands and messages addressed to it (an @mention, or a reply to
one of its messages); the symptom check, reminders and /forget happen only in a private chat,
reached by a deep link that /start's payload opens; a button tapped by anyone but the person it
was shown to gets a pop-up and changes nothing.
"""

from __future__ import annotations

import pytest

from bot.core.content import plain_text
from bot.core.triage import load_triage
from bot.telegram import callbacks as cb

TRIAGE = load_triage()
GROUP = -555001
SUPERGROUP = -1001234567890
BOT = "backspasm_test_bot"
ANN, BEN = 111, 112
BLADDER_OR_GENITALS = ("bladder", "genital", "peeing", "pooing", "wiping")


@pytest.fixture
def club(fake):
    """Ann and Ben in a group with the bot; returns (ann, ben) as they speak there."""
    fake.user(ANN, "Ann")
    fake.user(BEN, "Ben")
    fake.group(GROUP, "Back club", [ANN, BEN])
    return fake.member(GROUP, ANN), fake.member(GROUP, BEN)


@pytest.fixture
def reads_all(fake):
    """Privacy mode off (or the bot an admin): Telegram hands the bot every group message, so
    only the bot's own gate keeps it out of chatter."""
    fake.me["can_read_all_group_messages"] = True


def group_sends(fake, chat_id=GROUP):
    return [c for c in fake.calls_to("sendMessage") if c.chat_id == chat_id and c.ok]


def url_of(message) -> str:
    [[button]] = message.inline_keyboard
    assert "callback_data" not in button
    return button["url"]


def texts(bot):
    return bot.services.content.messages


# ---- what the bot answers in a group ----

async def test_chatter_gets_no_reply_and_a_mention_gets_an_answer(bot, fake, club, reads_all, no_violations):
    """Regression (issue 10): in a group the bot answered "lol same" with an apology and the menu."""
    ann, ben = club
    chatter = await ben.send("lol same")
    assert chatter.delivered  # it reached the bot: privacy mode is off
    question = await ann.send(f"@{BOT} what causes back spasms")
    answer = await ann.reply()
    # One chat's updates are handled in order: the chatter was handled (and ignored) first.
    assert len(group_sends(fake)) == 1
    expected = bot.services.engine.answer("what causes back spasms")
    assert expected.kind == "answer" and answer.text.startswith(bot.services.content.topics[expected.topics[0]].title)
    assert answer.chat_id == GROUP and question.delivered
    assert ann.unread() == []


@pytest.mark.parametrize("text", [
    "anyone else's back hurting?", "my back seized up after golf", "/help@some_other_bot", "hi",
    "email me at x@backspasm_test_bot_fan.com",
])
async def test_messages_not_addressed_to_the_bot_are_left_alone(bot, fake, club, reads_all, no_violations, text):
    ann, ben = club
    await ben.send(text)
    await ann.send("/help")  # handled after it, in order
    reply = await ann.reply()
    assert reply.source == texts(bot).help
    assert len(group_sends(fake)) == 1 and ann.unread() == []


async def test_mention_anywhere_and_in_any_case_is_addressed(bot, fake, club, reads_all, no_violations):
    ann, _ = club
    await ann.send(f"should i use ice or heat @{BOT.upper()}")
    answer = await ann.reply()
    assert answer.text.startswith(bot.services.content.topics["ice-or-heat"].title)


async def test_a_reply_to_the_bot_is_addressed_in_privacy_mode(bot, fake, club, no_violations):
    ann, ben = club
    await ann.send("/menu")
    menu = await ann.reply()
    mention = await ben.send(f"@{BOT} what causes back spasms")
    assert not mention.delivered  # privacy mode: Telegram never hands the bot a mere mention
    ben.mark_read()  # each member reads the chat with a cursor of their own
    await ben.send("should i use ice or heat", reply_to=menu)
    answer = await ben.reply()
    assert answer.text.startswith(bot.services.content.topics["ice-or-heat"].title)


async def test_a_supergroup_is_gated_the_same_way(bot, fake, reads_all, no_violations):
    fake.user(ANN, "Ann")
    chat = fake.group(SUPERGROUP, "Back club (super)", [ANN])
    chat.chat["type"] = "supergroup"
    ann = fake.member(SUPERGROUP, ANN)
    await ann.send("lol same")
    await ann.send("/triage")
    link = await ann.reply()
    assert url_of(link) == f"https://t.me/{BOT}?start=triage"
    assert len(group_sends(fake, SUPERGROUP)) == 1


# ---- the symptom check, reminders and /forget only in a private chat ----

async def test_triage_in_a_group_gets_a_deep_link_and_no_question(bot, fake, club, no_violations):
    """Regression (issue 10): /triage in a group asked its bladder and genital questions in front of everyone."""
    ann, _ = club
    await ann.send("/triage")
    link = await ann.reply()
    assert link.text == plain_text(texts(bot).private_triage)
    assert url_of(link) == f"https://t.me/{BOT}?start=triage"
    assert link.button_texts == [texts(bot).buttons.open_private]
    everything = " ".join(m.text.lower() for m in ann.messages)
    assert not any(word in everything for word in BLADDER_OR_GENITALS)
    assert not any(plain_text(q.text).splitlines()[0] in everything for q in TRIAGE.questions)
    assert bot.services.db is not None
    rows = await (await bot.services.db.execute("SELECT COUNT(*) FROM awaiting WHERE kind = 'triage'")).fetchone()
    assert rows[0] == 0


@pytest.mark.parametrize(("command", "flow"), [
    ("/reminders", "reminders"), (f"/triage@{BOT}", "triage"), ("/forget", "forget"),
    ("/start triage", "triage"), ("/start reminders", "reminders"),
])
async def test_private_only_commands_in_a_group_get_the_deep_link(bot, fake, club, no_violations, command, flow):
    ann, _ = club
    await ann.send(command)
    link = await ann.reply()
    assert url_of(link) == f"https://t.me/{BOT}?start={flow}"
    assert ann.unread() == []


async def test_menu_buttons_for_triage_and_reminders_in_a_group_get_the_deep_link(bot, fake, club, no_violations):
    ann, _ = club
    await ann.send("/menu")
    menu = await ann.reply()
    for label, flow in ((texts(bot).buttons.triage, "triage"), (texts(bot).buttons.reminders, "reminders")):
        query = await ann.tap(menu, label)
        link = await ann.reply()
        assert link.message_id > menu.message_id and url_of(link) == f"https://t.me/{BOT}?start={flow}"
        await fake.wait_answered(query)
    current = ann.messages[0]
    assert (current.text, current.buttons, current.edits) == (menu.text, menu.buttons, menu.edits)


async def test_a_typed_opening_in_a_group_gets_the_deep_link_but_a_red_flag_comes_first(
        bot, fake, club, reads_all, no_violations):
    ann, _ = club
    await ann.send(f"@{BOT} should I see a doctor?")
    link = await ann.reply()
    assert url_of(link) == f"https://t.me/{BOT}?start=triage"
    await ann.send(f"@{BOT} should I see a doctor? I can't control my bladder since this morning")
    urgent = await ann.reply()
    assert urgent.text.startswith("Call 999 (UK), 112 (Europe) or 911 (US, Canada) now")


@pytest.mark.parametrize(("payload", "first_line"), [
    ("triage", lambda bot: plain_text(TRIAGE.intro).splitlines()[0]),
    ("reminders", lambda bot: None),
    ("forget", lambda bot: plain_text(bot.services.reminders.texts.privacy.forget_confirm).splitlines()[0]),
])
async def test_the_deep_link_starts_the_flow_in_the_private_chat(bot, fake, club, no_violations, payload, first_line):
    ann, _ = club
    await ann.send(f"/{payload}")
    link = await ann.reply()
    assert url_of(link).endswith(f"?start={payload}")
    # Telegram opens the private chat and sends "/start <payload>" when Start is tapped.
    private = fake.user(ANN)
    await private.send(f"/start {payload}")
    opened = await private.reply()
    assert opened.chat_id == ANN
    if payload == "triage":
        assert opened.text.startswith(first_line(bot)) and "1/" in opened.text
        assert opened.button_texts[:2] == [TRIAGE.labels.yes, TRIAGE.labels.no]
    elif payload == "reminders":
        assert bot.services.reminders.texts.buttons.stretching_on in opened.button_texts
    else:
        assert opened.text.startswith(first_line(bot))


async def test_start_with_an_unknown_payload_is_the_plain_welcome(bot, fake, no_violations):
    ann = fake.user(ANN, "Ann")
    await ann.send("/start somethingelse")
    welcome = await ann.reply()
    assert welcome.text.startswith(plain_text(texts(bot).welcome).strip().splitlines()[0])


# ---- buttons belong to the person they were shown to ----

async def test_another_member_tapping_someones_button_gets_a_pop_up_and_nothing_changes(
        bot, fake, club, no_violations):
    """Regression (issue 10): another member could tap someone else's buttons."""
    ann, ben = club
    await ann.send("/menu")
    menu = await ann.reply()
    assert all(cb.owner_of(data) == ANN for row in menu.buttons for _label, data in row)
    before = len(fake.calls)
    for label in (bot.services.content.categories[0].title, texts(bot).buttons.reminders, texts(bot).buttons.triage):
        query = await ben.tap(menu, label)
        answer = await fake.wait_answered(query)
        assert answer.text == texts(bot).not_your_button
    # Nothing changed: no message sent or edited, only the pop-ups answered.
    assert [c.method for c in fake.calls[before:] if c.method != "getUpdates"] == ["answerCallbackQuery"] * 3
    ann.mark_read()
    await ben.send("/help")  # handled after the taps, in order
    assert (await ann.reply()).source == texts(bot).help
    assert ann.messages[0] == menu
    # Ann's own tap works, and the screen she gets is hers alone too.
    await ann.tap(menu, bot.services.content.categories[0].title)
    section = await ann.reply()
    assert section.message_id == menu.message_id and section.edits == 1
    assert all(cb.owner_of(data) == ANN for row in section.buttons for _label, data in row)


async def test_advice_shown_in_a_group_is_the_askers_and_is_kept(bot, fake, club, reads_all, no_violations):
    ann, ben = club
    await ann.send(f"@{BOT} pulled my back at the gym and now i cant feel my bum or inner thighs")
    urgent = await ann.reply()
    query = await ben.tap(urgent, texts(bot).buttons.main_menu)
    assert (await fake.wait_answered(query)).text == texts(bot).not_your_button
    await ann.tap(urgent, texts(bot).buttons.main_menu)
    menu = await ann.reply()
    assert menu.message_id > urgent.message_id
    assert all(cb.owner_of(data) == ANN for row in menu.buttons for _label, data in row)
    assert next(m for m in ann.messages if m.message_id == urgent.message_id) == urgent


async def test_a_safety_question_in_a_group_is_answered_by_the_asker_only(bot, fake, club, reads_all, no_violations):
    ann, ben = club
    await ann.send(f"@{BOT} it hurts to sit on the loo with my back like this")
    question = await ann.reply()
    assert question.button_texts == [texts(bot).buttons.yes, texts(bot).buttons.no]
    query = await ben.tap(question, texts(bot).buttons.yes)
    assert (await fake.wait_answered(query)).text == texts(bot).not_your_button
    await ann.tap(question, texts(bot).buttons.yes)
    answered = await ann.reply()
    assert answered.message_id == question.message_id and answered.buttons == []
    urgent = await ann.reply()
    assert "999" in urgent.text.splitlines()[0]
    assert all(cb.owner_of(data) == ANN for row in urgent.buttons for _label, data in row)


async def test_buttons_in_a_private_chat_carry_no_owner(bot, fake, no_violations):
    ann = fake.user(ANN, "Ann")
    await ann.send("/menu")
    menu = await ann.reply()
    assert all(cb.owner_of(data) is None for row in menu.buttons for _label, data in row)
