"""The dispatcher tick with an injected clock, a real database of each backend (SQLite, then
PostgreSQL: tests/backends.py) and the fake Bot API server.

Most tests send through the real Telegram adapter (bot.telegram.reminder_sender.TelegramSender on a
python-telegram-bot Bot) to the fake server; a few use a scripted Sender to reach outcomes a
server cannot produce on demand (a hang, an exception, a send held back mid-batch).
"""

import asyncio
import os
import socket
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.core.reminder_content import load_reminder_content
from bot.reminders import dispatcher
from bot.reminders.dispatcher import Deps
from bot.storage import deliveries, subscriptions
from bot.storage.db import close_db
from bot.storage.deliveries import DeliveryKey
from bot.storage.tx import read, write
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.reminder_sender import TelegramSender
from tests.conftest import TOKEN

# PTB's own RetryAfter constructor reads its deprecated int attribute; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
BERLIN = "Europe/Berlin"
# 2026-06-01: Berlin is on summer time (UTC+2), so 09:00 local is 07:00 UTC.
SETUP = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
NINE_BERLIN = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def content():
    return load_reminder_content()


@pytest.fixture
async def db(store_place):
    conn = await store_place.open()
    yield conn
    await close_db(conn)


async def count(conn, sql: str) -> int:
    return (await read(conn, sql))[0][0]


def make_bot(base_url, backend="aiohttp"):
    """A plain Bot (no rate limiter, so 429s reach the dispatcher) on the bot's aiohttp backend
    or on PTB's default httpx one."""
    request = AiohttpRequest() if backend == "aiohttp" else HTTPXRequest()
    return Bot(TOKEN, base_url=base_url, request=request)


async def tick(bot_or_sender, deps, now, **options):
    """dispatcher.tick through the Telegram adapter when given a Bot."""
    sender = bot_or_sender
    if isinstance(bot_or_sender, Bot):
        sender = TelegramSender(bot_or_sender, deps.reminders)
    return await dispatcher.tick(sender, deps, now, **options)


@pytest.fixture
async def tg(fake):
    async with make_bot(fake.base_url) as bot:
        yield bot


async def subscribe(db, fake, chat_id, *, zone=BERLIN, kind="stretching", at=time(9, 0), now=SETUP, **settings):
    fake.user(chat_id)
    await subscriptions.set_zone(db, chat_id, zone, now)
    await subscriptions.update_settings(db, chat_id, kind, now, at=at, **settings)
    return await subscriptions.activate(db, chat_id, kind, now)


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
    delivery = await deliveries.get_delivery(db, key)
    assert delivery.status == "sent" and delivery.message_id == message.message_id

    again = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=40))
    assert again.due == 0 and fake.sent_count(501) == 1
    nxt = (await subscriptions.get_subscription(db, 501, "stretching")).next
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


def dead_owner() -> str:
    """The claim owner of a process that has run and ended on this host."""
    pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                             check=True).stdout)
    return f"{socket.gethostname()}/{pid}/feedbeef"


async def test_a_claim_left_by_a_dead_process_is_sent_at_the_next_start(db, fake, tg, content, store_place, no_violations):
    """Process 1 claimed 504's reminder and died before recording the send. After a restart the
    first tick sees the owner is gone, takes the claim back and sends it: late, not lost."""
    await subscribe(db, fake, 503)
    sub = await subscribe(db, fake, 504)
    at = NINE_BERLIN + timedelta(seconds=5)
    key = sub.key(sub.next)
    assert await deliveries.claim_delivery(db, key, at, owner=dead_owner())
    await close_db(db)
    reopened = await store_place.open()  # the restarted process
    try:
        report = await tick(tg, Deps(reopened, content), at + timedelta(seconds=30))
        assert (report.recovered, report.sent) == (1, 2)
        assert (fake.sent_count(503), fake.sent_count(504)) == (1, 1)
        delivery = await deliveries.get_delivery(reopened, key)
        assert (delivery.status, delivery.attempts, delivery.lost) == ("sent", 2, 1)
        assert (await subscriptions.get_subscription(reopened, 504, "stretching")).next.local_date == date(2026, 6, 2)
        assert (await tick(tg, Deps(reopened, content), at + timedelta(seconds=60))).due == 0
    finally:
        await close_db(reopened)


async def test_a_claim_whose_owner_may_live_waits_for_its_lease(db, fake, tg, content, no_violations):
    """Another process that may still be sending (this host cannot tell it is gone) keeps its
    claim until the lease runs out; only then is the reminder taken back and sent."""
    sub = await subscribe(db, fake, 505)
    at = NINE_BERLIN + timedelta(seconds=5)
    alive = f"{socket.gethostname()}/{os.getpid()}/another-dispatcher"  # this very process: alive
    key = sub.key(sub.next)
    assert await deliveries.claim_delivery(db, key, at, owner=alive)
    deps = Deps(db, content)
    waiting = await tick(tg, deps, at + timedelta(seconds=30))
    assert (waiting.sent, waiting.duplicates, waiting.recovered) == (0, 1, 0)
    assert (await subscriptions.get_subscription(db, 505, "stretching")).next == sub.next  # still due
    later = await tick(tg, deps, at + deliveries.LEASE + timedelta(seconds=1))
    assert (later.recovered, later.sent) == (1, 1) and fake.sent_count(505) == 1


async def test_a_claim_taken_back_after_the_grace_window_is_skipped(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 506)
    assert await deliveries.claim_delivery(db, sub.key(sub.next), NINE_BERLIN, owner="elsewhere/1/x")
    report = await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(hours=2, minutes=1))
    assert (report.recovered, report.sent, report.skipped) == (1, 0, 1)
    assert (await subscriptions.get_subscription(db, 506, "stretching")).next.local_date == date(2026, 6, 2)


async def test_a_settled_send_is_not_recorded_by_a_process_whose_claim_was_taken_back(db, fake):
    """Fencing: the recording of a claim that was taken back (lease run out) and claimed anew
    changes nothing, so the new claim decides."""
    sub = await subscribe(db, fake, 507)
    key = sub.key(sub.next)
    slow = deliveries.Claim(key, "slow/1/a", await deliveries.claim_delivery(db, key, NINE_BERLIN, owner="slow/1/a"))
    assert await deliveries.recover_claims(db, NINE_BERLIN + deliveries.LEASE) == 1
    fresh = deliveries.Claim(key, "fast/2/b", await deliveries.claim_delivery(db, key, NINE_BERLIN + deliveries.LEASE, owner="fast/2/b"))
    assert fresh.attempt == 2
    assert not await deliveries.mark_sent(db, slow, 1, NINE_BERLIN + deliveries.LEASE)
    assert await deliveries.release_claim(db, slow, NINE_BERLIN + deliveries.LEASE, "late") is None
    assert (await deliveries.get_delivery(db, key)).status == "sending"
    assert await deliveries.mark_sent(db, fresh, 2, NINE_BERLIN + deliveries.LEASE)
    assert (await deliveries.get_delivery(db, key)).message_id == 2


async def test_two_processes_on_one_database_send_each_reminder_once(db, fake, tg, content, store_place, no_violations):
    for chat in range(510, 530):
        await subscribe(db, fake, chat)
    other = await store_place.open()
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
    assert (await subscriptions.get_subscription(db, 532, "stretching")).next.local_date == date(2026, 6, 2)
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
    subs = await subscriptions.list_subscriptions(db, 550)
    assert [s.active for s in subs] == [False, False]  # both kinds off
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(days=1, seconds=1))).due == 0
    # both kinds were due at 09:00 and went out in the same tick; neither is ever tried again
    assert len([c for c in fake.calls_to("sendMessage") if c.chat_id == 550]) == 2


async def test_vanished_chat_is_deactivated(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 551)
    fake.delete_chat(551)
    report = await tick(tg, Deps(db, content), NINE_BERLIN + timedelta(seconds=1))
    assert report.deactivated == 1
    assert not (await subscriptions.get_subscription(db, 551, "stretching")).active
    assert (await deliveries.get_delivery(db, DeliveryKey(sub.id, date(2026, 6, 1), 0))).status == "failed"


@pytest.mark.parametrize("code, description", [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors_are_retried_on_the_next_tick_once(db, fake, tg, content, code, description, no_violations):
    sub = await subscribe(db, fake, 552)
    fake.inject_error("sendMessage", code, description, chat_id=552)
    deps = Deps(db, content)
    first = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (first.sent, first.retry) == (0, 1)
    key = DeliveryKey(sub.id, date(2026, 6, 1), 0)
    assert (await deliveries.get_delivery(db, key)).status == "retry"
    second = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))
    assert second.sent == 1
    third = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=61))
    assert third.due == 0
    assert fake.sent_count(552) == 1
    delivery = await deliveries.get_delivery(db, key)
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


async def test_a_persistent_error_is_retried_every_tick_until_the_grace_window_ends(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 554)
    fake.inject_error("sendMessage", 500, "Internal Server Error", chat_id=554, times=1000)
    deps = Deps(db, content)
    reports = [await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1, minutes=10 * i)) for i in range(13)]
    assert [r.retry for r in reports] == [1] * 12 + [0]  # 09:00 ... 10:50 local
    assert (reports[-1].skipped, reports[-1].sent) == (1, 0)  # 11:00:01: more than 2 h late
    assert len([c for c in fake.calls_to("sendMessage") if c.chat_id == 554]) == 12 and fake.sent_count(554) == 0
    assert (await deliveries.get_delivery(db, sub.key(sub.next))).attempts == 12
    assert (await subscriptions.get_subscription(db, 554, "stretching")).next.local_date == date(2026, 6, 2)
    fake.clear_faults()
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(days=1, seconds=1))).sent == 1


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
    sub = await subscriptions.get_subscription(db, 560, "stretching")
    assert (await deliveries.get_delivery(db, DeliveryKey(sub.id, date(2026, 6, 1), 0))).attempts == 1  # 429 not counted


async def test_with_the_rate_limiter_a_429_is_waited_out_and_sent_once(db, fake, content, no_violations):
    await subscribe(db, fake, 563)
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    limited = ExtBot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(), rate_limiter=AIORateLimiter(max_retries=2))
    async with limited:
        report = await tick(limited, Deps(db, content), NINE_BERLIN + timedelta(seconds=1))
    assert report.sent == 1 and fake.sent_count(563) == 1


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
async def test_answer_lost_after_delivery_is_sent_again_the_one_documented_duplicate(db, fake, tg, content, backend, no_violations):
    """inject_disconnect(deliver=True): Telegram stored the message but the answer never came.

    The bot cannot tell this from a request that never arrived, and a missed reminder is the
    worse failure, so the next tick sends it again (within the grace window): the person has
    it twice, and the record says so (lost=1)."""
    sub = await subscribe(db, fake, 570)
    fake.inject_disconnect("sendMessage", chat_id=570, deliver=True)
    deps = Deps(db, content)
    async with make_bot(fake.base_url, backend) as bot:
        report = await tick(bot, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (report.lost, report.sent, report.retry, report.unconfirmed) == (1, 0, 0, 0)
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))).sent == 1
    for seconds in (61, 91):
        assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=seconds))).due == 0
    assert fake.sent_count(570) == 2
    delivery = await deliveries.get_delivery(db, DeliveryKey(sub.id, date(2026, 6, 1), 0))
    assert (delivery.status, delivery.attempts, delivery.lost) == ("sent", 2, 1)
    assert delivery.message_id == fake.user(570).last.message_id


async def test_connection_dropped_before_delivery_is_sent_on_the_next_tick(db, fake, tg, content, no_violations):
    """The same drop when the request was lost: not counted as sent, so the reminder still comes,
    once, on the next tick."""
    await subscribe(db, fake, 571)
    fake.inject_disconnect("sendMessage", chat_id=571, deliver=False)
    deps = Deps(db, content)
    first = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (first.lost, first.sent) == (1, 0) and fake.sent_count(571) == 0
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))).sent == 1
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=61))).due == 0
    assert fake.sent_count(571) == 1


async def test_answers_lost_twice_stop_there_never_a_third_copy(db, fake, tg, content, no_violations):
    """A network that loses every answer cannot make the bot repeat itself: after MAX_LOST
    unknown outcomes the reminder is taken as delivered."""
    sub = await subscribe(db, fake, 572)
    fake.inject_disconnect("sendMessage", chat_id=572, deliver=True, times=5)
    deps = Deps(db, content)
    first = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    second = await tick(tg, deps, NINE_BERLIN + timedelta(seconds=31))
    assert (first.lost, second.lost, second.unconfirmed) == (1, 0, 1)
    assert (await tick(tg, deps, NINE_BERLIN + timedelta(seconds=61))).due == 0
    assert fake.sent_count(572) == deliveries.MAX_LOST == 2
    delivery = await deliveries.get_delivery(db, sub.key(sub.next))
    assert (delivery.status, delivery.lost) == ("sent", 2)
    assert (await subscriptions.get_subscription(db, 572, "stretching")).next.local_date == date(2026, 6, 2)


async def test_snoozed_copy_comes_once_30_minutes_later(db, fake, tg, content, no_violations):
    sub = await subscribe(db, fake, 580)
    deps = Deps(db, content)
    await tick(tg, deps, NINE_BERLIN + timedelta(seconds=1))
    tapped = NINE_BERLIN + timedelta(minutes=2)
    due = await subscriptions.snooze(db, DeliveryKey(sub.id, date(2026, 6, 1), 0), tapped)
    assert due.slot == 100 and due.due_utc == tapped + timedelta(minutes=30)
    assert (await tick(tg, deps, tapped + timedelta(minutes=29))).sent == 0
    assert (await tick(tg, deps, tapped + timedelta(minutes=30))).sent == 1
    assert (await tick(tg, deps, tapped + timedelta(minutes=31))).due == 0
    second = fake.user(580).last
    assert second.buttons[0][0][1] == f"rm:d:{sub.id}:20260601:100"
    assert fake.sent_count(580) == 2


async def test_switched_off_and_other_kinds_send_nothing(db, fake, tg, content, no_violations):
    await subscribe(db, fake, 581)
    await subscriptions.deactivate(db, 581, "stretching", SETUP)
    await subscriptions.update_settings(db, 582, "hydration", SETUP)  # set up but never switched on
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
    await subscriptions.deactivate(db, 641, "hydration", SETUP)
    await write(db, "UPDATE subscriptions SET next_due_utc = 1 WHERE id = ?", (berlin.id,))
    await subscriptions.snooze(db, DeliveryKey(berlin.id, date(2026, 6, 1), 0), SETUP)
    assert await subscriptions.schedule_all(db, SETUP, batch=1) == 1  # only active ones
    after = await subscriptions.get_subscription(db, 640, "stretching")
    assert after.next == berlin.next and after.snooze is not None
    assert (await subscriptions.get_subscription(db, 641, "hydration")).next is None
    assert kolkata.id != berlin.id


# --- the Sender interface: outcomes a server cannot be asked for ---------------------------------


class Scripted:
    """A Sender in front of the real one: `script[chat_id]` (an exception to raise, or a coroutine
    function of the reminder to await instead) takes over that chat's sends; `each` runs before every send."""

    def __init__(self, inner, script=None, each=None):
        self.inner, self.script, self.each = inner, dict(script or {}), each
        self.calls = []

    async def send_reminder(self, reminder):
        self.calls.append(reminder.chat_id)
        if self.each is not None:
            await self.each(reminder)
        step = self.script.get(reminder.chat_id)
        if isinstance(step, BaseException):
            raise step
        if step is not None:
            return await step(reminder)
        return await self.inner.send_reminder(reminder)


async def test_a_sender_that_raises_costs_only_its_own_delivery(db, fake, tg, content, caplog, no_violations):
    chats = range(700, 740)  # more than one batch
    for chat in chats:
        await subscribe(db, fake, chat)
    deps = Deps(db, content)
    sender = Scripted(TelegramSender(tg, content), {717: RuntimeError("a bug in rendering")})
    report = await tick(sender, deps, NINE_BERLIN + timedelta(seconds=1))
    assert (report.sent, report.errors, report.lost) == (39, 1, 1)
    assert all(fake.sent_count(chat) == 1 for chat in chats if chat != 717)
    sub = await subscriptions.get_subscription(db, 717, "stretching")
    delivery = await deliveries.get_delivery(db, sub.key(sub.next))
    assert (delivery.status, delivery.error) == ("retry", "unexpected RuntimeError")
    assert "failed unexpectedly: RuntimeError" in caplog.text and "a bug in rendering" in caplog.text  # traceback
    again = await tick(sender, deps, NINE_BERLIN + timedelta(seconds=31))
    assert (again.errors, again.failed, again.sent) == (1, 1, 0)  # the second time: given up
    assert (await deliveries.get_delivery(db, delivery.key)).status == "failed"
    assert (await subscriptions.get_subscription(db, 717, "stretching")).next.local_date == date(2026, 6, 2)
    assert (await tick(sender, deps, NINE_BERLIN + timedelta(seconds=61))).due == 0
    assert fake.sent_count(717) == 0 and fake.sent_count() == 39


async def test_a_send_that_hangs_is_cut_off_and_sent_again(db, fake, tg, content, monkeypatch, no_violations):
    monkeypatch.setattr(dispatcher, "SEND_TIMEOUT", 0.2)
    for chat in (750, 751):
        await subscribe(db, fake, chat)
    deps = Deps(db, content)
    hang = asyncio.Event()
    sender = Scripted(TelegramSender(tg, content), {750: lambda _reminder: hang.wait()})
    first = await asyncio.wait_for(tick(sender, deps, NINE_BERLIN + timedelta(seconds=1)), 5)  # not forever
    assert (first.sent, first.lost) == (1, 1) and fake.sent_count(751) == 1
    sender.script.clear()
    assert (await tick(sender, deps, NINE_BERLIN + timedelta(seconds=31))).sent == 1
    assert fake.sent_count(750) == 1


async def test_claims_are_taken_a_small_batch_at_a_time_just_before_sending(db, fake, tg, content, store_place, no_violations):
    """What a crash can leave in 'sending' is what is in flight: never more than BATCH claims,
    and each is committed (visible to another connection) before its message goes out."""
    for chat in range(800, 860):
        await subscribe(db, fake, chat)
    watcher = await store_place.open()
    seen = []

    async def count_claims(_reminder):
        seen.append(await count(watcher, "SELECT COUNT(*) FROM deliveries WHERE status = 'sending'"))

    try:
        sender = Scripted(TelegramSender(tg, content), each=count_claims)
        report = await tick(sender, Deps(db, content), NINE_BERLIN + timedelta(seconds=1))
    finally:
        await close_db(watcher)
    assert report.sent == 60 and len(seen) == 60
    assert 1 <= min(seen) and max(seen) <= dispatcher.BATCH < 60


async def test_each_send_is_recorded_as_soon_as_it_is_answered(db, fake, tg, content, store_place, no_violations):
    """Not when the whole batch is done: while one send of the batch hangs, the others are
    already 'sent' in the file, so a crash now would repeat only the one still in flight."""
    for chat in range(870, 880):
        await subscribe(db, fake, chat)
    release = asyncio.Event()
    inner = TelegramSender(tg, content)

    async def late(reminder):
        await release.wait()
        return await inner.send_reminder(reminder)

    sender = Scripted(inner, {870: late})
    running = asyncio.create_task(tick(sender, Deps(db, content), NINE_BERLIN + timedelta(seconds=1)))
    watcher = await store_place.open()
    try:
        for _ in range(200):
            recorded = await count(watcher, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'")
            if recorded == 9:
                break
            await asyncio.sleep(0.01)
        assert recorded == 9 and not running.done()
        assert await count(watcher, "SELECT COUNT(*) FROM deliveries WHERE status = 'sending'") == 1
    finally:
        await close_db(watcher)
        release.set()
    assert (await running).sent == 10 and fake.sent_count() == 10


def test_the_dispatcher_knows_nothing_of_telegram_or_http():
    """It talks through bot.reminders.sender only: importing it loads no Telegram or HTTP library."""
    code = ("import sys, bot.reminders.dispatcher; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'telegram', 'httpx', 'aiohttp'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"


def test_owner_is_dead_only_when_certain():
    assert dispatcher.owner_is_dead(dead_owner())
    assert not dispatcher.owner_is_dead(dispatcher.new_owner())  # this process
    assert not dispatcher.owner_is_dead(f"{socket.gethostname()}/{os.getppid()}/x")  # a live one
    assert not dispatcher.owner_is_dead(f"another-host-{socket.gethostname()}/999999/x")  # cannot tell
    assert not dispatcher.owner_is_dead("garbage")
