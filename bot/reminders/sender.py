"""How the reminder dispatcher talks to a messenger: one call, one typed answer.

The dispatcher decides what to send and records what happened; a `Sender` sends one reminder and
says how it went, in the dispatcher's own terms, so the dispatcher imports nothing of
python-telegram-bot or of an HTTP library. The Telegram implementation is
bot.telegram.reminder_sender.TelegramSender; tests may use any object with this method.

Statuses, and what the dispatcher does with each (bot.reminders.dispatcher):
- SENT: delivered; `message_id` is the message's id.
- RETRY_LATER: certainly NOT delivered (5xx, no connection could be made, 429, token refused).
  With `retry_after` (a 429, or the token refused): Telegram wants every send to wait that many
  seconds, so the batch stops and the rest are given back untried. Without: this one is tried
  again on the next tick.
- GONE: the chat cannot receive messages any more (403 blocked / deactivated, chat not found):
  every reminder of the chat is switched off.
- UNKNOWN: the request may or may not have reached Telegram (the connection dropped or timed
  out after it was sent): the dispatcher sends it again, accepting a possible duplicate.
- REFUSED: Telegram refused this message for good (a 400 other than a vanished chat): recorded,
  never retried. Not one of the four outcomes the issue names, but a refusal is neither "gone"
  (the person did nothing) nor worth retrying.
A Sender should not raise; if it does, the dispatcher records the exception for that delivery
and goes on with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.storage.deliveries import DeliveryKey


class Status(Enum):
    SENT = "sent"
    RETRY_LATER = "retry later"
    GONE = "gone"
    UNKNOWN = "unknown"
    REFUSED = "refused"


@dataclass(frozen=True)
class Reminder:
    """One message to send: the reminder of `kind` for the slot `key`, to `chat_id`."""

    chat_id: int
    kind: str  # "stretching" | "hydration"
    key: DeliveryKey
    per_day: int  # hydration: how many a day (the text says "3 of 6")
    snoozed: bool = False


@dataclass(frozen=True)
class SendResult:
    status: Status
    message_id: int | None = None  # SENT
    retry_after: float | None = None  # RETRY_LATER: seconds every send should wait (a 429)
    detail: str = ""  # why, for the delivery record and the log: never the text, never the token

    @classmethod
    def sent(cls, message_id: int | None) -> SendResult:
        return cls(Status.SENT, message_id=message_id)

    @classmethod
    def retry_later(cls, detail: str, retry_after: float | None = None) -> SendResult:
        return cls(Status.RETRY_LATER, retry_after=retry_after, detail=detail)

    @classmethod
    def gone(cls, detail: str) -> SendResult:
        return cls(Status.GONE, detail=detail)

    @classmethod
    def unknown(cls, detail: str) -> SendResult:
        return cls(Status.UNKNOWN, detail=detail)

    @classmethod
    def refused(cls, detail: str) -> SendResult:
        return cls(Status.REFUSED, detail=detail)


class Sender(Protocol):
    async def send_reminder(self, reminder: Reminder) -> SendResult:
        """Send one reminder and say how it went; should not raise."""
        ...
