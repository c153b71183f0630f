"""The open symptom check: which message of a chat asks the triage question, and the answers so far.

A row of the chat's one "awaiting an answer" state (table `awaiting`, kind 'triage', shared with
the reminder prompts, bot.storage.pending): opening a check replaces an open prompt and the other
way round, and both expire after bot.storage.pending.MAX_AGE of quiet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.convert import epoch, from_epoch
from bot.storage.tx import Db, read, write, write_returning


@dataclass(frozen=True)
class OpenTriage:
    """Which message of a chat asks the open triage question, and the answers so far."""

    chat_id: int
    message_id: int
    version: str
    answers: str
    updated_at: datetime


async def save_open_triage(
    conn: Db, chat_id: int, message_id: int, version: str, answers: str, now_utc: datetime
) -> None:
    """Point the chat's open check at `message_id` (one per chat: the newest replaces the older)."""
    await write(
        conn,
        "INSERT INTO awaiting (chat_id, kind, message_id, detail, then_do, updated_at) "
        "VALUES (?, 'triage', ?, ?, NULL, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET kind = 'triage', message_id = excluded.message_id, "
        "detail = excluded.detail, then_do = NULL, updated_at = excluded.updated_at",
        (chat_id, message_id, f"{version}:{answers}", epoch(now_utc)),
    )


async def get_open_triage(conn: Db, chat_id: int) -> OpenTriage | None:
    rows = await read(
        conn,
        "SELECT chat_id, message_id, detail, updated_at FROM awaiting WHERE chat_id = ? AND kind = 'triage'",
        (chat_id,),
    )
    if not rows:
        return None
    row = rows[0]
    version, _, answers = str(row[2]).partition(":")
    return OpenTriage(row[0], row[1], version, answers, from_epoch(row[3]))  # type: ignore[arg-type]


async def close_open_triage(conn: Db, chat_id: int, message_id: int | None = None) -> bool:
    """Forget the chat's open check; with `message_id`, only if it is that message's. True if deleted.

    RETURNING tells what was deleted in one round trip to SQLite's thread (a plain write needs a
    second one to close its cursor); every command and button comes through here."""
    if message_id is None:
        sql, params = "DELETE FROM awaiting WHERE chat_id = ? AND kind = 'triage' RETURNING chat_id", [chat_id]
    else:
        sql = "DELETE FROM awaiting WHERE chat_id = ? AND kind = 'triage' AND message_id = ? RETURNING chat_id"
        params = [chat_id, message_id]
    return bool(await write_returning(conn, sql, params))


async def purge_open_triages(conn: Db, older_than_utc: datetime) -> int:
    """Delete checks nobody touched since `older_than_utc` (abandoned answers are not kept)."""
    return await write(
        conn, "DELETE FROM awaiting WHERE kind = 'triage' AND updated_at < ?", (epoch(older_than_utc),)
    )
