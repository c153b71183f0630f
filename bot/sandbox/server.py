"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and a local sandbox.

The real python-telegram-bot `Application` talks to it over real HTTP, so everything between the
bot's handlers and the wire is exercised. It answers like Telegram, refuses what Telegram refuses
(with Telegram's error descriptions) and records each refusal as a violation a test can assert on.

Starting::

    async with FakeTelegram(token="123:ABC") as fake:          # or: await fake.start() / fake.stop()
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
        # fake.base_url == "http://127.0.0.1:PORT/bot"; requests go to {base_url}{token}/{method}

    FakeTelegram(token=DEFAULT_TOKEN, *, host="127.0.0.1", port=0, clock=time.time,
                 callback_answer_timeout=15.0, flood_limit_per_second=None, flood_limit_per_chat=1.0,
                 flood_burst=3, record_calls=True, bot_username=..., bot_first_name=...)
    A wrong token answers 401, an unknown method 404 {"ok": false, "description": "Not Found"}.
    record_calls=False keeps `calls` empty for long benchmarks (each stored message still costs
    about 1 KB).

Simulated users (private chat id == user id) and groups::

    ann = fake.user(111, "Ann")                 # SimUser; the same object again for the same id
    await ann.send("/start")                    # message update (commands get bot_command entities)
    menu = await ann.reply(timeout=5)           # the bot's next send or edit after the read cursor
    await ann.tap(menu, "Causes")               # press a button by label in the message's *current*
    await ann.press(menu, "raw:data")           #   keyboard, or any callback data; both return the query id
    await ann.tap_button("Back")                # the newest bot message with that button
    await ann.send_sticker(); await ann.send_photo(caption=None); await ann.send_voice()
    await ann.block(); await ann.unblock()      # sends then answer 403; bot gets my_chat_member updates
    ann.messages / ann.last / ann.unread() / ann.mark_read()
    fake.delete_chat(111)                       # later sends answer 400 "chat not found"
    club = fake.group(-555001, "Back club", [111, 112])   # a group with the bot and these users
    ann_there = fake.member(-555001, 111)       # SimUser: Ann speaking in the group
    await ann_there.send("/start")              # privacy mode (Telegram's default): the bot gets
                                                #   only commands for it and replies to its messages
    await ann_there.send("Berlin", reply_to=question)      # a reply reaches the bot

`reply()` returns each bot send or edit once, in order (raises TimeoutError naming the chat and
what was read); `unread()` returns and consumes all pending ones; `messages` / `last` show the
current state. Nothing advances the cursor implicitly, so a test reads every bot action it expects.

ChatMessage (frozen snapshot; an edit stores a new one): message_id, chat_id, from_bot, date,
text (visible, HTML parsed), entities, reply_markup (parsed), markup_json, buttons (rows of
(text, callback_data)), button_texts, find_button(text), edits, edit_date, source (text as sent,
with HTML), parse_mode, kind ("text", "sticker", "photo", "voice"), deleted.

Reading what the bot did::

    fake.calls                      # every request: Call(method, params, ok, error_code, description, chat_id)
    fake.violations                 # Violation(method, description, params, error_code) for refusals
                                    # caused by what the bot sent (bad HTML, too long, not modified,
                                    # query too old, unknown chat or method, flood 429...). Not
                                    # violations: blocked (403), deleted chat, injected faults, 409.
    fake.callback_answers           # query id -> CallbackAnswer(text, show_alert, url, ...)
    fake.unanswered_callback_queries()
    await fake.wait_answered(query_id, timeout=5)
    await fake.wait_until(lambda: ..., timeout=5, what="...")   # re-checked after every request
                                    # and when a long poll starts waiting (fake.polling)
    fake.commands, fake.commands_for(scope=None, language_code=""), fake.description,
    fake.short_description, fake.allowed_updates, fake.dropped_updates, fake.sent_count(chat_id=None),
    fake.calls_to(method), fake.polling, fake.commands_in(chat_id)  # the command menu a chat shows
    fake.add_listener(fn)           # fn(event, payload) for a live view (the sandbox web chat):
                                    # "sent" / "edited" / "deleted" (bot) and "user": ChatMessage;
                                    # "action": ChatAction; "answered": CallbackQuery;
                                    # "violation": Violation; "commands": None

Faults and limits::

    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    fake.inject_error("sendMessage", 502, "Bad Gateway", chat_id=111, times=2)
    fake.inject_disconnect("sendMessage", deliver=True)   # message stored, answer lost: NetworkError
    fake.inject_delay("sendMessage", 2.0)       # no answer for 2 s, then the connection drops
                                                #   unhandled (deliver=True: handled, answered late);
                                                #   beyond the bot's read timeout: TimedOut
    fake.clear_faults()                         # method "*" matches any method
    FakeTelegram(flood_limit_per_second=30)   # 429 beyond ~30 sends/s overall or ~1/s per chat
                                              # (flood_burst=3 tolerated); off by default

Time: `clock` (default time.time) stamps messages and drives the answerCallbackQuery deadline
(`callback_answer_timeout`, 15 s) and flood control; pass ManualClock to control it.
getUpdates follows Telegram: updates stay until confirmed by offset; the last allowed_updates
passed is remembered and other update types are dropped at delivery (see dropped_updates); a
second getUpdates while one waits ends the first with 409 Conflict.
Webhooks: setWebhook / deleteWebhook / getWebhookInfo are checked as api.json describes them
(https URL on port 443, 80, 88 or 8443; secret_token 1-256 of A-Z a-z 0-9 _ -); `fake.webhook`
holds what was set, and getUpdates answers 409 while it is. Delivery is the test's choice:
    fake.deliver_webhook("http://127.0.0.1:8080")  # pending updates POSTed there + the URL's path,
                                                   #   with the secret header; non-2xx retried
    status, text = await fake.post_update(url, update_or_raw_body, secret=...)  # one POST, by hand
Limitations: basic groups only (no supergroups, channels or admin rights); Markdown parse modes
are accepted but not parsed; inline-mode and media-sending methods answer 404 like any unknown
method.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import logging
import time
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.sandbox import methods
from bot.sandbox.limits import Fault, Faults, FloodControl
from bot.sandbox.markup import scope_key
from bot.sandbox.models import (
    Call,
    CallbackAnswer,
    CallbackQuery,
    ChatMessage,
    ChatState,
    Violation,
    WebhookSetting,
)
from bot.sandbox.params import ApiError, Params, read_params
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.users import SimUser

DEFAULT_TOKEN = "123456789:TEST-fake-telegram-token"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_LOG = logging.getLogger(__name__)
Listener = Callable[[str, Any], None]


class ManualClock:
    """A clock a test moves by hand: `clock.advance(16)`."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeTelegram:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        callback_answer_timeout: float = 15.0,
        flood_limit_per_second: float | None = None,
        flood_limit_per_chat: float = 1.0,
        flood_burst: int = 3,
        record_calls: bool = True,
        bot_username: str = "backspasm_test_bot",
        bot_first_name: str = "Back Spasm Helper",
    ):
        self.token = token
        self.host = host
        self.port = port
        self.clock = clock
        self.callback_answer_timeout = callback_answer_timeout
        self.record_calls = record_calls
        self.flood: FloodControl | None = None
        if flood_limit_per_second:
            self.flood = FloodControl(flood_limit_per_second, flood_limit_per_chat, flood_burst)
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.me: dict[str, Any] = {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.chats: dict[int, ChatState] = {}
        self.updates = UpdateQueue(on_wait=self._check_waiters)
        self.queries: dict[str, CallbackQuery] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.calls: list[Call] = []
        self.violations: list[Violation] = []
        self.command_lists: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self._users: dict[int, SimUser] = {}
        self._members: dict[tuple[int, int], SimUser] = {}
        self._faults = Faults()
        self._listeners: list[Listener] = []
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future]] = []
        self._query_ids = itertools.count(4_000_000_000_000_001)
        self._sent_total = 0
        self._runner: web.AppRunner | None = None
        self.webhook: WebhookSetting | None = None  # set by setWebhook, cleared by deleteWebhook
        self._delivery: asyncio.Task | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self.updates.close()  # long polls return now instead of holding the shutdown
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    # --- people and scenario ------------------------------------------------------------------

    def user(
        self,
        user_id: int = 111,
        first_name: str = "Ann",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> SimUser:
        """The simulated user with this id (created with a private chat on first call)."""
        if user_id in self._users:
            return self._users[user_id]
        person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                person[key] = chat[key] = value
        if language_code:
            person["language_code"] = language_code
        self.chats[user_id] = ChatState(user=person, chat=chat)
        user = self._users[user_id] = SimUser(self, self.chats[user_id])
        return user

    def delete_chat(self, chat_id: int) -> None:
        """The chat vanishes (account deleted): sends to it answer 400 "chat not found"."""
        self.chats[chat_id].deleted = True

    def group(self, chat_id: int = -555001, title: str = "Back club", members: Iterable[int] = ()) -> ChatState:
        """A group with the bot in it and these users (created with `user()` first). The bot
        gets a my_chat_member update (added by the first member), as on Telegram."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative on Telegram")
        if chat_id in self.chats:
            return self.chats[chat_id]
        people = [self._users[user_id].person for user_id in members]
        if not people:
            raise ValueError("a group needs at least one member")
        chat = {"id": chat_id, "type": "group", "title": title}
        state = self.chats[chat_id] = ChatState(user=people[0], chat=chat)
        state.members = [person["id"] for person in people]
        self.updates.put(
            "my_chat_member",
            {
                "chat": chat,
                "from": people[0],
                "date": int(self.clock()),
                "old_chat_member": {"status": "left", "user": self.bot_user},
                "new_chat_member": {"status": "member", "user": self.bot_user},
            },
        )
        return state

    def member(self, chat_id: int, user_id: int) -> SimUser:
        """The simulated user `user_id` speaking in group `chat_id` (one object per pair)."""
        chat = self.chats[chat_id]
        if not chat.is_group:
            raise ValueError(f"chat {chat_id} is not a group; use fake.user({user_id})")
        if user_id not in chat.members:
            raise LookupError(f"user {user_id} is not a member of group {chat_id}")
        key = (chat_id, user_id)
        if key not in self._members:
            self._members[key] = SimUser(self, chat, self._users[user_id].person)
        return self._members[key]

    def sender_of(self, chat: ChatState, message: ChatMessage) -> dict[str, Any]:
        """The Bot API User who sent `message`."""
        if message.from_bot:
            return self.bot_user
        if message.sender_id is not None and message.sender_id in self._users:
            return self._users[message.sender_id].person
        return chat.user

    def inject_error(
        self,
        method: str,
        error_code: int,
        description: str,
        chat_id: int | None = None,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" = any) with this error, instead of
        handling them. With chat_id, only calls to that chat match."""
        self._faults.add(Fault(method.lower(), error_code, description, chat_id, times, retry_after))

    def inject_disconnect(self, method: str, chat_id: int | None = None, times: int = 1, deliver: bool = False) -> None:
        """Drop the connection instead of answering (the bot sees a NetworkError). With
        deliver=True the request takes effect first (a sent message exists) and only the answer
        is lost: the case that makes naive retries send duplicates."""
        self._faults.add(Fault(method.lower(), 0, "disconnect", chat_id, times, None, True, deliver))

    def inject_delay(
        self, method: str, seconds: float, chat_id: int | None = None, times: int = 1, deliver: bool = False
    ) -> None:
        """Hold the request `seconds` before answering: a timeout when that is longer than the
        bot's read timeout. Then drop the connection without handling the request (a gateway
        that hung), or with deliver=True handle it and answer late (it took effect anyway)."""
        self._faults.add(Fault(method.lower(), 0, "delay", chat_id, times, None, not deliver, False, seconds))

    def clear_faults(self) -> None:
        self._faults.clear()

    def add_listener(self, listener: Listener) -> None:
        """Call listener(event, payload) on each event (see the module docstring)."""
        self._listeners.append(listener)

    def emit(self, event: str, payload: Any) -> None:
        for listener in self._listeners:
            listener(event, payload)

    # --- webhook delivery ---------------------------------------------------------------------

    async def post_update(
        self, url: str, update: Any, *, secret: Any = ..., session: aiohttp.ClientSession | None = None
    ) -> tuple[int, str]:
        """POST one update to `url` the way Telegram does: a JSON body and the secret header,
        with the secret the bot passed to setWebhook unless `secret` is given (None: no header).
        `update` may be a dict (sent as JSON) or bytes/str (sent as they are, for malformed
        bodies). Returns (HTTP status, body text)."""
        if secret is ...:
            secret = self.webhook.secret_token if self.webhook is not None else None
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = update if isinstance(update, (bytes, str)) else json.dumps(update, ensure_ascii=False)
        own = session is None
        session = session or aiohttp.ClientSession()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                return response.status, await response.text()
        finally:
            if own:
                await session.close()

    def deliver_webhook(self, to: str, *, retry_delay: float = 0.2) -> None:
        """Deliver pending updates (from SimUser.send and friends) to the bot's webhook while one
        is set, like Telegram: each is POSTed to `to` + the path of the registered URL (`to` is
        where the reverse proxy would forward, e.g. "http://127.0.0.1:8080"), one at a time, in
        order; an answer other than 2xx is recorded in getWebhookInfo and retried after
        `retry_delay`. Stops when the webhook is deleted or the fake stops."""
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.create_task(self._deliver(to.rstrip("/"), retry_delay))

    async def _deliver(self, to: str, retry_delay: float) -> None:
        offset: int | None = None
        async with aiohttp.ClientSession() as session:
            while self._runner is not None:
                hook = self.webhook
                if hook is None:
                    await asyncio.sleep(0.05)
                    continue
                batch = await self.updates.get(offset, 1, 0.5, None)
                if not batch or self.webhook is not hook:
                    continue
                update = batch[0]
                url = to + (urlsplit(hook.url).path or "/")
                try:
                    status, text = await self.post_update(url, update, secret=hook.secret_token, session=session)
                except aiohttp.ClientError as exc:
                    status, text = 0, f"Connection failed: {type(exc).__name__}"
                if 200 <= status < 300:
                    offset = update["update_id"] + 1
                    hook.delivered += 1
                    continue
                hook.last_error_date = int(self.clock())
                hook.last_error_message = f"Wrong response from the webhook: {status} {text[:100]}" if status else text
                await asyncio.sleep(retry_delay)

    # --- reading what happened ----------------------------------------------------------------

    @property
    def commands(self) -> list[dict[str, str]]:
        """The default-scope, no-language command list the bot registered."""
        return self.commands_for()

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict[str, str]]:
        key = scope_key(Params({"scope": scope}))
        return list(self.command_lists.get((key, language_code), []))

    def commands_in(self, chat_id: int) -> list[dict[str, str]]:
        """The command menu a client shows in this chat: the narrowest scope the bot set,
        in the user's language if there is a list for it, as Telegram resolves them."""
        chat = self.chats[chat_id]
        wide = {"type": "all_group_chats" if chat.is_group else "all_private_chats"}
        language = chat.user.get("language_code") or ""
        for scope in ({"type": "chat", "chat_id": chat_id}, wide, None):
            for code in dict.fromkeys((language, "")):
                found = self.commands_for(scope, code)
                if found:
                    return found
        return []

    @property
    def description(self) -> str:
        return self.descriptions.get("", "")

    @property
    def short_description(self) -> str:
        return self.short_descriptions.get("", "")

    @property
    def allowed_updates(self) -> list[str] | None:
        return self.updates.allowed

    @property
    def polling(self) -> bool:
        """True while a getUpdates call is waiting for updates (long polling)."""
        return self.updates.waiting > 0

    @property
    def dropped_updates(self) -> list[dict[str, Any]]:
        """Updates never delivered because the bot's allowed_updates excluded their type."""
        return self.updates.dropped

    def sent_count(self, chat_id: int | None = None) -> int:
        """Messages the bot sent successfully, overall or to one chat."""
        if chat_id is None:
            return self._sent_total
        chat = self.chats.get(chat_id)
        return chat.sent if chat else 0

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def unanswered_callback_queries(self) -> list[str]:
        return [query_id for query_id, query in self.queries.items() if query.answer is None]

    async def wait_answered(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        what = f"an answer to callback query {query_id}"
        await self.wait_until(lambda: query_id in self.callback_answers, timeout, what)
        return self.callback_answers[query_id]

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "the condition"
    ) -> None:
        """Wait until predicate() is true, checking after every request the bot makes."""
        if predicate():
            return
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(f"waited {timeout:g}s for {what}; last calls: {self._recent_calls()}") from None
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def _recent_calls(self) -> list[str]:
        return [f"{c.method}:{'ok' if c.ok else c.description}" for c in self.calls[-5:]]

    # --- used by the method handlers ----------------------------------------------------------

    def new_query_id(self) -> str:
        return str(next(self._query_ids))

    def admit_send(self, chat_id: int) -> None:
        if self.flood is None:
            return
        retry_after = self.flood.admit(chat_id, self.clock())
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def record_bot_message(self, chat: ChatState, message: ChatMessage, event: str) -> None:
        chat.messages[message.message_id] = message
        if event == "sent":
            self._sent_total += 1
        if event != "deleted":
            chat.events.append(message)
            chat.notify()  # wakes SimUser.reply()
        self.emit(event, message)

    # --- HTTP ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            raw = await read_params(request)
        except ApiError as exc:
            return self._answer(method, {}, None, exc)
        except ValueError:
            return self._answer(method, {}, None, ApiError(400, "Bad Request: can't parse request body"))
        params = Params(raw)
        chat_id = _chat_id(raw)
        if request.match_info["token"] != self.token:
            return self._answer(method, raw, chat_id, ApiError(401, "Unauthorized"))
        handler = methods.METHODS.get(method.lower())
        if handler is None:
            return self._answer(method, raw, chat_id, ApiError(404, "Not Found"))
        fault = self._faults.take(method.lower(), chat_id) if self._faults else None
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)  # the client may well have given up by now
            if not fault.disconnect:
                fault = None  # deliver=True: handled as usual, only late
        if fault is not None and not fault.deliver:
            return await self._fault_answer(request, method, raw, chat_id, fault)
        try:
            result = handler(self, params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return self._answer(method, raw, chat_id, exc)
        if fault is not None:  # deliver=True: done, but the answer is lost
            return await self._fault_answer(request, method, raw, chat_id, fault)
        return self._answer(method, raw, chat_id, None, result)

    async def _fault_answer(
        self, request: web.Request, method: str, raw: dict, chat_id: int | None, fault: Fault
    ) -> web.StreamResponse:
        if fault.disconnect:
            what = f"no answer for {fault.delay:g} s (injected)" if fault.delay else "connection dropped (injected)"
            self._record(method, raw, chat_id, ApiError(0, what, violation=False))
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)  # never reaches the client
        error = ApiError(fault.error_code, fault.description, retry_after=fault.retry_after, violation=False)
        return self._answer(method, raw, chat_id, error)

    def _answer(
        self, method: str, raw: dict, chat_id: int | None, error: ApiError | None, result: Any = None
    ) -> web.Response:
        self._record(method, raw, chat_id, error)
        if error is None:
            body, status = {"ok": True, "result": result}, 200
        else:
            body, status = error.payload(), error.error_code
        payload = json.dumps(body, ensure_ascii=False).encode()
        return web.Response(body=payload, status=status, content_type="application/json")

    def _record(self, method: str, raw: dict, chat_id: int | None, error: ApiError | None) -> None:
        if error is not None and error.violation:
            violation = Violation(method, error.description, raw, error.error_code)
            self.violations.append(violation)
            _LOG.debug("violation in %s: %s", method, error.description)
            self.emit("violation", violation)
        if self.record_calls:
            if error is None:
                self.calls.append(Call(method, raw, True, chat_id=chat_id))
            else:
                self.calls.append(Call(method, raw, False, error.error_code, error.description, chat_id))
        self._check_waiters()

    def _check_waiters(self) -> None:
        if self._waiters:
            for predicate, future in list(self._waiters):
                if future.done():
                    continue
                try:
                    if predicate():
                        future.set_result(None)
                except Exception as exc:  # a broken predicate fails the waiting test, not the bot
                    future.set_exception(exc)


def _chat_id(raw: dict[str, Any]) -> int | None:
    value = raw.get("chat_id")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
