"""The reminder dispatcher: one repeating job that sends every due reminder.

`tick(sender, deps, now_utc)` does one pass with an injected clock (tests and the benchmark call it
directly); bot.telegram.reminder_sender runs it on the JobQueue with a `Sender` that speaks
Telegram. This module knows nothing of Telegram or HTTP: a send is one call that returns a typed
`SendResult` (bot.reminders.sender). No per-user jobs: the due subscriptions come from the
indexed next-due column.

What a person gets (README, docs/reliability.md): every reminder arrives, late by at most the
grace window (sched.GRACE, 2 h) after downtime or errors, and is skipped after that; it arrives
twice only when the bot cannot know whether Telegram delivered it - the answer was lost, or the
bot died while sending it - and never more than MAX_LOST (2) times.

How:
1. Claims in small batches just ahead of sending. BATCH due reminders are planned and claimed in
   one transaction (subscription, local date, slot), committed before anything is sent; each
   claim names this process (`owner`) and holds for deliveries.LEASE. A refused claim means another
   tick or process has it or had it: a settled one (sent, failed) just moves next-due on.
2. Sends them at once (CONCURRENCY, paced by bot.reminders.pacing), each cut off after
   SEND_TIMEOUT, so a batch never outlives its lease, and records each outcome as soon as it is
   known (group-committed with whatever else finished meanwhile), fenced by the claim (a claim
   taken back meanwhile is not settled by its old owner):
   SENT         -> 'sent', next-due moves on
   RETRY_LATER  -> certainly not delivered (5xx, no connection): 'retry', next-due kept, so the
                   next tick sends it again - for as long as the slot is within the grace window
   RETRY_LATER with retry_after (429) -> the batch stops, this and the untried claims are given
                   back without counting an attempt, and ticks pause until retry_after has passed
   UNKNOWN      -> the request may have reached Telegram (answer lost, timed out): sent again on
                   the next tick within the grace window, accepting a possible duplicate, until
                   MAX_LOST attempts ended this way; then taken as delivered
   GONE         -> 'failed', every reminder of the chat switched off, never retried
   REFUSED      -> 'failed', never retried
   any exception from the sender -> logged, recorded on that delivery and handled like UNKNOWN,
                   except that after MAX_LOST it is 'failed'; the rest of the batch goes on
3. A crash loses nothing but time: a process killed mid-batch leaves at most BATCH claims in
   'sending'. Each tick (so also the first one after a restart, a second after start-up) takes
   back the claims of an owner that is known to be dead (same host, its process gone) and any
   claim whose lease ran out; they are sent again within the grace window, counted like a lost
   answer. That is the one place a duplicate can come from a crash: a reminder that had reached
   Telegram when the process died but whose answer was not yet recorded - at most BATCH of them
   per crash, in practice the one or two requests on the wire.
Why resend rather than skip: a reminder that silently never comes cannot be noticed or fixed by
the person, while a repeated one is visible and harmless (Done counts a day once; Snooze keeps one
pending copy). The reply layer made the same choice (bot.telegram.retry). MAX_LOST bounds it,
so a network that loses every answer cannot make the bot repeat itself.
Missed slots are sent late only within sched.GRACE (2 h) and only the latest one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core import schedule as sched
from bot.core.schedule import Due
from bot.reminders import pacing
from bot.reminders.sender import Reminder, Sender, SendResult, Status
from bot.storage import deliveries, subscriptions
from bot.storage import pending as pending_store
from bot.storage.deliveries import Claim, DeliveryKey
from bot.storage.subscriptions import Subscription
from bot.storage.tx import transaction

log = logging.getLogger(__name__)

MAX_INTERVAL = 30.0  # seconds between ticks, at most
LIMIT = 500  # subscriptions per due query
BATCH = 16  # claims committed together just before they are sent: at most this many in flight
CONCURRENCY = 16  # sends in flight at once (the rate limiter, when on, paces them further)
SEND_TIMEOUT = 60.0  # seconds: a send still unanswered then is cut off, its outcome unknown
LEASE = deliveries.LEASE  # a claim holds this long; sends are cut off well before (see above)
MAX_LOST = deliveries.MAX_LOST
KEEP_DELIVERIES = timedelta(days=7)
HOUSEKEEPING_EVERY = timedelta(hours=1)
STATE_KEY = "dispatcher"

assert timedelta(seconds=2 * SEND_TIMEOUT * -(-BATCH // CONCURRENCY)) < LEASE, "a batch must end within its lease"


def new_owner() -> str:
    """Who claims: host, process id and a random tag (two dispatchers in one process differ)."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """True only when certain: the owner ran on this host and its process no longer exists.

    Anything else (another host, this very process, a pid now used by another process, no way to
    tell) is False, and the claim waits for its lease to run out instead.
    """
    try:
        host, pid_text, _tag = owner.rsplit("/", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname() or pid == os.getpid() or pid <= 0 or os.name != "posix":
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # e.g. PermissionError: it exists, as another user
    try:  # killed but not yet reaped by its parent: a zombie holds the pid but runs nothing
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@dataclass
class Deps:
    """What a tick needs; bot.telegram.services.Services has the same attributes."""

    db: Any  # bot.storage.tx.Db: an aiosqlite connection or a PgDatabase
    reminders: Any = None  # the reminder content: used by the Telegram sender, not here
    extras: dict = field(default_factory=dict)


@dataclass
class DispatchState:
    """Kept between ticks of one process (in deps.extras)."""

    paused_until: datetime | None = None  # after a 429: no sends before this
    last_housekeeping: datetime | None = None
    owner: str = field(default_factory=new_owner)


@dataclass
class TickReport:
    due: int = 0  # subscriptions found due
    sent: int = 0
    duplicates: int = 0  # claims refused: sent, failed or being sent already
    skipped: int = 0  # missed by more than the grace window
    retry: int = 0  # certainly not delivered (5xx, no connection): sent again next tick
    held: int = 0  # not attempted (or 429) because a 429 stopped the batch
    lost: int = 0  # outcome unknown (answer lost, timeout): sent again next tick, maybe a duplicate
    unconfirmed: int = 0  # outcome unknown for the MAX_LOST-th time: taken as delivered
    failed: int = 0  # refused for good, or a sender error for the MAX_LOST-th time
    deactivated: int = 0  # chats switched off after 403 / chat not found
    errors: int = 0  # the sender raised (each also counted as lost or failed)
    recovered: int = 0  # claims taken back from a dead process or an expired lease
    retry_after: float | None = None
    paused: bool = False  # the whole tick waited out an earlier 429


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

    @property
    def reminder(self) -> Reminder:
        return Reminder(self.sub.chat_id, self.sub.kind, self.key, self.sub.per_day, self.snoozed)


@dataclass(frozen=True)
class Outcome:
    result: SendResult
    error: str | None = None  # the sender raised: what, for the delivery record


_HELD = SendResult.retry_later("not tried: a 429 stopped the batch", retry_after=0.0)


def _state(deps: Any) -> DispatchState:
    extras = getattr(deps, "extras", None)
    if extras is None:
        return DispatchState()
    return extras.setdefault(STATE_KEY, DispatchState())


# --- one tick ---------------------------------------------------------------------------------


async def tick(
    sender: Sender,
    deps: Any,
    now_utc: datetime,
    *,
    clock: Callable[[], datetime] | None = None,
    limit: int = LIMIT,
    batch: int = BATCH,
    state: DispatchState | None = None,
) -> TickReport:
    """Send everything due at `now_utc`; see the module docstring for each outcome.

    `clock` gives the time for each batch as the tick goes on (the JobQueue job passes the bot's
    clock); without it the whole tick happens at `now_utc`.
    """
    state = state or _state(deps)
    now = clock or (lambda: now_utc)
    report = TickReport()
    if state.paused_until is not None and now_utc < state.paused_until:
        report.paused = True
        return report
    state.paused_until = None
    db = deps.db
    pace = pacing.of(deps)
    report.recovered = await recover(db, now_utc, state.owner)
    seen: set[int] = set()
    while True:
        subs = await subscriptions.due_subscriptions(db, now(), limit)
        fresh = [s.id for s in subs if s.id not in seen]  # a released claim waits for the next tick
        if not fresh:
            break
        seen.update(fresh)
        report.due += len(fresh)
        for start in range(0, len(fresh), batch):
            if not await _run_batch(sender, db, fresh[start : start + batch], now, report, state.owner, pace):
                state.paused_until = now() + timedelta(seconds=report.retry_after or 1)
                _log(report)
                return report
        if len(subs) < limit:
            break
    _log(report)
    return report


async def recover(db: Any, now_utc: datetime, me: str) -> int:
    """Take back claims left in 'sending' by a dead process or past their lease."""
    dead = [owner for owner in await deliveries.claim_owners(db) if owner != me and owner_is_dead(owner)]
    taken = await deliveries.recover_claims(db, now_utc, dead)
    if taken:
        log.warning("took back %d reminder claim(s) left by a stopped process or past their lease; "
                    "they are sent again within the grace window", taken)
    return taken


def _log(report: TickReport) -> None:
    if report.due or report.recovered:
        log.info(
            "reminders: due=%d sent=%d duplicates=%d skipped=%d retry=%d held=%d lost=%d unconfirmed=%d "
            "failed=%d deactivated=%d errors=%d recovered=%d",
            report.due, report.sent, report.duplicates, report.skipped, report.retry, report.held, report.lost,
            report.unconfirmed, report.failed, report.deactivated, report.errors, report.recovered,
        )


async def _plan(db: Any, subs: list[Subscription], now: datetime, report: TickReport) -> list[Item]:
    """What to send; slots missed beyond the grace window are skipped here, in one transaction."""
    items: list[Item] = []
    async with transaction(db):
        for sub in subs:
            try:
                spec = sub.spec()
            except (subscriptions.ZoneRequired, sched.ScheduleError):
                log.warning("subscription %d cannot be scheduled; switching it off", sub.id)
                await subscriptions.deactivate(db, sub.chat_id, sub.kind, now)
                continue
            if sub.next is not None and sub.next.due_utc <= now:
                plan = sched.resolve_tick(spec, sub.next, now)
                if plan.send is not None:
                    items.append(Item(sub, plan.send, snoozed=False, next=plan.next))
                else:
                    report.skipped += 1
                    await subscriptions.advance(db, sub.id, sub.next, plan.next, now)
            if sub.snooze is not None and sub.snooze.due_utc <= now:
                if sched.plan_tick(sub.snooze.due_utc, now) is sched.Action.SEND:
                    items.append(Item(sub, sub.snooze, snoozed=True))
                else:
                    report.skipped += 1
                    await subscriptions.clear_snooze(db, sub.id, sub.snooze, now)
    return items


async def _move_on(db: Any, items: list[Item], now: datetime) -> None:
    """These slots are dealt with (sent, refused or given up): point each subscription past its own."""
    snoozed = [(item.sub.id, item.due) for item in items if item.snoozed]
    regular = [(item.sub.id, item.sub.next, item.next) for item in items if not item.snoozed and item.next is not None]
    if snoozed:
        await subscriptions.clear_snooze_many(db, snoozed, now)
    if regular:
        await subscriptions.advance_many(db, regular, now)


async def _run_batch(
    sender: Sender,
    db: Any,
    ids: list[int],
    now: Callable[[], datetime],
    report: TickReport,
    owner: str,
    pace: pacing.Pace | None = None,
) -> bool:
    """Plan, claim, send and record one batch. False if a 429 stopped it."""
    at = now()
    async with transaction(db):
        # Read again inside the claiming transaction: a reminder switched off or moved since the
        # due query is not sent. On PostgreSQL the rows stay locked until the claims commit, and
        # rows another dispatcher is claiming meanwhile are skipped (FOR UPDATE SKIP LOCKED).
        items = await _plan(db, await subscriptions.claimable_subscriptions(db, ids), at, report)
        attempts = await deliveries.claim_deliveries(db, [item.key for item in items], at, owner=owner, lease=LEASE)
        claimed = [(item, Claim(item.key, owner, attempts[item.key])) for item in items if item.key in attempts]
        refused = [item for item in items if item.key not in attempts]
        if refused:
            report.duplicates += len(refused)
            statuses = await deliveries.delivery_statuses(db, [item.key for item in refused])
            # Settled elsewhere: move on. Still being sent by another live process: leave it
            # due, so a retry it releases is picked up here later.
            await _move_on(db, [item for item in refused if statuses.get(item.key) in ("sent", "failed")], at)
    if not claimed:
        return True
    outcomes = await _send_all(sender, db, claimed, now, report, pace)
    return not any(o.result.status is Status.RETRY_LATER and o.result.retry_after is not None for o in outcomes)


async def _record(
    db: Any, item: Item, claim: Claim, outcome: Outcome, now: datetime, report: TickReport, gone: set[int]
) -> None:
    """Settle one claim with the outcome of its send."""
    result = outcome.result
    status = result.status
    if status is Status.SENT and outcome.error is None:
        report.sent += 1
        settled = "sent" if await deliveries.mark_sent(db, claim, result.message_id, now) else None
        await _move_on(db, [item], now)
    elif outcome.error is not None:  # the sender raised
        report.errors += 1
        settled = await deliveries.mark_lost(db, claim, now, outcome.error, finally_="failed")
        if settled == "failed":
            report.failed += 1
            await _move_on(db, [item], now)
        elif settled == "retry":
            report.lost += 1
    elif status is Status.UNKNOWN:
        settled = await deliveries.mark_lost(db, claim, now, result.detail or "answer lost")
        if settled == "sent":
            report.unconfirmed += 1
            await _move_on(db, [item], now)
        elif settled == "retry":
            report.lost += 1
    elif status is Status.RETRY_LATER and result.retry_after is not None:
        report.held += 1
        if result.retry_after:
            report.retry_after = max(report.retry_after or 0, result.retry_after)
        settled = "retry" if await deliveries.unclaim(db, claim, now) else None
    elif status is Status.RETRY_LATER:
        report.retry += 1
        settled = await deliveries.release_claim(db, claim, now, result.detail[:200] or None)
    elif status is Status.REFUSED:
        report.failed += 1
        settled = "failed" if await deliveries.mark_failed(db, claim, now, result.detail[:200] or None) else None
        await _move_on(db, [item], now)
    else:  # GONE: blocked, deactivated or deleted; every reminder of the chat goes off
        report.failed += 1
        settled = "failed" if await deliveries.mark_failed(db, claim, now, result.detail[:200] or None) else None
        if item.sub.chat_id not in gone:
            gone.add(item.sub.chat_id)
            report.deactivated += 1
            await subscriptions.deactivate_chat(db, item.sub.chat_id, now)
    if settled is None:
        log.warning("delivery %s was taken back before its send was recorded (%s)", tuple(claim.key), status.value)


# --- sending ----------------------------------------------------------------------------------


async def _send_all(
    sender: Sender,
    db: Any,
    claimed: list[tuple[Item, Claim]],
    now: Callable[[], datetime],
    report: TickReport,
    pace: pacing.Pace | None = None,
) -> list[Outcome]:
    """Send concurrently, started no faster than `pace` (bot.reminders.pacing: a share of
    TELEGRAM_RATE_LIMIT), recording each outcome as soon as it is known, so a crash can repeat
    only what is in flight; after the first 429 nothing new is started.

    Recording is a group commit: a finished send queues its outcome, and whoever gets the lock
    commits everything queued in one transaction (one commit per message would halve the rate)."""
    stop = asyncio.Event()
    gate = asyncio.Semaphore(CONCURRENCY)
    gone: set[int] = set()
    queued: list[tuple[Item, Claim, Outcome]] = []
    committing = asyncio.Lock()

    async def record(item: Item, claim: Claim, outcome: Outcome) -> None:
        queued.append((item, claim, outcome))
        async with committing:
            if not queued:
                return  # committed by whoever held the lock before
            batch = queued[:]
            queued.clear()
            async with transaction(db):
                # Subscriptions first, then their deliveries: the order a claim takes them in.
                await subscriptions.lock_subscriptions(db, [i.sub.id for i, _c, _o in batch])
                at = now()
                sent = [(i, c, o) for i, c, o in batch if o.result.status is Status.SENT and o.error is None]
                rest = [(i, c, o) for i, c, o in batch if not (o.result.status is Status.SENT and o.error is None)]
                if sent:  # the common case, in two statements however many
                    report.sent += len(sent)
                    marked = await deliveries.mark_sent_many(db, [(c, o.result.message_id) for _i, c, o in sent], at)
                    await _move_on(db, [i for i, _c, _o in sent], at)
                    if marked < len(sent):
                        log.warning("%d sent reminder(s) had been taken back before they were recorded; "
                                    "they may come twice", len(sent) - marked)
                for entry in rest:
                    await _record(db, *entry, at, report, gone)

    async def one(item: Item, claim: Claim) -> Outcome:
        async with gate:
            if pace is not None and not stop.is_set():
                await pace.wait()
            if stop.is_set():
                outcome = Outcome(_HELD)
            else:
                outcome = await send_one(sender, item.reminder)
                if outcome.result.status is Status.RETRY_LATER and outcome.result.retry_after is not None:
                    stop.set()
        await record(item, claim, outcome)
        return outcome

    results = await asyncio.gather(*(one(item, claim) for item, claim in claimed), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):  # the database failed while recording: after all are done
            raise result
    return list(results)  # type: ignore[arg-type]


async def send_one(sender: Sender, reminder: Reminder, timeout: float | None = None) -> Outcome:
    """One send, cut off after `timeout` (SEND_TIMEOUT); an exception becomes an outcome."""
    limit = SEND_TIMEOUT if timeout is None else timeout
    try:
        async with asyncio.timeout(limit) as deadline:
            return Outcome(await sender.send_reminder(reminder))
    except TimeoutError as exc:
        if deadline.expired():
            log.warning("reminder to chat %d: no answer within %g s; sent again next tick", reminder.chat_id, limit)
            return Outcome(SendResult.unknown(f"no answer within {limit:g} s"))
        return _unexpected(reminder, exc)
    except Exception as exc:  # a bug or a library surprise: this delivery only, never the batch
        return _unexpected(reminder, exc)


def _unexpected(reminder: Reminder, exc: Exception) -> Outcome:
    log.error("reminder to chat %d failed unexpectedly: %s", reminder.chat_id, type(exc).__name__, exc_info=exc)
    # Only the type: an exception's text could carry anything (a URL with the token, say).
    return Outcome(SendResult.unknown("unexpected error"), error=f"unexpected {type(exc).__name__}")


# --- housekeeping -----------------------------------------------------------------------------


async def housekeeping(db: Any, now_utc: datetime) -> None:
    """Drop delivery records older than a week and prompts nobody answered."""
    cutoff = now_utc - KEEP_DELIVERIES
    await deliveries.prune_deliveries(db, cutoff)
    await deliveries.prune_stuck_claims(db, cutoff)
    await pending_store.purge_pending(db, now_utc)


async def run_job(sender: Sender, deps: Any, clock: Callable[[], datetime]) -> TickReport:
    """What the repeating job does: a tick on the live clock, then hourly housekeeping."""
    now = clock()
    report = await tick(sender, deps, now, clock=clock)
    state = _state(deps)
    if state.last_housekeeping is None or now - state.last_housekeeping >= HOUSEKEEPING_EVERY:
        state.last_housekeeping = now
        await housekeeping(deps.db, now)
    return report
