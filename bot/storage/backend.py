"""Which database: SQLite at DATABASE_PATH (the default, embedded), or PostgreSQL at DATABASE_URL.

`open_database` returns what every repository function takes as its first argument: an
aiosqlite connection (bot.storage.db) or a PgDatabase (bot.storage.pg), opened and migrated.
Several bot processes (webhook mode behind a load balancer) can share one PostgreSQL database;
SQLite is for one process (or a few on one machine).
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.storage.db import close_db, open_db
from bot.storage.migrations_pg import migrate_pg
from bot.storage.pg import PgDatabase, describe_url, is_postgres_url
from bot.storage.tx import Db

log = logging.getLogger(__name__)

POOL_MIN = 1
POOL_MAX = 10  # connections per process; PostgreSQL's default max_connections is 100
CONNECT_TIMEOUT = 10.0  # seconds
STATEMENT_TIMEOUT = 60.0  # seconds: a statement stuck longer is cancelled (asyncpg command_timeout)


async def connect_postgres(
    url: str, *, schema: str | None = None, min_size: int = POOL_MIN, max_size: int = POOL_MAX, migrate: bool = True
) -> PgDatabase:
    """A pool on `url`, migrated. `schema` puts the tables in that schema (search_path), as
    tests do to give each test a clean database."""
    import asyncpg  # only PostgreSQL deployments load the driver

    settings = {"search_path": schema} if schema else {}
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, timeout=CONNECT_TIMEOUT, command_timeout=STATEMENT_TIMEOUT,
        server_settings={"application_name": "backspasm-bot", **settings},
    )
    db = PgDatabase(pool, describe_url(url))
    try:
        if migrate:
            await migrate_pg(db)
    except BaseException:
        await db.close()
        raise
    return db


async def open_database(url: str | None, path: str | Path) -> Db:
    """PostgreSQL if `url` is a postgresql:// (or postgres://) URL, else SQLite at `path`."""
    if url:
        if not is_postgres_url(url):
            raise ValueError("DATABASE_URL must start with postgresql:// or postgres://")
        db = await connect_postgres(url)
        log.info("database: %s", db.where)  # never the URL: it may hold a password
        return db
    return await open_db(path)


async def close_database(db: Db | None) -> None:
    await close_db(db)
