"""What the database holds about one chat, for /privacy, and /forget deleting all of it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.tx import Db, dialect, read, transaction, write


@dataclass(frozen=True)
class ChatSummary:
    zone: str | None
    active: tuple[str, ...]  # kinds switched on
    done_days: int  # days with a Done, any kind
    rows: dict[str, int]  # table -> rows about the chat (only tables with any)

    @property
    def empty(self) -> bool:
        return not self.rows


# Which tables have a chat_id column: the one question asked of each backend's catalogue.
_CHAT_ID_TABLES_PG = (
    "SELECT table_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND column_name = 'chat_id' ORDER BY table_name"
)


async def _tables_with_chat_id(conn: Db) -> list[str]:
    if dialect(conn) == "postgresql":
        return [r[0] for r in await read(conn, _CHAT_ID_TABLES_PG)]
    tables = [r[0] for r in await read(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]
    found = []
    for table in tables:
        # Table names come from sqlite_master, not from users; PRAGMA takes no parameters.
        columns = {r[1] for r in await read(conn, f'PRAGMA table_info("{table}")')}
        if "chat_id" in columns:
            found.append(table)
    return found


async def rows_about_chat(conn: Db, chat_id: int) -> dict[str, int]:
    """Rows mentioning the chat in every table with a chat_id column, plus its deliveries."""
    counts: dict[str, int] = {}
    for table in await _tables_with_chat_id(conn):
        rows = await read(conn, f'SELECT COUNT(*) FROM "{table}" WHERE chat_id = ?', (chat_id,))
        if rows[0][0]:
            counts[table] = rows[0][0]
    deliveries = await read(
        conn,
        "SELECT COUNT(*) FROM deliveries WHERE subscription_id IN (SELECT id FROM subscriptions WHERE chat_id = ?)",
        (chat_id,),
    )
    if deliveries[0][0]:
        counts["deliveries"] = deliveries[0][0]
    return counts


async def chat_summary(conn: Db, chat_id: int) -> ChatSummary:
    zone_rows = await read(conn, "SELECT zone FROM users WHERE chat_id = ?", (chat_id,))
    active = await read(
        conn,
        "SELECT kind FROM subscriptions WHERE chat_id = ? AND active = 1 ORDER BY kind DESC", (chat_id,)
    )
    days = await read(conn, "SELECT COUNT(DISTINCT local_date) FROM completions WHERE chat_id = ?", (chat_id,))
    return ChatSummary(
        zone=zone_rows[0][0] if zone_rows else None,
        active=tuple(r[0] for r in active),
        done_days=days[0][0],
        rows=await rows_about_chat(conn, chat_id),
    )


async def forget_chat(conn: Db, chat_id: int) -> bool:
    """Delete every row about the chat, in every table. True if there was anything to delete.

    Foreign keys would cascade from users alone; the explicit deletes also hold on a
    connection opened without foreign_keys=ON.
    """
    async with transaction(conn):
        await write(
            conn,
            "DELETE FROM deliveries WHERE subscription_id IN (SELECT id FROM subscriptions WHERE chat_id = ?)",
            (chat_id,),
        )
        await write(conn, "DELETE FROM completions WHERE chat_id = ?", (chat_id,))
        # An open check or prompt can exist without a users row.
        had_awaiting = await write(conn, "DELETE FROM awaiting WHERE chat_id = ?", (chat_id,)) > 0
        await write(conn, "DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
        had_user = await write(conn, "DELETE FROM users WHERE chat_id = ?", (chat_id,)) > 0
    return had_user or had_awaiting
