"""What only the PostgreSQL backend has: its migrations beside SQLite's, the ? translation, the
claim's SKIP LOCKED, dispatchers in separate pools racing over one database, and the settings.

Every test here runs against a real server (TEST_DATABASE_URL, started by .ci/run); without one
they skip, or fail with REQUIRE_POSTGRES=1 (tests/backends.py).
"""

from __future__ import annotations

import ast
import asyncio
import os
import random
import socket
import subprocess
import sys
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.reminders import dispatcher
from bot.reminders.dispatcher import Deps
from bot.reminders.sender import SendResult
from bot.storage import deliveries, subscriptions
from bot.storage.backend import connect_postgres, open_database
from bot.storage.db import close_db, open_db
from bot.storage.migrations import MIGRATIONS, SchemaTooNew
from bot.storage.migrations_pg import PG_MIGRATIONS, migrate_pg, schema_version
from bot.storage.pg import PgDatabase, describe_url, scrub, to_pg
from bot.storage.tx import read, transaction, write
from tests.backends import place

ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
SETUP = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
NINE_BERLIN = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin (summer time)
TOKEN = "123456789:TEST-fake-telegram-token-for-tests"


@pytest.fixture
async def pg_place(tmp_path):
    async with place("postgresql", tmp_path) as where:
        yield where


# --- ? placeholders -------------------------------------------------------------------------------


def test_placeholders_are_numbered_and_a_quoted_question_mark_is_refused():
    assert to_pg("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    assert to_pg("UPDATE t SET s = 'x:y' WHERE id = ?") == "UPDATE t SET s = 'x:y' WHERE id = $1"
    with pytest.raises(ValueError):
        to_pg("SELECT '?' FROM t WHERE id = ?")


def sql_strings(path: Path) -> list[str]:
    """Every string constant in a module, f-strings taken whole with their holes as "x"."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.append("".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
    return found


def test_no_statement_has_a_question_mark_inside_a_quoted_literal():
    """The translation of ? to $n is mechanical: that holds only while no ? sits inside quotes."""
    modules = sorted((ROOT / "bot" / "storage").glob("*.py")) + [ROOT / "bot" / "reminders" / "dispatcher.py"]
    checked = 0
    for module in modules:
        for text in sql_strings(module):
            if "?" in text and any(word in text for word in ("SELECT", "INSERT", "UPDATE", "DELETE")):
                to_pg(text)  # raises on a ? inside quotes
                checked += 1
    assert checked > 20  # the repositories' statements were found


# --- migrations -----------------------------------------------------------------------------------


async def sqlite_columns(conn) -> dict[str, list[tuple[str, bool]]]:
    tables = [r[0] for r in await read(
        conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    found = {}
    for table in tables:
        # notnull, or part of the primary key (SQLite lets a non-integer key column hold NULL; PostgreSQL does not)
        found[table] = [(r[1], bool(r[3]) or r[5] > 0) for r in await read(conn, f"PRAGMA table_info({table})")]
    return found


async def pg_columns(db) -> dict[str, list[tuple[str, bool]]]:
    rows = await read(db, "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
                          "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
    found: dict[str, list[tuple[str, bool]]] = {}
    for table, column, nullable in rows:
        found.setdefault(table, []).append((column, nullable == "NO"))
    return found


async def test_both_dialects_end_at_the_same_tables_and_columns(pg_place, tmp_path):
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)
    sqlite = await open_db(tmp_path / "same.sqlite3")
    pg = await pg_place.open()
    try:
        lite, post = await sqlite_columns(sqlite), await pg_columns(pg)
        assert post.pop("schema_version") == [("version", True)]  # PostgreSQL's user_version
        assert post == lite
        assert await schema_version(pg) == len(MIGRATIONS)
        indexes = {r[0] for r in await read(pg, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
        assert {"subscriptions_due", "subscriptions_snoozed", "deliveries_status", "awaiting_updated"} <= indexes
    finally:
        await close_db(sqlite)
        await close_db(pg)


async def test_processes_starting_together_apply_each_migration_once(pg_place):
    handles = await asyncio.gather(*(pg_place.open(max_size=2) for _ in range(4)))
    try:
        for db in handles:
            assert await schema_version(db) == len(PG_MIGRATIONS)
        assert [tuple(r) for r in await read(handles[0], "SELECT version FROM schema_version")] == [(5,)]
        assert await migrate_pg(handles[0]) == len(PG_MIGRATIONS)  # and again changes nothing
    finally:
        for db in handles:
            await close_db(db)


async def test_a_failing_migration_is_rolled_back_whole_on_postgresql(pg_place):
    import asyncpg

    db = await pg_place.open()
    try:
        broken = [*PG_MIGRATIONS, ("CREATE TABLE half_done (a BIGINT)", "THIS IS NOT SQL")]
        with pytest.raises(asyncpg.PostgresSyntaxError):
            await migrate_pg(db, broken)
        assert await schema_version(db) == len(PG_MIGRATIONS)
        assert (await read(db, "SELECT to_regclass('half_done') IS NULL"))[0][0]
        assert await migrate_pg(db, [*PG_MIGRATIONS, ("CREATE TABLE half_done (a BIGINT)",)]) == len(PG_MIGRATIONS) + 1
    finally:
        await close_db(db)


async def test_a_newer_postgresql_schema_is_refused(pg_place):
    db = await pg_place.open()
    await write(db, "UPDATE schema_version SET version = ?", (len(PG_MIGRATIONS) + 1,))
    await close_db(db)
    with pytest.raises(SchemaTooNew):
        await pg_place.open()


# --- the dispatcher's claim: FOR UPDATE SKIP LOCKED -------------------------------------------------


class Recording:
    """A Sender that only counts: every send of every delivery key, with a little jitter so
    the dispatchers interleave."""

    def __init__(self, name: str, log: Counter, jitter: float = 0.003):
        self.name, self.log, self.jitter, self.mine = name, log, jitter, 0

    async def send_reminder(self, reminder):
        await asyncio.sleep(random.random() * self.jitter)
        self.log[tuple(reminder.key)] += 1
        self.mine += 1
        return SendResult.sent(len(self.log))


async def subscribe_many(db, chats) -> None:
    for chat in chats:
        await subscriptions.set_zone(db, chat, "Europe/Berlin", SETUP)
        await subscriptions.update_settings(db, chat, "stretching", SETUP, at=time(9, 0))
        await subscriptions.activate(db, chat, "stretching", SETUP)


async def test_a_dispatcher_skips_rows_another_is_claiming_instead_of_waiting(pg_place):
    """While dispatcher A holds its claim transaction open (rows locked FOR UPDATE), dispatcher B,
    in another pool, neither waits for it nor claims those rows: it skips them (SKIP LOCKED) and
    its tick ends at once. A then sends them; each is sent once."""
    a_db, b_db = await pg_place.open(), await pg_place.open()
    chats = range(1000, 1010)
    await subscribe_many(a_db, chats)
    sent: Counter = Counter()
    a, b = Recording("a", sent), Recording("b", sent)
    at = NINE_BERLIN + timedelta(seconds=1)
    holding, release = asyncio.Event(), asyncio.Event()
    real_claim = deliveries.claim_deliveries

    async def claim_then_hold(db, keys, now_utc, **options):
        claimed = await real_claim(db, keys, now_utc, **options)
        if db is a_db:  # A, between its claims and its commit
            holding.set()
            await release.wait()
        return claimed

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(deliveries, "claim_deliveries", claim_then_hold)
            a_tick = asyncio.create_task(dispatcher.tick(a, Deps(a_db), at))
            await asyncio.wait_for(holding.wait(), 10)
            b_report = await asyncio.wait_for(dispatcher.tick(b, Deps(b_db), at), 5)  # must not wait for A
            assert (b_report.due, b_report.sent, b_report.duplicates, b.mine) == (10, 0, 0, 0)
            release.set()
            a_report = await asyncio.wait_for(a_tick, 10)
        assert (a_report.sent, a.mine) == (10, 10)
        assert len(sent) == 10 and set(sent.values()) == {1}
    finally:
        release.set()
        await close_db(a_db)
        await close_db(b_db)


async def test_two_dispatchers_in_separate_pools_send_each_reminder_exactly_once(pg_place):
    """Two dispatchers, each with its own pool (as two processes would have), tick over the same
    300 due reminders at the same moment: every reminder is sent once, and both did part of it."""
    first, second = await pg_place.open(max_size=4), await pg_place.open(max_size=4)
    n = 300
    await subscribe_many(first, range(2000, 2000 + n))
    sent: Counter = Counter()
    a, b = Recording("a", sent), Recording("b", sent)
    at = NINE_BERLIN + timedelta(seconds=1)
    try:
        reports = await asyncio.gather(
            dispatcher.tick(a, Deps(first), at, limit=50), dispatcher.tick(b, Deps(second), at, limit=50)
        )
        # a released or skipped row waits for the next tick: tick until nothing is due
        for _ in range(5):
            more = await asyncio.gather(dispatcher.tick(a, Deps(first), at), dispatcher.tick(b, Deps(second), at))
            if not any(r.due for r in more):
                break
    finally:
        await close_db(first)
        await close_db(second)
    assert len(sent) == n
    assert max(sent.values()) == 1, [k for k, v in sent.items() if v > 1][:5]
    assert a.mine + b.mine == n and a.mine > 0 and b.mine > 0
    assert sum(r.sent for r in reports) <= n


# --- settings, messages, backups --------------------------------------------------------------------


def test_database_url_chooses_the_backend_and_refuses_anything_else():
    base = {"telegram_bot_token": TOKEN}
    assert load_settings(**base).database_url is None  # SQLite at DATABASE_PATH, the default
    assert load_settings(**base, database_url="  ").database_url is None
    settings = load_settings(**base, database_url="postgres://bot:s3cret@db.example:6432/botdb")
    assert settings.database_name == "postgresql db.example:6432/botdb"
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.database_url)
    with pytest.raises(SettingsError) as error:
        load_settings(**base, database_url="mysql://bot:s3cret@db.example/botdb")
    message = str(error.value)
    assert message.startswith("DATABASE_URL must start with postgresql://") and "s3cret" not in message
    assert "\n" not in message


def test_what_is_logged_of_a_url_has_no_password():
    url = "postgresql://bot:p%40ss@127.0.0.1:5433/bot"
    assert describe_url(url) == "postgresql 127.0.0.1:5433/bot"
    assert scrub("auth failed for p%40ss and p@ss", url) == "auth failed for *** and ***"


async def test_open_database_picks_the_backend(pg_place, tmp_path):
    lite = await open_database(None, tmp_path / "x.sqlite3")
    try:
        assert not isinstance(lite, PgDatabase)
    finally:
        await close_db(lite)
    with pytest.raises(ValueError):
        await open_database("mysql://x/y", tmp_path / "x.sqlite3")
    pg = await connect_postgres(pg_place.url, schema=pg_place.schema)
    try:
        assert isinstance(pg, PgDatabase) and "@" not in pg.where and ":" in pg.where
        async with transaction(pg):  # the SQLite-only housekeeping is a no-op here
            pass
    finally:
        await close_db(pg)


def test_backup_on_a_postgresql_url_says_to_use_pg_dump(tmp_path, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:s3cret@db.example:5432/bot")
    assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 2
    err = capsys.readouterr().err.strip()
    assert "pg_dump" in err and "s3cret" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_an_unreachable_server_ends_start_up_with_one_line_and_no_password(tmp_path):
    from bot.app import StartupError, _open_postgres

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = load_settings(telegram_bot_token=TOKEN, database_url=f"postgresql://bot:s3cret@127.0.0.1:{port}/bot")
    with pytest.raises(StartupError) as error:
        await _open_postgres(settings)
    message = str(error.value)
    assert message.startswith(f"cannot open DATABASE_URL (postgresql 127.0.0.1:{port}/bot)")
    assert "s3cret" not in message and "\n" not in message


@pytest.mark.parametrize("require, outcome, code", [("", "1 passed, 1 skipped", 0), ("1", "1 passed, 1 error", 1)])
def test_without_a_server_postgresql_tests_skip_unless_required(require, outcome, code):
    """CI sets REQUIRE_POSTGRES=1: there a missing server fails the PostgreSQL variants, never
    skips them quietly."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REQUIRE_POSTGRES")}
    env["REQUIRE_POSTGRES"] = require
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs",
         "tests/test_storage.py::test_upsert_user_keeps_the_zone"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert outcome in result.stdout and result.returncode == code, result.stdout[-2000:]
    assert "TEST_DATABASE_URL is not set" in result.stdout
