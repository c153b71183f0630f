"""Users: one row per chat, with its time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.convert import epoch
from bot.storage.tx import Db, read, write


@dataclass(frozen=True)
class User:
    chat_id: int
    user_id: int | None
    zone: str | None


async def upsert_user(conn: Db, chat_id: int, user_id: int | None, now_utc: datetime) -> None:
    """Create the chat's row if missing; keep its zone. user_id is updated when given."""
    now = epoch(now_utc)
    await write(
        conn,
        "INSERT INTO users (chat_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id) DO UPDATE SET user_id = COALESCE(excluded.user_id, users.user_id), "
        "updated_at = excluded.updated_at",
        (chat_id, user_id, now, now),
    )


async def get_user(conn: Db, chat_id: int) -> User | None:
    rows = await read(conn, "SELECT chat_id, user_id, zone FROM users WHERE chat_id = ?", (chat_id,))
    return User(rows[0][0], rows[0][1], rows[0][2]) if rows else None


async def ensure_user(conn: Db, chat_id: int, now: int) -> None:
    await write(
        conn,
        "INSERT INTO users (chat_id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO NOTHING",
        (chat_id, now, now),
    )
