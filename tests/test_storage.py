import asyncio
import os
import sqlite3
import stat
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import aiosqlite
import pytest

from bot.core.schedule import Due, ScheduleError
from bot.storage import completions, deliveries, open_triage, pending, privacy, stats, subscriptions, users
from bot.storage import db as db_module
from bot.storage.db import backup, checkpoint, checkpoint_soon, close_db, database_files, open_db, transaction
from bot.storage.deliveries import DeliveryKey
from bot.storage.migrations import MIGRATIONS, SchemaTooNew, migrate, user_version
from bot.storage.subscriptions import ZoneRequired
from bot.storage.tx import dialect, read, write
from tests.backends import BACKENDS, place

UTC = timezone.utc
NOW = datetime(2024, 5, 2, 6, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nested" / "bot.sqlite3"


@pytest.fixture(params=BACKENDS)
async def db(request, db_path):
    """SQLite at db_path, then PostgreSQL (a schema of its own); tests about SQLite's files,
    pragmas and backups take only the first (`sqlite_only`)."""
    if request.param == "sqlite":
        conn = await open_db(db_path)
        yield conn
        await close_db(conn)
        return
    async with place("postgresql", db_path.parent) as where:
        conn = await where.open()
        try:
            yield conn
        finally:
            await close_db(conn)


sqlite_only = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


async def scalar(conn, sql: str, params=()):
    return (await read(conn, sql, params))[0][0]


async def schema(conn) -> list[tuple]:
    return [tuple(r) for r in await conn.execute_fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name")]


# --- opening and migrations --------------------------------------------------------------------


@sqlite_only
async def test_open_db_creates_directory_and_sets_pragmas(db, db_path):
    assert db_path.exists()
    assert (await scalar(db, "PRAGMA journal_mode")).lower() == "wal"
    assert await scalar(db, "PRAGMA foreign_keys") == 1
    assert await scalar(db, "PRAGMA busy_timeout") >= 1000
    assert await user_version(db) == len(MIGRATIONS)
    tables = {r[1] for r in await schema(db) if r[0] == "table"}
    assert {"users", "subscriptions", "deliveries", "completions", "triage_outcomes"} <= tables


async def test_reopening_and_rerunning_migrations_changes_nothing(db_path):
    conn = await open_db(db_path)
    await users.upsert_user(conn, 1, 1, NOW)
    before = await schema(conn)
    assert await migrate(conn) == len(MIGRATIONS)
    await close_db(conn)
    conn = await open_db(db_path)
    try:
        assert await schema(conn) == before
        assert await user_version(conn) == len(MIGRATIONS)
        assert await users.get_user(conn, 1) is not None
    finally:
        await close_db(conn)


@sqlite_only
async def test_a_failing_migration_is_rolled_back_whole(db):
    broken = [*MIGRATIONS, ("CREATE TABLE half_done (a INTEGER)", "THIS IS NOT SQL")]
    with pytest.raises(sqlite3.OperationalError):
        await migrate(db, broken)
    assert await user_version(db) == len(MIGRATIONS)
    assert await scalar(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'") == 0
    # and the next good migration list applies cleanly
    assert await migrate(db, [*MIGRATIONS, ("CREATE TABLE half_done (a INTEGER)",)]) == len(MIGRATIONS) + 1


async def test_a_newer_schema_is_refused(db_path):
    conn = await open_db(db_path)
    await conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    await close_db(conn)
    with pytest.raises(SchemaTooNew):
        await open_db(db_path)


async def test_two_connections_opening_a_fresh_file_migrate_once(db_path):
    first, second = await asyncio.gather(open_db(db_path), open_db(db_path))
    try:
        assert await user_version(first) == await user_version(second) == len(MIGRATIONS)
        assert await scalar(first, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'users'") == 1
    finally:
        await close_db(first)
        await close_db(second)


# --- users and subscriptions ---------------------------------------------------------------------


async def test_upsert_user_keeps_the_zone(db):
    await users.upsert_user(db, 10, 77, NOW)
    await subscriptions.set_zone(db, 10, "Asia/Kolkata", NOW)
    await users.upsert_user(db, 10, None, NOW)
    assert await users.get_user(db, 10) == users.User(10, 77, "Asia/Kolkata")
    assert await users.get_user(db, 11) is None


async def test_set_zone_refuses_unknown_zones(db):
    with pytest.raises(ScheduleError):
        await subscriptions.set_zone(db, 10, "Mars/Base", NOW)
    assert await users.get_user(db, 10) is None


async def test_activation_needs_a_zone_and_schedules_the_next_slot(db):
    with pytest.raises(ZoneRequired):
        await subscriptions.activate(db, 10, "stretching", NOW)
    await subscriptions.set_zone(db, 10, "Asia/Kolkata", NOW)
    sub = await subscriptions.activate(db, 10, "stretching", NOW)  # 06:00 UTC = 11:30 IST: tomorrow 09:00
    assert sub.active and sub.kind == "stretching" and sub.at == time(9, 0)
    assert sub.next == Due(utc(2024, 5, 3, 3, 30), date(2024, 5, 3), 0)
    again = await subscriptions.activate(db, 10, "stretching", NOW + timedelta(days=1))
    assert again.next == sub.next  # already on: left as it is


async def test_settings_changes_reschedule_and_bad_settings_change_nothing(db):
    await subscriptions.set_zone(db, 10, "UTC", NOW)
    sub = await subscriptions.update_settings(db, 10, "hydration", NOW, per_day=3, start=time(8), end=time(20))
    assert not sub.active and sub.next is None  # configuring is not opting in
    sub = await subscriptions.activate(db, 10, "hydration", NOW)
    assert sub.next == Due(utc(2024, 5, 2, 8), date(2024, 5, 2), 0)
    sub = await subscriptions.update_settings(db, 10, "hydration", NOW, start=time(7))
    assert (sub.per_day, sub.start, sub.end) == (3, time(7), time(20))
    assert sub.next == Due(utc(2024, 5, 2, 7), date(2024, 5, 2), 0)
    with pytest.raises(ScheduleError):
        await subscriptions.update_settings(db, 10, "hydration", NOW, end=time(6))
    assert await subscriptions.get_subscription(db, 10, "hydration") == sub
    with pytest.raises(ScheduleError):
        await subscriptions.update_settings(db, 11, "hydration", NOW, per_day=0)
    assert await subscriptions.get_subscription(db, 11, "hydration") is None  # the failed create was rolled back
    assert await users.get_user(db, 11) is None


async def test_changing_zone_reschedules_active_reminders(db):
    await subscriptions.set_zone(db, 10, "Europe/Berlin", NOW)
    await subscriptions.activate(db, 10, "stretching", NOW)
    await subscriptions.update_settings(db, 10, "hydration", NOW)  # off: must stay unscheduled
    subs = await subscriptions.set_zone(db, 10, "America/New_York", NOW)
    by_kind = {s.kind: s for s in subs}
    assert by_kind["stretching"].next == Due(utc(2024, 5, 2, 13), date(2024, 5, 2), 0)
    assert by_kind["stretching"].zone == "America/New_York"
    assert by_kind["hydration"].next is None
    assert [s.kind for s in await subscriptions.list_subscriptions(db, 10)] == ["stretching", "hydration"]


async def test_deactivate_and_deactivate_chat(db):
    await subscriptions.set_zone(db, 10, "UTC", NOW)
    await subscriptions.activate(db, 10, "stretching", NOW)
    await subscriptions.activate(db, 10, "hydration", NOW)
    assert await subscriptions.deactivate(db, 10, "stretching", NOW)
    assert not await subscriptions.deactivate(db, 10, "stretching", NOW)
    off = await subscriptions.get_subscription(db, 10, "stretching")
    assert not off.active and off.next is None and off.snooze is None
    assert await subscriptions.deactivate_chat(db, 10, NOW) == 1
    assert not any(s.active for s in await subscriptions.list_subscriptions(db, 10))


# --- the due query ----------------------------------------------------------------------------------


async def make_active(conn, chat_id: int, zone: str, kind: str = "stretching", at: time = time(9)):
    await subscriptions.set_zone(conn, chat_id, zone, NOW)
    await subscriptions.update_settings(conn, chat_id, kind, NOW, at=at)
    return await subscriptions.activate(conn, chat_id, kind, NOW)


async def test_due_subscriptions_returns_only_due_active_rows_earliest_first(db):
    a = await make_active(db, 1, "UTC", at=time(7))  # due 07:00
    b = await make_active(db, 2, "UTC", at=time(6, 30))  # due 06:30
    c = await make_active(db, 3, "UTC", at=time(12))  # not due at 08:00
    d = await make_active(db, 4, "UTC", at=time(6, 45))
    await subscriptions.deactivate(db, 4, "stretching", NOW)
    # an inactive row with a stale next-due must still be ignored
    await write(db, "UPDATE subscriptions SET next_due_utc = ? WHERE id = ?", (int(NOW.timestamp()), d.id))
    due = await subscriptions.due_subscriptions(db, utc(2024, 5, 2, 8))
    assert [s.id for s in due] == [b.id, a.id]
    assert c.id not in [s.id for s in due]
    assert [s.id for s in await subscriptions.due_subscriptions(db, utc(2024, 5, 2, 8), limit=1)] == [b.id]
    assert await subscriptions.due_subscriptions(db, utc(2024, 5, 2, 6, 29)) == []


async def test_due_subscriptions_includes_due_snoozes(db):
    sub = await make_active(db, 1, "UTC", at=time(9))
    key = DeliveryKey(sub.id, date(2024, 5, 2), 0)
    snoozed = await subscriptions.snooze(db, key, utc(2024, 5, 2, 6, 0))
    assert snoozed == Due(utc(2024, 5, 2, 6, 30), date(2024, 5, 2), 100)
    assert await subscriptions.due_subscriptions(db, utc(2024, 5, 2, 6, 29)) == []
    (due,) = await subscriptions.due_subscriptions(db, utc(2024, 5, 2, 6, 31))
    assert due.snooze == snoozed and due.next.due_utc == utc(2024, 5, 2, 9)
    assert not await subscriptions.clear_snooze(db, sub.id, Due(utc(2024, 5, 2, 7), date(2024, 5, 2), 100), NOW)
    assert await subscriptions.clear_snooze(db, sub.id, snoozed, NOW)
    assert await subscriptions.due_subscriptions(db, utc(2024, 5, 2, 6, 31)) == []


async def test_snooze_on_a_stopped_reminder_does_nothing(db):
    sub = await make_active(db, 1, "UTC")
    await subscriptions.deactivate(db, 1, "stretching", NOW)
    assert await subscriptions.snooze(db, DeliveryKey(sub.id, date(2024, 5, 2), 0), NOW) is None


@pytest.mark.parametrize("sql, index", [(subscriptions.DUE_QUERY, "subscriptions_due"), (subscriptions.SNOOZE_QUERY, "subscriptions_snoozed")])
@sqlite_only
async def test_due_queries_use_their_index(db, sql, index):
    plan = " ".join(str(tuple(r)) for r in await db.execute_fetchall("EXPLAIN QUERY PLAN " + sql, (0, 5)))
    assert f"SEARCH s USING INDEX {index}" in plan
    assert "TEMP B-TREE" not in plan  # rows come out of the index already in due order


async def test_advance_is_compare_and_set(db):
    sub = await make_active(db, 1, "UTC")
    new = Due(utc(2024, 5, 3, 9), date(2024, 5, 3), 0)
    stale = Due(utc(2024, 5, 1, 9), date(2024, 5, 1), 0)
    assert not await subscriptions.advance(db, sub.id, stale, new, NOW)
    assert await subscriptions.advance(db, sub.id, sub.next, new, NOW)
    assert (await subscriptions.get_subscription_by_id(db, sub.id)).next == new
    assert not await subscriptions.advance(db, sub.id, sub.next, Due(utc(2024, 5, 4, 9), date(2024, 5, 4), 0), NOW)


# --- claims: exactly once --------------------------------------------------------------------------


async def test_claim_lifecycle(db):
    sub = await make_active(db, 1, "UTC")
    key = sub.key(sub.next)
    assert await deliveries.claim_delivery(db, key, NOW) == 1
    assert await deliveries.claim_delivery(db, key, NOW) == 0  # being sent
    assert await deliveries.release_claim(db, key, NOW, "timed out") == "retry"
    assert await deliveries.claim_delivery(db, key, NOW) == 2  # a retry is a new attempt
    assert await deliveries.mark_sent(db, key, 555, NOW + timedelta(seconds=1))
    assert await deliveries.claim_delivery(db, key, NOW) == 0  # sent: never again
    assert await deliveries.release_claim(db, key, NOW) is None
    delivery = await deliveries.get_delivery(db, key)
    assert (delivery.status, delivery.attempts, delivery.message_id) == ("sent", 2, 555)
    assert delivery.sent_at == NOW + timedelta(seconds=1)


async def test_claims_run_out_of_attempts_and_permanent_failures_stick(db):
    sub = await make_active(db, 1, "UTC")
    key = sub.key(sub.next)
    statuses = []
    for _ in range(3):
        assert await deliveries.claim_delivery(db, key, NOW)
        statuses.append(await deliveries.release_claim(db, key, NOW, "502", max_attempts=3))
    assert statuses == ["retry", "retry", "failed"]
    assert await deliveries.claim_delivery(db, key, NOW) == 0
    other = DeliveryKey(sub.id, date(2024, 5, 3), 0)
    assert await deliveries.claim_delivery(db, other, NOW) == 1
    assert await deliveries.mark_failed(db, other, NOW, "Forbidden: bot was blocked by the user")
    assert await deliveries.claim_delivery(db, other, NOW) == 0
    assert (await deliveries.get_delivery(db, other)).error.startswith("Forbidden")


async def test_two_connections_never_claim_the_same_key(db_path):
    first, second = await open_db(db_path), await open_db(db_path)
    try:
        sub = await make_active(first, 1, "UTC")
        keys = [DeliveryKey(sub.id, date(2024, 5, 1) + timedelta(days=i // 4), i % 4) for i in range(200)]

        async def claim_all(conn):
            return {k for k in keys if await deliveries.claim_delivery(conn, k, NOW)}

        got_first, got_second = await asyncio.gather(claim_all(first), claim_all(second))
        assert got_first.isdisjoint(got_second)
        assert got_first | got_second == set(keys)
        # a key released by one connection is claimable again by the other, once
        taken = min(got_first | got_second)
        assert await deliveries.release_claim(first, taken, NOW) == "retry"
        results = await asyncio.gather(deliveries.claim_delivery(first, taken, NOW), deliveries.claim_delivery(second, taken, NOW))
        assert sorted(results) == [0, 2]
    finally:
        await close_db(first)
        await close_db(second)


CLAIMER = """
import asyncio, sys
from datetime import date, datetime, timedelta, timezone
from bot.storage.db import open_db, close_db
from bot.storage import pending
from bot.storage import completions, deliveries, open_triage, privacy, stats, subscriptions, users

async def main(path, sub_id, n):
    conn = await open_db(path)
    now = datetime(2024, 5, 2, tzinfo=timezone.utc)
    won = []
    for i in range(n):
        key = deliveries.DeliveryKey(sub_id, date(2024, 1, 1) + timedelta(days=i), 0)
        if await deliveries.claim_delivery(conn, key, now):
            won.append(i)
    await close_db(conn)
    print(" ".join(map(str, won)))

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


@sqlite_only
async def test_two_processes_never_claim_the_same_key(db, db_path):
    sub = await make_active(db, 1, "UTC")
    n = 300
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    async def run():
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CLAIMER, str(db_path), str(sub.id), str(n),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        return {int(x) for x in out.split()}

    a, b = await asyncio.gather(run(), run())
    assert a.isdisjoint(b)
    assert a | b == set(range(n))
    assert await scalar(db, "SELECT COUNT(*) FROM deliveries WHERE status = 'sending'") == n


async def test_concurrent_writes_on_one_connection_do_not_mix_transactions(db):
    await subscriptions.set_zone(db, 1, "UTC", NOW)
    await subscriptions.activate(db, 1, "stretching", NOW)
    day = date(2024, 1, 1)
    jobs = [completions.record_completion(db, 1, "stretching", day + timedelta(days=i), NOW) for i in range(60)]
    jobs += [subscriptions.set_zone(db, 1, zone, NOW) for zone in ["Europe/Berlin", "Asia/Kolkata"] * 10]
    jobs += [stats.count_triage_outcome(db, "self-care") for _ in range(30)]
    results = await asyncio.gather(*jobs)
    assert results[:60] == [True] * 60
    assert await completions.streak(db, 1, "stretching", day + timedelta(days=59)) == 60
    assert (await stats.triage_counts(db))["self-care"] == 30


async def test_reads_see_only_committed_data(db):
    """One connection is shared by every coroutine: a read must not run inside another
    coroutine's open transaction and see rows a ROLLBACK then takes back."""
    entered, release = asyncio.Event(), asyncio.Event()

    async def half_done():
        with pytest.raises(RuntimeError):
            async with transaction(db):
                await subscriptions.set_zone(db, 1, "UTC", NOW)
                await subscriptions.activate(db, 1, "stretching", NOW)
                entered.set()
                await release.wait()
                raise RuntimeError("rolled back")

    writer = asyncio.create_task(half_done())
    await entered.wait()
    due = asyncio.create_task(subscriptions.due_subscriptions(db, NOW + timedelta(days=2)))
    user = asyncio.create_task(users.get_user(db, 1))
    summary = asyncio.create_task(privacy.chat_summary(db, 1))
    await asyncio.sleep(0.05)
    if dialect(db) == "sqlite":
        assert not (due.done() or user.done() or summary.done())  # waiting, not reading into it
    else:  # its own connection and snapshot: done at once, seeing nothing uncommitted
        assert await due == [] and await user is None and (await summary).empty
    release.set()
    await writer
    assert await due == [] and await user is None and (await summary).empty


async def test_transaction_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        async with transaction(db):
            await write(db, "INSERT INTO users (chat_id, created_at, updated_at) VALUES (99, 0, 0)")
            raise RuntimeError("boom")
    assert await users.get_user(db, 99) is None


# --- completions, streaks, counts ---------------------------------------------------------------------


async def test_completions_and_streaks(db):
    today = date(2024, 5, 10)
    for offset in (0, 1, 2, 4):
        assert await completions.record_completion(db, 7, "stretching", today - timedelta(days=offset), NOW)
    assert not await completions.record_completion(db, 7, "stretching", today, NOW)  # once a day
    await completions.record_completion(db, 7, "hydration", today, NOW)
    assert await completions.streak(db, 7, "stretching", today) == 3
    assert await completions.streak(db, 7, "stretching", today + timedelta(days=1)) == 3  # not done yet today
    assert await completions.streak(db, 7, "stretching", today + timedelta(days=2)) == 0
    assert await completions.streak(db, 7, "hydration", today) == 1
    assert await completions.streak(db, 8, "stretching", today) == 0


async def test_triage_counts_are_parameterised_and_anonymous(db):
    odd = "x'); DROP TABLE users; --"
    await stats.count_triage_outcome(db, odd)
    await stats.count_triage_outcome(db, "emergency")
    await stats.count_triage_outcome(db, "emergency")
    assert await stats.triage_counts(db) == {"emergency": 2, odd: 1}
    assert await scalar(db, "SELECT COUNT(*) FROM users") == 0  # the table survived


async def test_stats_counts_the_last_24_hours(db):
    s1 = await make_active(db, 1, "UTC")
    await make_active(db, 2, "UTC", kind="hydration")
    await make_active(db, 3, "UTC", kind="hydration")
    await subscriptions.deactivate(db, 3, "hydration", NOW)
    old, new, bad, pending = (DeliveryKey(s1.id, date(2024, 4, d), 0) for d in (1, 2, 3, 4))
    for key in (old, new, bad, pending):
        await deliveries.claim_delivery(db, key, NOW - timedelta(hours=30))
    await deliveries.mark_sent(db, old, 1, NOW - timedelta(hours=25))
    await deliveries.mark_sent(db, new, 2, NOW - timedelta(hours=1))
    await deliveries.mark_failed(db, bad, NOW - timedelta(hours=2), "403")
    await deliveries.release_claim(db, pending, NOW, "timeout")
    counts = await stats.stats(db, NOW)
    assert counts == stats.Stats(users=3, active={"stretching": 1, "hydration": 1}, sent_24h=1, failed_24h=1, retrying=1)
    assert await deliveries.prune_deliveries(db, NOW - timedelta(hours=24)) == 1
    assert await deliveries.get_delivery(db, old) is None and await deliveries.get_delivery(db, new) is not None


# --- forgetting a user ---------------------------------------------------------------------------------

ANONYMOUS_TABLES = {"triage_outcomes"}


async def fill_everything(conn, chat_id: int) -> list[int]:
    await users.upsert_user(conn, chat_id, chat_id + 1000, NOW)
    await subscriptions.set_zone(conn, chat_id, "Europe/Berlin", NOW)
    ids = []
    for kind in ("stretching", "hydration"):
        sub = await subscriptions.activate(conn, chat_id, kind, NOW)
        ids.append(sub.id)
        key = sub.key(sub.next)
        await deliveries.claim_delivery(conn, key, NOW)
        await deliveries.mark_sent(conn, key, 42, NOW)
        await deliveries.claim_delivery(conn, DeliveryKey(sub.id, date(2024, 5, 1), 0), NOW)
        await subscriptions.snooze(conn, key, NOW)
        await completions.record_completion(conn, chat_id, kind, date(2024, 5, 2), NOW)
    await stats.count_triage_outcome(conn, "self-care")
    await open_triage.save_open_triage(conn, chat_id, 7, "abc123", "nn", NOW)
    await pending.save_pending(conn, chat_id, "zone", "on:stretching", NOW)
    return ids


async def table_columns(conn) -> dict[str, list[str]]:
    """Every table and its columns, from the backend's own catalogue."""
    if dialect(conn) == "postgresql":
        rows = await read(conn, "SELECT table_name, column_name FROM information_schema.columns "
                                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
        found: dict[str, list[str]] = {}
        for table, column in rows:
            found.setdefault(table, []).append(column)
        found.pop("schema_version", None)  # the migrations' bookkeeping: no user data
        return found
    tables = [r[0] for r in await read(
        conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {table: [r[1] for r in await read(conn, f"PRAGMA table_info({table})")] for table in tables}


async def rows_about(conn, chat_id: int, user_id: int, sub_ids: list[int]) -> dict[str, int]:
    """Rows in every table that mention the chat, its user id or its subscriptions."""
    found = {}
    for table, columns in (await table_columns(conn)).items():
        conditions, params = [], []
        for column, values in (("chat_id", [chat_id]), ("user_id", [user_id]), ("subscription_id", sub_ids)):
            if column in columns:
                conditions.append(f"{column} IN ({','.join('?' * len(values))})")
                params += values
        if table == "subscriptions":
            conditions.append(f"id IN ({','.join('?' * len(sub_ids))})")
            params += sub_ids
        if not conditions:
            assert table in ANONYMOUS_TABLES, f"table {table} has no user column: decide how /forget treats it"
            continue
        found[table] = await scalar(conn, f"SELECT COUNT(*) FROM {table} WHERE {' OR '.join(conditions)}", params)
    return found


async def test_forget_chat_leaves_no_row_of_the_user_in_any_table(db):
    gone_ids = await fill_everything(db, 100)
    kept_ids = await fill_everything(db, 200)
    before = await rows_about(db, 100, 1100, gone_ids)
    assert set(before) == {"users", "subscriptions", "deliveries", "completions", "awaiting"}
    assert all(n > 0 for n in before.values())

    assert await privacy.forget_chat(db, 100)
    assert await rows_about(db, 100, 1100, gone_ids) == {t: 0 for t in before}
    assert await rows_about(db, 200, 1200, kept_ids) == before  # the other user is untouched
    assert await subscriptions.due_subscriptions(db, NOW + timedelta(days=2)) != []
    assert all(s.chat_id == 200 for s in await subscriptions.due_subscriptions(db, NOW + timedelta(days=2)))
    assert (await stats.triage_counts(db))["self-care"] == 2
    assert not await privacy.forget_chat(db, 100)  # nothing left to forget


@sqlite_only
async def test_forget_works_even_without_foreign_key_enforcement(db):
    ids = await fill_everything(db, 100)
    await db.execute("PRAGMA foreign_keys = OFF")
    assert await privacy.forget_chat(db, 100)
    assert set((await rows_about(db, 100, 1100, ids)).values()) == {0}


# --- files: owner-only, and nothing of a forgotten user left in them -----------------------------------


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_the_folder_and_every_database_file_are_owner_only(tmp_path, monkeypatch):
    """Created so, not made so afterwards: with the after-the-fact fix (for older files) switched
    off, every file is still 0600 from its first byte."""
    monkeypatch.setattr(db_module, "_tighten", lambda path: None)
    existing = tmp_path / "srv"
    existing.mkdir(mode=0o755)
    path = existing / "new" / "data" / "bot.sqlite3"
    old = os.umask(0o022)  # the usual umask: left to it, folders are 0755 and files 0644
    try:
        conn = await open_db(path)
    finally:
        os.umask(old)
    try:
        await subscriptions.set_zone(conn, 1, "UTC", NOW)  # writes: the -wal and -shm files exist now
        files = database_files(path)
        assert [p.name for p in files] == ["bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"]
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert (mode(path.parent), mode(path.parent.parent)) == (0o700, 0o700)  # both created here
        assert mode(existing) == 0o755  # a folder that existed keeps its mode
    finally:
        await close_db(conn)


async def test_a_database_readable_by_others_is_made_owner_only(tmp_path):
    path = tmp_path / "bot.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    conn = await open_db(path)
    try:
        assert mode(path) == 0o600
    finally:
        await close_db(conn)


@sqlite_only
async def test_a_checkpoint_held_up_by_a_reader_is_retried_until_the_log_is_empty(db, db_path):
    await subscriptions.set_zone(db, 100, "Pacific/Chatham", NOW)
    reader = sqlite3.connect(db_path)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT zone FROM users").fetchall() == [("Pacific/Chatham",)]  # a snapshot
        assert await privacy.forget_chat(db, 100)
        assert not await checkpoint_soon(db)  # the reader is in the way: not now, but soon
        await asyncio.sleep(0.2)
        assert b"Pacific/Chatham" in Path(f"{db_path}-wal").read_bytes()  # still needed by the reader
        reader.commit()  # the reader is done; its connection stays open
        for _ in range(100):
            if not any(b"Pacific/Chatham" in p.read_bytes() for p in database_files(db_path)):
                break
            await asyncio.sleep(0.05)
        assert not any(b"Pacific/Chatham" in p.read_bytes() for p in database_files(db_path))
        assert Path(f"{db_path}-wal").stat().st_size == 0
    finally:
        reader.close()


async def test_deleted_rows_are_zeroed_whatever_the_sqlite_build_says(tmp_path, monkeypatch):
    """Debian builds SQLite with secure_delete on by default; others (python.org, macOS) do not.
    On a connection that starts with it off, a deleted zone must still leave no bytes behind."""
    real_connect = aiosqlite.connect

    async def connect_off_by_default(*args, **kwargs):
        conn = await real_connect(*args, **kwargs)
        await conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(aiosqlite, "connect", connect_off_by_default)
    path = tmp_path / "bot.sqlite3"
    conn = await open_db(path)
    try:
        await subscriptions.set_zone(conn, 7, "Pacific/Chatham", NOW)
        await subscriptions.set_zone(conn, 8, "Europe/Berlin", NOW)  # the page stays in use
        assert await checkpoint(conn)
        assert await privacy.forget_chat(conn, 7)
        assert await checkpoint(conn)
        assert not any(b"Pacific/Chatham" in p.read_bytes() for p in database_files(path))
    finally:
        await close_db(conn)


@sqlite_only
async def test_a_checkpoint_never_waits_for_readers_so_writes_go_on(db, db_path):
    reader = sqlite3.connect(db_path)
    try:
        await subscriptions.set_zone(db, 1, "UTC", NOW)
        reader.execute("BEGIN")
        reader.execute("SELECT * FROM users").fetchall()
        began = asyncio.get_running_loop().time()
        assert not await checkpoint(db)
        await subscriptions.set_zone(db, 2, "UTC", NOW)
        assert asyncio.get_running_loop().time() - began < 1.0  # not busy_timeout (5 s)
    finally:
        reader.close()


@sqlite_only
async def test_backup_is_a_consistent_owner_only_copy_taken_while_the_bot_writes(db, db_path, tmp_path):
    await subscriptions.set_zone(db, 1, "Europe/Berlin", NOW)
    target = tmp_path / "backups" / "monday.sqlite3"
    old = os.umask(0o022)
    try:
        assert backup(db_path, target) == target
    finally:
        os.umask(old)
    assert (mode(target), mode(target.parent)) == (0o600, 0o700)
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT zone FROM users WHERE chat_id = 1").fetchall() == [("Europe/Berlin",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()
    assert await checkpoint(db)  # the backup left no reader behind
    assert list(target.parent.iterdir()) == [target]  # no temporary file left


@sqlite_only
async def test_backup_command_copies_the_database_named_by_database_path(db, db_path, tmp_path):
    await subscriptions.set_zone(db, 1, "Europe/Berlin", NOW)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(db_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert "backed up" in out.decode() and mode(tmp_path / "copy.sqlite3") == 0o600
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(tmp_path / "x.sqlite3"), "--database", str(tmp_path / "none"),
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2 and err.decode().startswith("error: cannot back up") and len(err.splitlines()) == 1


async def test_the_two_awaiting_tables_become_one_and_keep_what_was_open(tmp_path):
    """Migration 5: an open check and a reminder prompt move into the one awaiting row per chat;
    where a chat had both, the newer question wins."""
    conn = await aiosqlite.connect(tmp_path / "old.sqlite3")
    try:
        await migrate(conn, MIGRATIONS[:4])
        await conn.execute("INSERT INTO triage_open VALUES (1, 50, 'abc123', 'ny', 100)")
        await conn.execute("INSERT INTO pending_inputs VALUES (2, 'zone', 'on', 200)")
        await conn.execute("INSERT INTO triage_open VALUES (3, 70, 'abc123', '', 100)")
        await conn.execute("INSERT INTO pending_inputs VALUES (3, 'time:stretching:at', NULL, 300)")
        await conn.commit()
        await migrate(conn, MIGRATIONS)
        rows = await conn.execute_fetchall("SELECT * FROM awaiting ORDER BY chat_id")
        assert [tuple(r) for r in rows] == [
            (1, "triage", 50, "abc123:ny", None, 100),
            (2, "prompt", None, "zone", "on", 200),
            (3, "prompt", None, "time:stretching:at", None, 300),
        ]
        names = {r[0] for r in await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not names & {"triage_open", "pending_inputs"}
    finally:
        await conn.close()


async def test_a_new_question_replaces_the_open_one_whatever_its_kind(db):
    await open_triage.save_open_triage(db, 9, 10, "v1", "n", NOW)
    await pending.save_pending(db, 9, "zone", None, NOW)
    assert await open_triage.get_open_triage(db, 9) is None  # one awaiting state per chat
    assert (await pending.get_pending(db, 9, NOW)).awaiting == "zone"
    await open_triage.save_open_triage(db, 9, 11, "v1", "", NOW)
    assert await pending.get_pending(db, 9, NOW) is None
    assert (await open_triage.get_open_triage(db, 9)).answers == ""


async def test_take_pending_deletes_the_prompt_and_answers_it_only_while_live(db):
    await pending.save_pending(db, 9, "zone", "on:stretching", NOW)
    taken = await pending.take_pending(db, 9, NOW + pending.MAX_AGE)  # exactly MAX_AGE old: still live
    assert taken == pending.Pending(9, "zone", "on:stretching")
    assert await pending.take_pending(db, 9, NOW) is None  # gone
    await pending.save_pending(db, 9, "zone", None, NOW)
    assert await pending.take_pending(db, 9, NOW + pending.MAX_AGE + timedelta(seconds=1)) is None  # stale
    assert not await pending.anything_awaited(db, 9)  # ...and deleted all the same
    await open_triage.save_open_triage(db, 9, 10, "v1", "", NOW)
    assert await pending.take_pending(db, 9, NOW) is None  # another kind's row is left alone
    assert await pending.anything_awaited(db, 9)
    assert await pending.clear_pending(db, 9) is False
    assert await open_triage.close_open_triage(db, 9) is True
    assert not await pending.anything_awaited(db, 9)
