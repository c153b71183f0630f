"""Opening and closing the SQLite database: directory, WAL, foreign keys, busy timeout, migrations.

Files are the owner's only: folders this module creates are 0700, and the database is created
0600 before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode, and an
existing file readable by others is tightened on open. (Folders that already exist keep their
mode: DATABASE_PATH may sit in a folder that is not the bot's.)

Erasing. Rows deleted by /forget are overwritten in their pages (secure_delete), but the older
page images stay in the write-ahead log until a checkpoint copies the log into the file and
truncates it - which cannot happen while another connection (a backup, a monitoring script)
reads an older snapshot. `checkpoint_soon` tries at once and, if a reader is in the way, keeps
trying in the background until it succeeds, without ever blocking the bot's own writes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
import tempfile
import time
from pathlib import Path
from weakref import WeakKeyDictionary

import aiosqlite

from bot.storage.migrations import migrate
from bot.storage.pg import PgDatabase
from bot.storage.tx import transaction, write, write_lock, write_returning

__all__ = [
    "open_db", "close_db", "checkpoint", "checkpoint_soon", "backup", "database_files",
    "transaction", "write", "write_lock", "write_returning",
]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
WAL_RETRIES = 100
WAL_RETRY_DELAY = 0.05
DIR_MODE = 0o700
FILE_MODE = 0o600
CHECKPOINT_FIRST_DELAY = 0.05  # seconds; doubled after each busy try, up to
CHECKPOINT_MAX_DELAY = 5.0
CHECKPOINT_WARN_AFTER = 60.0  # seconds of readers in the way before one WARNING line

_erasing: WeakKeyDictionary[aiosqlite.Connection, asyncio.Task] = WeakKeyDictionary()


def database_files(path: str | Path) -> list[Path]:
    """The database file and its -wal / -shm companions (whichever exist)."""
    path = Path(path)
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _private_folders(folder: Path) -> None:
    """Create `folder` and any missing parents, each 0700; existing ones are left as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for each in reversed(missing):
        try:
            each.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(each, DIR_MODE)  # mkdir's mode passes through the umask; chmod's does not


def _private_file(path: Path) -> None:
    """Create an empty database file 0600 (SQLite reads an empty file as an empty database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def _tighten(path: Path) -> None:
    for each in database_files(path):
        mode = stat.S_IMODE(each.stat().st_mode)
        if mode & 0o077:
            try:
                os.chmod(each, mode & 0o700)
                log.info("%s was readable by others (%o); now owner-only", each.name, mode)
            except OSError as exc:  # not ours to change: say so, and go on
                log.warning("cannot make %s owner-only: %s", each, exc.strerror)


async def _enable_wal(conn: aiosqlite.Connection) -> str:
    # Switching a new file to WAL needs an exclusive lock, and SQLite may answer "locked" at
    # once instead of waiting out busy_timeout when another process opens it at the same moment.
    for _ in range(WAL_RETRIES):
        try:
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
            assert row is not None  # the PRAGMA answers the mode it is now in
            return str(row[0]).lower()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            await asyncio.sleep(WAL_RETRY_DELAY)
    raise RuntimeError("could not switch the database to WAL mode: it stayed locked")


async def open_db(path: str | Path) -> aiosqlite.Connection:
    """Open (creating the directory and file if needed), configure and migrate the database."""
    path = Path(path)
    _private_folders(path.parent)
    _private_file(path)
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
        _tighten(path)
    except BaseException:
        await conn.close()
        raise
    return conn


async def checkpoint(conn: aiosqlite.Connection | PgDatabase) -> bool:
    """One try at copying the write-ahead log into the main file and emptying it (after /forget:
    the old page images in the log go too). False, at once, if another connection's read is in
    the way: it does not wait for readers, so the bot's writes are never held up by it.

    PostgreSQL: nothing to do here (True). Its dead row versions go with VACUUM (autovacuum, or
    the operator's), not with anything the bot runs."""
    if isinstance(conn, PgDatabase):
        return True
    async with write_lock(conn):  # not inside another coroutine's open transaction
        await conn.execute("PRAGMA busy_timeout = 0")
        try:
            async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                row = await cursor.fetchone()
            assert row is not None  # (busy, log frames, checkpointed frames)
            busy = row[0]
        finally:
            await conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    return busy == 0


async def checkpoint_until_done(
    conn: aiosqlite.Connection, *, first_delay: float = CHECKPOINT_FIRST_DELAY, max_delay: float = CHECKPOINT_MAX_DELAY
) -> int:
    """checkpoint() until it succeeds, backing off while readers are in the way; returns the tries."""
    tries, delay, began, warned = 0, first_delay, time.monotonic(), False
    while True:
        tries += 1
        if await checkpoint(conn):
            if warned:
                log.warning("the write-ahead log is empty again after %d tries", tries)
            return tries
        if not warned and time.monotonic() - began > CHECKPOINT_WARN_AFTER:
            warned = True
            log.warning("another connection has been reading the database for over %g s (a long backup?): "
                        "rows deleted by /forget stay in the write-ahead log until it stops", CHECKPOINT_WARN_AFTER)
        await asyncio.sleep(delay)
        delay = min(max_delay, delay * 2)


async def checkpoint_soon(conn: aiosqlite.Connection | PgDatabase) -> bool:
    """Empty the write-ahead log now if possible (True), else keep trying in the background
    until it succeeds or the database is closed (False). One background task per connection.
    PostgreSQL: a no-op (True), see checkpoint()."""
    if isinstance(conn, PgDatabase):
        return True
    task = _erasing.get(conn)
    if task is not None and not task.done():
        return False  # already at it; its next success covers this deletion too
    if await checkpoint(conn):
        return True
    task = _erasing[conn] = asyncio.get_running_loop().create_task(checkpoint_until_done(conn), name="checkpoint")
    task.add_done_callback(_report)
    return False


def _report(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("emptying the write-ahead log failed: %s", type(task.exception()).__name__, exc_info=task.exception())


def backup(source: str | Path, target: str | Path) -> Path:
    """Copy the database to `target` (0600) with SQLite's online backup API, in one step: one
    short read of a consistent snapshot, so the bot keeps writing and /forget's checkpoint is
    held up only for the copy itself. The copy is written beside `target` and renamed into
    place, so a half-written backup never replaces a good one."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    _private_folders(target.parent)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # 0600
    os.close(fd)
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)  # only read; read-write opens any WAL file
        try:
            dst = sqlite3.connect(temporary)
            try:
                src.backup(dst)  # pages=-1: everything in one step
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


async def close_db(conn: aiosqlite.Connection | PgDatabase | None) -> None:
    if isinstance(conn, PgDatabase):
        await conn.close()
    elif conn is not None:
        task = _erasing.pop(conn, None)
        if task is not None and not task.done():
            task.cancel()  # closing checkpoints anyway when no other connection reads
            try:
                await task
            except asyncio.CancelledError:
                pass
        await conn.close()
