"""A fake Telegram Bot API server for end-to-end tests and a local sandbox; see bot.sandbox.server.

`python -m bot sandbox` (bot.sandbox.run) puts the real bot, this fake and a web chat
(bot.sandbox.web) in one process.
"""

from bot.sandbox.clock import SandboxClock
from bot.sandbox.models import Call, CallbackAnswer, ChatAction, ChatMessage, Violation
from bot.sandbox.server import DEFAULT_TOKEN, FakeTelegram, ManualClock
from bot.sandbox.users import SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "Call",
    "CallbackAnswer",
    "ChatAction",
    "ChatMessage",
    "FakeTelegram",
    "ManualClock",
    "SandboxClock",
    "SimUser",
    "Violation",
]
