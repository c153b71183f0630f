"""Records the fake server keeps: chat messages, requests, violations, callback queries."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message in a chat, as it stands at one moment.

    Immutable: an edit stores a new ChatMessage under the same message_id, so an object a test
    holds is a snapshot of that moment. `text` is the visible text (HTML already parsed).
    """

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str | None = None
    entities: tuple[dict, ...] = ()
    # The markup as the bot sent it (any keyboard type), as compact JSON: a parsed keyboard costs
    # about 1 KB, and benchmarks keep 100 000 messages.
    markup_json: str | None = None
    kind: str = "text"  # text, sticker, photo, voice, location
    source: str | None = None  # the text exactly as sent (with HTML tags), for bot messages
    parse_mode: str | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    extra: dict | None = None  # sticker / photo / voice payload, caption
    sender_id: int | None = None  # the person who sent it (user messages; tells group members apart)
    reply_to: int | None = None  # message_id this one answers
    delivered: bool = True  # False: a group message privacy mode kept from the bot

    @property
    def reply_markup(self) -> dict | None:
        return json.loads(self.markup_json) if self.markup_json else None

    @property
    def inline_keyboard(self) -> list[list[dict]]:
        markup = self.reply_markup
        return (markup or {}).get("inline_keyboard") or []

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as (text, callback_data); callback_data is None for URL buttons."""
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in self.inline_keyboard]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _data in row]

    def find_button(self, text: str) -> dict | None:
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == text:
                    return button
        return None

    def __str__(self) -> str:
        who = "bot" if self.from_bot else "user"
        return f"#{self.message_id} from {who}: {self.text!r} buttons={self.button_texts}"


@dataclass(slots=True)
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None
    description: str | None = None
    chat_id: int | None = None


@dataclass(slots=True)
class Violation:
    """A request Telegram would refuse because of what the bot sent."""

    method: str
    description: str
    params: dict[str, Any]
    error_code: int = 400


@dataclass(frozen=True, slots=True)
class ChatAction:
    """A sendChatAction the bot made ("typing"...): clients show it for up to 5 seconds."""

    chat_id: int
    action: str
    at: float


@dataclass(slots=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    answered_at: float


@dataclass(slots=True)
class CallbackQuery:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answer: CallbackAnswer | None = None


@dataclass(slots=True)
class ChatState:
    """A chat with the bot: private (chat id == user id) or a group of simulated users."""

    user: dict[str, Any]  # the Bot API User object of the person (a group: of whoever created it)
    chat: dict[str, Any]  # the Bot API Chat object
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    events: list[ChatMessage] = field(default_factory=list)  # bot sends and edits, in order
    next_message_id: int = 1
    blocked: bool = False
    deleted: bool = False
    sent: int = 0  # messages the bot sent successfully
    members: list[int] = field(default_factory=list)  # a group's user ids
    # Created by a waiting SimUser.reply(), set and dropped by the next bot send or edit.
    changed: asyncio.Event | None = None
    # The keyboard under the input field (ReplyKeyboardMarkup rows), set by a send that carries
    # one and dropped by a send with remove_keyboard. Editing a message never changes it.
    reply_keyboard: list[list[dict]] | None = None

    def changed_event(self) -> asyncio.Event:
        if self.changed is None:
            self.changed = asyncio.Event()
        return self.changed

    def notify(self) -> None:
        if self.changed is not None:
            self.changed.set()
            self.changed = None

    @property
    def chat_id(self) -> int:
        return self.chat["id"]

    @property
    def is_group(self) -> bool:
        return self.chat["type"] in ("group", "supergroup")

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class WebhookSetting:
    """What the bot last passed to setWebhook, and the last failed delivery (getWebhookInfo)."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0
