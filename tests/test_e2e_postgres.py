"""Two bot Applications in webhook mode on one PostgreSQL database, as two processes behind one
reverse proxy would run: what one stores the other reads, and their dispatchers, ticking at the
same moment, send each due reminder once. A real server (TEST_DATABASE_URL); without one this
skips, or fails with REQUIRE_POSTGRES=1 (tests/backends.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.storage import subscriptions, users
from bot.storage.pg import PgDatabase
from bot.telegram import reminder_sender
from tests.backends import place
from tests.test_e2e_webhook import WebhookBot, start_update

UTC = timezone.utc
SETUP = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
NINE_BERLIN = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin (summer time)

# PTB's own RetryAfter constructor reads its deprecated int attribute; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")


@pytest.fixture
async def two_processes(fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env leaks into the settings
    async with place("postgresql", tmp_path) as where:
        url = f"{where.url}?search_path={where.schema}"  # asyncpg passes it on as a server setting
        first, second = WebhookBot(fake, tmp_path / "a"), WebhookBot(fake, tmp_path / "b")
        try:
            # Both start at once on an empty database: the migrations run once, under their lock.
            await asyncio.gather(first.start(database_url=url), second.start(database_url=url))
            yield first, second
        finally:
            await first.stop()
            await second.stop()


def db_of(running: WebhookBot):
    from bot.telegram.services import KEY

    return running.app.bot_data[KEY].db


async def test_two_webhook_processes_share_one_database_and_send_each_reminder_once(two_processes, fake, no_violations):
    first, second = two_processes
    assert isinstance(db_of(first), PgDatabase) and isinstance(db_of(second), PgDatabase)
    chats = range(3000, 3040)
    for chat in chats:  # set up through the first process
        fake.user(chat)
        await subscriptions.set_zone(db_of(first), chat, "Europe/Berlin", SETUP)
        await subscriptions.update_settings(db_of(first), chat, "stretching", SETUP, at=time(9, 0))
        await subscriptions.activate(db_of(first), chat, "stretching", SETUP)
    assert (await users.get_user(db_of(second), 3000)).zone == "Europe/Berlin"  # seen by the second

    at = NINE_BERLIN + timedelta(seconds=1)
    reports = await asyncio.gather(reminder_sender.tick(first.app, at), reminder_sender.tick(second.app, at))
    assert sum(r.sent for r in reports) == len(chats)
    assert all(fake.sent_count(chat) == 1 for chat in chats)
    again = await asyncio.gather(reminder_sender.tick(first.app, at), reminder_sender.tick(second.app, at))
    assert sum(r.sent for r in again) == 0 and fake.sent_count() == len(chats)


async def test_an_update_to_either_process_reads_the_same_chat(two_processes, fake, no_violations):
    """Ann's zone, stored by the first process, is what /privacy at the second one reports."""
    first, second = two_processes
    fake.user(111, "Ann")
    await subscriptions.set_zone(db_of(first), 111, "Pacific/Chatham", SETUP)
    status, _ = await fake.post_update(second.url, start_update(111, "/privacy"))
    assert status == 200
    await fake.wait_until(lambda: fake.sent_count(111) > 0, timeout=10, what="the /privacy reply")
    reply = fake.user(111).last.text
    assert "Pacific/Chatham" in reply and not reply.rstrip().endswith("Nothing.")
