"""The open symptom check: which message of a chat asks the triage question, and the answers so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.convert import epoch, from_epoch
from bot.storage.tx import read, write


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
        (chat_id, message_id, version, answers, epoch(now_utc)),
    )


async def get_open_triage(conn: aiosqlite.Connection, chat_id: int) -> OpenTriage | None:
    rows = await read(
        conn, "SELECT chat_id, message_id, version, answers, updated_at FROM triage_open WHERE chat_id = ?", (chat_id,)
    )
    if not rows:
        return None
    row = rows[0]
    return OpenTriage(row[0], row[1], row[2], row[3], from_epoch(row[4]))  # type: ignore[arg-type]


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
    return await write(conn, "DELETE FROM triage_open WHERE updated_at < ?", (epoch(older_than_utc),))
