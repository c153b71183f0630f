"""Completions (a kind marked done for a local day) and the streaks counted from them."""

from __future__ import annotations

from datetime import date, datetime

from bot.core import schedule
from bot.storage.convert import check_kind, epoch
from bot.storage.tx import Db, read, transaction, write
from bot.storage.users import ensure_user


async def record_completion(
    conn: Db, chat_id: int, kind: str, local_date: date, now_utc: datetime
) -> bool:
    """Mark a kind done for a local day. True if new, False if that day was already recorded."""
    check_kind(kind)
    now = epoch(now_utc)
    async with transaction(conn):
        await ensure_user(conn, chat_id, now)
        changed = await write(
            conn,
            "INSERT INTO completions (chat_id, kind, local_date, completed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (chat_id, kind, local_date.isoformat(), now),
        )
    return changed > 0


async def streak(conn: Db, chat_id: int, kind: str, today_local: date) -> int:
    """Days in a row with the kind done, ending today (or yesterday, if today is not done yet)."""
    check_kind(kind)
    rows = await read(
        conn,
        "SELECT local_date FROM completions WHERE chat_id = ? AND kind = ? AND local_date <= ? "
        "ORDER BY local_date DESC LIMIT 3660",
        (chat_id, kind, today_local.isoformat()),
    )
    return schedule.count_streak((date.fromisoformat(r[0]) for r in rows), today_local)
