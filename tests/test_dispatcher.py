"""The dispatcher tick with an injected clock, a real SQLite file and the fake Bot API server."""

import asyncio
from datetime import date, datetime, time, timedelta, timezone

import pytest
from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.core.reminder_content import load_reminder_content
from bot.reminders.dispatcher import Deps, tick
from bot.storage import repositories as repo
from bot.storage.db import close_db, open_db
from bot.storage.repositories import DeliveryKey
from bot.telegram.aiohttp_request import AiohttpRequest
from tests.conftest import TOKEN

# PTB's own RetryAfter constructor reads its deprecated int attribute; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")

UTC = timezone.utc
BERLIN = "Europe/Berlin"
# 2026-06-01: Berlin is on summer time (UTC+2), so 09:00 local is 07:00 UTC.
SETUP = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
NINE_BERLIN = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def content():
    return load_reminder_content()


@pytest.fixture
async def db(tmp_path):
    conn = await open_db(tmp_path / "data" / "bot.sqlite3")
    yield conn
    await close_db(conn)


def make_bot(base_url, backend="aiohttp"):
    """A plain Bot (no rate limiter, so 429s reach the dispatcher) on the bot's aiohttp backend
    or on PTB's default httpx one."""
    request = AiohttpRequest() if backend == "aiohttp" else HTTPXRequest()
    return Bot(TOKEN, base_url=base_url, request=request)


@pytest.fixture
async def tg(fake):
    async with make_bot(fake.base_url) as bot:
        yield bot


async def subscribe(db, fake, chat_id, *, zone=BERLIN, kind="stretching", at=time(9, 0), now=SETUP, **settings):
    fake.user(chat_id)
    await repo.set_zone(db, chat_id, zone, now)
    await repo.update_settings(db, chat_id, kind, now, at=at, **settings)
    return await repo.activate(db, chat_id, kind, now)


def sent_to(fake, chat_id):
    return [c for c in fake.calls_to("sendMessage") if c.ok and c.chat_id == chat_id]


async def test_a_due_reminder_is_sent_once_with_its_buttons(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 501)
    deps = Deps(db, content)
    early = await tick(tg, deps, NINE_BERLIN - timedelta(seconds=1))
    assert early.due == 0 and fake.sent_count(501) == 0

    report = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=10))
    assert (report.due, report.sent) == (1, 1)
    message = fake.user(501).last
    assert content.stretch_heading in message.text
    key = DeliveryKey(sub.id, date(2026, 6, 1), 0)
    assert [data for row in message.buttons for _label, data in row] == [
        f"rm:d:{sub.id}:20260601:0", f"rm:sn:{sub.id}:20260601:0", f"rm:x:{sub.id}:20260601:0"]
    assert all(len(data.encode()) <= 64 for row in message.buttons for _l, data in row)
    delivery = await repo.get_delivery(db, key)
    assert delivery.status == "sent" and delivery.message_id == message.message_id

    again = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=40))
    assert again.due == 0 and fake.sent_count(501) == 1
    nxt = (await repo.get_subscription(db, 501, "stretching")).next
    assert nxt.local_date == date(2026, 6, 2) and nxt.due_utc == NINE_BERLIN + timedelta(days=1)


async def test_hydration_sends_each_slot_of_the_day_once(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 502, kind="hydration", per_day=4, start=time(9, 0), end=time(18, 0))
    deps = Deps(db, content)
    now = SETUP
    while now < SETUP + timedelta(hours=20):  # a tick every 10 minutes through the day
        await tick(tg, deps, now)
        now += timedelta(minutes=10)
    sent = sent_to(fake, 502)
    assert len(sent) == 4
    assert len({c.params["text"] for c in sent}) == 4  # a different tip each time


async def test_restart_and_a_crash_after_the_claim_send_nothing_twice(db, fake, tg, content, tmp_path, no_violations):
    sub = await subscribe(db, fake, 503)
    await subscribe(db, fake, 504)
    at = NINE_BERLIN + timedelta(seconds=5)
    # Process 1 claimed 504's reminder, then died before sending: the claim stays 'sending'.
    crashed = DeliveryKey(sub.id + 1, date(2026, 6, 1), 0)
    assert await repo.claim_delivery(db, crashed, at)
    assert (await tick(tg, Deps(db, content), at)).sent == 1
    # A restart: a new connection on the same file runs the same tick again.
    await close_db(db)
    reopened = await open_db(tmp_path / "data" / "bot.sqlite3")
    try:
        report = await tick(tg, Deps(reopened, content), at + timedelta(seconds=30))
        assert report.sent == 0
        assert (fake.sent_count(503), fake.sent_count(504)) == (1, 0)  # at most once, never twice
        assert (await repo.get_subscription(reopened, 504, "stretching")).next.local_date == date(2026, 6, 2)
    finally:
        await close_db(reopened)


async def test_two_processes_on_one_database_send_each_reminder_once(db, fake, tg, content, tmp_path, no_violations):
    for chat in range(510, 530):
        await subscribe(db, fake, chat)
    other = await open_db(tmp_path / "data" / "bot.sqlite3")
    try:
        at = NINE_BERLIN + timedelta(seconds=1)
        first, second = await asyncio.gather(tick(tg, Deps(db, content), at), tick(tg, Deps(other, content), at))
    finally:
        await close_db(other)
    assert first.sent + second.sent == 20
    assert all(fake.sent_count(chat) == 1 for chat in range(510, 530))


async def test_downtime_within_the_grace_window_sends_late(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 531)
    report = await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(hours=1, minutes=55))
    assert report.sent == 1 and fake.sent_count(531) == 1


async def test_downtime_beyond_the_grace_window_skips_to_the_next_slot(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 532)
    deps = Deps(db, content)
    report = await tick(tg, deps, NINE_BERLIN + timedelta(hours=2, minutes=5))
    assert (report.sent, report.skipped) == (0, 1)
    assert (await repo.get_subscription(db, 532, "stretching")).next.local_date == date(2026, 6, 2)
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(days=1, seconds=3))).sent == 1
    assert fake.sent_count(532) == 1


async def test_days_of_downtime_send_one_reminder_not_a_burst(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 533, kind="hydration", per_day=6, start=time(8, 0), end=time(20, 0))
    report = await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(days=3, hours=7, minutes=10))  # 16:10 local
    assert report.sent == 1 and fake.sent_count(533) == 1


@pytest.mark.parametrize(
    "day, expected_utc",
    [
        (date(2026, 3, 29), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # spring forward: 02:30 is 03:30 CEST
        (date(2026, 10, 25), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # fall back: the first 02:30 (CEST)
    ],
)
async def test_a_0230_reminder_fires_once_on_dst_days(db, fake, tg, content, day, expected_utc, no_violations):
    start = datetime.combine(day, time(0, 0), tzinfo=UTC) - timedelta(days=1)
    await subscribe(db, fake, 540, at=time(2, 30), now=start)
    deps = Deps(db, content)
    now, fired = start, []
    while now < start + timedelta(days=2):
        report = await tick(tg, deps, now)
        if report.sent:
            fired.append(now)
        now += timedelta(minutes=5)
    assert len(fired) == 2  # the day before and the DST day, once each
    assert expected_utc <= fired[1] < expected_utc + timedelta(minutes=5)


async def test_blocked_user_is_deactivated_and_not_retried(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 550)
    await subscribe(db, fake, 550, kind="hydration")
    await fake.user(550).block()
    deps = Deps(db, content)
    report = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    assert report.deactivated == 1 and report.sent == 0
    subs = await repo.list_subscriptions(db, 550)
    assert [s.active for s in subs] == [False, False]  # both kinds off
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(days=1, seconds=1))).due == 0
    # both kinds were due at 09:00 and went out in the same tick; neither is ever tried again
    assert len([c for c in fake.calls_to("sendMessage") if c.chat_id == 550]) == 2


async def test_vanished_chat_is_deactivated(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 551)
    fake.delete_chat(551)
    report = await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(seconds=1))
    assert report.deactivated == 1
    assert not (await repo.get_subscription(db, 551, "stretching")).active
    assert (await repo.get_delivery(db, DeliveryKey(sub.id, date(2026, 6, 1), 0))).status == "failed"


@pytest.mark.parametrize("code, description", [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors_are_retried_on_the_next_tick_once(db, fake, tg, content, code, description, no_violations):
    sub = await subscribe(db, fake, 552)
    fake.inject_error("sendMessage", code, description, chat_id=552)
    deps = Deps(db, content)
    first = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (first.sent, first.retry) == (0, 1)
    key = DeliveryKey(sub.id, date(2026, 6, 1), 0)
    assert (await repo.get_delivery(db, key)).status == "retry"
    second = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))
    assert second.sent == 1
    third = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=61))
    assert third.due == 0
    assert fake.sent_count(552) == 1
    delivery = await repo.get_delivery(db, key)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
async def test_no_connection_is_retried_on_the_next_tick(db, fake, tg, content, backend, no_violations):
    await subscribe(db, fake, 553)
    deps = Deps(db, content)
    unreachable = make_bot("http://127.0.0.1:9/bot", backend)  # nothing listens on port 9
    async with unreachable.request:  # not the Bot: its start-up getMe would fail first
        report = await tick(unreachable, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (report.retry, report.sent, report.unconfirmed) == (1, 0, 0)
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))).sent == 1
    assert fake.sent_count(553) == 1


async def test_a_persistent_error_gives_up_after_five_attempts(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 554)
    fake.inject_error("sendMessage", 500, "Internal Server Error", chat_id=554, times=10)
    deps = Deps(db, content)
    reports = [await tick(tg, deps, NINE_BERLIN + timedelta(seconds=30 * i)) for i in range(7)]
    assert [r.retry for r in reports] == [1, 1, 1, 1, 0, 0, 0]
    assert reports[4].failed == 1
    assert fake.sent_count(554) == 0
    assert (await repo.get_subscription(db, 554, "stretching")).next.local_date == date(2026, 6, 2)


async def test_429_stops_the_batch_and_waits_retry_after(db, fake, tg, content, no_violations):
    for chat in (560, 561, 562):
        await subscribe(db, fake, chat)
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5, times=3)
    deps = Deps(db, content)
    at = NINE_BERLIN + timedelta(seconds=1)
    first = await tick(tg, deps, at)
    assert (first.sent, first.held, first.retry_after) == (0, 3, 5)
    waiting = await tick(tg, deps, at + timedelta(seconds=3))
    assert waiting.paused and fake.sent_count() == 0
    later = await tick(tg, deps, at + timedelta(seconds=6))
    assert later.sent == 3
    assert [fake.sent_count(c) for c in (560, 561, 562)] == [1, 1, 1]
    sub = await repo.get_subscription(db, 560, "stretching")
    assert (await repo.get_delivery(db, DeliveryKey(sub.id, date(2026, 6, 1), 0))).attempts == 1  # 429 not counted


async def test_with_the_rate_limiter_a_429_is_waited_out_and_sent_once(db, fake, content, no_violations):
    await subscribe(db, fake, 563)
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    limited = ExtBot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(), rate_limiter=AIORateLimiter(max_retries=2))
    async with limited:
        report = await tick(limited, Deps(db, content), NINE_BERLIN + timedelta(seconds=1))
    assert report.sent == 1 and fake.sent_count(563) == 1


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
async def test_answer_lost_after_delivery_is_counted_as_sent_never_resent(db, fake, tg, content, backend, no_violations):
    """inject_disconnect(deliver=True): Telegram stored the message but the answer never came.

    The bot cannot tell this from a request that never arrived, so it keeps "at most once":
    the delivery is recorded as sent ('answer lost', no message id) and the next ticks do not
    resend it. The user has exactly one message."""
    sub = await subscribe(db, fake, 570)
    fake.inject_disconnect("sendMessage", chat_id=570, deliver=True)
    deps = Deps(db, content)
    async with make_bot(fake.base_url, backend) as bot:
        report = await tick(bot, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (report.unconfirmed, report.sent, report.retry) == (1, 0, 0)
    for seconds in (31, 61, 91):
        assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=seconds))).due == 0
    assert fake.sent_count(570) == 1
    delivery = await repo.get_delivery(db, DeliveryKey(sub.id, date(2026, 6, 1), 0))
    assert (delivery.status, delivery.error, delivery.message_id) == ("sent", "answer lost", None)


async def test_connection_dropped_before_delivery_is_also_not_resent(db, fake, tg, content, no_violations):
    """The flip side of at most once: a drop that lost the request looks the same, so that one
    reminder is missed (the next day's comes as usual)."""
    await subscribe(db, fake, 571)
    fake.inject_disconnect("sendMessage", chat_id=571, deliver=False)
    deps = Deps(db, content)
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))).unconfirmed == 1
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))).due == 0
    assert fake.sent_count(571) == 0
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(days=1, seconds=1))).sent == 1


async def test_snoozed_copy_comes_once_30_minutes_later(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 580)
    deps = Deps(db, content)
    await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    tapped = NINE_BERLIN + timedelta(minutes=2)
    due = await repo.snooze(db, DeliveryKey(sub.id, date(2026, 6, 1), 0), tapped)
    assert due.slot == 100 and due.due_utc == tapped + timedelta(minutes=30)
    assert (await tick(tg, deps, tapped + timedelta(minutes=29))).sent == 0
    assert (await tick(tg, deps, tapped + timedelta(minutes=30))).sent == 1
    assert (await tick(tg, deps, tapped + timedelta(minutes=31))).due == 0
    second = fake.user(580).last
    assert second.buttons[0][0][1] == f"rm:d:{sub.id}:20260601:100"
    assert fake.sent_count(580) == 2


async def test_switched_off_and_other_kinds_send_nothing(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 581)
    await repo.deactivate(db, 581, "stretching", SETUP)
    await repo.update_settings(db, 582, "hydration", SETUP)  # set up but never switched on
    assert (await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(hours=1))).due == 0
    assert fake.sent_count() == 0


async def test_a_tick_drains_more_than_one_due_query(db, fake, tg, content, no_violations):
    for chat in range(600, 625):
        await subscribe(db, fake, chat)
    report = await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(seconds=1), limit=10)
    assert report.sent == 25 and fake.sent_count() == 25


async def test_users_in_other_zones_get_their_local_time(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 630, zone="Asia/Kolkata")  # 09:00 IST = 03:30 UTC
    await subscribe(db, fake, 631, zone="-05:00")  # 09:00 at UTC-5 = 14:00 UTC
    deps = Deps(db, content, {})
    day = datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
    fired = {}
    for minutes in range(0, 24 * 60, 15):
        now = day + timedelta(minutes=minutes)
        await tick(tg, deps, now)
        for chat in (630, 631):
            if fake.sent_count(chat) and chat not in fired:
                fired[chat] = now
    assert fired == {630: day + timedelta(hours=3, minutes=30), 631: day + timedelta(hours=14)}


async def test_schedule_all_recomputes_next_due_and_keeps_snoozes(db, fake, content):
    berlin = await subscribe(db, fake, 640)
    kolkata = await subscribe(db, fake, 641, zone="Asia/Kolkata", kind="hydration", per_day=3)
    await repo.deactivate(db, 641, "hydration", SETUP)
    await db.execute("UPDATE subscriptions SET next_due_utc = 1 WHERE id = ?", (berlin.id,))
    await repo.snooze(db, DeliveryKey(berlin.id, date(2026, 6, 1), 0), SETUP)
    assert await repo.schedule_all(db, SETUP, batch=1) == 1  # only active ones
    after = await repo.get_subscription(db, 640, "stretching")
    assert after.next == berlin.next and after.snooze is not None
    assert (await repo.get_subscription(db, 641, "hydration")).next is None
    assert kolkata.id != berlin.id
