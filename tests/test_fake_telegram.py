"""The fake Bot API server, driven by python-telegram-bot's real Bot and Application over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import warnings

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.warnings import PTBDeprecationWarning

from bot.sandbox import FakeTelegram, ManualClock
from bot.sandbox.updates import UpdateQueue

ANN = 111
# PTB itself reads RetryAfter.retry_after while building the exception.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def fake():
    async with FakeTelegram() as server:
        server.user(ANN, "Ann")
        yield server


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


def seconds(obj: object, attribute: str) -> float:
    """A PTB time period in seconds, whether PTB returns int or timedelta (v22 is migrating)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = getattr(obj, attribute)
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


# --- basics ----------------------------------------------------------------------------------


async def test_get_me_describes_the_bot(fake, bot):
    me = await bot.get_me()
    assert me.is_bot and me.can_join_groups is True
    assert me.username == fake.bot_user["username"]
    assert me.id == int(fake.token.split(":")[0])


async def test_wrong_token_is_unauthorized(fake):
    async with FakeTelegram(token="42:RIGHT") as other:
        with pytest.raises(InvalidToken):
            async with Bot("42:WRONG", base_url=other.base_url):
                pass
        assert other.violations[0].error_code == 401


async def test_unknown_method_answers_404(fake, bot):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ANN})
    assert fake.violations[-1].description == "Not Found"


async def test_send_message_returns_a_ptb_message_and_stores_it(fake, bot):
    markup = keyboard(InlineKeyboardButton("Causes", callback_data="cat:causes"))
    sent = await bot.send_message(ANN, "  <b>Back</b> spasms &amp; you  ", parse_mode="HTML", reply_markup=markup)
    assert isinstance(sent, Message)
    assert sent.text == "Back spasms & you"  # tags parsed, whitespace trimmed
    assert sent.entities[0].type == "bold" and (sent.entities[0].offset, sent.entities[0].length) == (0, 4)
    assert sent.reply_markup == markup
    assert sent.from_user.is_bot and sent.chat.id == ANN
    ann = fake.user(ANN)
    assert ann.messages[0].buttons == [[("Causes", "cat:causes")]]
    assert fake.sent_count(ANN) == 1 and fake.sent_count() == 1 and fake.violations == []


async def test_every_request_encoding_is_understood(fake):
    url = f"{fake.base_url}{fake.token}/sendMessage"
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    async with httpx.AsyncClient() as client:
        answers = [
            await client.post(url, json={"chat_id": ANN, "text": "json", "reply_markup": json.loads(markup)}),
            await client.post(url, data={"chat_id": str(ANN), "text": "form", "reply_markup": markup}),
            await client.post(url, data={"chat_id": str(ANN), "text": "multipart"}, files={"doc": ("a.txt", b"x")}),
            await client.get(url, params={"chat_id": ANN, "text": "query"}),
        ]
    assert [a.json()["result"]["text"] for a in answers] == ["json", "form", "multipart", "query"]
    assert [m.buttons for m in fake.user(ANN).messages[:2]] == [[[("A", "a")]]] * 2


# --- refusals --------------------------------------------------------------------------------

ENTITIES = "Bad Request: can't parse entities: "
BUTTON = "Bad Request: can't parse inline keyboard button: "
UNALLOWED = BUTTON + "Text buttons are unallowed in the inline keyboard"


def buttons(**button: str) -> dict:
    return {"inline_keyboard": [[{"text": "A", **button}]]}


def case(fields: dict, description: str | None, name: str):
    return pytest.param({"text": "x", **fields}, description, id=name)


REFUSALS = [
    case({"text": "x" * 4097}, "Bad Request: message is too long", "too-long"),
    case({"text": "<b>" + "x" * 4096 + "</b>"}, None, "tags-do-not-count"),
    case({"text": "   "}, "Bad Request: message text is empty", "blank"),
    case({"text": "<b></b>"}, "Bad Request: message text is empty", "empty-after-parsing"),
    case({"text": "<div>x</div>"}, ENTITIES + 'Unsupported start tag "div" at byte offset 0', "bad-tag"),
    case({"text": "<b>x"}, ENTITIES + 'Can\'t find end tag corresponding to start tag "b"', "unclosed"),
    case({"text": "<b><i>x</b></i>"}, ENTITIES + 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"', "crossed"),
    case({"text": "1 < 2"}, ENTITIES + 'Unsupported start tag "" at byte offset 2', "raw-lt"),
    case({"parse_mode": "XML"}, "Bad Request: unsupported parse_mode", "parse-mode"),
    case({"chat_id": 999}, "Bad Request: chat not found", "chat"),
    case({"reply_markup": "{not json"}, "Bad Request: can't parse reply keyboard markup JSON object", "markup-json"),
    case({"reply_markup": keyboard(InlineKeyboardButton("", callback_data="a"))}, "Bad Request: BUTTON_TEXT_INVALID", "button-text"),
    case({"reply_markup": keyboard(InlineKeyboardButton("A", callback_data="é" * 33))}, "Bad Request: BUTTON_DATA_INVALID", "66-bytes"),
    case({"reply_markup": keyboard(InlineKeyboardButton("A", callback_data="é" * 32))}, None, "64-bytes"),
    case({"reply_markup": buttons(callback_data="")}, UNALLOWED, "data-empty"),
    case({"reply_markup": buttons()}, UNALLOWED, "no-action"),
    case(
        {"reply_markup": buttons(callback_data="a", url="https://nhs.uk")},
        BUTTON + "exactly one action field must be used, found url, callback_data",
        "two-actions",
    ),
]


@pytest.mark.parametrize(("fields", "description"), REFUSALS)
async def test_send_message_refusals_match_telegram(fake, bot, fields, description):
    kwargs = {"chat_id": ANN, "parse_mode": "HTML", **fields}
    if description is None:
        await bot.send_message(**kwargs)
        assert fake.violations == []
        return
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(**kwargs)
    assert caught.value.message.lower() == description.removeprefix("Bad Request: ").lower()
    [violation] = fake.violations
    assert (violation.method, violation.description, violation.error_code) == ("sendMessage", description, 400)
    assert violation.params["text"] == fields["text"]
    assert fake.sent_count() == 0


async def test_blocked_user_gets_403_and_the_bot_a_my_chat_member_update(fake, bot):
    ann = fake.user(ANN)
    await ann.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANN, "reminder")
    [update] = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.old_chat_member.status == "member"
    assert fake.violations == []  # the bot could not know; not its mistake
    await ann.unblock()
    await bot.send_message(ANN, "welcome back")
    assert fake.sent_count(ANN) == 1


async def test_deleted_chat_answers_chat_not_found(fake, bot):
    fake.delete_chat(ANN)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(ANN, "reminder")
    assert fake.violations == [] and fake.calls[-1].ok is False


# --- editing ---------------------------------------------------------------------------------


async def test_edit_with_identical_content_is_not_modified(fake, bot):
    markup = keyboard(InlineKeyboardButton("Back", callback_data="back"))
    sent = await bot.send_message(ANN, "<b>Causes</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<strong>Causes</strong>", ANN, sent.message_id, parse_mode="HTML", reply_markup=markup)
    assert fake.violations[-1].description.startswith("Bad Request: message is not modified: specified new")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(ANN, sent.message_id, reply_markup=markup)
    assert len(fake.violations) == 2


async def test_edit_changes_text_and_drops_keyboard_when_none_given(fake, bot):
    markup = keyboard(InlineKeyboardButton("Back", callback_data="back"))
    sent = await bot.send_message(ANN, "Causes", reply_markup=markup)
    edited = await bot.edit_message_text("Remedies", ANN, sent.message_id)
    assert edited.text == "Remedies" and edited.edit_date is not None and edited.reply_markup is None
    [current] = fake.user(ANN).messages
    assert (current.text, current.buttons, current.edits) == ("Remedies", [], 1)
    await bot.edit_message_reply_markup(ANN, sent.message_id, reply_markup=markup)
    assert fake.user(ANN).messages[0].buttons == [[("Back", "back")]]


async def test_editing_an_unknown_message_is_refused(fake, bot):
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ANN, 404)
    user_message = await fake.user(ANN).send("hello")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", ANN, user_message.message_id)
    assert [v.method for v in fake.violations] == ["editMessageText", "editMessageText"]


async def test_a_message_with_a_keyboard_under_the_input_field_cannot_be_edited(fake, bot):
    """Telegram: only messages without reply_markup or with inline keyboards can be edited. The
    chat keeps the keyboard a send put under the input field until a send removes it."""
    from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

    ann = fake.user(ANN)
    offer = await bot.send_message(ANN, "where?", reply_markup=ReplyKeyboardMarkup([[KeyboardButton("📍", request_location=True)]]))
    assert ann.reply_keyboard == [[{"text": "📍", "request_location": True}]]
    removal = await bot.send_message(ANN, "ok", reply_markup=ReplyKeyboardRemove())
    assert ann.reply_keyboard is None
    for message in (offer, removal):
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.edit_message_reply_markup(ANN, message.message_id, reply_markup=keyboard(InlineKeyboardButton("Yes", callback_data="y")))
    with pytest.raises(LookupError, match="no location button"):
        await ann.tap_location_button(1.0, 2.0)


async def test_delete_message(fake, bot):
    sent = await bot.send_message(ANN, "bye")
    assert await bot.delete_message(ANN, sent.message_id)
    assert fake.user(ANN).messages == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ANN, sent.message_id)


# --- callback queries ------------------------------------------------------------------------


async def test_callback_query_is_answered_once(fake, bot):
    ann = fake.user(ANN)
    sent = await bot.send_message(ANN, "Menu", reply_markup=keyboard(InlineKeyboardButton("Causes", callback_data="cat:causes")))
    query_id = await ann.tap(sent, "Causes")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert (query.id, query.data, query.from_user.id, query.message.message_id) == (query_id, "cat:causes", ANN, sent.message_id)
    assert fake.unanswered_callback_queries() == [query_id]
    assert await bot.answer_callback_query(query_id, text="Opening…")
    assert fake.callback_answers[query_id].text == "Opening…"
    assert fake.unanswered_callback_queries() == []
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    assert fake.violations[-1].method == "answerCallbackQuery"


async def test_callback_answer_after_the_deadline_is_too_old():
    clock = ManualClock()
    async with FakeTelegram(clock=clock, callback_answer_timeout=15) as fake:
        ann = fake.user(ANN)
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            sent = await bot.send_message(ANN, "Menu", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a")))
            on_time, late = await ann.press(sent, "a"), await ann.press(sent, "stale:data")
            clock.advance(15)
            await bot.answer_callback_query(on_time)
            clock.advance(1)
            with pytest.raises(BadRequest, match="Query is too old"):
                await bot.answer_callback_query(late)
            with pytest.raises(BadRequest, match="Message_too_long"):
                await bot.answer_callback_query(late, text="x" * 201)
            assert fake.unanswered_callback_queries() == [late]


async def test_tap_names_the_missing_button(fake, bot):
    sent = await bot.send_message(ANN, "Menu", reply_markup=keyboard(InlineKeyboardButton("Causes", callback_data="c")))
    with pytest.raises(LookupError, match="no button 'Remedies'.*Causes"):
        await fake.user(ANN).tap(sent, "Remedies")


# --- updates ---------------------------------------------------------------------------------


async def test_long_polling_waits_for_a_message_and_honours_offset(fake, bot):
    ann = fake.user(ANN)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_until(lambda: fake.polling, what="the long poll to start")
    await ann.send("/start please")
    [update] = await asyncio.wait_for(poll, 5)
    message = update.message
    assert message.text == "/start please" and message.chat.id == ANN
    assert message.entities[0].type == "bot_command" and message.entities[0].length == len("/start")
    assert await bot.get_updates() == (update,)  # not confirmed yet
    assert await bot.get_updates(offset=update.update_id + 1) == ()


async def test_an_update_queued_as_the_poll_starts_waiting_is_not_missed():
    queue = UpdateQueue(on_wait=lambda: queue.put("message", {"text": "just in time"}))
    # A lost wake-up would hold this poll for its full 30 s timeout.
    [update] = await asyncio.wait_for(queue.get(offset=None, limit=100, timeout=30, allowed=None), 5)
    assert update["message"]["text"] == "just in time"


async def test_allowed_updates_are_remembered_and_filter_delivery(fake, bot):
    ann = fake.user(ANN)
    sent = await bot.send_message(ANN, "Menu", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a")))
    assert await bot.get_updates(allowed_updates=["message"]) == ()
    await ann.press(sent, "a")
    await ann.send("hi")
    updates = await bot.get_updates()  # the last allowed_updates still applies
    assert [u.message.text for u in updates] == ["hi"]
    assert fake.allowed_updates == ["message"]
    assert [list(u)[1] for u in fake.dropped_updates] == ["callback_query"]


async def test_a_second_poller_ends_the_first_with_conflict(fake, bot):
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_until(lambda: fake.polling, what="the first long poll")
    async with Bot(fake.token, base_url=fake.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_media_updates_deserialize(fake, bot):
    ann = fake.user(ANN)
    await ann.send_sticker()
    await ann.send_photo(caption="my back")
    await ann.send_voice()
    sticker, photo, voice = await bot.get_updates()
    assert sticker.message.sticker.emoji == "👍"
    assert photo.message.photo[-1].width == 800 and photo.message.caption == "my back"
    assert seconds(voice.message.voice, "duration") == 3


# --- faults and limits -----------------------------------------------------------------------


async def test_injected_errors_are_answered_then_consumed(fake, bot):
    fake.user(222, "Bob")
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    fake.inject_error("sendMessage", 502, "Bad Gateway", chat_id=222, times=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANN, "one")
    assert seconds(caught.value, "retry_after") == 3
    await bot.send_message(ANN, "two")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(222, "three")
    await bot.send_message(222, "four")
    assert fake.violations == []
    assert (fake.sent_count(ANN), fake.sent_count(222)) == (1, 1)


async def test_disconnect_after_delivery_loses_only_the_answer(fake, bot):
    fake.inject_disconnect("sendMessage", deliver=True)
    with pytest.raises(NetworkError):
        await bot.send_message(ANN, "reminder")
    assert [m.text for m in fake.user(ANN).messages] == ["reminder"]


async def test_delay_times_out_the_client_then_drops_or_delivers(fake, bot):
    fake.inject_delay("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(ANN, "lost in a hung gateway", read_timeout=0.1)
    fake.inject_delay("sendMessage", 0.5, deliver=True)
    with pytest.raises(TimedOut):
        await bot.send_message(ANN, "handled late", read_timeout=0.1)
    await fake.wait_until(lambda: fake.sent_count(ANN) == 1, what="the late delivery")
    assert [m.text for m in fake.user(ANN).messages] == ["handled late"]
    assert [c.description for c in fake.calls_to("sendMessage")] == ["no answer for 0.5 s (injected)", None]
    assert fake.violations == []


async def test_flood_control_answers_429_beyond_the_burst():
    clock = ManualClock()
    async with FakeTelegram(clock=clock, flood_limit_per_second=30, flood_burst=3) as fake:
        fake.user(ANN, "Ann")
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            for n in range(3):
                await bot.send_message(ANN, f"burst {n}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(ANN, "one too many")
            assert seconds(caught.value, "retry_after") >= 1
            assert fake.violations[-1].error_code == 429
            clock.advance(1)
            await bot.send_message(ANN, "after a pause")
            assert fake.sent_count(ANN) == 4
            clock.advance(60)
            for chat_id in range(1000, 1030):  # the overall limit: 30 a second, one each
                fake.user(chat_id, "Crowd")
                await bot.send_message(chat_id, "hello")
            with pytest.raises(RetryAfter):
                await bot.send_message(ANN, "the 31st within a second")
            assert fake.sent_count() == 34


async def test_chat_action(fake, bot):
    assert await bot.send_chat_action(ANN, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(ANN, "dancing")
    await fake.user(ANN).block()
    with pytest.raises(Forbidden):
        await bot.send_chat_action(ANN, "typing")


# --- the bot's profile -----------------------------------------------------------------------


async def test_commands_are_validated_and_stored(fake, bot):
    await bot.set_my_commands([("start", "Start"), ("help", "How it works")])
    assert fake.commands == [{"command": "start", "description": "Start"}, {"command": "help", "description": "How it works"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    for bad, description in [
        ([("Start", "x")], "BOT_COMMAND_INVALID"),
        ([("s" * 33, "x")], "BOT_COMMAND_INVALID"),
        ([("start", "")], "command description must be non-empty"),
        ([("start", "x" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([(f"c{n}", "x") for n in range(101)], "BOT_COMMANDS_TOO_MUCH"),
    ]:
        with pytest.raises(BadRequest):
            await bot.set_my_commands(bad)
        assert fake.violations[-1].description == f"Bad Request: {description}"
    await bot.delete_my_commands()
    assert fake.commands == []


async def test_descriptions_are_limited(fake, bot):
    await bot.set_my_description("Answers about back spasms.")
    await bot.set_my_short_description("Back spasm help")
    assert (fake.description, fake.short_description) == ("Answers about back spasms.", "Back spasm help")
    assert (await bot.get_my_description()).description == "Answers about back spasms."
    with pytest.raises(BadRequest, match="Description is too long"):
        await bot.set_my_description("x" * 513)
    with pytest.raises(BadRequest, match="Short description is too long"):
        await bot.set_my_short_description("x" * 121)
    assert await bot.delete_webhook() and (await bot.get_webhook_info()).url == ""


# --- the whole Application -------------------------------------------------------------------


async def test_ptb_application_replies_over_long_polling(fake):
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        markup = keyboard(InlineKeyboardButton("More", callback_data="more"))
        await update.message.reply_text(f"You said: <i>{update.message.text}</i>", parse_mode="HTML", reply_markup=markup)

    async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Here you go")
        await update.callback_query.edit_message_text("More on that")

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(more))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=["message", "callback_query"])
    try:
        ann = fake.user(ANN)
        await ann.send("hi")
        reply = await ann.reply(timeout=5)
        assert reply.text == "You said: hi" and reply.entities[0]["type"] == "italic"
        query_id = await ann.tap(reply, "More")
        edited = await ann.reply(timeout=5)
        assert (edited.message_id, edited.text, edited.edits, edited.buttons) == (reply.message_id, "More on that", 1, [])
        assert (await fake.wait_answered(query_id)).text == "Here you go"
        assert reply.text == "You said: hi"  # what reply() returned is a snapshot
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert fake.allowed_updates == ["message", "callback_query"]
    assert fake.violations == []


async def test_reply_timeout_names_what_was_awaited(fake):
    with pytest.raises(TimeoutError, match=r"no new message or edit from the bot in chat 111 \(Ann\)"):
        await fake.user(ANN).reply(timeout=0.01)
