"""The reminder dispatcher: one repeating job that sends every due reminder exactly once.

`tick(bot, deps, now_utc)` does one pass with an injected clock (tests and the benchmark call it
directly); `schedule(app, interval)` runs it on the JobQueue. No per-user jobs: the due
subscriptions come from the indexed next-due column.

Per due reminder, following the contract in bot.storage.repositories:
1. claim (subscription, local date, slot) in SQLite, committed before anything is sent;
   a refused claim means another tick or process has it (a restart, a second bot): skip it
   and just move next-due on;
2. send, with Done / Snooze / Stop buttons carrying the key;
3. record the outcome and move next-due forward (compare-and-set):
   sent            -> 'sent'
   403, chat gone  -> 'failed', every reminder of the chat switched off, never retried
   429             -> the batch stops, unsent claims are given back without counting an attempt,
                      and ticks pause until retry_after has passed
   5xx, no connection (the request never reached Telegram)
                   -> claim released, next-due kept, so the next tick sends it (up to 5 attempts)
   answer lost (the connection dropped after the request went out: it may have been delivered)
                   -> counted as sent and never resent: a missed reminder beats a duplicate
Missed slots are sent late only within sched.GRACE (2 h) and only the latest one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, NamedTuple

import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.core import schedule as sched
from bot.core.schedule import Due
from bot.reminders import pacing
from bot.storage import pending as pending_store
from bot.storage import repositories as repo
from bot.storage.repositories import DeliveryKey, Subscription
from bot.storage.tx import transaction
from bot.telegram.aiohttp_request import NotSent
from bot.telegram.reminder_ui import reminder_keyboard, reminder_text

log = logging.getLogger(__name__)

MAX_INTERVAL = 30.0  # seconds between ticks, at most
LIMIT = 500  # subscriptions per due query
CHUNK = 100  # claims committed together before their sends start
CONCURRENCY = 16  # sends in flight at once (the rate limiter, when on, paces them further)
KEEP_DELIVERIES = timedelta(days=7)
HOUSEKEEPING_EVERY = timedelta(hours=1)
STATE_KEY = "dispatcher"

# Errors raised before the request could reach Telegram, so sending again cannot duplicate it:
# from the bot's aiohttp backend, and from PTB's default httpx one.
_NOT_SENT = (NotSent, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)
_CHAT_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked", "peer_id_invalid")


@dataclass
class Deps:
    """What a tick needs; bot.telegram.services.Services has the same attributes."""

    db: Any  # aiosqlite.Connection
    reminders: Any  # bot.core.reminder_content.ReminderContent
    extras: dict = field(default_factory=dict)


@dataclass
class DispatchState:
    """Kept between ticks of one process (in deps.extras)."""

    paused_until: datetime | None = None  # after a 429: no sends before this
    last_housekeeping: datetime | None = None


@dataclass
class TickReport:
    due: int = 0  # subscriptions found due
    sent: int = 0
    duplicates: int = 0  # claims refused: sent or being sent already
    skipped: int = 0  # missed by more than the grace window
    retry: int = 0  # 5xx / no connection: released for the next tick
    held: int = 0  # not attempted (or 429) because a 429 stopped the batch
    unconfirmed: int = 0  # answer lost: counted as sent, never resent
    failed: int = 0  # refused for good, or out of attempts
    deactivated: int = 0  # chats switched off after 403 / chat not found
    retry_after: float | None = None
    paused: bool = False  # the whole tick waited out an earlier 429


class Outcome(Enum):
    SENT = "sent"
    UNCONFIRMED = "unconfirmed"
    RETRY = "retry"
    HOLD = "hold"
    FAILED = "failed"
    GONE = "gone"


class Result(NamedTuple):
    outcome: Outcome
    message_id: int | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Item:
    """One message to send: a regular slot or a snoozed copy."""

    sub: Subscription
    due: Due
    snoozed: bool
    next: Due | None = None  # regular slots: the next slot to store once this one is dealt with

    @property
    def key(self) -> DeliveryKey:
        return self.sub.key(self.due)


def _state(deps: Any) -> DispatchState:
    extras = getattr(deps, "extras", None)
    if extras is None:
        return DispatchState()
    return extras.setdefault(STATE_KEY, DispatchState())


# --- one tick ---------------------------------------------------------------------------------


async def tick(
    bot: Bot, deps: Any, now_utc: datetime, *, limit: int = LIMIT, state: DispatchState | None = None
) -> TickReport:
    """Send everything due at `now_utc` once; see the module docstring for each outcome."""
    state = state or _state(deps)
    report = TickReport()
    if state.paused_until is not None and now_utc < state.paused_until:
        report.paused = True
        return report
    state.paused_until = None
    db = deps.db
    seen: set[int] = set()
    while True:
        subs = await repo.due_subscriptions(db, now_utc, limit)
        fresh = [s for s in subs if s.id not in seen]  # a released claim waits for the next tick
        if not fresh:
            break
        seen.update(s.id for s in fresh)
        report.due += len(fresh)
        items = await _plan(db, fresh, now_utc, report)
        for start in range(0, len(items), CHUNK):
            if not await _run_chunk(bot, deps, items[start : start + CHUNK], now_utc, report):
                state.paused_until = now_utc + timedelta(seconds=report.retry_after or 1)
                _log(report)
                return report
        if len(subs) < limit:
            break
    _log(report)
    return report


def _log(report: TickReport) -> None:
    if report.due:
        log.info(
            "reminders: due=%d sent=%d duplicates=%d skipped=%d retry=%d held=%d unconfirmed=%d failed=%d deactivated=%d",
            report.due, report.sent, report.duplicates, report.skipped, report.retry, report.held,
            report.unconfirmed, report.failed, report.deactivated,
        )


async def _plan(db: Any, subs: list[Subscription], now: datetime, report: TickReport) -> list[Item]:
    """What to send; slots missed beyond the grace window are skipped here, in one transaction."""
    items: list[Item] = []
    async with transaction(db):
        for sub in subs:
            try:
                spec = sub.spec()
            except (repo.ZoneRequired, sched.ScheduleError):
                log.warning("subscription %d cannot be scheduled; switching it off", sub.id)
                await repo.deactivate(db, sub.chat_id, sub.kind, now)
                continue
            if sub.next is not None and sub.next.due_utc <= now:
                plan = sched.resolve_tick(spec, sub.next, now)
                if plan.send is not None:
                    items.append(Item(sub, plan.send, snoozed=False, next=plan.next))
                else:
                    report.skipped += 1
                    await repo.advance(db, sub.id, sub.next, plan.next, now)
            if sub.snooze is not None and sub.snooze.due_utc <= now:
                if sched.plan_tick(sub.snooze.due_utc, now) is sched.Action.SEND:
                    items.append(Item(sub, sub.snooze, snoozed=True))
                else:
                    report.skipped += 1
                    await repo.clear_snooze(db, sub.id, sub.snooze, now)
    return items


async def _move_on(db: Any, items: list[Item], now: datetime) -> None:
    """These slots are dealt with (sent, refused or given up): point each subscription past its own."""
    snoozed = [(item.sub.id, item.due) for item in items if item.snoozed]
    regular = [(item.sub.id, item.sub.next, item.next) for item in items if not item.snoozed and item.next is not None]
    if snoozed:
        await repo.clear_snooze_many(db, snoozed, now)
    if regular:
        await repo.advance_many(db, regular, now)


async def _run_chunk(bot: Bot, deps: Any, items: list[Item], now: datetime, report: TickReport) -> bool:
    """Claim, send and record a chunk. False if a 429 stopped it."""
    db = deps.db
    async with transaction(db):
        attempts = await repo.claim_deliveries(db, [item.key for item in items], now)
        claimed = [item for item in items if item.key in attempts]
        refused = [item for item in items if item.key not in attempts]
        report.duplicates += len(refused)
        await _move_on(db, refused, now)
    results = await _send_all(bot, deps.reminders, claimed, pacing.of(deps))
    sent = [(item, result) for item, result in zip(claimed, results) if result.outcome is Outcome.SENT]
    gone: set[int] = set()
    async with transaction(db):
        await repo.mark_sent_many(db, [(item.key, result.message_id) for item, result in sent], now)
        await _move_on(db, [item for item, _result in sent], now)
        report.sent += len(sent)
        for item, result in zip(claimed, results):
            if result.outcome is not Outcome.SENT:
                await _record(db, item, result, now, report, gone)
    return not any(r.outcome is Outcome.HOLD for r in results)


async def _record(db: Any, item: Item, result: Result, now: datetime, report: TickReport, gone: set[int]) -> None:
    """Everything but a plain success, one at a time (they are rare)."""
    key, outcome = item.key, result.outcome
    if outcome is Outcome.UNCONFIRMED:
        report.unconfirmed += 1
        await repo.mark_unconfirmed(db, key, now)
        await _move_on(db, [item], now)
    elif outcome is Outcome.RETRY:
        if await repo.release_claim(db, key, now, result.error) == "failed":
            report.failed += 1
            await _move_on(db, [item], now)
        else:
            report.retry += 1
    elif outcome is Outcome.HOLD:
        report.held += 1
        if result.retry_after is not None:
            report.retry_after = max(report.retry_after or 0, result.retry_after)
        await repo.unclaim(db, key, now)
    elif outcome is Outcome.FAILED:
        report.failed += 1
        await repo.mark_failed(db, key, now, result.error)
        await _move_on(db, [item], now)
    else:  # GONE: blocked, deactivated or deleted; every reminder of the chat goes off
        report.failed += 1
        await repo.mark_failed(db, key, now, result.error)
        if item.sub.chat_id not in gone:
            gone.add(item.sub.chat_id)
            report.deactivated += 1
            await repo.deactivate_chat(db, item.sub.chat_id, now)


# --- sending ----------------------------------------------------------------------------------


async def _send_all(bot: Bot, content: Any, items: list[Item], pace: pacing.Pace | None = None) -> list[Result]:
    """Send concurrently, started no faster than `pace` (bot.reminders.pacing: a share of
    TELEGRAM_RATE_LIMIT); after the first 429 nothing new is started."""
    stop = asyncio.Event()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: Item) -> Result:
        async with gate:
            if stop.is_set():
                return Result(Outcome.HOLD)
            if pace is not None:
                await pace.wait()
                if stop.is_set():
                    return Result(Outcome.HOLD)
            result = await send_reminder(bot, content, item)
            if result.outcome is Outcome.HOLD:
                stop.set()
            return result

    return list(await asyncio.gather(*(one(item) for item in items)))


async def send_reminder(bot: Bot, content: Any, item: Item) -> Result:
    key = item.key
    text = reminder_text(content, item.sub.kind, key, item.sub.per_day)
    try:
        message = await bot.send_message(
            item.sub.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=reminder_keyboard(content, key)
        )
    except RetryAfter as exc:
        return Result(Outcome.HOLD, error="429", retry_after=_seconds(exc))
    except Forbidden:
        return Result(Outcome.GONE, error="403")
    except BadRequest as exc:
        reason = str(exc).lower()
        if any(gone in reason for gone in _CHAT_GONE):
            return Result(Outcome.GONE, error="chat not found")
        log.error("reminder refused by Telegram: %s", exc)
        return Result(Outcome.FAILED, error=str(exc)[:200])
    except InvalidToken:
        log.error("the bot token was refused; reminders wait")
        return Result(Outcome.HOLD, error="token", retry_after=MAX_INTERVAL)
    except (TimedOut, NetworkError) as exc:
        if exc.__cause__ is None or isinstance(exc.__cause__, _NOT_SENT):
            return Result(Outcome.RETRY, error=type(exc.__cause__ or exc).__name__ + ": " + str(exc)[:150])
        log.warning("reminder answer lost (%s); counted as sent", type(exc.__cause__).__name__)
        return Result(Outcome.UNCONFIRMED, error="answer lost")
    except TelegramError as exc:
        log.error("reminder failed: %s", type(exc).__name__)
        return Result(Outcome.FAILED, error=str(exc)[:200])
    return Result(Outcome.SENT, message.message_id)


def _seconds(exc: RetryAfter) -> float:
    # PTB 22 keeps a timedelta; the public attribute may be an int with a deprecation warning.
    value = getattr(exc, "_retry_after", None)
    return value.total_seconds() if isinstance(value, timedelta) else float(exc.retry_after)


# --- housekeeping and the job -------------------------------------------------------------------


async def housekeeping(db: Any, now_utc: datetime) -> None:
    """Drop delivery records older than a week and prompts nobody answered."""
    cutoff = now_utc - KEEP_DELIVERIES
    await repo.prune_deliveries(db, cutoff)
    await repo.prune_stuck_claims(db, cutoff)
    await pending_store.purge_pending(db, now_utc)


def schedule(app: Application, interval: float) -> None:
    """Run the dispatcher tick every `interval` seconds (at most MAX_INTERVAL) on the JobQueue."""
    from bot.telegram.services import KEY

    async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
        svc = context.application.bot_data[KEY]
        if svc.db is None:
            return
        now = svc.clock()
        await tick(context.bot, svc, now)
        state = _state(svc)
        if state.last_housekeeping is None or now - state.last_housekeeping >= HOUSEKEEPING_EVERY:
            state.last_housekeeping = now
            await housekeeping(svc.db, now)

    app.job_queue.run_repeating(
        job,
        interval=min(float(interval), MAX_INTERVAL),
        first=1.0,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
