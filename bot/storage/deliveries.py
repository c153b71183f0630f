"""Deliveries: one row per reminder slot sent (or being sent), keyed by subscription, local date, slot.

Delivery of one reminder slot, as the dispatcher uses it (bot.reminders.dispatcher says why):
1. `claim_deliveries(keys, owner=..., lease=...)` inserts (subscription, local date, slot) with
   status 'sending', an owner and a lease. The key is the primary key, so of two processes only
   one gets the claim; a claim that exists already (sending, sent or failed) is refused. Only a
   'retry' row can be claimed again.
2. After sending, settled with the returned Claim (fenced: only while that claim still holds):
   sent -> `mark_sent`; certainly not delivered (5xx, no connection) -> `release_claim` ('retry');
   outcome unknown (answer lost) -> `mark_lost` ('retry' until MAX_LOST such attempts, then taken
   as sent); 403 / chat not found / refused -> `mark_failed`; a 429 held it back -> `unclaim`.
3. `subscriptions.advance(sub_id, expected, new)` moves next-due forward only if nobody moved
   it meanwhile.
A process that dies between 1 and 2 leaves 'sending' behind: `recover_claims` takes it back
when its owner is known to be dead or its lease has run out, counted like a lost answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from bot.storage.convert import epoch, from_epoch
from bot.storage.tx import Db, read, write, write_many, write_returning

LEASE = timedelta(minutes=5)  # a claim holds this long; then it is taken back (recover_claims)
MAX_LOST = 2  # attempts with an unknown outcome before a delivery is taken as sent


class DeliveryKey(NamedTuple):
    subscription_id: int
    local_date: date
    slot: int


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


def _key_params(key: DeliveryKey) -> tuple[int, str, int]:
    return (key.subscription_id, key.local_date.isoformat(), key.slot)


def _target(item: DeliveryKey | Claim) -> tuple[str, tuple]:
    """WHERE clause for the delivery being sent: by key, and for a Claim only while that claim
    (its owner and attempt number) still holds it, so a claim taken back from a process that was
    too slow is not settled by that process afterwards."""
    where = "subscription_id = ? AND local_date = ? AND slot = ? AND status = 'sending'"
    if isinstance(item, Claim):
        return where + " AND owner IS NOT DISTINCT FROM ? AND attempts = ?", (*_key_params(item.key), item.owner, item.attempt)
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
    conn: Db, key: DeliveryKey, now_utc: datetime, *, owner: str | None = None,
    lease: timedelta = LEASE,
) -> int:
    """Claim the right to send `key` until now + `lease`: the attempt number (1, 2, ...) if
    claimed, 0 if not. A new key, or one released for retry, is claimed; one that is sending,
    sent or failed is not (a claim whose lease ran out is first released by recover_claims)."""
    claimed = await claim_deliveries(conn, [key], now_utc, owner=owner, lease=lease)
    return claimed.get(key, 0)


async def claim_deliveries(
    conn: Db, keys: list[DeliveryKey], now_utc: datetime, *, owner: str | None = None,
    lease: timedelta = LEASE,
) -> dict[DeliveryKey, int]:
    """claim_delivery() for many keys in one statement: {claimed key: attempt number}.

    Keys missing from the result were refused (sending, sent or failed already).
    """
    now, until = epoch(now_utc), epoch(now_utc + lease)
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


async def delivery_statuses(conn: Db, keys: list[DeliveryKey]) -> dict[DeliveryKey, str]:
    """The stored status of each key that has a delivery row."""
    found: dict[DeliveryKey, str] = {}
    for start in range(0, len(keys), 300):
        part = keys[start : start + 300]
        # OR of keys, not "IN (VALUES ...)": PostgreSQL would read untyped VALUES as text.
        rows = await read(
            conn,
            "SELECT subscription_id, local_date, slot, status FROM deliveries WHERE "
            + " OR ".join(["(subscription_id = ? AND local_date = ? AND slot = ?)"] * len(part)),
            [value for key in part for value in _key_params(key)],
        )
        found.update({DeliveryKey(r[0], date.fromisoformat(r[1]), r[2]): r[3] for r in rows})
    return found


async def claim_owners(conn: Db) -> list[str]:
    """The owners of claims still marked 'sending'."""
    rows = await read(
        conn, "SELECT DISTINCT owner FROM deliveries WHERE status = 'sending' AND owner IS NOT NULL ORDER BY owner"
    )
    return [r[0] for r in rows]


async def recover_claims(
    conn: Db, now_utc: datetime, dead_owners: Iterable[str] = (), max_lost: int = MAX_LOST
) -> int:
    """Take back claims whose lease ran out or whose owner is known to be dead.

    Such a send may or may not have reached Telegram, so it counts as lost (see mark_lost): the
    delivery becomes 'retry' and is sent again while its slot is within the grace window, or,
    once `max_lost` attempts ended that way, is taken as sent. Returns how many were taken back.
    """
    now = epoch(now_utc)
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
    conn: Db, sent: list[tuple[DeliveryKey | Claim, int | None]], now_utc: datetime
) -> int:
    """mark_sent() for many (key or claim, message id) at once; returns how many were marked."""
    now, changed = epoch(now_utc), 0
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
    conn: Db, item: DeliveryKey | Claim, message_id: int | None, now_utc: datetime
) -> bool:
    now = epoch(now_utc)
    where, params = _target(item)
    changed = await write(
        conn,
        f"UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, message_id = ?, error = NULL, "
        f"lease_until = NULL WHERE {where}",
        (now, now, message_id, *params),
    )
    return changed > 0


async def release_claim(
    conn: Db,
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
        (max_attempts if max_attempts is not None else 2**62, epoch(now_utc), error, *params),
    )
    return rows[0][0] if rows else None


async def unclaim(conn: Db, item: DeliveryKey | Claim, now_utc: datetime) -> bool:
    """Give a claim back without counting it as an attempt (nothing was sent: a 429 held the batch)."""
    where, params = _target(item)
    changed = await write(
        conn,
        "UPDATE deliveries SET status = 'retry', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ?, "
        f"lease_until = NULL WHERE {where}",
        (epoch(now_utc), *params),
    )
    return changed > 0


async def mark_lost(
    conn: Db,
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
    now = epoch(now_utc)
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
    conn: Db, item: DeliveryKey | Claim, now_utc: datetime, error: str | None = None
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
        (epoch(now_utc), error, *params),
    )
    return changed > 0


async def get_delivery(conn: Db, key: DeliveryKey) -> Delivery | None:
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
        key, row[0], row[1], from_epoch(row[2]), from_epoch(row[3]), from_epoch(row[4]), row[5], row[6],  # type: ignore[arg-type]
        lost=row[7], owner=row[8], lease_until=from_epoch(row[9]),
    )


async def prune_deliveries(conn: Db, before_utc: datetime) -> int:
    """Delete finished delivery records last touched before `before_utc` (keep a few days)."""
    return await write(
        conn,
        "DELETE FROM deliveries WHERE status IN ('sent', 'failed') AND updated_at < ?",
        (epoch(before_utc),),
    )


async def prune_stuck_claims(conn: Db, before_utc: datetime) -> int:
    """Delete 'sending' and 'retry' records untouched since `before_utc`.

    Only for dates long past the grace window: such a slot is never planned again.
    """
    return await write(
        conn,
        "DELETE FROM deliveries WHERE status IN ('sending', 'retry') AND updated_at < ?",
        (epoch(before_utc),),
    )
