"""A simulated Telegram user: in a private chat with the bot, or as a member of a group."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import TYPE_CHECKING, Any

from bot.sandbox.models import CallbackQuery, ChatMessage, ChatState
from bot.sandbox.text import command_entities, message_json

if TYPE_CHECKING:
    from bot.sandbox.server import FakeTelegram

_file_ids = itertools.count(1)
_LEADING_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?:\s|$)")


def _file(prefix: str) -> dict[str, str]:
    number = next(_file_ids)
    return {"file_id": f"{prefix}-{number:08d}", "file_unique_id": f"u{prefix}{number}"}


def seen_in_privacy_mode(text: str | None, bot_username: str, replies_to_bot: bool) -> bool:
    """Whether a bot in privacy mode (Telegram's default) gets a group message at all.

    It gets commands meant for it (`/cmd` or `/cmd@its_name`; with a single bot in the group
    a bare command is always for it) and replies to its own messages; plain chat, and even
    an @mention, never reach it.
    """
    if replies_to_bot:
        return True
    match = _LEADING_COMMAND.match(text or "")
    if match is None:
        return False
    addressee = match.group(1)
    return addressee is None or addressee.lower() == bot_username.lower()


class SimUser:
    """One person chatting with the bot. Create with `FakeTelegram.user(...)`, or
    `FakeTelegram.member(group_id, user_id)` for the same person speaking in a group.

    Actions (`send`, `press`, `tap`, `block`...) queue the update Telegram would deliver.
    Reading: `messages` is the current state of the bot's messages; `reply()` waits for the next
    bot send or edit after a read cursor, so each of the bot's actions is read exactly once.
    """

    def __init__(self, fake: FakeTelegram, chat: ChatState, person: dict[str, Any] | None = None):
        self._fake = fake
        self._chat = chat
        self._person = person if person is not None else chat.user
        self._cursor = 0  # index into chat.events of the next unread bot action

    # --- who ----------------------------------------------------------------------------------

    @property
    def id(self) -> int:
        return self._person["id"]

    @property
    def chat_id(self) -> int:
        return self._chat.chat_id

    @property
    def first_name(self) -> str:
        return self._person["first_name"]

    @property
    def person(self) -> dict[str, Any]:
        """The Bot API User object of this person."""
        return self._person

    @property
    def blocked(self) -> bool:
        return self._chat.blocked

    def __repr__(self) -> str:
        where = f", chat_id={self.chat_id}" if self.chat_id != self.id else ""
        return f"SimUser(id={self.id}, first_name={self.first_name!r}{where})"

    # --- acting -------------------------------------------------------------------------------

    async def send(self, text: str, reply_to: ChatMessage | int | None = None) -> ChatMessage:
        """Send a text message; commands get bot_command entities as on Telegram.

        In a group, privacy mode decides whether the bot gets it (see seen_in_privacy_mode);
        the returned message says so in `delivered`. `reply_to` answers a message of the chat.
        """
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        return self._post(text=text, entities=tuple(command_entities(text)), reply_to=reply_to)

    async def send_sticker(self, emoji: str = "👍") -> ChatMessage:
        sticker = {**_file("sticker"), "type": "regular", "width": 512, "height": 512}
        sticker.update(is_animated=False, is_video=False, emoji=emoji)
        return self._post(kind="sticker", extra={"sticker": sticker})

    async def send_photo(self, caption: str | None = None) -> ChatMessage:
        sizes = [{**_file("photo"), "width": w, "height": w, "file_size": w * 40} for w in (90, 320, 800)]
        extra: dict[str, Any] = {"photo": sizes}
        if caption:
            extra["caption"] = caption
        return self._post(kind="photo", extra=extra)

    async def send_voice(self, duration: int = 3) -> ChatMessage:
        voice = {**_file("voice"), "duration": duration, "mime_type": "audio/ogg", "file_size": duration * 4000}
        return self._post(kind="voice", extra={"voice": voice})

    async def send_location(self, latitude: float, longitude: float) -> ChatMessage:
        """Share a location (the 📎 menu's Location, or a request_location button)."""
        return self._post(kind="location", extra={"location": {"latitude": latitude, "longitude": longitude}})

    async def tap_location_button(self, latitude: float, longitude: float) -> ChatMessage:
        """Press the request_location button of the keyboard under the input field: shares a
        location, as Telegram does. LookupError if no such button is shown."""
        rows = self._chat.reply_keyboard or []
        if not any(b.get("request_location") for row in rows for b in row):
            raise LookupError(f"chat {self.chat_id} shows no location button under the input field")
        return await self.send_location(latitude, longitude)

    @property
    def reply_keyboard(self) -> list[list[dict]] | None:
        """The keyboard under the input field, if the bot put one there and has not removed it."""
        return self._chat.reply_keyboard

    def _post(self, reply_to: ChatMessage | int | None = None, **fields: Any) -> ChatMessage:
        self._require_open()
        chat, fake = self._chat, self._fake
        target = None
        if reply_to is not None:
            target_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            target = chat.messages.get(target_id)
            if target is None or target.deleted:
                raise LookupError(f"chat {self.chat_id} has no message #{target_id} to reply to")
        delivered = True
        if chat.is_group and not fake.me["can_read_all_group_messages"]:
            replies_to_bot = target is not None and target.from_bot
            delivered = seen_in_privacy_mode(fields.get("text"), fake.me["username"], replies_to_bot)
        message = ChatMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            from_bot=False,
            date=int(fake.clock()),
            sender_id=self.id,
            reply_to=target.message_id if target is not None else None,
            delivered=delivered,
            **fields,
        )
        chat.messages[message.message_id] = message
        if delivered:
            payload = message_json(message, chat.chat, self._person)
            if target is not None:
                payload["reply_to_message"] = message_json(target, chat.chat, fake.sender_of(chat, target))
            fake.updates.put("message", payload)
        fake.emit("user", message)
        return message

    async def press(self, message: ChatMessage | int, data: str) -> str:
        """Press a button carrying `data` under `message` (any data: old clients keep stale
        buttons). Returns the callback query id."""
        self._require_open()
        current = self._current(message)
        fake = self._fake
        query_id = fake.new_query_id()
        fake.queries[query_id] = CallbackQuery(
            query_id=query_id,
            user_id=self.id,
            chat_id=self.chat_id,
            message_id=current.message_id,
            data=data,
            created_at=fake.clock(),
        )
        payload = {
            "id": query_id,
            "from": self._person,
            "message": message_json(current, self._chat.chat, fake.bot_user),
            "chat_instance": str(self.chat_id * 7 + 1),
            "data": data,
        }
        fake.updates.put("callback_query", payload)
        return query_id

    async def tap(self, message: ChatMessage | int, text: str) -> str:
        """Press the button labelled `text` in the message's *current* keyboard."""
        current = self._current(message)
        button = current.find_button(text)
        if button is None:
            raise LookupError(
                f"message #{current.message_id} has no button {text!r}; its buttons are {current.button_texts}"
            )
        if button.get("callback_data") is None:
            raise ValueError(f"button {text!r} of message #{current.message_id} is not a callback button: {button}")
        return await self.press(current, button["callback_data"])

    async def tap_button(self, text: str) -> str:
        """Press the button labelled `text` in the newest bot message that has one."""
        for message in reversed(self.messages):
            if message.find_button(text) is not None:
                return await self.tap(message, text)
        labels = [m.button_texts for m in self.messages if m.button_texts]
        raise LookupError(f"no bot message in chat {self.chat_id} has a button {text!r}; buttons: {labels}")

    async def block(self) -> None:
        """Block the bot: sends answer 403 from now on; the bot gets a my_chat_member update."""
        if self._chat.is_group:
            raise ValueError("only a private chat can block the bot")
        if not self._chat.blocked:
            self._chat.blocked = True
            self._member_update("member", "kicked")

    async def unblock(self) -> None:
        if self._chat.blocked:
            self._chat.blocked = False
            self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        fake = self._fake
        now = int(fake.clock())

        def member(status: str) -> dict[str, Any]:
            state: dict[str, Any] = {"status": status, "user": fake.bot_user}
            if status == "kicked":
                state["until_date"] = 0
            return state

        payload = {
            "chat": self._chat.chat,
            "from": self._person,
            "date": now,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        fake.updates.put("my_chat_member", payload)

    def _require_open(self) -> None:
        if self._chat.deleted:
            raise RuntimeError(f"chat {self.chat_id} was deleted with fake.delete_chat()")
        if self._chat.blocked:
            raise RuntimeError(f"{self!r} has blocked the bot; call unblock() first")

    def _current(self, message: ChatMessage | int) -> ChatMessage:
        message_id = message if isinstance(message, int) else message.message_id
        current = self._chat.messages.get(message_id)
        if current is None or current.deleted:
            raise LookupError(f"chat {self.chat_id} has no message #{message_id} (never sent or deleted)")
        if not current.from_bot:
            raise ValueError(f"message #{message_id} was sent by the user, not the bot")
        return current

    # --- reading ------------------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages in this chat, oldest first, as they are now (deleted ones left out)."""
        return [m for m in self._chat.messages.values() if m.from_bot and not m.deleted]

    @property
    def last(self) -> ChatMessage | None:
        """The bot's newest message as it is now."""
        found = self.messages
        return found[-1] if found else None

    def unread(self) -> list[ChatMessage]:
        """Every bot send or edit not read yet (snapshots, oldest first); marks them read."""
        events = self._chat.events[self._cursor :]
        self._cursor = len(self._chat.events)
        return events

    def mark_read(self) -> None:
        self._cursor = len(self._chat.events)

    async def reply(self, timeout: float = 5.0) -> ChatMessage:
        """Wait for the bot's next send or edit in this chat after the read cursor and return it
        (a snapshot of the message right after that action; `.edits` tells an edit apart)."""
        chat = self._chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = chat.changed_event()  # taken before the check, so no send slips by unseen
            if self._cursor < len(chat.events):
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_text(timeout))
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                raise TimeoutError(self._timeout_text(timeout)) from None
        event = chat.events[self._cursor]
        self._cursor += 1
        return event

    def _timeout_text(self, timeout: float) -> str:
        read = self._cursor
        last = f"; the last one was {self._chat.events[-1]}" if self._chat.events else ""
        return (
            f"no new message or edit from the bot in chat {self.chat_id} ({self.first_name}) within "
            f"{timeout:g}s; {read} bot action(s) read so far{last}"
        )
