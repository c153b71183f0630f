"""The fake server's groups (privacy mode, replies) and the events it reports to a live view."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox import ChatAction, Violation
from bot.sandbox.users import seen_in_privacy_mode

GROUP = -555001


@pytest.fixture
async def client(fake):
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


@pytest.mark.parametrize(
    ("text", "reply_to_bot", "seen"),
    [
        ("/start", False, True),
        ("/start@backspasm_test_bot", False, True),
        ("/START@BACKSPASM_TEST_BOT please", False, True),
        ("/start@some_other_bot", False, False),
        ("hello everyone", False, False),
        ("@backspasm_test_bot what causes spasms", False, False),  # a mention is not enough
        ("Berlin", True, True),  # a reply to the bot is
        ("see /help", False, False),  # a command later in the text is not a command for the bot
    ],
)
def test_privacy_mode_lets_through_commands_and_replies_only(text, reply_to_bot, seen):
    assert seen_in_privacy_mode(text, "backspasm_test_bot", reply_to_bot) is seen


async def test_group_messages_reach_the_bot_as_telegram_sends_them(fake, bot, no_violations):
    fake.user(111, "Ann")
    fake.user(112, "Ben")
    fake.group(GROUP, "Back club", [111, 112])
    ann, ben = fake.member(GROUP, 111), fake.member(GROUP, 112)

    chatter = await ben.send("anyone else's back hurting?")
    assert chatter.delivered is False  # privacy mode: the bot never sees plain chat

    await ann.send("/help")
    help_reply = await ann.reply()
    assert help_reply.chat_id == GROUP and help_reply.from_bot
    # The bot answered the command and nothing before it: the chatter never reached it.
    assert [c.chat_id for c in fake.calls_to("sendMessage")] == [GROUP]

    answer = await ben.send("what causes back spasms", reply_to=help_reply)
    assert answer.delivered and answer.reply_to == help_reply.message_id
    reply = await ben.reply()
    assert reply.chat_id == GROUP and "spasm" in reply.text.lower()
    assert ann.messages == ben.messages  # one chat, seen the same by both members


async def test_a_group_starts_with_the_bot_added_and_members_only_may_speak(fake):
    fake.user(111, "Ann")
    fake.group(GROUP, "Back club", [111])
    kinds = [kind for kind, _update in fake.updates._pending]
    assert kinds == ["my_chat_member"]
    with pytest.raises(LookupError):
        fake.member(GROUP, 999)
    with pytest.raises(ValueError):
        fake.group(5, "positive ids are people", [111])


async def test_command_menu_follows_telegrams_scope_order(fake, client):
    fake.user(111, "Ann")
    fake.group(GROUP, "Back club", [111])
    await client.set_my_commands([("start", "Start")])
    await client.set_my_commands([("triage", "Check")], scope={"type": "all_group_chats"})
    await client.set_my_commands([("stats", "Numbers")], scope={"type": "chat", "chat_id": 111})
    assert [c["command"] for c in fake.commands_in(111)] == ["stats"]
    assert [c["command"] for c in fake.commands_in(GROUP)] == ["triage"]
    await client.set_my_commands([("hilfe", "Hilfe")], language_code="de")
    fake.user(222, "Jonas", language_code="de")
    assert [c["command"] for c in fake.commands_in(222)] == ["hilfe"]


async def test_listeners_hear_actions_answers_violations_and_user_messages(fake, client):
    heard: list[tuple[str, object]] = []
    fake.add_listener(lambda event, payload: heard.append((event, payload)))
    ann = fake.user(111, "Ann")
    await ann.send("hi")
    await client.send_chat_action(111, "typing")
    sent = await client.send_message(111, "menu", reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    query_id = await ann.press(sent.message_id, "a")
    await client.answer_callback_query(query_id, "Saved", show_alert=True)
    with pytest.raises(BadRequest):
        await client.send_message(111, "<b>unclosed", parse_mode="HTML")
    events = [event for event, _ in heard]
    assert events == ["user", "action", "sent", "answered", "violation"]
    action = heard[1][1]
    assert isinstance(action, ChatAction) and action.chat_id == 111 and action.action == "typing"
    assert heard[3][1].answer.text == "Saved" and heard[3][1].answer.show_alert
    assert isinstance(heard[4][1], Violation) and "can't parse entities" in heard[4][1].description

