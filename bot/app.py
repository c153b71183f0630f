"""The one place that wires core, storage and Telegram together."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, BaseHandler, Defaults

from bot.config import Settings
from bot.core.content import load_content
from bot.core.flood import FloodGate
from bot.core.reminder_content import load_reminder_content
from bot.core.triage import load_triage
from bot.engine_cache import load_engine
from bot.reminders import pacing
from bot.storage.backend import close_database, open_database
from bot.storage.migrations import SchemaTooNew
from bot.storage.pg import scrub
from bot.telegram import (
    errors,
    flood,
    groups,
    handlers,
    privacy_handlers,
    reminder_handlers,
    reminder_sender,
    triage_handlers,
)
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.conflict import ConflictGuard
from bot.telegram.retry import RateLimiter
from bot.telegram.services import KEY, Services, utc_now
from bot.telegram.update_processor import ChatOrderedProcessor
from bot.telegram.webhook import PendingQueue

log = logging.getLogger(__name__)

# Telegram remembers the last list it was given, so it is always passed explicitly.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


class StartupError(Exception):
    """Start-up cannot go on for a reason the operator can fix; the text says which and how."""


def build_application(
    settings: Settings,
    *,
    content_dir: Path | None = None,
    clock: Callable[[], datetime] = utc_now,
    rate_limiter: bool = True,
    dispatch_interval: float | None = 30.0,
    flood_gate: FloodGate | None = None,
) -> Application:
    """Build the bot. `dispatch_interval=None` leaves reminder ticks to the caller (tests);
    `rate_limiter=False` drops the limiter whatever TELEGRAM_RATE_LIMIT says (benchmarks)."""
    content = load_content(content_dir or settings.content_dir)
    svc = Services(
        content=content,
        engine=load_engine(content.directory, settings.engine_cache_dir),
        triage=load_triage(content.directory / "triage.toml"),
        reminders=load_reminder_content(content.directory),
        admin_ids=settings.admin_ids,
        clock=clock,
        # Something typed at an open question that is not an answer is answered normally, with an
        # offer to continue that question (the symptom check, a reminder time or zone).
        continue_offers=[triage_handlers.continue_offer, reminder_handlers.continue_offer],
        closers=[triage_handlers.leave, reminder_handlers.drop_prompt],
    )

    # aiohttp instead of PTB's default httpx: ~3x less CPU per request (bench/reminders.py).
    svc.requests = (AiohttpRequest(connection_pool_size=256), AiohttpRequest(connection_pool_size=1))
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .request(svc.requests[0])
        .get_updates_request(svc.requests[1])
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(_post_init(settings, dispatch_interval))
        .post_shutdown(_post_shutdown)
        # Chats at once, each chat's updates in order (its menu edits, taps and prompts).
        .concurrent_updates(ChatOrderedProcessor())
        # Counts updates in hand, so that the webhook can answer 429 when there are too many.
        .update_queue(PendingQueue())
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    limit = settings.telegram_rate_limit if rate_limiter else 0
    if limit:
        # AIORateLimiter for all calls, except that the 429s of replies, edits and callback answers
        # go back to bot.telegram.retry, which retries them within its budget without pausing the bot.
        # Replies go ahead of reminders when the limit binds; the dispatcher keeps to 2/3 of it.
        builder = builder.rate_limiter(RateLimiter(overall_max_rate=limit, max_retries=2))
    app = builder.build()
    app.bot_data[KEY] = svc
    svc.extras[flood.GATE_KEY] = flood_gate or FloodGate()
    pacing.configure(svc, limit)

    app.add_handlers(routes())
    svc.extras[CONFLICT] = guard = ConflictGuard()
    app.add_error_handler(guard.on_error)  # before the general handler: a 409 is no crash
    app.add_error_handler(errors.on_error)
    return app


# Handler groups, lowest first. PTB runs, in each group, the first handler that matches an
# update, group after group, until one raises ApplicationHandlerStop.
FLOOD = -20
GATE = groups.GATE_GROUP  # -10
TRIAGE_LEAVE = -3
TRIAGE_TYPED = -2
REMINDER_TYPED = -1
MAIN = 0


def routes() -> dict[int, list[BaseHandler]]:
    """The one routing table. Why this order:

    - FLOOD first: a chat sending dozens of messages a second gets one "slow down" note and the
      rest is dropped here, before it can cost any work or any of Telegram's send budget.
    - GATE next: in a group chat only what is addressed to the bot goes on, triage and reminders
      point to the private chat, and a stranger's tap is refused. Every group below reacts to *any*
      command or button of a chat or reads typed text as an answer, so a message not meant for the
      bot, a stranger's tap or /triage in a group would otherwise change state before anything
      could refuse it.
    - TRIAGE_LEAVE: a command or another feature's button leaves an open symptom check (and goes on).
    - TRIAGE_TYPED, then REMINDER_TYPED: text typed at an open question is read as its answer and
      stops there; anything else (red flags above all) goes on to the normal answer. Commands and
      other buttons drop an open reminder prompt.
    - MAIN: /start with a deep-link payload before plain /start (first match wins), then commands
      and buttons, then the fallbacks that answer whatever nobody claimed.
    """
    deep_links = groups.start_payload({
        "triage": triage_handlers.triage_command,
        "reminders": reminder_handlers.reminders_command,
        "forget": privacy_handlers.forget_command,
    })
    return {
        FLOOD: flood.flood_handlers(),
        GATE: groups.gate_handlers(),
        TRIAGE_LEAVE: triage_handlers.leave_handlers(),
        TRIAGE_TYPED: triage_handlers.typed_handlers(),
        REMINDER_TYPED: reminder_handlers.typed_handlers(),
        MAIN: [
            deep_links,
            *handlers.main_handlers(),
            *triage_handlers.main_handlers(),
            *reminder_handlers.main_handlers(),
            *privacy_handlers.main_handlers(),
            *handlers.fallbacks(),
        ],
    }


CONFLICT = "conflict_guard"


def gave_way(app: Application) -> bool:
    """True if the bot stopped because another copy was already polling with its token."""
    return app.bot_data[KEY].extras[CONFLICT].gave_way


def _post_init(settings: Settings, dispatch_interval: float | None):
    async def post_init(app: Application) -> None:
        svc: Services = app.bot_data[KEY]
        if settings.database_url is not None:
            svc.db = await _open_postgres(settings)
        else:
            svc.db = await _open_sqlite(settings)
        profile = svc.content.messages.profile
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in profile.commands.items()])
        await app.bot.set_my_description(profile.description)
        await app.bot.set_my_short_description(profile.short_description)
        if dispatch_interval:
            reminder_sender.schedule(app, dispatch_interval)
        username = app.bot.username
        log.info("bot @%s is running: https://t.me/%s (%d topics, database %s)",
                 username, username, len(svc.content.topics), settings.database_name)
        svc.extras[CONFLICT].polling_started()

    return post_init


async def _open_sqlite(settings: Settings):
    try:
        return await open_database(None, settings.database_path)
    except SchemaTooNew as exc:
        raise StartupError(f"DATABASE_PATH {settings.database_path}: {exc}. A newer version of the bot "
                           "upgraded it: run that version, or restore the backup made before it.") from None
    except (OSError, sqlite3.Error) as exc:
        raise StartupError(f"cannot open DATABASE_PATH {settings.database_path} ({exc}): "
                           "give a file in a folder this user can write.") from None


async def _open_postgres(settings: Settings):
    """The URL may hold a password: messages name host, port and database only."""
    url = settings.database_url_value
    try:
        return await open_database(url, settings.database_path)
    except SchemaTooNew as exc:
        raise StartupError(f"DATABASE_URL ({settings.database_name}): {exc}. A newer version of the bot "
                           "upgraded it: run that version, or restore the pg_dump made before it.") from None
    except Exception as exc:  # the driver's errors, refused connections, timeouts: all end start-up alike
        reason = scrub(f"{type(exc).__name__}: {exc}", url or "")
        raise StartupError(f"cannot open DATABASE_URL ({settings.database_name}): {reason}. Check that the "
                           "server is running and the user, password and database in the URL.") from None


async def close_transport(app: Application) -> None:
    """Close the HTTP sessions even when start-up failed (Application.shutdown skips them then)."""
    for request in app.bot_data[KEY].requests:
        await request.shutdown()


async def _post_shutdown(app: Application) -> None:
    svc: Services = app.bot_data[KEY]
    if svc.db is not None:
        await close_database(svc.db)
        svc.db = None
