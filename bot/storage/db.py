"""Opening and closing the SQLite database: directory, WAL, foreign keys, busy timeout, migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite

from bot.storage.migrations import migrate
from bot.storage.tx import transaction, write, write_lock, write_returning

__all__ = ["open_db", "close_db", "checkpoint", "transaction", "write", "write_lock", "write_returning"]

BUSY_TIMEOUT_MS = 5000
WAL_RETRIES = 100
WAL_RETRY_DELAY = 0.05


async def _enable_wal(conn: aiosqlite.Connection) -> str:
    # Switching a new file to WAL needs an exclusive lock, and SQLite may answer "locked" at
    # once instead of waiting out busy_timeout when another process opens it at the same moment.
    for _ in range(WAL_RETRIES):
        try:
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                return str((await cursor.fetchone())[0]).lower()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            await asyncio.sleep(WAL_RETRY_DELAY)
    raise RuntimeError("could not switch the database to WAL mode: it stayed locked")


async def open_db(path: str | Path) -> aiosqlite.Connection:
    """Open (creating the directory and file if needed), configure and migrate the database."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        # PRAGMA values cannot be bound as parameters; these are constants, not input.
        await conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        mode = await _enable_wal(conn)
        if mode != "wal":
            raise RuntimeError(f"could not switch {path} to WAL mode (got {mode})")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, much faster
        # Deleted rows (/forget, pruning) are overwritten, not left readable in free pages.
        await conn.execute("PRAGMA secure_delete = ON")
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


async def checkpoint(conn: aiosqlite.Connection) -> bool:
    """Copy the write-ahead log into the main file and empty it (after /forget: the old page
    images in the log go too). False if another connection kept it from completing."""
    async with write_lock(conn):  # not inside another coroutine's open transaction
        async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            busy = (await cursor.fetchone())[0]
    return busy == 0


async def close_db(conn: aiosqlite.Connection | None) -> None:
    if conn is not None:
        await conn.close()
