"""A fake Telegram Bot API server for end-to-end tests and a local sandbox; see bot.sandbox.server."""

from bot.sandbox.models import CallbackAnswer, Call, ChatMessage, Violation
from bot.sandbox.server import DEFAULT_TOKEN, FakeTelegram, ManualClock
from bot.sandbox.users import SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "Call",
    "CallbackAnswer",
    "ChatMessage",
    "FakeTelegram",
    "ManualClock",
    "SimUser",
    "Violation",
]
