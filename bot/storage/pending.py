"""Typed input a reminder screen is waiting for: "send me a time", "send me your time zone".

Kept in SQLite so a restart between the question and the answer loses nothing. It is a row of
the chat's one "awaiting an answer" state (table `awaiting`, kind 'prompt', shared with the open
symptom check, bot.storage.open_triage): a newer question of either kind replaces the older one.
A question older than MAX_AGE, the one expiry of both, counts as gone, so a question typed later
is answered as a question, not read as a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.convert import epoch
from bot.storage.tx import Db, read, write, write_returning

MAX_AGE = timedelta(minutes=30)  # for every kind of awaited answer (the symptom check's too)


@dataclass(frozen=True)
class Pending:
    chat_id: int
    awaiting: str  # what the text is read as, e.g. "zone" or "time:hydration:start"
    then_do: str | None  # what to do once it is read, e.g. "on:stretching" after a zone


async def save_pending(
    conn: Db, chat_id: int, awaiting: str, then_do: str | None, now_utc: datetime
) -> None:
    await write(
        conn,
        "INSERT INTO awaiting (chat_id, kind, message_id, detail, then_do, updated_at) "
        "VALUES (?, 'prompt', NULL, ?, ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET kind = 'prompt', message_id = NULL, detail = excluded.detail, "
        "then_do = excluded.then_do, updated_at = excluded.updated_at",
        (chat_id, awaiting, then_do, epoch(now_utc)),
    )


async def get_pending(
    conn: Db, chat_id: int, now_utc: datetime, max_age: timedelta = MAX_AGE
) -> Pending | None:
    """The chat's live prompt, or None (a stale one is left for clear/purge, never returned)."""
    rows = await read(
        conn,
        "SELECT chat_id, detail, then_do FROM awaiting WHERE chat_id = ? AND kind = 'prompt' AND updated_at >= ?",
        (chat_id, epoch(now_utc - max_age)),
    )
    return Pending(rows[0][0], rows[0][1], rows[0][2]) if rows else None


async def anything_awaited(conn: Db, chat_id: int) -> bool:
    """True if the chat has a row in `awaiting` of any kind (a prompt or an open symptom check),
    live or stale: where this is False, no feature has a question open in the chat."""
    return bool(await read(conn, "SELECT 1 FROM awaiting WHERE chat_id = ?", (chat_id,)))


async def clear_pending(conn: Db, chat_id: int) -> bool:
    # RETURNING: one round trip to SQLite's thread, where a plain write needs two.
    return bool(await write_returning(
        conn, "DELETE FROM awaiting WHERE chat_id = ? AND kind = 'prompt' RETURNING chat_id", (chat_id,)
    ))


async def take_pending(
    conn: Db, chat_id: int, now_utc: datetime, max_age: timedelta = MAX_AGE
) -> Pending | None:
    """clear_pending, answering what get_pending would have answered just before: the chat's live
    prompt, or None (a stale one is deleted all the same). One statement instead of two, for
    every command and button (bot.telegram.reminder_handlers.drop_prompt)."""
    rows = await write_returning(
        conn,
        "DELETE FROM awaiting WHERE chat_id = ? AND kind = 'prompt' RETURNING chat_id, detail, then_do, updated_at",
        (chat_id,),
    )
    if not rows or rows[0][3] < epoch(now_utc - max_age):
        return None
    return Pending(rows[0][0], rows[0][1], rows[0][2])


async def purge_pending(conn: Db, now_utc: datetime, max_age: timedelta = MAX_AGE) -> int:
    """Delete prompts nobody answered in time."""
    return await write(
        conn, "DELETE FROM awaiting WHERE kind = 'prompt' AND updated_at < ?", (epoch(now_utc - max_age),)
    )
