"""The live state of the sandbox chat, shared by every open page.

The fake server tells the hub what happens (a bot message sent or edited, a chat action, a
callback answer, a refused request); the hub turns each into a small JSON event and puts it on
every subscriber's queue, which the page reads as server-sent events. A page that (re)connects
first gets the whole state, so an event missed while it was away costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.core.telegram_html import MAX_MESSAGE_LENGTH
from bot.sandbox.clock import SandboxClock
from bot.sandbox.models import CallbackQuery, ChatAction, ChatMessage, Violation
from bot.sandbox.server import FakeTelegram
from bot.sandbox.users import SimUser
from bot.sandbox.web.render import message_view

log = logging.getLogger("bot.sandbox")

MAX_TEXT = MAX_MESSAGE_LENGTH  # what a Telegram client lets a person send in one message
QUEUE_LIMIT = 1000  # a page that stops reading is dropped; on reconnect it gets the full state
Advance = Callable[[float], Awaitable[int]]  # move the clock, tick; returns reminders sent
NextDue = Callable[[], Awaitable[datetime | None]]


class InputError(ValueError):
    """A request from the page that cannot be carried out; the text is shown to the person."""


class Hub:
    def __init__(self, fake: FakeTelegram, clock: SandboxClock, advance: Advance, next_due: NextDue):
        self.fake = fake
        self.clock = clock
        self._advance = advance
        self._next_due = next_due
        self._subscribers: set[asyncio.Queue] = set()
        self._next_user_id = 100_000_001
        fake.add_listener(self._on_fake_event)

    # --- people and chats ------------------------------------------------------------------

    def add_user(self, first_name: str, user_id: int | None = None) -> SimUser:
        first_name = " ".join(first_name.split())[:64]
        if not first_name:
            raise InputError("a user needs a name")
        if user_id is None:
            while self._next_user_id in self.fake.chats:
                self._next_user_id += 1
            user_id = self._next_user_id
        user = self.fake.user(user_id, first_name)
        for chat in self.fake.chats.values():  # everyone is in every group, to keep it simple
            if chat.is_group and user_id not in chat.members:
                chat.members.append(user_id)
        self.broadcast({"type": "chats", "chats": self.chats(), "commands": self.commands()})
        return user

    def chats(self) -> list[dict[str, Any]]:
        found = []
        for chat in self.fake.chats.values():
            entry = {"id": chat.chat_id, "type": chat.chat["type"]}
            if chat.is_group:
                entry["title"] = chat.chat["title"]
                entry["members"] = [{"id": m, "first_name": self._person(m)["first_name"]} for m in chat.members]
            else:
                entry["title"] = chat.user["first_name"]
                entry["members"] = [{"id": chat.user["id"], "first_name": chat.user["first_name"]}]
            found.append(entry)
        return found

    def commands(self) -> dict[str, list[dict[str, str]]]:
        return {str(chat_id): self.fake.commands_in(chat_id) for chat_id in self.fake.chats}

    def _person(self, user_id: int) -> dict[str, Any]:
        return self.fake.user(user_id).person  # the user exists: members are made from users

    def _speaker(self, chat_id: int, user_id: int) -> SimUser:
        chat = self.fake.chats.get(chat_id)
        if chat is None:
            raise InputError(f"there is no chat {chat_id}")
        if chat.is_group:
            if user_id not in chat.members:
                raise InputError(f"user {user_id} is not in this group")
            return self.fake.member(chat_id, user_id)
        if user_id != chat_id:
            raise InputError("in a private chat only its own user can speak")
        return self.fake.user(user_id)

    # --- what the page can do ---------------------------------------------------------------

    async def send(self, chat_id: int, user_id: int, text: str, reply_to: int | None = None) -> ChatMessage:
        text = text.strip()
        if not text:
            raise InputError("type a message first")
        if len(text) > MAX_TEXT:
            raise InputError(f"Telegram lets a person send at most {MAX_TEXT} characters at once")
        speaker = self._speaker(chat_id, user_id)
        try:
            return await speaker.send(text, reply_to=reply_to)
        except LookupError as exc:
            raise InputError(str(exc)) from None

    async def tap(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        speaker = self._speaker(chat_id, user_id)
        try:
            return await speaker.press(message_id, data)
        except (LookupError, ValueError) as exc:
            raise InputError(str(exc)) from None

    async def advance(self, seconds: float) -> dict[str, Any]:
        if not 0 < seconds <= 31 * 86400:
            raise InputError("move the clock forward by up to 31 days at a time")
        sent = await self._advance(seconds)
        return {"now": self.clock.timestamp(), "sent": sent}

    async def advance_to_next_reminder(self) -> dict[str, Any]:
        due = await self._next_due()
        if due is None:
            raise InputError("no reminder is switched on: open /reminders and turn one on first")
        # A second past the due time, and always forward: one already due is sent at once.
        return await self.advance(max(1.0, due.timestamp() - self.clock.timestamp() + 1))

    def clock_moved(self) -> None:
        self.broadcast({"type": "clock", "now": self.clock.timestamp()})

    # --- the state and its stream ---------------------------------------------------------

    def state(self) -> dict[str, Any]:
        messages = []
        for chat in self.fake.chats.values():
            for message in chat.messages.values():
                if not message.deleted:
                    messages.append(message_view(message, self.fake.sender_of(chat, message)))
        me = self.fake.me
        return {
            "type": "state",
            "bot": {"username": me["username"], "first_name": me["first_name"]},
            "now": self.clock.timestamp(),
            "chats": self.chats(),
            "commands": self.commands(),
            "messages": messages,
            "violations": [self._violation(v) for v in self.fake.violations],
        }

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_LIMIT)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers.discard(queue)

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        for queue in list(self._subscribers):
            self._end(queue)
        self._subscribers.clear()

    def broadcast(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self._subscribers.discard(queue)
                self._end(queue)

    @staticmethod
    def _end(queue: asyncio.Queue) -> None:
        while True:  # make room for the end marker
            try:
                queue.put_nowait(None)
                return
            except asyncio.QueueFull:
                queue.get_nowait()

    # --- events from the fake server --------------------------------------------------------

    def _on_fake_event(self, event: str, payload: Any) -> None:
        if event in ("sent", "edited", "user"):
            chat = self.fake.chats[payload.chat_id]
            self.broadcast({"type": "message", "message": message_view(payload, self.fake.sender_of(chat, payload))})
        elif event == "deleted":
            self.broadcast({"type": "deleted", "chat_id": payload.chat_id, "id": payload.message_id})
        elif event == "action" and isinstance(payload, ChatAction):
            self.broadcast({"type": "action", "chat_id": payload.chat_id, "action": payload.action})
        elif event == "answered" and isinstance(payload, CallbackQuery) and payload.answer is not None:
            answer = payload.answer
            self.broadcast(
                {
                    "type": "answer",
                    "chat_id": payload.chat_id,
                    "user_id": payload.user_id,
                    "text": answer.text or "",
                    "show_alert": answer.show_alert,
                    "url": answer.url,
                }
            )
        elif event == "violation" and isinstance(payload, Violation):
            # The operator sees it in the terminal too; the description is Telegram's, no user words.
            log.warning("Telegram would refuse %s: %s", payload.method, payload.description)
            self.broadcast({"type": "violation", "violation": self._violation(payload)})
        elif event == "commands":
            self.broadcast({"type": "commands", "commands": self.commands()})

    def _violation(self, violation: Violation) -> dict[str, Any]:
        chat_id = violation.params.get("chat_id")
        return {
            "method": violation.method,
            "description": violation.description,
            "error_code": violation.error_code,
            "chat_id": int(chat_id) if str(chat_id).lstrip("-").isdigit() else None,
        }
