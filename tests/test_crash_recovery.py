"""A SIGKILL in the middle of a reminder batch loses no reminder (issue 11, item 2).

The real bot runs as `python -m bot` in a child process against the fake Bot API server, with
its production settings (the JobQueue job every 30 s, AIORateLimiter at ~30 messages/s). 300
reminders are due; once about 50 have arrived the process is killed with SIGKILL, then started
again. What the README promises must hold: every reminder arrives, and none twice except those
that were in flight - claimed and being sent - at the moment of the kill (at most 16).
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from datetime import datetime, timedelta, timezone

from bot.storage import deliveries, subscriptions
from bot.storage.db import close_db, open_db
from tests.subprocesses import clean_env, finish, start_bot, until_polling

UTC = timezone.utc
CHATS = range(900_001, 900_301)
KILL_AFTER = 50
IN_FLIGHT = 16  # what the README promises: at most this many claimed and unsettled at once


async def make_due(db_path, fake) -> None:
    """Every chat has a stretching reminder that fell due a minute ago (real time: the child
    process runs on the real clock)."""
    now = datetime.now(UTC)
    at = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    setup = at - timedelta(minutes=1)
    conn = await open_db(db_path)
    try:
        for chat in CHATS:
            fake.user(chat)
            await subscriptions.set_zone(conn, chat, "UTC", setup)
            await subscriptions.update_settings(conn, chat, "stretching", setup, at=at.time())
            await subscriptions.activate(conn, chat, "stretching", setup)
        assert len(await subscriptions.due_subscriptions(conn, now, 1000)) == len(CHATS)
    finally:
        await close_db(conn)


def claims(db_path) -> dict[str, set[int]]:
    """Chat ids per delivery status, read from the file as it is."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT s.chat_id, d.status FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id")
        found: dict[str, set[int]] = {}
        for chat, status in rows:
            found.setdefault(status, set()).add(chat)
        return found
    finally:
        conn.close()


async def test_sigkill_mid_batch_then_restart_every_reminder_arrives_none_twice_but_in_flight(fake, tmp_path):
    db_path = tmp_path / "data" / "bot.sqlite3"
    await make_due(db_path, fake)
    env = clean_env(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url, DATABASE_PATH=str(db_path))

    with open(tmp_path / "first.log", "wb") as log:
        first = await start_bot(cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log)
        try:
            await fake.wait_until(lambda: fake.sent_count() >= KILL_AFTER, timeout=60, what=f"{KILL_AFTER} reminders")
            first.send_signal(signal.SIGKILL)
        finally:
            await finish(first)
    assert first.returncode == -signal.SIGKILL
    arrived = Counter(call.chat_id for call in fake.calls_to("sendMessage") if call.ok)
    at_kill = claims(db_path)
    in_flight = at_kill.get("sending", set())
    assert KILL_AFTER <= sum(arrived.values()) < len(CHATS)  # killed mid-batch
    assert 0 < len(in_flight) <= IN_FLIGHT  # a crash strands only what was in flight
    assert set(arrived) <= at_kill.get("sent", set()) | in_flight  # all else arrived was recorded

    with open(tmp_path / "second.log", "wb") as log:
        second = await start_bot(cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log)
        try:
            await until_polling(fake, second, "the restarted bot")
            everyone = set(CHATS)
            await fake.wait_until(lambda: {c.chat_id for c in fake.calls_to("sendMessage") if c.ok} >= everyone,
                                  timeout=90, what="every reminder after the restart")
            await asyncio.sleep(1.5)  # anything the restarted bot would wrongly send again, it sends now
            second.send_signal(signal.SIGTERM)
        finally:
            code, _, _ = await finish(second)
    assert code == 0, (tmp_path / "second.log").read_text()

    arrived = Counter(call.chat_id for call in fake.calls_to("sendMessage") if call.ok)
    assert set(arrived) == set(CHATS)  # every reminder arrived
    twice = {chat for chat, n in arrived.items() if n > 1}
    assert twice <= in_flight  # a duplicate only where the kill cut a send short
    assert max(arrived.values()) <= deliveries.MAX_LOST
    after = claims(db_path)
    assert after.get("sent") == set(CHATS) and "sending" not in after and "retry" not in after
    second_log = (tmp_path / "second.log").read_text()
    assert f"took back {len(in_flight)} reminder claim(s)" in second_log
    assert "Traceback" not in second_log and fake.token not in second_log
