"""Writes on a shared aiosqlite connection, one at a time.

The connection runs in autocommit mode (isolation_level=None); multi-statement changes use
`transaction()`, which takes BEGIN IMMEDIATE so two processes on one file queue for the write
lock instead of failing half-way. One aiosqlite connection is shared by every coroutine, so
writes also take a per-connection asyncio lock: without it a statement from one coroutine could
land inside another coroutine's open transaction.

Inside `transaction(conn)` the same task may call `write`, `write_returning` or `transaction`
again (e.g. a batch of repository calls committed together): they join the open transaction
instead of waiting for the lock the task already holds.

Reads see only committed data. On one shared connection, a plain SELECT issued while another
coroutine's transaction is open runs inside that transaction and sees its uncommitted rows,
which a ROLLBACK may then take back (a subscription that never was, a claim that was never
made). So reads go through `read` / `committed()`, which wait for the lock like a write (inside
the task's own transaction they join it and see its changes, as they should). Reads are short,
so the wait is one statement's worth at most.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

import aiosqlite

_locks: WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = WeakKeyDictionary()
# The transaction the current task has open: (connection id, [still open]). A task created
# inside it copies the value, so the flag is cleared on exit and such a task cannot join late.
_open: ContextVar[tuple[int, list[bool]] | None] = ContextVar("open_transaction", default=None)


def write_lock(conn: aiosqlite.Connection) -> asyncio.Lock:
    lock = _locks.get(conn)
    if lock is None:
        lock = _locks[conn] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception; nested use joins the outer one."""
    if _joined(conn):
        yield conn
        return
    async with write_lock(conn):
        live = [True]
        token = _open.set((id(conn), live))
        try:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
        finally:
            live[0] = False
            _open.reset(token)


def _joined(conn: aiosqlite.Connection) -> bool:
    current = _open.get()
    return current is not None and current[0] == id(conn) and current[1][0]


@asynccontextmanager
async def _writing(conn: aiosqlite.Connection) -> AsyncIterator[None]:
    if _joined(conn):
        yield
    else:
        async with write_lock(conn):
            yield


@asynccontextmanager
async def committed(conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """Statements inside see only committed data (or the task's own open transaction)."""
    async with _writing(conn):
        yield conn


async def read(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    """One SELECT on committed data; returns its rows."""
    async with _writing(conn):
        return list(await conn.execute_fetchall(sql, tuple(params)))


async def write(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """One autocommit write statement; returns the number of rows changed."""
    async with _writing(conn):
        async with conn.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount


async def write_returning(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    """One autocommit write statement with a RETURNING clause; returns its rows."""
    async with _writing(conn):
        return list(await conn.execute_fetchall(sql, tuple(params)))


async def write_many(conn: aiosqlite.Connection, sql: str, seq_of_params: Iterable[Iterable[Any]]) -> int:
    """One write statement for each parameter tuple, in one call (executemany); rows changed in all."""
    async with _writing(conn):
        async with conn.executemany(sql, [tuple(p) for p in seq_of_params]) as cursor:
            return cursor.rowcount
