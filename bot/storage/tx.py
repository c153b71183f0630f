"""Writes on a shared aiosqlite connection, one at a time.

The connection runs in autocommit mode (isolation_level=None); multi-statement changes use
`transaction()`, which takes BEGIN IMMEDIATE so two processes on one file queue for the write
lock instead of failing half-way. One aiosqlite connection is shared by every coroutine, so
writes also take a per-connection asyncio lock: without it a statement from one coroutine could
land inside another coroutine's open transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary

import aiosqlite

_locks: WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = WeakKeyDictionary()


def write_lock(conn: aiosqlite.Connection) -> asyncio.Lock:
    lock = _locks.get(conn)
    if lock is None:
        lock = _locks[conn] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
    async with write_lock(conn):
        await conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")


async def write(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """One autocommit write statement; returns the number of rows changed."""
    async with write_lock(conn):
        async with conn.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount


async def write_returning(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    """One autocommit write statement with a RETURNING clause; returns its rows."""
    async with write_lock(conn):
        return list(await conn.execute_fetchall(sql, tuple(params)))
