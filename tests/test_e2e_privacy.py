"""End to end: /privacy, /forget (nothing of the user left in any table or in the file) and /stats."""

import asyncio
import sqlite3
from datetime import date, datetime, timezone

from bot.storage import completions, open_triage, privacy, stats, subscriptions, users
from bot.telegram import reminder_sender
from tests.reminder_steps import said_back, zone_prompt

UTC = timezone.utc
ANN_ZONE = "Pacific/Chatham"  # nobody else in these tests uses it, so its bytes identify Ann


def texts(bot):
    return bot.services.reminders.texts


async def tick(bot):
    return await reminder_sender.tick(bot.app, bot.clock.now)


async def opt_in(bot, user, kind_button, zone="Berlin"):
    """Switch a kind on: tap it, tap 09:00, name the zone, say Yes to what is said back."""
    await user.send("/reminders")
    screen = await user.reply()
    await user.tap(screen, kind_button)
    await user.tap(await user.reply(), "09:00")
    await zone_prompt(user)
    await user.send(zone)
    await user.tap(await said_back(user), texts(bot).buttons.yes)
    return await user.reply()


def database_files(bot):
    """The SQLite file and its -wal / -shm companions."""
    return [p for p in bot.db_path.parent.iterdir() if p.name.startswith(bot.db_path.name)]


async def all_rows_mentioning(conn, values: set[int], sub_ids: set[int]) -> dict[str, int]:
    """Every table, every column: rows holding one of `values` (or, in deliveries, one of sub_ids)."""
    found = {}
    tables = [r[0] for r in await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        columns = [r[1] for r in await conn.execute_fetchall(f'PRAGMA table_info("{table}")')]
        conditions = [f'"{c}" IN ({",".join("?" * len(values))})' for c in columns]
        params = [v for _ in columns for v in values]
        if table in ("deliveries", "subscriptions") and sub_ids:
            column = "subscription_id" if table == "deliveries" else "id"
            conditions.append(f"{column} IN ({','.join('?' * len(sub_ids))})")
            params += sorted(sub_ids)
        rows = await conn.execute_fetchall(f'SELECT COUNT(*) FROM "{table}" WHERE {" OR ".join(conditions)}', params)
        if rows[0][0]:
            found[table] = rows[0][0]
    return found


async def test_privacy_says_what_is_stored_and_why(bot, fake, no_violations):
    ann = fake.user(301)
    await ann.send("/privacy")
    first = await ann.reply()
    assert "time zone" in first.text and "/forget" in first.text
    assert "anonymous" in first.text.lower() and "/triage" in first.text
    assert first.text.rstrip().endswith("Nothing.")
    assert await users.get_user(bot.services.db, 301) is None  # asking stores nothing

    await opt_in(bot, ann, texts(bot).buttons.stretching_on)
    await ann.send("/privacy")
    second = await ann.reply()
    assert "Time zone: Europe/Berlin" in second.text
    assert "Reminders switched on: Stretching" in second.text
    assert "Days marked done: 0" in second.text


async def test_forget_deletes_every_row_and_byte_of_the_user(bot, fake, no_violations):
    ann, bob = fake.user(302), fake.user(303)
    t = texts(bot)
    await opt_in(bot, ann, t.buttons.stretching_on, zone=ANN_ZONE)
    await ann.tap(ann.last, t.buttons.hydration_on)
    await ann.tap(await ann.reply(), "09:00")  # the zone is known: on at once
    await ann.reply()
    await opt_in(bot, bob, t.buttons.stretching_on)
    db = bot.services.db
    # Reminders sent, one done, one snoozed, a time question open and a symptom check open.
    for hour in range(24):
        bot.clock.now = datetime(2026, 6, 2, hour, 0, 5, tzinfo=UTC)
        await tick(bot)
    ann.mark_read()
    reminders = [m for m in ann.messages if t.buttons.done in m.button_texts]
    assert len(reminders) >= 2
    await ann.tap(reminders[0], t.buttons.done)
    await ann.reply()
    await ann.tap(reminders[1], t.buttons.snooze)
    await ann.reply()
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_time)
    await ann.reply()
    await open_triage.save_open_triage(db, 302, ann.last.message_id, "v1", "yn", bot.clock.now)
    ann_subs = {s.id for s in await subscriptions.list_subscriptions(db, 302)}
    before = await privacy.rows_about_chat(db, 302)
    assert {"users", "subscriptions", "deliveries", "completions", "awaiting"} <= set(before)
    bob_before = await all_rows_mentioning(db, {303}, set())
    assert any(ANN_ZONE.encode() in p.read_bytes() for p in database_files(bot))  # the check below can fail

    await ann.send("/forget")
    confirm = await ann.reply()
    assert "can't be undone" in confirm.text
    await ann.tap(confirm, t.buttons.forget_yes)
    done = await ann.reply()
    assert done.text == t.privacy.forgotten

    assert await all_rows_mentioning(db, {302}, ann_subs) == {}
    assert await all_rows_mentioning(db, {303}, set()) == bob_before  # Bob keeps his
    await bot.stop()  # closes the database: what is left is the file itself
    for path in database_files(bot):
        assert ANN_ZONE.encode() not in path.read_bytes(), path.name
    await bot.start()
    bot.clock.advance(days=2)
    await tick(bot)
    assert [m for m in ann.unread() if t.buttons.done in m.button_texts] == []  # no reminder after /forget


async def test_forget_erases_the_bytes_while_another_connection_stays_open(bot, fake, no_violations):
    """A backup or a monitoring script reads the file while Ann taps /forget: the log cannot be
    emptied while its read lasts, and is emptied as soon as the read ends - with that
    connection still open and the bot still running."""
    ann = fake.user(309)
    t = texts(bot)
    await opt_in(bot, ann, t.buttons.stretching_on, zone=ANN_ZONE)
    reader = sqlite3.connect(bot.db_path)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT zone FROM users WHERE chat_id = 309").fetchall() == [(ANN_ZONE,)]
        await ann.send("/forget")
        await ann.tap(await ann.reply(), t.buttons.forget_yes)
        assert (await ann.reply()).text == t.privacy.forgotten  # answered at once, not after the reader
        reader.commit()  # the read ends; the connection stays open
        deadline = asyncio.get_running_loop().time() + 10
        while any(ANN_ZONE.encode() in p.read_bytes() for p in database_files(bot)):
            assert asyncio.get_running_loop().time() < deadline, "Ann's zone is still in the database files"
            await asyncio.sleep(0.05)
        assert reader.execute("SELECT COUNT(*) FROM users WHERE chat_id = 309").fetchone() == (0,)
    finally:
        reader.close()


async def test_forget_can_be_called_off_and_says_when_there_is_nothing(bot, fake, no_violations):
    ann = fake.user(304)
    t = texts(bot)
    await opt_in(bot, ann, t.buttons.stretching_on)
    await ann.send("/forget")
    await ann.tap(await ann.reply(), t.buttons.forget_no)
    assert (await ann.reply()).text == t.privacy.kept
    assert (await subscriptions.get_subscription(bot.services.db, 304, "stretching")).active

    carl = fake.user(305)
    await carl.send("/forget")
    await carl.tap(await carl.reply(), t.buttons.forget_yes)
    assert (await carl.reply()).text == t.privacy.nothing_to_forget


async def test_stats_for_admins_only(bot, fake, no_violations):
    bot.extra["admin_ids"] = "111"
    await bot.restart()
    t = texts(bot)
    dan, eve = fake.user(306), fake.user(307)
    await opt_in(bot, dan, t.buttons.stretching_on)
    await opt_in(bot, eve, t.buttons.stretching_on)
    await stats.count_triage_outcome(bot.services.db, "self-care")
    fake.chats[307].blocked = True
    bot.clock.now = datetime(2026, 6, 2, 7, 0, 5, tzinfo=UTC)
    await tick(bot)
    dan.mark_read()

    admin = fake.user(111)
    await admin.send("/stats")
    shown = await admin.reply()
    assert "Users: 2" in shown.text
    assert "Stretching reminders on: 1" in shown.text and "Water reminders on: 0" in shown.text
    assert "Sent in the last 24 h: 1" in shown.text and "Failed in the last 24 h: 1" in shown.text
    assert "self-care 1" in shown.text

    await dan.send("/stats")
    refused = await dan.reply()
    assert refused.text == bot.services.content.messages.unknown_command
    assert await completions.streak(bot.services.db, 306, "stretching", date(2026, 6, 2)) == 0
