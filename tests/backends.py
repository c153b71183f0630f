"""Both storage backends for the storage and dispatcher tests (a pytest plugin: see conftest.py).

`store` is a migrated, empty database of each backend in turn: SQLite in a temporary file, and
PostgreSQL in a schema of its own (search_path) on the server TEST_DATABASE_URL names, dropped
afterwards. Without that server the PostgreSQL variants are skipped and say why - unless
REQUIRE_POSTGRES=1 (.ci/run sets it), which makes them fail instead, so CI never skips them.
Real servers only: nothing here is a mock.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.storage.backend import connect_postgres
from bot.storage.db import close_db, open_db
from bot.storage.tx import Db

BACKENDS = ["sqlite", "postgresql"]
_reachable: dict[str, str | None] = {}  # URL -> None if reachable, else why not


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


async def _why_unreachable(url: str) -> str | None:
    if url not in _reachable:
        import asyncpg

        try:
            conn = await asyncpg.connect(url, timeout=5)
            await conn.close()
            _reachable[url] = None
        except Exception as exc:  # whatever the reason, the message says it (never the URL)
            _reachable[url] = f"the PostgreSQL server in TEST_DATABASE_URL cannot be reached ({type(exc).__name__})"
    return _reachable[url]


async def require_postgres() -> str:
    """The test server's URL; skips the test without one, or fails it when REQUIRE_POSTGRES=1."""
    url = postgres_url()
    why = "TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)" if url is None else None
    if url is not None:
        why = await _why_unreachable(url)
    if why is not None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {why}")
        pytest.skip(why)
    assert url is not None
    return url


@dataclass
class Place:
    """Where a test database lives: its backend, and the SQLite file or the PostgreSQL schema."""

    backend: str
    path: Path | None = None
    url: str | None = field(default=None, repr=False)  # may hold a password: not in tracebacks
    schema: str | None = None

    async def open(self, **options) -> Db:
        """Another handle on the same database (another process would open one like this)."""
        if self.backend == "sqlite":
            assert self.path is not None
            return await open_db(self.path)
        assert self.url is not None
        return await connect_postgres(self.url, schema=self.schema, **{"max_size": 4, **options})


@asynccontextmanager
async def place(backend: str, tmp_path: Path) -> AsyncIterator[Place]:
    """A fresh, empty database of `backend`, removed afterwards."""
    if backend == "sqlite":
        yield Place("sqlite", path=tmp_path / "data" / "bot.sqlite3")
        return
    import asyncpg

    url = await require_postgres()
    schema = f"test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield Place("postgresql", url=url, schema=schema)
        finally:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


@pytest.fixture(params=BACKENDS)
async def store_place(request, tmp_path) -> AsyncIterator[Place]:
    """Where `store` lives, to open more handles on it (a second process, a restart)."""
    async with place(request.param, tmp_path) as where:
        yield where


@pytest.fixture
async def store(store_place) -> AsyncIterator[Db]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    db = await store_place.open()
    try:
        yield db
    finally:
        await close_db(db)
