"""Every statement the repositories run, for both backends: SQLite (one shared aiosqlite
connection) and PostgreSQL (bot.storage.pg.PgDatabase, a pool). Repositories call only these
helpers - read, write, write_returning, write_many, transaction, committed - with SQL written
once, `?` placeholders; `dialect(db)` names the backend for the few statements that differ.

SQLite. The connection runs in autocommit mode (isolation_level=None); multi-statement changes
use `transaction()`, which takes BEGIN IMMEDIATE so two processes on one file queue for the
write lock instead of failing half-way. One aiosqlite connection is shared by every coroutine, so
writes also take a per-connection asyncio lock: without it a statement from one coroutine could
land inside another coroutine's open transaction.

Reads see only committed data. On one shared connection, a plain SELECT issued while another
coroutine's transaction is open runs inside that transaction and sees its uncommitted rows,
which a ROLLBACK may then take back (a subscription that never was, a claim that was never
made). So reads go through `read` / `committed()`, which wait for the lock like a write (inside
the task's own transaction they join it and see its changes, as they should). Reads are short,
so the wait is one statement's worth at most.

PostgreSQL. `transaction()` takes a connection from the pool and holds it, in a READ COMMITTED
transaction, until the block ends; statements outside one run on any pooled connection, each
committed on its own. No asyncio lock: each transaction has its own connection, and row locks
(and SKIP LOCKED where the dispatcher claims) keep processes apart. `committed()` is a read-only
REPEATABLE READ transaction, so the statements in it see one snapshot.

Both: inside `transaction(db)` the same task may call any helper or `transaction` again (e.g. a
batch of repository calls committed together): they join the open transaction instead of
waiting for the lock (or another connection) while the task already holds one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, Literal, Protocol
from weakref import WeakKeyDictionary

import aiosqlite

from bot.storage.pg import PgDatabase, status_count, to_pg

Db = aiosqlite.Connection | PgDatabase  # what open_database returns; every repository takes one
Dialect = Literal["sqlite", "postgresql"]


class Row(Protocol):
    """sqlite3.Row and asyncpg.Record alike: by position or by column name."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


_locks: WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = WeakKeyDictionary()
# The transaction the current task has open: (database id, [still open], its PostgreSQL
# connection or None on SQLite). A task created inside it copies the value, so the flag is
# cleared on exit and such a task cannot join late.
_open: ContextVar[tuple[int, list[bool], Any] | None] = ContextVar("open_transaction", default=None)


def dialect(conn: Db) -> Dialect:
    return "postgresql" if isinstance(conn, PgDatabase) else "sqlite"


def write_lock(conn: aiosqlite.Connection) -> asyncio.Lock:
    lock = _locks.get(conn)
    if lock is None:
        lock = _locks[conn] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(conn: Db) -> AsyncIterator[Db]:
    """One transaction, committed at the end, rolled back on any exception; nested use joins
    the outer one. SQLite: BEGIN IMMEDIATE. PostgreSQL: READ COMMITTED on one pooled connection."""
    if _joined(conn) is not None:
        yield conn
        return
    if isinstance(conn, PgDatabase):
        async with _pg_transaction(conn):
            yield conn
        return
    async with write_lock(conn):
        live = [True]
        token = _open.set((id(conn), live, None))
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


@asynccontextmanager
async def _pg_transaction(db: PgDatabase, **options: Any) -> AsyncIterator[None]:
    async with db.pool.acquire() as con:
        live = [True]
        token = _open.set((id(db), live, con))
        try:
            async with con.transaction(**options):
                yield
        finally:
            live[0] = False
            _open.reset(token)


def _joined(conn: Db) -> tuple[Any] | None:
    """(the open transaction's PostgreSQL connection, or None on SQLite) if this task has one open."""
    current = _open.get()
    if current is not None and current[0] == id(conn) and current[1][0]:
        return (current[2],)
    return None


@asynccontextmanager
async def _writing(conn: aiosqlite.Connection) -> AsyncIterator[None]:
    if _joined(conn) is not None:
        yield
    else:
        async with write_lock(conn):
            yield


@asynccontextmanager
async def _pg(db: PgDatabase) -> AsyncIterator[Any]:
    """The connection to run one statement on: the task's open transaction's, else a pooled one."""
    joined = _joined(db)
    if joined is not None:
        yield joined[0]
    else:
        async with db.pool.acquire() as con:
            yield con


@asynccontextmanager
async def committed(conn: Db) -> AsyncIterator[Db]:
    """Statements inside see only committed data (or the task's own open transaction), and on
    PostgreSQL one snapshot of it."""
    if isinstance(conn, PgDatabase):
        if _joined(conn) is not None:
            yield conn
        else:
            async with _pg_transaction(conn, isolation="repeatable_read", readonly=True):
                yield conn
        return
    if _joined(conn) is not None:
        yield conn
        return
    async with write_lock(conn):  # the statements inside join it, as they would a transaction
        live = [True]
        token = _open.set((id(conn), live, None))
        try:
            yield conn
        finally:
            live[0] = False
            _open.reset(token)


async def read(conn: Db, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    """One SELECT on committed data; returns its rows."""
    if isinstance(conn, PgDatabase):
        async with _pg(conn) as con:
            return list(await con.fetch(to_pg(sql), *params))
    async with _writing(conn):
        return list(await conn.execute_fetchall(sql, tuple(params)))


async def write(conn: Db, sql: str, params: Iterable[Any] = ()) -> int:
    """One write statement (autocommit, or in the task's transaction); returns rows changed."""
    if isinstance(conn, PgDatabase):
        async with _pg(conn) as con:
            return status_count(await con.execute(to_pg(sql), *params))
    async with _writing(conn):
        async with conn.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount


async def write_returning(conn: Db, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    """One write statement with a RETURNING clause; returns its rows."""
    if isinstance(conn, PgDatabase):
        async with _pg(conn) as con:
            return list(await con.fetch(to_pg(sql), *params))
    async with _writing(conn):
        return list(await conn.execute_fetchall(sql, tuple(params)))


async def write_many(conn: Db, sql: str, seq_of_params: Iterable[Iterable[Any]]) -> int:
    """One write statement for each parameter tuple, all or none; returns rows changed in all.

    SQLite: executemany. PostgreSQL: one prepared statement run per tuple in one transaction
    (asyncpg's executemany does not report rows changed)."""
    if isinstance(conn, PgDatabase):
        changed = 0
        async with transaction(conn), _pg(conn) as con:
            statement = await con.prepare(to_pg(sql))
            for params in seq_of_params:
                await statement.fetch(*params)
                changed += status_count(statement.get_statusmsg())
        return changed
    async with _writing(conn):
        async with conn.executemany(sql, [tuple(p) for p in seq_of_params]) as cursor:
            return cursor.rowcount
