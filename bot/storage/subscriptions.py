"""Reminder subscriptions: one per chat and kind, with its settings, next slot and pending snooze.

set_zone is here too: storing a chat's zone reschedules its active reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from bot.core import schedule
from bot.core.schedule import Due, SubSpec
from bot.storage.convert import check_kind, epoch, hhmm
from bot.storage.deliveries import DeliveryKey
from bot.storage.tx import Db, Row, committed, dialect, read, transaction, write, write_many
from bot.storage.users import ensure_user


class ZoneRequired(LookupError):
    """Reminders cannot be switched on before the chat has a time zone."""


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


_SUB_COLUMNS = """
    s.id, s.chat_id, s.kind, s.active, u.zone, s.at_time, s.per_day, s.start_time, s.end_time,
    s.next_due_utc, s.next_local_date, s.next_slot, s.snoozed_until, s.snooze_local_date, s.snooze_slot
"""
_SUB_FROM = "FROM subscriptions s JOIN users u ON u.chat_id = s.chat_id"


def _due(epoch: int | None, local_date: str | None, slot: int | None) -> Due | None:
    if epoch is None or local_date is None or slot is None:
        return None
    return Due(datetime.fromtimestamp(epoch, timezone.utc), date.fromisoformat(local_date), slot)


def _subscription(row: Row) -> Subscription:
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


async def set_zone(conn: Db, chat_id: int, zone: str, now_utc: datetime) -> list[Subscription]:
    """Store the chat's zone (IANA name or "+05:30") and reschedule its active reminders.

    Raises schedule.ScheduleError for a zone that does not exist. Returns the chat's subscriptions.
    """
    schedule.tz_for(zone)
    now = epoch(now_utc)
    async with transaction(conn):
        await ensure_user(conn, chat_id, now)
        await write(conn, "UPDATE users SET zone = ?, updated_at = ? WHERE chat_id = ?", (zone, now, chat_id))
        for sub in await _list(conn, chat_id):
            if sub.active:
                await _store_next(conn, sub.id, schedule.next_due(sub.spec(zone), now_utc), now)
    return await list_subscriptions(conn, chat_id)


async def _list(conn: Db, chat_id: int) -> list[Subscription]:
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.chat_id = ? ORDER BY s.kind DESC"
    return [_subscription(row) for row in await read(conn, sql, (chat_id,))]


async def list_subscriptions(conn: Db, chat_id: int) -> list[Subscription]:
    """The chat's subscriptions, stretching first; kinds never set up are absent."""
    return await _list(conn, chat_id)


async def get_subscription(conn: Db, chat_id: int, kind: str) -> Subscription | None:
    check_kind(kind)
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.chat_id = ? AND s.kind = ?"
    rows = await read(conn, sql, (chat_id, kind))
    return _subscription(rows[0]) if rows else None


async def get_subscription_by_id(conn: Db, subscription_id: int) -> Subscription | None:
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.id = ?"
    rows = await read(conn, sql, (subscription_id,))
    return _subscription(rows[0]) if rows else None


async def _get_or_create(conn: Db, chat_id: int, kind: str, now: int) -> Subscription:
    await ensure_user(conn, chat_id, now)
    await write(
        conn,
        "INSERT INTO subscriptions (chat_id, kind, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id, kind) DO NOTHING",
        (chat_id, kind, now, now),
    )
    sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.chat_id = ? AND s.kind = ?"
    return _subscription((await read(conn, sql, (chat_id, kind)))[0])


async def _store_next(conn: Db, sub_id: int, due: Due | None, now: int) -> None:
    values = (None, None, None) if due is None else (epoch(due.due_utc), due.local_date.isoformat(), due.slot)
    await write(
        conn,
        "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? WHERE id = ?",
        (*values, now, sub_id),
    )


async def update_settings(
    conn: Db,
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
    check_kind(kind)
    now = epoch(now_utc)
    async with transaction(conn):
        sub = await _get_or_create(conn, chat_id, kind, now)
        new_at = sub.at if at is None else at
        new_per_day = sub.per_day if per_day is None else per_day
        new_start = sub.start if start is None else start
        new_end = sub.end if end is None else end
        spec = SubSpec(kind, sub.zone or "UTC", at=new_at, count=new_per_day, start=new_start, end=new_end)
        await write(
            conn,
            "UPDATE subscriptions SET at_time = ?, per_day = ?, start_time = ?, end_time = ?, updated_at = ? WHERE id = ?",
            (hhmm(new_at), new_per_day, hhmm(new_start), hhmm(new_end), now, sub.id),
        )
        if sub.active and sub.zone:
            await _store_next(conn, sub.id, schedule.next_due(spec, now_utc), now)
    return await get_subscription(conn, chat_id, kind)  # type: ignore[return-value]


async def activate(conn: Db, chat_id: int, kind: str, now_utc: datetime) -> Subscription:
    """Switch a kind on (explicit opt-in) and schedule its first slot after now.

    Raises ZoneRequired if the chat has no zone yet. Already active: left as it is.
    """
    check_kind(kind)
    now = epoch(now_utc)
    async with transaction(conn):
        sub = await _get_or_create(conn, chat_id, kind, now)
        if sub.zone is None:
            raise ZoneRequired("set a time zone first")
        if not sub.active:
            await write(conn, "UPDATE subscriptions SET active = 1, updated_at = ? WHERE id = ?", (now, sub.id))
            await _store_next(conn, sub.id, schedule.next_due(sub.spec(), now_utc), now)
    return await get_subscription(conn, chat_id, kind)  # type: ignore[return-value]


_OFF = "active = 0, next_due_utc = NULL, next_local_date = NULL, next_slot = NULL, " \
       "snoozed_until = NULL, snooze_local_date = NULL, snooze_slot = NULL, updated_at = ?"


async def deactivate(conn: Db, chat_id: int, kind: str, now_utc: datetime) -> bool:
    """Switch one kind off (Stop button). True if it was on."""
    check_kind(kind)
    changed = await write(
        conn, f"UPDATE subscriptions SET {_OFF} WHERE chat_id = ? AND kind = ? AND active = 1",
        (epoch(now_utc), chat_id, kind),
    )
    return changed > 0


async def deactivate_chat(conn: Db, chat_id: int, now_utc: datetime) -> int:
    """Switch every reminder of a chat off (the user blocked the bot, or the chat is gone)."""
    return await write(
        conn, f"UPDATE subscriptions SET {_OFF} WHERE chat_id = ? AND active = 1", (epoch(now_utc), chat_id)
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


async def due_subscriptions(conn: Db, now_utc: datetime, limit: int = 500) -> list[Subscription]:
    """Active subscriptions whose next slot or snoozed copy is due at `now_utc`, earliest first.

    Uses the (active, next_due_utc) index and the partial index on snoozed_until.
    """
    now = epoch(now_utc)
    async with committed(conn):  # both queries on one snapshot
        regular = await read(conn, DUE_QUERY, (now, limit))
        snoozed = await read(conn, SNOOZE_QUERY, (now, limit))
    found = {row[0]: _subscription(row) for row in [*regular, *snoozed]}

    def earliest(sub: Subscription) -> datetime:
        times = [d.due_utc for d in (sub.next, sub.snooze) if d is not None and d.due_utc <= now_utc]
        return min(times)

    return sorted(found.values(), key=earliest)[:limit]


async def active_subscriptions(conn: Db, ids: list[int]) -> list[Subscription]:
    """The active ones among these subscriptions, as stored now (in id order)."""
    found: list[Subscription] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        # "+s.active": by primary key, not by scanning the (active, next_due_utc) index.
        sql = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.id IN ({', '.join('?' * len(part))}) AND +s.active = 1 ORDER BY s.id"
        found += [_subscription(row) for row in await read(conn, sql, part)]
    return found


# The dispatcher's claim, per backend. SQLite: the claiming transaction's BEGIN IMMEDIATE already
# keeps every other writer out until it commits. PostgreSQL: each subscription read is locked until
# the claiming transaction ends, and one locked by another dispatcher's claim is skipped, not
# waited for - that dispatcher is about to send it; this one goes on with the rest.
_CLAIMABLE_SQLITE = f"SELECT {_SUB_COLUMNS} {_SUB_FROM} WHERE s.id IN ({{ids}}) AND +s.active = 1 ORDER BY s.id"
_CLAIMABLE_POSTGRESQL = _CLAIMABLE_SQLITE + " FOR UPDATE OF s SKIP LOCKED"


async def claimable_subscriptions(conn: Db, ids: list[int]) -> list[Subscription]:
    """Inside the claiming transaction: active_subscriptions() of these, less those another
    dispatcher is claiming right now (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED), held
    until the transaction ends."""
    template = _CLAIMABLE_POSTGRESQL if dialect(conn) == "postgresql" else _CLAIMABLE_SQLITE
    found: list[Subscription] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        sql = template.format(ids=", ".join("?" * len(part)))
        found += [_subscription(row) for row in await read(conn, sql, part)]
    return found


_LOCK_POSTGRESQL = "SELECT id FROM subscriptions WHERE id IN ({ids}) ORDER BY id FOR UPDATE"


async def lock_subscriptions(conn: Db, ids: list[int]) -> None:
    """Inside a transaction that settles deliveries (the dispatcher's record): take these
    subscriptions' row locks first, in id order, before any delivery row. PostgreSQL only
    (SQLite's BEGIN IMMEDIATE holds the whole database). A claiming dispatcher locks the
    subscription before its delivery rows too, so the two never hold one lock each while
    waiting for the other's (a deadlock), and a claim skips what is being recorded."""
    if dialect(conn) != "postgresql":
        return
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        part = unique[start : start + 500]
        await read(conn, _LOCK_POSTGRESQL.format(ids=", ".join("?" * len(part))), part)


async def advance(
    conn: Db, subscription_id: int, expected: Due | None, new: Due, now_utc: datetime
) -> bool:
    """Store `new` as the next slot if the stored one is still `expected` (compare-and-set)."""
    expected_epoch = None if expected is None else epoch(expected.due_utc)
    changed = await write(
        conn,
        "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? "
        "WHERE id = ? AND active = 1 AND next_due_utc IS NOT DISTINCT FROM ?",
        (epoch(new.due_utc), new.local_date.isoformat(), new.slot, epoch(now_utc), subscription_id, expected_epoch),
    )
    return changed > 0


async def schedule_all(conn: Db, now_utc: datetime, batch: int = 5000) -> int:
    """Recompute the next slot of every active subscription from its settings (after an update
    of the time-zone database, or a bulk import). Pending snoozes are kept. Returns how many."""
    now, last_id, total = epoch(now_utc), 0, 0
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
                updates.append((epoch(due.due_utc), due.local_date.isoformat(), due.slot, now, sub.id))
        async with transaction(conn):  # one commit for the batch
            await write_many(
                conn,
                "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? "
                "WHERE id = ? AND active = 1",
                updates,
            )
        last_id, total = rows[-1][0], total + len(updates)


async def advance_many(
    conn: Db, moves: list[tuple[int, Due | None, Due]], now_utc: datetime
) -> None:
    """advance() for many (subscription id, expected, new) at once, same compare-and-set."""
    now = epoch(now_utc)
    await write_many(
        conn,
        "UPDATE subscriptions SET next_due_utc = ?, next_local_date = ?, next_slot = ?, updated_at = ? "
        "WHERE id = ? AND active = 1 AND next_due_utc IS NOT DISTINCT FROM ?",
        [
            (epoch(new.due_utc), new.local_date.isoformat(), new.slot, now, sub_id,
             None if expected is None else epoch(expected.due_utc))
            for sub_id, expected, new in moves
        ],
    )


# --- snooze ---------------------------------------------------------------------------------------



async def snooze(
    conn: Db, key: DeliveryKey, now_utc: datetime, minutes: int = schedule.SNOOZE_MINUTES
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
        (epoch(due.due_utc), due.local_date.isoformat(), due.slot, epoch(now_utc), key.subscription_id),
    )
    return due if changed else None


async def clear_snooze(conn: Db, subscription_id: int, expected: Due, now_utc: datetime) -> bool:
    """Drop the pending snooze if it is still `expected` (a newer snooze stays)."""
    changed = await write(
        conn,
        "UPDATE subscriptions SET snoozed_until = NULL, snooze_local_date = NULL, snooze_slot = NULL, "
        "updated_at = ? WHERE id = ? AND snoozed_until = ? AND snooze_slot = ?",
        (epoch(now_utc), subscription_id, epoch(expected.due_utc), expected.slot),
    )
    return changed > 0


async def clear_snooze_many(conn: Db, done: list[tuple[int, Due]], now_utc: datetime) -> None:
    """clear_snooze() for many (subscription id, expected) at once."""
    now = epoch(now_utc)
    await write_many(
        conn,
        "UPDATE subscriptions SET snoozed_until = NULL, snooze_local_date = NULL, snooze_slot = NULL, "
        "updated_at = ? WHERE id = ? AND snoozed_until = ? AND snooze_slot = ?",
        [(now, sub_id, epoch(expected.due_utc), expected.slot) for sub_id, expected in done],
    )
