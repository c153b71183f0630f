"""Anonymous counts for /stats: triage outcomes per level, users, active reminders, deliveries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.convert import KINDS, epoch
from bot.storage.tx import Db, read, write


@dataclass(frozen=True)
class Stats:
    users: int
    active: dict[str, int]  # kind -> active subscriptions
    sent_24h: int
    failed_24h: int
    retrying: int  # released claims waiting for the next tick


async def count_triage_outcome(conn: Db, level: str) -> None:
    """Add one to an anonymous per-level counter (no user is recorded)."""
    await write(
        conn,
        "INSERT INTO triage_outcomes (level, count) VALUES (?, 1) "
        "ON CONFLICT (level) DO UPDATE SET count = triage_outcomes.count + 1",
        (level,),
    )


async def triage_counts(conn: Db) -> dict[str, int]:
    rows = await read(conn, "SELECT level, count FROM triage_outcomes ORDER BY level")
    return {r[0]: r[1] for r in rows}


async def stats(conn: Db, now_utc: datetime) -> Stats:
    since = epoch(now_utc - timedelta(hours=24))

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
