"""Queries for users, reminder subscriptions, deliveries, completions and anonymous counts.

Every function takes the connection from db.open_db and, where it writes a timestamp or
computes a schedule, an aware `now_utc`: the clock is always injected. Times are stored as
integer epoch seconds, local dates as ISO text. Reads go through tx.read, so they see only
committed data even on the connection every coroutine shares.

Delivery of one reminder slot, as the dispatcher uses it (bot.reminders.dispatcher says why):
1. `claim_deliveries(keys, owner=..., lease=...)` inserts (subscription, local date, slot) with
   status 'sending', an owner and a lease. The key is the primary key, so of two processes only
   one gets the claim; a claim that exists already (sending, sent or failed) is refused. Only a
   'retry' row can be claimed again.
2. After sending, settled with the returned Claim (fenced: only while that claim still holds):
   sent -> `mark_sent`; certainly not delivered (5xx, no connection) -> `release_claim` ('retry');
   outcome unknown (answer lost) -> `mark_lost` ('retry' until MAX_LOST such attempts, then taken
   as sent); 403 / chat not found / refused -> `mark_failed`; a 429 held it back -> `unclaim`.
3. `advance(sub_id, expected, new)` moves next-due forward only if nobody moved it meanwhile.
A process that dies between 1 and 2 leaves 'sending' behind: `recover_claims` takes it back
when its owner is known to be dead or its lease has run out, counted like a lost answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

import aiosqlite

from bot.core import schedule
from bot.core.schedule import Due, SubSpec
from bot.storage.tx import committed, read, transaction, write, write_many, write_returning

KINDS = schedule.KINDS
LEASE = timedelta(minutes=5)  # a claim holds this long; then it is taken back (recover_claims)
MAX_LOST = 2  # attempts with an unknown outcome before a delivery is taken as sent


class ZoneRequired(LookupError):
    """Reminders cannot be switched on before the chat has a time zone."""


# --- conversions ------------------------------------------------------------------------------


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("expected an aware datetime")
    return int(moment.timestamp())


def _from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown reminder kind {kind!r}")


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    chat_id: int
    user_id: int | None
    zone: str | None


class DeliveryKey(NamedTuple):
    subscription_id: int
    local_date: date
    slot: int


@dataclass(frozen=True)
class Subscription:
    id: int
    chat_id: int
    kind: str
    active: bool
    zone: str | None  # the chat's zone
    at: time  # stretching: the daily time
    per_day: int  # hydration: how many a day
    start: time  # hydration: first reminder
    end: time  # hydration: last reminder
    next: Due | None  # the next regular slot, when active
    snooze: Due | None  # a pending snoozed copy, if any

    def spec(self, zone: str | None = None) -> SubSpec:
        zone = zone or self.zone
        if zone is None:
            raise ZoneRequired("this chat has no time zone yet")
        return SubSpec(self.kind, zone, at=self.at, count=self.per_day, start=self.start, end=self.end)

    def key(self, due: Due) -> DeliveryKey:
        return DeliveryKey(self.id, due.local_date, due.slot)


class Claim(NamedTuple):
    """The right to send one delivery, held by `owner` as its attempt number `attempt`."""

    key: DeliveryKey
    owner: str | None
    attempt: int


@dataclass(frozen=True)
class Delivery:
    key: DeliveryKey
    status: str  # 'sending' | 'sent' | 'retry' | 'failed'
    attempts: int
    claimed_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    message_id: int | None
    error: str | None
    lost: int = 0  # attempts that ended without knowing whether Telegram delivered
    owner: str | None = None  # who holds (or last held) the claim
    lease_until: datetime | None = None  # while 'sending': the claim holds until then


@dataclass(frozen=True)
class Stats:
    users: int
    active: dict[str, int]  # kind -> active subscriptions
    sent_24h: int
    failed_24h: int
    retrying: int  # released claims waiting for the next tick


_SUB_COLUMNS = """
    s.id, s.chat_id, s.kind, s.active, u.zone, s.at_time, s.per_day, s.start_time, s.end_time,
    s.next_due_utc, s.next_local_date, s.next_slot, s.snoozed_until, s.snooze_local_date, s.snooze_slot
"""
_SUB_FROM = "FROM subscriptions s JOIN users u ON u.chat_id = s.chat_id"


def _due(epoch: int | None, local_date: str | None, slot: int | None) -> Due | None:
    if epoch is None or local_date is None or slot is None:
        return None
    return Due(datetime.fromtimestamp(epoch, timezone.utc), date.fromisoformat(local_date), slot)


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=row[0],
        chat_id=row[1],
        kind=row[2],
        active=bool(row[3]),
        zone=row[4],
        at=time.fromisoformat(row[5]),
        per_day=row[6],
        start=time.fromisoformat(row[7]),
        end=time.fromisoformat(row[8]),
        next=_due(row[9], row[10], row[11]),
        snooze=_due(row[12], row[13], row[14]),
    )


# --- users ----------------------------------------------------------------------------------------


async def upsert_user(conn: aiosqlite.Connection, chat_id: int, user_id: int | None, now_utc: datetime) -> None:
    """Create the chat's row if missing; keep its zone. user_id is updated when given."""
    now = _epoch(now_utc)
    await write(
        conn,
        "INSERT INTO users (chat_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET user_id = COALESCE(excluded.user_id, users.user_id), "
        "updated_at = excluded.updated_at",
        (chat_id, user_id, now, now),
    )


async def get_user(conn: aiosqlite.Connection, chat_id: int) -> User | None:
    rows = await read(conn, "SELECT chat_id, user_id, zone FROM users WHERE chat_id = ?", (chat_id,))
    return User(rows[0][0], rows[0][1], rows[0][2]) if rows else None


async def _ensure_user(conn: aiosqlite.Connection, chat_id: int, now: int) -> None:
    # Inside a transaction: the write lock is already held.
    await conn.execute(
        "INSERT INTO users (chat_id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO NOTHING",
        (chat_id, now, now),
    )


async def set_zone(conn: aiosqlite.Connection, chat_id: int, zone: str, now_utc: datetime) -> list[Subscription]:
    """Store the chat's zone (IANA name or "+05:30") and reschedule its active reminders.

    Raises schedule.ScheduleError for a zone that does not exist. Returns the chat's subscriptions.
    """
    schedule.tz_for(zone)
    now = _epoch(now_utc)
    async with transaction(conn):
        await _ensure_user(conn, chat_id, now)
        await conn.execute("UPDATE users SET zone = ?, updated_at = ? WHERE chat_id = ?", (zone, now, chat_id))
        for sub in await _list(conn, chat_id):
            if sub.active:
                await _store_next(conn, sub.id, schedule.next_due(sub.spec(zone), now_utc), now)
    return await list_subscriptions(conn, chat_id)


# --- subscriptions ------------------------------------------------------------------------------


async def _list(conn: aiosqlite.Connection, chat_id: int) -> list[Subscription]:
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.chat_id = ? ORDER BY s.kind DESC"
    return [_subscription(row) for row in await read(conn, sql, (chat_id,))]


async def list_subscriptions(conn: aiosqlite.Connection, chat_id: int) -> list[Subscription]:
    """The chat's subscriptions, stretching first; kinds never set up are absent."""
    return await _list(conn, chat_id)


async def get_subscription(conn: aiosqlite.Connection, chat_id: int, kind: str) -> Subscription | None:
    _check_kind(kind)
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.chat_id = ? AND s.kind = ?"
    rows = await read(conn, sql, (chat_id, kind))
    return _subscription(rows[0]) if rows else None


async def get_subscription_by_id(conn: aiosqlite.Connection, subscription_id: int) -> Subscription | None:
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.id = ?"
    rows = await read(conn, sql, (subscription_id,))
    return _subscription(rows[0]) if rows else None


async def _get_or_create(conn: aiosqlite.Connection, chat_id: int, kind: str, now: int) -> Subscription:
    await _ensure_user(conn, chat_id, now)
    await conn.execute(
        "INSERT INTO subscriptions (chat_id, kind, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id, kind) DO NOTHING",
        (chat_id, kind, now, now),
    )
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.chat_id = ? AND s.kind = ?"
    return _subscription((await read(conn, sql, (chat_id, kind)))[0])


async def _store_next(conn: aiosqlite.Connection, sub_id: int, due: Due | None, now: int) -> None:
    values = (None, None, None) if due is None else (_epoch(due.due_utc), due.local_date.isoformat(), due.slot)
    await conn.execute(
        "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? WHERE id = ?",
        (*values, now, sub_id),
    )


async def update_settings(
    conn: aiosqlite.Connection,
    chat_id: int,
    kind: str,
    now_utc: datetime,
    *,
    at: time | None = None,
    per_day: int | None = None,
    start: time | None = None,
    end: time | None = None,
) -> Subscription:
    """Change times (creating the subscription, switched off, if missing); reschedule if active.

    Raises schedule.ScheduleError (a ValueError with a user-facing message) for impossible settings.
    """
    _check_kind(kind)
    now = _epoch(now_utc)
    async with transaction(conn):
        sub = await _get_or_create(conn, chat_id, kind, now)
        new_at = sub.at if at is None else at
        new_per_day = sub.per_day if per_day is None else per_day
        new_start = sub.start if start is None else start
        new_end = sub.end if end is None else end
        spec = SubSpec(kind, sub.zone or "UTC", at=new_at, count=new_per_day, start=new_start, end=new_end)
        await conn.execute(
            "UPDATE subscriptions SET at_time = ?, per_day = ?, start_time = ?, end_time = ?, updated_at = ? WHERE id = ?",
            (_hhmm(new_at), new_per_day, _hhmm(new_start), _hhmm(new_end), now, sub.id),
        )
        if sub.active and sub.zone:
            await _store_next(conn, sub.id, schedule.next_due(spec, now_utc), now)
    return await get_subscription(conn, chat_id, kind)  # type: ignore[return-value]


async def activate(conn: aiosqlite.Connection, chat_id: int, kind: str, now_utc: datetime) -> Subscription:
    """Switch a kind on (explicit opt-in) and schedule its first slot after now.

    Raises ZoneRequired if the chat has no zone yet. Already active: left as it is.
    """
    _check_kind(kind)
    now = _epoch(now_utc)
    async with transaction(conn):
        sub = await _get_or_create(conn, chat_id, kind, now)
        if sub.zone is None:
            raise ZoneRequired("set a time zone first")
        if not sub.active:
            await conn.execute("UPDATE subscriptions SET active = 1, updated_at = ? WHERE id = ?", (now, sub.id))
            await _store_next(conn, sub.id, schedule.next_due(sub.spec(), now_utc), now)
    return await get_subscription(conn, chat_id, kind)  # type: ignore[return-value]


_OFF = "active = 0, next_due_utc = NULL, next_local_date = NULL, next_slot = NULL, " \
       "snoozed_until = NULL, snooze_local_date = NULL, snooze_slot = NULL, updated_at = ?"


async def deactivate(conn: aiosqlite.Connection, chat_id: int, kind: str, now_utc: datetime) -> bool:
    """Switch one kind off (Stop button). True if it was on."""
    _check_kind(kind)
    changed = await write(
        conn, f"UPDATE subscriptions SET {_OFF} WHERE chat_id = ? AND kind = ? AND active = 1",
        (_epoch(now_utc), chat_id, kind),
    )
    return changed > 0


async def deactivate_chat(conn: aiosqlite.Connection, chat_id: int, now_utc: datetime) -> int:
    """Switch every reminder of a chat off (the user blocked the bot, or the chat is gone)."""
    return await write(
        conn, f"UPDATE subscriptions SET {_OFF} WHERE chat_id = ? AND active = 1", (_epoch(now_utc), chat_id)
    )


DUE_QUERY = (
    f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.active = 1 AND s.next_due_utc <= ? "
    "ORDER BY s.next_due_utc LIMIT ?"
)
# "+s.active" keeps the planner on the snooze index instead of the (active, ...) one.
SNOOZE_QUERY = (
    f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.snoozed_until <= ? AND +s.active = 1 "
    "ORDER BY s.snoozed_until LIMIT ?"
)


async def due_subscriptions(conn: aiosqlite.Connection, now_utc: datetime, limit: int = 500) -> list[Subscription]:
    """Active subscriptions whose next slot or snoozed copy is due at `now_utc`, earliest first.

    Uses the (active, next_due_utc) index and the partial index on snoozed_until.
    """
    now = _epoch(now_utc)
    async with committed(conn):  # both queries on one snapshot
        regular = await conn.execute_fetchall(DUE_QUERY, (now, limit))
        snoozed = await conn.execute_fetchall(SNOOZE_QUERY, (now, limit))
    found = {row[0]: _subscription(row) for row in [*regular, *snoozed]}

    def earliest(sub: Subscription) -> datetime:
        times = [d.due_utc for d in (sub.next, sub.snooze) if d is not None and d.due_utc <= now_utc]
        return min(times)

    return sorted(found.values(), key=earliest)[:limit]


async def active_subscriptions(conn: aiosqlite.Connection, ids: list[int]) -> list[Subscription]:
    """The active ones among these subscriptions, as stored now (in id order)."""
    found: list[Subscription] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        # "+s.active": by primary key, not by scanning the (active, next_due_utc) index.
        sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.id IN ({', '.join('?' * len(part))}) AND +s.active = 1 ORDER BY s.id"
        found += [_subscription(row) for row in await read(conn, sql, part)]
    return found


async def advance(
    conn: aiosqlite.Connection, subscription_id: int, expected: Due | None, new: Due, now_utc: datetime
) -> bool:
    """Store `new` as the next slot if the stored one is still `expected` (compare-and-set)."""
    expected_epoch = None if expected is None else _epoch(expected.due_utc)
    changed = await write(
        conn,
        "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? "
        "WHERE id = ? AND active = 1 AND next_due_utc IS ?",
        (_epoch(new.due_utc), new.local_date.isoformat(), new.slot, _epoch(now_utc), subscription_id, expected_epoch),
    )
    return changed > 0


async def schedule_all(conn: aiosqlite.Connection, now_utc: datetime, batch: int = 5000) -> int:
    """Recompute the next slot of every active subscription from its settings (after an update
    of the time-zone database, or a bulk import). Pending snoozes are kept. Returns how many."""
    now, last_id, total = _epoch(now_utc), 0, 0
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.active = 1 AND s.id > ? ORDER BY s.id LIMIT ?"
    while True:
        rows = await read(conn, sql, (last_id, batch))
        if not rows:
            return total
        updates = []
        for row in rows:
            sub = _subscription(row)
            if sub.zone is not None:
                due = schedule.next_due(sub.spec(), now_utc)
                updates.append((_epoch(due.due_utc), due.local_date.isoformat(), due.slot, now, sub.id))
        async with transaction(conn):
            await conn.executemany(
                "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? "
                "WHERE id = ? AND active = 1",
                updates,
            )
        last_id, total = rows[-1][0], total + len(updates)


async def advance_many(
    conn: aiosqlite.Connection, moves: list[tuple[int, Due | None, Due]], now_utc: datetime
) -> None:
    """advance() for many (subscription id, expected, new) at once, same compare-and-set."""
    now = _epoch(now_utc)
    await write_many(
        conn,
        "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? "
        "WHERE id = ? AND active = 1 AND next_due_utc IS ?",
        [
            (_epoch(new.due_utc), new.local_date.isoformat(), new.slot, now, sub_id,
             None if expected is None else _epoch(expected.due_utc))
            for sub_id, expected, new in moves
        ],
    )


# --- snooze ---------------------------------------------------------------------------------------


async def snooze(
    conn: aiosqlite.Connection, key: DeliveryKey, now_utc: datetime, minutes: int = schedule.SNOOZE_MINUTES
) -> Due | None:
    """Schedule one more copy of the reminder `key`, `minutes` from now; None if the kind is off.

    One pending snooze per subscription: a newer snooze replaces an older one. Raises
    schedule.ScheduleError once a reminder has been snoozed schedule.MAX_SNOOZES times.
    """
    due = schedule.snooze_due(key.local_date, key.slot, now_utc, minutes)
    changed = await write(
        conn,
        "UPDATE subscriptions SET snoozed_until = ?, snooze_local_date = ?, snooze_slot = ?, updated_at = ? "
        "WHERE id = ? AND active = 1",
        (_epoch(due.due_utc), due.local_date.isoformat(), due.slot, _epoch(now_utc), key.subscription_id),
    )
    return due if changed else None


async def clear_snooze(conn: aiosqlite.Connection, subscription_id: int, expected: Due, now_utc: datetime) -> bool:
    """Drop the pending snooze if it is still `expected` (a newer snooze stays)."""
    changed = await write(
        conn,
        "UPDATE subscriptions SET snoozed_until = NULL, snooze_local_date = NULL, snooze_slot = NULL, "
        "updated_at = ? WHERE id = ? AND snoozed_until = ? AND snooze_slot = ?",
        (_epoch(now_utc), subscription_id, _epoch(expected.due_utc), expected.slot),
    )
    return changed > 0


async def clear_snooze_many(conn: aiosqlite.Connection, done: list[tuple[int, Due]], now_utc: datetime) -> None:
    """clear_snooze() for many (subscription id, expected) at once."""
    now = _epoch(now_utc)
    await write_many(
        conn,
        "UPDATE subscriptions SET snoozed_until = NULL, snooze_local_date = NULL, snooze_slot = NULL, "
        "updated_at = ? WHERE id = ? AND snoozed_until = ? AND snooze_slot = ?",
        [(now, sub_id, _epoch(expected.due_utc), expected.slot) for sub_id, expected in done],
    )


# --- deliveries -------------------------------------------------------------------------------------


def _key_params(key: DeliveryKey) -> tuple[int, str, int]:
    return (key.subscription_id, key.local_date.isoformat(), key.slot)


def _target(item: DeliveryKey | Claim) -> tuple[str, tuple]:
    """WHERE clause for the delivery being sent: by key, and for a Claim only while that claim
    (its owner and attempt number) still holds it, so a claim taken back from a process that was
    too slow is not settled by that process afterwards."""
    where = "subscription_id = ? AND local_date = ? AND slot = ? AND status = 'sending'"
    if isinstance(item, Claim):
        return where + " AND owner IS ? AND attempts = ?", (*_key_params(item.key), item.owner, item.attempt)
    return where, _key_params(item)


_CLAIM_SQL = (
    "INSERT INTO deliveries (subscription_id, local_date, slot, status, attempts, claimed_at, updated_at, "
    "owner, lease_until) VALUES {values} "
    "ON CONFLICT (subscription_id, local_date, slot) DO UPDATE SET status = 'sending', "
    "attempts = deliveries.attempts + 1, claimed_at = excluded.claimed_at, updated_at = excluded.updated_at, "
    "owner = excluded.owner, lease_until = excluded.lease_until, error = NULL "
    "WHERE deliveries.status = 'retry' "
    "RETURNING subscription_id, local_date, slot, attempts"
)
_CLAIM_VALUES = "(?, ?, ?, 'sending', 1, ?, ?, ?, ?)"


async def claim_delivery(
    conn: aiosqlite.Connection, key: DeliveryKey, now_utc: datetime, *, owner: str | None = None,
    lease: timedelta = LEASE,
) -> int:
    """Claim the right to send `key` until now + `lease`: the attempt number (1, 2, ...) if
    claimed, 0 if not. A new key, or one released for retry, is claimed; one that is sending,
    sent or failed is not (a claim whose lease ran out is first released by recover_claims)."""
    claimed = await claim_deliveries(conn, [key], now_utc, owner=owner, lease=lease)
    return claimed.get(key, 0)


async def claim_deliveries(
    conn: aiosqlite.Connection, keys: list[DeliveryKey], now_utc: datetime, *, owner: str | None = None,
    lease: timedelta = LEASE,
) -> dict[DeliveryKey, int]:
    """claim_delivery() for many keys in one statement: {claimed key: attempt number}.

    Keys missing from the result were refused (sending, sent or failed already).
    """
    now, until = _epoch(now_utc), _epoch(now_utc + lease)
    claimed: dict[DeliveryKey, int] = {}
    for start in range(0, len(keys), 400):  # 7 bound values a key, well under SQLite's limit
        part = keys[start : start + 400]
        rows = await write_returning(
            conn,
            _CLAIM_SQL.format(values=", ".join([_CLAIM_VALUES] * len(part))),
            [value for key in part for value in (*_key_params(key), now, now, owner, until)],
        )
        claimed.update({DeliveryKey(r[0], date.fromisoformat(r[1]), r[2]): int(r[3]) for r in rows})
    return claimed


async def delivery_statuses(conn: aiosqlite.Connection, keys: list[DeliveryKey]) -> dict[DeliveryKey, str]:
    """The stored status of each key that has a delivery row."""
    found: dict[DeliveryKey, str] = {}
    for start in range(0, len(keys), 300):
        part = keys[start : start + 300]
        rows = await read(
            conn,
            "SELECT subscription_id, local_date, slot, status FROM deliveries "
            f"WHERE (subscription_id, local_date, slot) IN (VALUES {', '.join(['(?, ?, ?)'] * len(part))})",
            [value for key in part for value in _key_params(key)],
        )
        found.update({DeliveryKey(r[0], date.fromisoformat(r[1]), r[2]): r[3] for r in rows})
    return found


async def claim_owners(conn: aiosqlite.Connection) -> list[str]:
    """The owners of claims still marked 'sending'."""
    rows = await read(
        conn, "SELECT DISTINCT owner FROM deliveries WHERE status = 'sending' AND owner IS NOT NULL ORDER BY owner"
    )
    return [r[0] for r in rows]


async def recover_claims(
    conn: aiosqlite.Connection, now_utc: datetime, dead_owners: Iterable[str] = (), max_lost: int = MAX_LOST
) -> int:
    """Take back claims whose lease ran out or whose owner is known to be dead.

    Such a send may or may not have reached Telegram, so it counts as lost (see mark_lost): the
    delivery becomes 'retry' and is sent again while its slot is within the grace window, or,
    once `max_lost` attempts ended that way, is taken as sent. Returns how many were taken back.
    """
    now = _epoch(now_utc)
    owners = list(dead_owners)
    in_owners = f" OR owner IN ({', '.join('?' * len(owners))})" if owners else ""
    return await write(
        conn,
        "UPDATE deliveries SET lost = lost + 1, "
        "status = CASE WHEN lost + 1 >= ? THEN 'sent' ELSE 'retry' END, "
        "sent_at = CASE WHEN lost + 1 >= ? THEN ? ELSE sent_at END, "
        "error = 'claim abandoned mid-send', lease_until = NULL, updated_at = ? "
        f"WHERE status = 'sending' AND (lease_until IS NULL OR lease_until <= ?{in_owners})",
        (max_lost, max_lost, now, now, now, *owners),
    )


async def mark_sent_many(
    conn: aiosqlite.Connection, sent: list[tuple[DeliveryKey | Claim, int | None]], now_utc: datetime
) -> int:
    """mark_sent() for many (key or claim, message id) at once; returns how many were marked."""
    now, changed = _epoch(now_utc), 0
    for fenced in (True, False):
        part = [(item, message_id) for item, message_id in sent if isinstance(item, Claim) == fenced]
        if part:
            where = _target(part[0][0])[0]
            changed += await write_many(
                conn,
                "UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, message_id = ?, error = NULL, "
                f"lease_until = NULL WHERE {where}",
                [(now, now, message_id, *_target(item)[1]) for item, message_id in part],
            )
    return changed


async def mark_sent(
    conn: aiosqlite.Connection, item: DeliveryKey | Claim, message_id: int | None, now_utc: datetime
) -> bool:
    now = _epoch(now_utc)
    where, params = _target(item)
    changed = await write(
        conn,
        f"UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, message_id = ?, error = NULL, "
        f"lease_until = NULL WHERE {where}",
        (now, now, message_id, *params),
    )
    return changed > 0


async def release_claim(
    conn: aiosqlite.Connection,
    item: DeliveryKey | Claim,
    now_utc: datetime,
    error: str | None = None,
    max_attempts: int | None = None,
) -> str | None:
    """After a failure that certainly did not deliver (5xx, no connection): 'retry', claimable
    again, or 'failed' once `max_attempts` (if given) are used up.

    Returns the new status, or None if the key was not being sent.
    """
    where, params = _target(item)
    rows = await write_returning(
        conn,
        "UPDATE deliveries SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'retry' END, "
        f"updated_at = ?, error = ?, lease_until = NULL WHERE {where} RETURNING status",
        (max_attempts if max_attempts is not None else 2**62, _epoch(now_utc), error, *params),
    )
    return rows[0][0] if rows else None


async def unclaim(conn: aiosqlite.Connection, item: DeliveryKey | Claim, now_utc: datetime) -> bool:
    """Give a claim back without counting it as an attempt (nothing was sent: a 429 held the batch)."""
    where, params = _target(item)
    changed = await write(
        conn,
        "UPDATE deliveries SET status = 'retry', attempts = MAX(attempts - 1, 0), updated_at = ?, "
        f"lease_until = NULL WHERE {where}",
        (_epoch(now_utc), *params),
    )
    return changed > 0


async def mark_lost(
    conn: aiosqlite.Connection,
    item: DeliveryKey | Claim,
    now_utc: datetime,
    error: str,
    *,
    max_lost: int = MAX_LOST,
    finally_: str = "sent",
) -> str | None:
    """An attempt whose outcome is unknown: the request may have reached Telegram (the answer
    was lost, or the send raised something unexpected). 'retry' - sent again, so a person may
    get it twice - until `max_lost` attempts ended this way; then `finally_`: 'sent' (taken as
    delivered, so a person never gets more than `max_lost` copies) or 'failed'.

    Returns the new status, or None if the key was not being sent.
    """
    now = _epoch(now_utc)
    where, params = _target(item)
    rows = await write_returning(
        conn,
        "UPDATE deliveries SET lost = lost + 1, status = CASE WHEN lost + 1 >= ? THEN ? ELSE 'retry' END, "
        "sent_at = CASE WHEN lost + 1 >= ? AND ? = 'sent' THEN ? ELSE sent_at END, "
        f"updated_at = ?, error = ?, lease_until = NULL WHERE {where} RETURNING status",
        (max_lost, finally_, max_lost, finally_, now, now, error, *params),
    )
    return rows[0][0] if rows else None


async def mark_failed(
    conn: aiosqlite.Connection, item: DeliveryKey | Claim, now_utc: datetime, error: str | None = None
) -> bool:
    """A permanent failure (403, chat not found, bad request): never retried."""
    if isinstance(item, Claim):
        where, params = _target(item)
    else:
        where = "subscription_id = ? AND local_date = ? AND slot = ? AND status IN ('sending', 'retry')"
        params = _key_params(item)
    changed = await write(
        conn,
        f"UPDATE deliveries SET status = 'failed', updated_at = ?, error = ?, lease_until = NULL WHERE {where}",
        (_epoch(now_utc), error, *params),
    )
    return changed > 0


async def get_delivery(conn: aiosqlite.Connection, key: DeliveryKey) -> Delivery | None:
    rows = await read(
        conn,
        "SELECT status, attempts, claimed_at, updated_at, sent_at, message_id, error, lost, owner, lease_until "
        "FROM deliveries WHERE subscription_id = ? AND local_date = ? AND slot = ?",
        _key_params(key),
    )
    if not rows:
        return None
    row = rows[0]
    return Delivery(
        key, row[0], row[1], _from_epoch(row[2]), _from_epoch(row[3]), _from_epoch(row[4]), row[5], row[6],  # type: ignore[arg-type]
        lost=row[7], owner=row[8], lease_until=_from_epoch(row[9]),
    )


async def prune_deliveries(conn: aiosqlite.Connection, before_utc: datetime) -> int:
    """Delete finished delivery records last touched before `before_utc` (keep a few days)."""
    return await write(
        conn,
        "DELETE FROM deliveries WHERE status IN ('sent', 'failed') AND updated_at < ?",
        (_epoch(before_utc),),
    )


async def prune_stuck_claims(conn: aiosqlite.Connection, before_utc: datetime) -> int:
    """Delete 'sending' and 'retry' records untouched since `before_utc`.

    Only for dates long past the grace window: such a slot is never planned again.
    """
    return await write(
        conn,
        "DELETE FROM deliveries WHERE status IN ('sending', 'retry') AND updated_at < ?",
        (_epoch(before_utc),),
    )


# --- completions and streaks ------------------------------------------------------------------------


async def record_completion(
    conn: aiosqlite.Connection, chat_id: int, kind: str, local_date: date, now_utc: datetime
) -> bool:
    """Mark a kind done for a local day. True if new, False if that day was already recorded."""
    _check_kind(kind)
    now = _epoch(now_utc)
    async with transaction(conn):
        await _ensure_user(conn, chat_id, now)
        async with conn.execute(
            "INSERT INTO completions (chat_id, kind, local_date, completed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (chat_id, kind, local_date.isoformat(), now),
        ) as cur:
            return cur.rowcount > 0


async def streak(conn: aiosqlite.Connection, chat_id: int, kind: str, today_local: date) -> int:
    """Days in a row with the kind done, ending today (or yesterday, if today is not done yet)."""
    _check_kind(kind)
    rows = await read(
        conn,
        "SELECT local_date FROM completions WHERE chat_id = ? AND kind = ? AND local_date <= ? "
        "ORDER BY local_date DESC LIMIT 3660",
        (chat_id, kind, today_local.isoformat()),
    )
    return schedule.count_streak((date.fromisoformat(r[0]) for r in rows), today_local)


# --- privacy ---------------------------------------------------------------------------------------


async def forget_chat(conn: aiosqlite.Connection, chat_id: int) -> bool:
    """Delete every row about the chat, in every table. True if there was anything to delete.

    Foreign keys would cascade from users alone; the explicit deletes also hold on a
    connection opened without foreign_keys=ON.
    """
    async with transaction(conn):
        await conn.execute(
            "DELETE FROM deliveries WHERE subscription_id IN (SELECT id FROM subscriptions WHERE chat_id = ?)",
            (chat_id,),
        )
        await conn.execute("DELETE FROM completions WHERE chat_id = ?", (chat_id,))
        async with conn.execute("DELETE FROM triage_open WHERE chat_id = ?", (chat_id,)) as cur:
            had_triage = cur.rowcount > 0  # a check can be open without a users row
        async with conn.execute("DELETE FROM pending_inputs WHERE chat_id = ?", (chat_id,)) as cur:
            had_pending = cur.rowcount > 0  # likewise a reminder screen's typed-input prompt
        await conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
        async with conn.execute("DELETE FROM users WHERE chat_id = ?", (chat_id,)) as cur:
            return cur.rowcount > 0 or had_triage or had_pending


# --- the open symptom check ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenTriage:
    """Which message of a chat asks the open triage question, and the answers so far."""

    chat_id: int
    message_id: int
    version: str
    answers: str
    updated_at: datetime


async def save_open_triage(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, version: str, answers: str, now_utc: datetime
) -> None:
    """Point the chat's open check at `message_id` (one per chat: the newest replaces the older)."""
    await write(
        conn,
        "INSERT INTO triage_open (chat_id, message_id, version, answers, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET message_id = excluded.message_id, version = excluded.version, "
        "answers = excluded.answers, updated_at = excluded.updated_at",
        (chat_id, message_id, version, answers, _epoch(now_utc)),
    )


async def get_open_triage(conn: aiosqlite.Connection, chat_id: int) -> OpenTriage | None:
    rows = await read(
        conn, "SELECT chat_id, message_id, version, answers, updated_at FROM triage_open WHERE chat_id = ?", (chat_id,)
    )
    if not rows:
        return None
    row = rows[0]
    return OpenTriage(row[0], row[1], row[2], row[3], _from_epoch(row[4]))  # type: ignore[arg-type]


async def close_open_triage(conn: aiosqlite.Connection, chat_id: int, message_id: int | None = None) -> bool:
    """Forget the chat's open check; with `message_id`, only if it is that message's. True if deleted."""
    if message_id is None:
        return await write(conn, "DELETE FROM triage_open WHERE chat_id = ?", (chat_id,)) > 0
    changed = await write(
        conn, "DELETE FROM triage_open WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )
    return changed > 0


async def purge_open_triages(conn: aiosqlite.Connection, older_than_utc: datetime) -> int:
    """Delete checks nobody touched since `older_than_utc` (abandoned answers are not kept)."""
    return await write(conn, "DELETE FROM triage_open WHERE updated_at < ?", (_epoch(older_than_utc),))


# --- counts for /stats -------------------------------------------------------------------------------


async def count_triage_outcome(conn: aiosqlite.Connection, level: str) -> None:
    """Add one to an anonymous per-level counter (no user is recorded)."""
    await write(
        conn,
        "INSERT INTO triage_outcomes (level, count) VALUES (?, 1) "
        "ON CONFLICT (level) DO UPDATE SET count = triage_outcomes.count + 1",
        (level,),
    )


async def triage_counts(conn: aiosqlite.Connection) -> dict[str, int]:
    rows = await read(conn, "SELECT level, count FROM triage_outcomes ORDER BY level")
    return {r[0]: r[1] for r in rows}


async def stats(conn: aiosqlite.Connection, now_utc: datetime) -> Stats:
    since = _epoch(now_utc - timedelta(hours=24))

    async def one(sql: str, params: tuple = ()) -> int:
        return int((await read(conn, sql, params))[0][0])

    active = {kind: 0 for kind in KINDS}
    for kind, n in await read(conn, "SELECT kind, COUNT(*) FROM subscriptions WHERE active = 1 GROUP BY kind"):
        active[kind] = n
    return Stats(
        users=await one("SELECT COUNT(*) FROM users"),
        active=active,
        sent_24h=await one("SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND updated_at >= ?", (since,)),
        failed_24h=await one("SELECT COUNT(*) FROM deliveries WHERE status = 'failed' AND updated_at >= ?", (since,)),
        retrying=await one("SELECT COUNT(*) FROM deliveries WHERE status = 'retry'"),
    )
