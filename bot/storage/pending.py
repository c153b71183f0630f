"""Typed input a reminder screen is waiting for: "send me a time", "send me your time zone".

Kept in SQLite so a restart between the question and the answer loses nothing. One row per
chat; a newer prompt replaces an older one. A prompt older than `max_age` counts as gone, so a
question typed days later is answered as a question, not read as a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.storage.convert import epoch
from bot.storage.tx import read, write

MAX_AGE = timedelta(minutes=30)


@dataclass(frozen=True)
class Pending:
    chat_id: int
    awaiting: str  # what the text is read as, e.g. "zone" or "time:hydration:start"
    then_do: str | None  # what to do once it is read, e.g. "on:stretching" after a zone


async def save_pending(
    conn: aiosqlite.Connection, chat_id: int, awaiting: str, then_do: str | None, now_utc: datetime
) -> None:
    await write(
        conn,
        "INSERT INTO pending_inputs (chat_id, awaiting, then_do, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET awaiting = excluded.awaiting, then_do = excluded.then_do, "
        "updated_at = excluded.updated_at",
        (chat_id, awaiting, then_do, epoch(now_utc)),
    )


async def get_pending(
    conn: aiosqlite.Connection, chat_id: int, now_utc: datetime, max_age: timedelta = MAX_AGE
) -> Pending | None:
    """The chat's live prompt, or None (a stale one is left for clear/purge, never returned)."""
    rows = await read(
        conn,
        "SELECT chat_id, awaiting, then_do FROM pending_inputs WHERE chat_id = ? AND updated_at >= ?",
        (chat_id, epoch(now_utc - max_age)),
    )
    return Pending(rows[0][0], rows[0][1], rows[0][2]) if rows else None


async def clear_pending(conn: aiosqlite.Connection, chat_id: int) -> bool:
    return await write(conn, "DELETE FROM pending_inputs WHERE chat_id = ?", (chat_id,)) > 0


async def purge_pending(conn: aiosqlite.Connection, now_utc: datetime, max_age: timedelta = MAX_AGE) -> int:
    """Delete prompts nobody answered in time."""
    return await write(conn, "DELETE FROM pending_inputs WHERE updated_at < ?", (epoch(now_utc - max_age),))
