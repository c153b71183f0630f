"""Forward-only schema migrations, tracked by PRAGMA user_version.

Migration N (1-based) moves the schema from version N-1 to N. Each runs in its own
BEGIN IMMEDIATE transaction together with the user_version bump, and re-reads the version
inside the transaction, so two processes starting at once apply each migration once.
Never edit a released migration; append a new one.
"""

from __future__ import annotations

import aiosqlite

from bot.storage.tx import transaction

# Times are INTEGER seconds since the epoch (UTC); local dates are ISO text "2024-03-31";
# wall-clock times are "HH:MM".
V1 = (
    """
    CREATE TABLE users (
        chat_id     INTEGER PRIMARY KEY,
        user_id     INTEGER,
        zone        TEXT,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE subscriptions (
        id                INTEGER PRIMARY KEY,
        chat_id           INTEGER NOT NULL REFERENCES users(chat_id) ON DELETE CASCADE,
        kind              TEXT NOT NULL CHECK (kind IN ('stretching', 'hydration')),
        active            INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        at_time           TEXT NOT NULL DEFAULT '09:00',
        per_day           INTEGER NOT NULL DEFAULT 4,
        start_time        TEXT NOT NULL DEFAULT '09:00',
        end_time          TEXT NOT NULL DEFAULT '19:00',
        next_due_utc      INTEGER,
        next_local_date   TEXT,
        next_slot         INTEGER,
        snoozed_until     INTEGER,
        snooze_local_date TEXT,
        snooze_slot       INTEGER,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL,
        UNIQUE (chat_id, kind)
    )
    """,
    "CREATE INDEX subscriptions_due ON subscriptions (active, next_due_utc)",
    "CREATE INDEX subscriptions_snoozed ON subscriptions (snoozed_until) WHERE snoozed_until IS NOT NULL",
    """
    CREATE TABLE deliveries (
        subscription_id INTEGER NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        local_date      TEXT NOT NULL,
        slot            INTEGER NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'retry', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 1,
        claimed_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        sent_at         INTEGER,
        message_id      INTEGER,
        error           TEXT,
        PRIMARY KEY (subscription_id, local_date, slot)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX deliveries_status ON deliveries (status, updated_at)",
    """
    CREATE TABLE completions (
        chat_id      INTEGER NOT NULL REFERENCES users(chat_id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('stretching', 'hydration')),
        local_date   TEXT NOT NULL,
        completed_at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, kind, local_date)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE triage_outcomes (
        level TEXT PRIMARY KEY,
        count INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
)

# The open symptom check of a chat: which message asks the open question and the answers so
# far, so a typed "yes" can be applied. Only what the running check needs; the row is deleted
# when the check ends, is cancelled or goes quiet, and by forget_chat.
V2 = (
    """
    CREATE TABLE triage_open (
        chat_id     INTEGER PRIMARY KEY,
        message_id  INTEGER NOT NULL,
        version     TEXT NOT NULL,
        answers     TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
    )
    """,
    "CREATE INDEX triage_open_updated ON triage_open (updated_at)",
)

# Typed input the reminder screens are waiting for (a time or a time zone), so a restart does not
# lose the question. One per chat; deleted when used, by /cancel, when stale, and by forget_chat.
V3 = (
    """
    CREATE TABLE pending_inputs (
        chat_id     INTEGER PRIMARY KEY,
        awaiting    TEXT NOT NULL,
        then_do     TEXT,
        updated_at  INTEGER NOT NULL
    )
    """,
)

# Leased claims (issue 11): who is sending a delivery and until when the claim holds, so a claim
# left behind by a process that died is taken back (bot.reminders.dispatcher), and how many
# attempts ended without knowing whether Telegram delivered (answer lost, crash mid-send): that
# count bounds the copies a person can get. Rows written before this migration have no owner and
# no lease, which reads as "expired".
V4 = (
    "ALTER TABLE deliveries ADD COLUMN owner TEXT",
    "ALTER TABLE deliveries ADD COLUMN lease_until INTEGER",
    "ALTER TABLE deliveries ADD COLUMN lost INTEGER NOT NULL DEFAULT 0",
)

# One "awaiting an answer" state per chat (issue 10): the open triage question and a reminder
# prompt were two tables with two expiry rules; one row per chat now says what the chat's next
# typed message may answer, so a new question replaces the old one and one expiry applies.
# kind 'triage': message_id and detail = "<question-set version>:<answers so far>";
# kind 'prompt': detail = what the text is read as ("zone", "time:hydration:start"), then_do.
V5 = (
    """
    CREATE TABLE awaiting (
        chat_id     INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('triage', 'prompt')),
        message_id  INTEGER,
        detail      TEXT NOT NULL,
        then_do     TEXT,
        updated_at  INTEGER NOT NULL
    )
    """,
    "CREATE INDEX awaiting_updated ON awaiting (updated_at)",
    "INSERT INTO awaiting (chat_id, kind, message_id, detail, then_do, updated_at) "
    "SELECT chat_id, 'triage', message_id, version || ':' || answers, NULL, updated_at FROM triage_open",
    # The newer of the two wins where a chat had both, as the newer question would have.
    "INSERT INTO awaiting (chat_id, kind, message_id, detail, then_do, updated_at) "
    "SELECT chat_id, 'prompt', NULL, awaiting, then_do, updated_at FROM pending_inputs WHERE true "
    "ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind, message_id = NULL, detail = excluded.detail, "
    "then_do = excluded.then_do, updated_at = excluded.updated_at WHERE excluded.updated_at > awaiting.updated_at",
    "DROP TABLE triage_open",
    "DROP TABLE pending_inputs",
)

MIGRATIONS: list[tuple[str, ...]] = [V1, V2, V3, V4, V5]


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the bot."""


async def user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    assert row is not None  # PRAGMA user_version always answers one row
    return int(row[0])


def missing(steps: list[tuple[str, ...]], current: int) -> list[tuple[int, tuple[str, ...]]]:
    """(version, statements) of each migration a database at version `current` lacks (SQLite's
    and PostgreSQL's alike); a database newer than this code is refused."""
    if current > len(steps):
        raise SchemaTooNew(f"database schema version {current} is newer than this code ({len(steps)})")
    return [(version, statements) for version, statements in enumerate(steps, start=1) if version > current]


async def migrate(conn: aiosqlite.Connection, migrations: list[tuple[str, ...]] | None = None) -> int:
    """Apply every migration the database lacks; return the resulting version."""
    steps = MIGRATIONS if migrations is None else migrations
    for version, statements in missing(steps, await user_version(conn)):
        async with transaction(conn):
            if await user_version(conn) >= version:  # another process got there first
                continue
            for statement in statements:
                await conn.execute(statement)
            # user_version takes no bound parameters; `version` is our own integer.
            await conn.execute(f"PRAGMA user_version = {int(version)}")
    return await user_version(conn)
