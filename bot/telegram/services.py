"""What the handlers need, wired once in bot.app and kept in application.bot_data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from telegram.ext import ContextTypes

from bot.core.answers import AnswerEngine
from bot.core.content import Content
from bot.core.reminder_content import ReminderContent
from bot.core.triage import Triage


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    content: Content
    engine: AnswerEngine
    triage: Triage
    reminders: ReminderContent
    admin_ids: frozenset[int] = frozenset()
    clock: Callable[[], datetime] = utc_now
    db: Any = None  # bot.storage.tx.Db (SQLite or PostgreSQL), opened in post_init
    requests: tuple = ()  # the HTTP backends, closed by bot.app.close_transport
    extras: dict[str, Any] = field(default_factory=dict)
    # Features with an open question (the symptom check) offer to continue it under a normal
    # answer: async (services, chat id) -> (line, button label, button data) or None.
    continue_offers: list[Callable[..., Any]] = field(default_factory=list)
    # What a command does to each feature's open question, done on a typed "stop" too:
    # async (update, context) -> None (the reminder prompt takes its location button away too).
    closers: list[Callable[..., Any]] = field(default_factory=list)


KEY = "services"


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[KEY]
