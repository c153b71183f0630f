"""End to end: the symptom check through the fake Bot API server, with a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.core.content import plain_text
from bot.core.triage import load_triage

TRIAGE = load_triage()
# The version of the question set before the re-grouping by cause (8 questions): its buttons are
# still out there in people's chats.
OLD_VERSION = "32e5a8"
Q = {q.id: i for i, q in enumerate(TRIAGE.questions)}
TOTAL = len(TRIAGE.questions)
LABELS = TRIAGE.labels
HEADLINE = {level: plain_text(getattr(TRIAGE.outcomes, level).headline) for level in
            ("emergency", "same_day", "appointment", "self_care")}
YES, NO, NOT_SURE = LABELS.yes, LABELS.no, LABELS.not_sure
# Typed messages the red-flag scanner must treat as an emergency (checked in each test that uses one).
BLADDER = "I can't control my bladder since this morning"
CONTEXT = TRIAGE.questions[Q["trigger"]]


def mark(n: int) -> str:
    return f"{n}/{TOTAL}"


def labels_of(bot):
    buttons = bot.services.content.messages.buttons
    return buttons.back, buttons.main_menu


async def until(predicate, what: str, timeout: float = 5.0) -> None:
    """Wait for work the bot does after its last visible action (a database write)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.01)


async def start(ann, bot):
    """/triage; returns the first question once the bot has recorded it as the open one."""
    await ann.send("/triage")
    message = await ann.reply()
    assert message.text.startswith(plain_text(TRIAGE.intro)) and mark(1) in message.text
    await until(lambda: (ann.chat_id, message.message_id) in [r[:2] for r in open_rows(bot)], "the open check")
    return message


async def tap_through(ann, message, labels):
    """Tap each label in turn on the same message; every tap must edit that message in place."""
    for label in labels:
        await ann.tap(message, label)
        edited = await ann.reply()
        assert edited.message_id == message.message_id and edited.edits > message.edits
        message = edited
    return message


async def typed_answer(ann, text, question):
    """Type an answer to `question`: the next step arrives as a new message at the bottom of the
    chat, and the question keeps its text but loses its buttons (only the newest is live)."""
    await ann.send(text)
    step = await ann.reply()
    assert step.message_id > question.message_id and step.edits == 0
    assert ann.last.message_id == step.message_id  # at the bottom of the chat
    dropped = await ann.reply()
    assert (dropped.message_id, dropped.text, dropped.buttons) == (question.message_id, question.text, [])
    return step


def sheet(**yes) -> list[str]:
    """Labels to tap: No everywhere up to the first marked question, which gets its label."""
    last = max(Q[k] for k in yes)
    return [yes.get(q.id, NO) for q in TRIAGE.questions[: last + 1]]


def db_rows(bot) -> dict[str, list[tuple]]:
    with sqlite3.connect(bot.db_path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t}")] for t in tables}


def open_rows(bot) -> list[tuple]:
    # The open check's rows of the chat's awaiting-an-answer state, as (chat, message, version, answers, at).
    return [(c, m, *d.partition(":")[::2], at) for c, kind, m, d, _then, at in db_rows(bot)["awaiting"] if kind == "triage"]


async def tips_after(ann, outcome):
    """Tap "Self-care tips" under an outcome: a new message comes, the outcome stays as it was."""
    await ann.tap(outcome, LABELS.tips_button)
    tips = await ann.reply()
    assert tips.message_id != outcome.message_id
    assert tips.text.startswith(plain_text(LABELS.tips_title))
    assert plain_text(TRIAGE.tips.general).splitlines()[0] in tips.text
    kept = next(m for m in ann.messages if m.message_id == outcome.message_id)
    assert (kept.text, kept.edits, kept.buttons) == (outcome.text, outcome.edits, outcome.buttons)
    return tips


# ---- the four outcomes ----

async def test_yes_to_the_first_emergency_question_ends_at_once(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    first = await start(ann, bot)
    assert first.button_texts == [YES, NO, NOT_SURE, LABELS.cancel]  # no Back at the first question
    outcome = await tap_through(ann, first, [YES])
    assert outcome.text.startswith(HEADLINE["emergency"])
    assert outcome.button_texts == [labels_of(bot)[1]]  # only Main menu: no tips, no reminders
    assert plain_text(bot.services.content.messages.disclaimer) in outcome.text
    assert outcome.text.rstrip().endswith(plain_text(bot.services.content.messages.disclaimer))
    assert open_rows(bot) == []


@pytest.mark.parametrize("question", [q.id for q in TRIAGE.questions if q.level == "emergency"])
async def test_each_emergency_question_with_yes_gives_emergency(bot, fake, no_violations, question):
    ann = fake.user(111, "Ann")
    outcome = await tap_through(ann, await start(ann, bot), sheet(**{question: YES}))
    assert outcome.text.startswith(HEADLINE["emergency"])
    assert LABELS.tips_button not in outcome.button_texts
    assert LABELS.reminders_button not in outcome.button_texts


@pytest.mark.parametrize("question", [q.id for q in TRIAGE.questions if q.level == "same_day"])
async def test_each_same_day_question_gives_where_to_go_and_the_way_home(bot, fake, no_violations, question):
    ann = fake.user(111, "Ann")
    outcome = await tap_through(ann, await start(ann, bot), sheet(**{question: YES}))
    assert outcome.text.startswith(HEADLINE["same_day"])
    assert plain_text(TRIAGE.question(question).reason) in outcome.text
    assert plain_text(TRIAGE.outcomes.same_day.safety_net).splitlines()[0] in outcome.text
    assert outcome.button_texts == [labels_of(bot)[1]]  # what to do, then home: no tips, no reminders


async def test_appointment_outcome_after_every_question_and_its_tips(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), sheet(see_gp=YES))
    assert mark(Q["see_gp"] + 2) in message.text  # the context question is still asked
    outcome = await tap_through(ann, message, [YES])
    assert outcome.text.startswith(HEADLINE["appointment"])
    assert plain_text(CONTEXT.tip).splitlines()[0] not in outcome.text  # tips are behind the button
    assert outcome.button_texts == [LABELS.tips_button, LABELS.reminders_button, labels_of(bot)[1]]
    assert dict(b for row in outcome.buttons for b in row)[LABELS.reminders_button] == "rm:!"  # advice-marked
    tips = await tips_after(ann, outcome)
    assert plain_text(CONTEXT.tip).splitlines()[0] in tips.text  # the sport tip, from the context answer
    assert tips.button_texts == [labels_of(bot)[1]]


async def test_all_no_gives_self_care_with_safety_net(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    seen = []
    for _ in range(TOTAL):
        seen.append(message.text)
        message = await tap_through(ann, message, [NO])
    assert [mark(n) in text for n, text in enumerate(seen, 1)] == [True] * TOTAL
    assert message.text.startswith(HEADLINE["self_care"])
    assert len(message.text) <= 700  # one phone screen, disclaimer included
    assert plain_text(LABELS.no_flags) in message.text
    assert plain_text(TRIAGE.outcomes.self_care.safety_net).splitlines()[0] in message.text
    assert message.button_texts == [LABELS.tips_button, LABELS.reminders_button, labels_of(bot)[1]]
    assert len(ann.messages) == 1  # one message all along
    tips = await tips_after(ann, message)
    assert plain_text(CONTEXT.tip).splitlines()[0] not in tips.text
    assert len(ann.messages) == 2
    # A second tap sends the tips again: the outcome is never edited away.
    await tips_after(ann, ann.messages[0])


async def test_not_sure_counts_as_yes_and_says_so(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO, NOT_SURE])
    assert message.text.startswith(HEADLINE["emergency"])
    said = plain_text(LABELS.said_not_sure.replace("{reason}", TRIAGE.questions[1].reason))
    assert said in message.text


# ---- Back, Cancel, /cancel ----

async def test_back_goes_to_the_previous_question(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    back_label, _ = labels_of(bot)
    second = await tap_through(ann, await start(ann, bot), [NO])
    third = await tap_through(ann, second, [NO])
    assert mark(3) in third.text and back_label in third.button_texts
    again = await tap_through(ann, third, [back_label])
    assert again.text == second.text and again.buttons == second.buttons
    first = await tap_through(ann, again, [back_label])
    assert mark(1) in first.text and back_label not in first.button_texts
    # Answering differently after going back takes the new answer.
    outcome = await tap_through(ann, first, [YES])
    assert outcome.text.startswith(HEADLINE["emergency"])


async def test_cancel_button_ends_the_check(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO])
    assert len(open_rows(bot)) == 1
    cancelled = await tap_through(ann, message, [LABELS.cancel])
    content = bot.services.content
    assert cancelled.text.startswith(plain_text(content.messages.cancelled))
    assert content.messages.buttons.triage in cancelled.button_texts  # the main menu
    assert open_rows(bot) == []
    # A typed "no" is an ordinary message again, not an answer.
    await ann.send("no")
    answer = await ann.reply()
    assert answer.message_id != message.message_id and mark(3) not in answer.text
    assert db_rows(bot)["triage_outcomes"] == []


async def test_cancel_command_ends_the_check(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    await ann.send("/cancel")
    reply = await ann.reply()
    assert reply.text.startswith(plain_text(bot.services.content.messages.cancelled))
    assert open_rows(bot) == []
    await ann.send("yes")
    assert (await ann.reply()).message_id != message.message_id
    assert ann.messages[0].text == message.text  # the check was not answered


# ---- starting ----

async def test_main_menu_button_starts_the_check_in_place(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    await ann.send("/start")
    menu = await ann.reply()
    await ann.tap(menu, bot.services.content.messages.buttons.triage)
    first = await ann.reply()
    assert first.message_id == menu.message_id and mark(1) in first.text
    assert [YES, NO, NOT_SURE] == first.button_texts[:3]
    assert [r[1] for r in open_rows(bot)] == [menu.message_id]


@pytest.mark.parametrize("text", ["Should I see a doctor?", "do i need a doctor for this", "Is this serious??",
                                  "check my symptoms"])
async def test_typed_opening_starts_the_check(bot, fake, no_violations, text):
    assert bot.services.engine.answer(text).kind != "urgent"
    ann = fake.user(111, "Ann")
    await ann.send(text)
    first = await ann.reply()
    assert mark(1) in first.text and first.button_texts[:3] == [YES, NO, NOT_SURE]
    second = await tap_through(ann, first, [NO])
    assert mark(2) in second.text


async def test_typed_opening_that_says_lifting_skips_only_the_context_question(bot, fake, no_violations):
    text = "Should I see a doctor? I hurt my back lifting boxes"
    assert bot.services.engine.answer(text).kind != "urgent"
    ann = fake.user(111, "Ann")
    await ann.send(text)
    message = await ann.reply()
    asked = []
    while message.button_texts[:2] == [YES, NO]:
        asked.append(message.text)
        message = await tap_through(ann, message, [NO])
    # Every warning sign and the appointment question, "1/9" to "9/9"; not the context question.
    assert len(asked) == TOTAL - 1
    assert all(f"{n}/{TOTAL - 1}" in t for n, t in enumerate(asked, 1))
    assert not any(plain_text(CONTEXT.text).splitlines()[0] in t for t in asked)
    assert message.text.startswith(HEADLINE["self_care"])
    tips = await tips_after(ann, message)
    assert plain_text(CONTEXT.tip).splitlines()[0] in tips.text  # what the message said still counts


async def test_typed_opening_with_a_red_flag_gets_the_emergency_reply(bot, fake, no_violations):
    text = f"Should I see a doctor? {BLADDER}"
    assert bot.services.engine.answer(text).kind == "urgent"
    ann = fake.user(111, "Ann")
    await ann.send(text)
    urgent = await ann.reply()
    assert urgent.text.startswith(plain_text(bot.services.content.messages.emergency).strip().splitlines()[0])
    assert urgent.button_texts == [labels_of(bot)[1]]
    assert open_rows(bot) == []
    assert len(ann.messages) == 1  # no check was started as well


# ---- typed answers ----

async def test_typed_answers_count_as_taps(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    for n, typed in enumerate(["nope", "No.", "n", "nah"], start=2):
        message = await typed_answer(ann, typed, message)
        assert mark(n) in message.text
        expected = message.message_id
        await until(lambda expected=expected: [r[1] for r in open_rows(bot)] == [expected], "the pointer to follow")
    assert open_rows(bot)[0][3] == "nnnn"
    outcome = await typed_answer(ann, "Not sure", message)
    assert outcome.text.startswith(HEADLINE["same_day"])
    assert open_rows(bot) == []
    assert db_rows(bot)["triage_outcomes"] == [("same_day", 1)]


async def test_typed_yes_and_yep(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO] * Q["see_gp"])
    message = await typed_answer(ann, "yep", message)
    assert mark(Q["see_gp"] + 2) in message.text
    outcome = await typed_answer(ann, "Yes", message)
    assert outcome.text.startswith(HEADLINE["appointment"])
    tips = await tips_after(ann, outcome)
    assert plain_text(CONTEXT.tip).splitlines()[0] in tips.text


async def test_a_typed_answer_puts_the_next_question_at_the_bottom(bot, fake, no_violations):
    """Regression (issue 10): a typed "no" edited the question four bubbles up, so the next
    question (or the outcome) appeared off-screen while nothing new appeared under the "no"."""
    ann = fake.user(111, "Ann")
    first = await start(ann, bot)
    # Something typed in between pushes the question up the chat, as in the transcript.
    await ann.send("my back hurts when I bend over")
    hint = await ann.reply()
    await ann.send("no")
    second = await ann.reply()
    assert second.message_id > hint.message_id and mark(2) in second.text and second.edits == 0
    assert [m.message_id for m in ann.messages][-1] == second.message_id
    above = await ann.reply()  # the first question: same text, no buttons left to tap
    assert above.message_id == first.message_id and above.text == first.text and above.buttons == []
    # Taps on the new question go on in place, from where the typed answer left the check.
    third = await tap_through(ann, second, [NO])
    assert mark(3) in third.text and third.message_id == second.message_id


async def test_other_text_is_answered_with_an_offer_to_continue(bot, fake, no_violations):
    """Something typed mid-check that is not an answer is not swallowed by the open question: it
    gets its normal answer, one line saying the check is still open, and a button to carry on."""
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    labels = bot.services.triage.labels
    for text in ("can i take ibuprofen", "ice or heat?", "hi"):
        await ann.send(text)
        answer = await ann.reply()
        assert answer.message_id != message.message_id
        assert labels.still_open in answer.text and answer.button_texts[0] == labels.resume
        assert "Please tap one of the buttons" not in answer.text
    assert ann.messages[0].edits == 0  # the question is untouched
    # The button brings the open question back, at the bottom, where the person is.
    await ann.tap(answer, labels.resume)
    again = await ann.reply()
    assert again.message_id > answer.message_id and mark(1) in again.text
    above = await ann.reply()  # the old copy keeps its text and loses its buttons
    assert above.message_id == message.message_id and above.buttons == []
    third = await tap_through(ann, again, [NO])
    assert mark(2) in third.text and third.message_id == again.message_id


async def test_typed_stop_ends_the_check_like_cancel(bot, fake, no_violations):
    ann = fake.user(114, "Ann")
    await start(ann, bot)
    await ann.send("stop")
    menu = await ann.reply()
    assert bot.services.content.messages.cancelled in menu.text and "Causes" in menu.button_texts
    assert open_rows(bot) == []
    await ann.send("ice or heat?")
    assert bot.services.triage.labels.still_open not in (await ann.reply()).text


async def test_a_typed_answer_that_does_not_fit_gets_a_note_of_what_to_tap(bot, fake, no_violations):
    ann = fake.user(112, "Ann")
    message = await start(ann, bot)
    # "Not sure" is no answer to a Yes/No context question: the note lists only Yes and No.
    await tap_through(ann, message, [NO] * Q["trigger"])
    await ann.send("not sure")
    assert (await ann.reply()).text == f"Please tap one of the buttons: {YES} or {NO}."


async def test_no_offer_once_the_check_is_over(bot, fake, no_violations):
    ann = fake.user(113, "Ann")
    message = await start(ann, bot)
    await ann.tap(message, bot.services.triage.labels.cancel)
    await ann.reply()
    await ann.send("ice or heat?")
    assert bot.services.triage.labels.still_open not in (await ann.reply()).text


async def test_red_flag_typed_during_the_check_gets_the_emergency_reply(bot, fake, no_violations):
    assert bot.services.engine.answer(BLADDER).kind == "urgent"
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO, NO, NO])
    await ann.send(BLADDER)
    urgent = await ann.reply()
    assert urgent.message_id != message.message_id
    assert urgent.text.startswith(plain_text(bot.services.content.messages.emergency).strip().splitlines()[0])
    assert urgent.button_texts == [labels_of(bot)[1]]
    assert ann.messages[0].text == message.text  # not taken as an answer
    # The check is still open and still takes typed answers.
    assert mark(5) in (await typed_answer(ann, "no", message)).text


async def test_typed_answer_when_the_old_question_cannot_be_edited_goes_on(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    fake.inject_error("editMessageReplyMarkup", 400, "Bad Request: message to edit not found", chat_id=111)
    await ann.send("no")
    fresh = await ann.reply()
    assert fresh.message_id != message.message_id and mark(2) in fresh.text
    await until(lambda: [r[1] for r in open_rows(bot)] == [fresh.message_id], "the pointer to move")
    third = await typed_answer(ann, "no", fresh)
    assert mark(3) in third.text


async def test_typed_answers_stop_after_an_hour_of_quiet(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    bot.clock.advance(minutes=61)
    await ann.send("no")
    answer = await ann.reply()
    assert answer.message_id != message.message_id  # answered as ordinary text
    assert open_rows(bot) == []
    second = await tap_through(ann, message, [NO])  # the buttons still work
    assert mark(2) in second.text and len(open_rows(bot)) == 1


async def test_another_button_or_command_leaves_the_check(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    await start(ann, bot)
    await ann.send("/menu")
    await ann.reply()
    assert open_rows(bot) == []
    await tap_through(ann, ann.messages[0], [NO])
    assert len(open_rows(bot)) == 1
    await ann.tap(ann.messages[1], bot.services.content.categories[0].title)
    await ann.reply()
    assert open_rows(bot) == []


# ---- state in the buttons ----

async def test_restart_mid_way_continues_from_the_button(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO, NO, NO])
    await bot.restart()
    message = await tap_through(ann, message, [NO])
    assert mark(5) in message.text
    message = await typed_answer(ann, "no", message)  # the typed-answer pointer survived too (SQLite)
    assert mark(6) in message.text
    outcome = await tap_through(ann, message, [NO] * (TOTAL - 5))
    assert outcome.text.startswith(HEADLINE["self_care"])


async def test_two_checks_in_two_messages_do_not_mix(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    a = await tap_through(ann, await start(ann, bot), [NO])
    b = await tap_through(ann, await start(ann, bot), [NO, NO])
    assert a.message_id != b.message_id
    a = await tap_through(ann, a, [NO])
    assert mark(3) in a.text
    b = await tap_through(ann, b, [NO, NO])
    assert mark(5) in b.text
    assert TRIAGE.questions[2].level == "emergency" and TRIAGE.questions[4].level == "same_day"
    a = await tap_through(ann, a, [YES])  # A's third question is an emergency one
    assert a.text.startswith(HEADLINE["emergency"])
    current_b = next(m for m in ann.messages if m.message_id == b.message_id)
    assert current_b.text == b.text  # B untouched
    b = await tap_through(ann, b, [YES])  # B's fifth question is same-day
    assert b.text.startswith(HEADLINE["same_day"])


@pytest.mark.parametrize("data", [f"tg:{OLD_VERSION}:n:n", f"tg:{OLD_VERSION}:nnn:y", f"tg:{OLD_VERSION}::u",
                                  f"tg:{OLD_VERSION}:nnnnn:b"])
async def test_button_from_the_old_question_set_starts_again(bot, fake, no_violations, data):
    assert TRIAGE.version != OLD_VERSION
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO])
    query = await ann.press(message, data)
    again = await ann.reply()
    assert again.message_id == message.message_id
    assert again.text.startswith(LABELS.restarted) and mark(1) in again.text
    assert again.button_texts == [YES, NO, NOT_SURE, LABELS.cancel]
    assert (await fake.wait_answered(query)).text == LABELS.restarted
    assert open_rows(bot)[0][3] == ""
    assert db_rows(bot)["triage_outcomes"] == []
    # ...and the fresh check works from there.
    outcome = await tap_through(ann, again, [YES])
    assert outcome.text.startswith(HEADLINE["emergency"])


async def test_tips_button_from_an_older_question_set_sends_the_general_tips(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    outcome = await tap_through(ann, await start(ann, bot), [NO] * TOTAL)
    query = await ann.press(outcome, f"tg:{OLD_VERSION}:nnnnnnny:t")
    tips = await ann.reply()
    assert tips.message_id != outcome.message_id and tips.text.startswith(plain_text(LABELS.tips_title))
    assert plain_text(CONTEXT.tip).splitlines()[0] not in tips.text
    await fake.wait_answered(query)
    assert ann.messages[0].text == outcome.text


@pytest.mark.parametrize("answers", ["zz", "yn", "nnnnnnnnnnn", "nnnnnnny", "Y", "n.n", "nnnnnnnnnn"])
async def test_tampered_answers_start_again(bot, fake, no_violations, answers):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    await ann.press(message, f"tg:{TRIAGE.version}:{answers}:n")
    again = await ann.reply()
    assert again.text.startswith(LABELS.restarted) and mark(1) in again.text
    assert db_rows(bot)["triage_outcomes"] == []


async def test_not_sure_on_a_context_question_is_refused(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    await ann.press(message, f"tg:{TRIAGE.version}:{'n' * Q['trigger']}:u")
    assert (await ann.reply()).text.startswith(LABELS.restarted)


async def test_malformed_triage_button_gets_the_stale_menu(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await start(ann, bot)
    await ann.press(message, "tg:what:is:this:thing")
    stale = await ann.reply()
    assert stale.text.startswith(plain_text(bot.services.content.messages.stale_button))


# ---- privacy ----

async def test_only_an_anonymous_count_is_kept_after_the_check(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    message = await tap_through(ann, await start(ann, bot), [NO] * 5)
    during = open_rows(bot)
    assert [(r[0], r[1], r[2], r[3]) for r in during] == [(111, message.message_id, TRIAGE.version, "nnnnn")]

    await tap_through(ann, message, [NO] * (TOTAL - 6) + [YES])
    rows = db_rows(bot)
    assert rows["triage_outcomes"] == [("self_care", 1)]
    assert rows["awaiting"] == []
    for table, content in rows.items():
        if table == "triage_outcomes":
            continue
        for row in content:
            assert not any("n" * (TOTAL - 1) + "y" in str(v) or TRIAGE.version in str(v) for v in row), (table, row)

    bob = fake.user(222, "Bob")
    await tap_through(bob, await start(bob, bot), [NO] * TOTAL)
    assert db_rows(bot)["triage_outcomes"] == [("self_care", 2)]
