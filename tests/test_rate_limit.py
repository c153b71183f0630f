"""TELEGRAM_RATE_LIMIT, and replies to people before reminder broadcasts (issue 12, item 2).

Two protections keep replies first when the limit binds: the dispatcher paces its sends at two
thirds of the limit (bot.reminders.pacing), and the limiter's overall bucket lets waiting replies
in before waiting reminders (bot.telegram.retry.PriorityBucket). Each has its own test here, and
the end-to-end one shows a person answered at once while a broadcast runs at the limit.
"""

import asyncio
import time
from datetime import datetime, timezone
from datetime import time as clock_time

import pytest

from bot.app import build_application
from bot.reminders import pacing
from bot.storage import subscriptions
from bot.telegram import retry
from bot.telegram.reminder_sender import tick
from bot.telegram.retry import PriorityBucket, RateLimiter
from bot.telegram.services import KEY
from tests.conftest import FakeClock, RunningBot

NINE = datetime(2026, 6, 1, 9, 0, 1, tzinfo=timezone.utc)


# --- the setting reaches the limiter and the dispatcher ---------------------------------------


@pytest.mark.parametrize("limit", [30, 1, 1000])
def test_the_limiter_and_the_dispatcher_follow_the_setting(bot, limit):
    settings = bot.settings.model_copy(update={"telegram_rate_limit": limit})
    app = build_application(settings, dispatch_interval=None)
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, RateLimiter) and limiter._max_retries == 2
    assert isinstance(limiter._base_limiter, PriorityBucket) and limiter._base_limiter.rate == limit
    assert pacing.of(app.bot_data[KEY]).rate == pytest.approx(limit * 2 / 3)


def test_zero_turns_the_limiter_and_the_pacing_off(bot):
    app = build_application(bot.settings.model_copy(update={"telegram_rate_limit": 0}), dispatch_interval=None)
    assert app.bot.rate_limiter is None
    assert pacing.of(app.bot_data[KEY]) is None


def test_the_default_is_30_per_second(bot):
    assert bot.app.bot.rate_limiter._base_limiter.rate == 30
    assert pacing.of(bot.services).rate == 20


# --- the dispatcher's pace ---------------------------------------------------------------------


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.now += seconds


async def test_pace_spaces_starts_evenly_and_saves_no_burst_while_idle():
    t = FakeTime()
    pace = pacing.Pace(20, clock=t.clock, sleep=t.sleep)
    starts = []
    for _ in range(5):
        await pace.wait()
        starts.append(t.now)
    assert starts == pytest.approx([0, 0.05, 0.10, 0.15, 0.20])
    t.now += 10  # idle: no credit saved up
    for _ in range(3):
        await pace.wait()
        starts.append(t.now)
    assert starts[5:] == pytest.approx([10.20, 10.25, 10.30])


async def subscribe(bot, chat_ids):
    db, now = bot.services.db, datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc)
    for chat_id in chat_ids:
        bot.fake.user(chat_id, f"R{chat_id}")
        await subscriptions.set_zone(db, chat_id, "UTC", now)
        await subscriptions.update_settings(db, chat_id, "stretching", now, at=clock_time(9, 0))
        await subscriptions.activate(db, chat_id, "stretching", now)


class SendTimes:
    """When the fake stored each message the bot sent, per chat."""

    def __init__(self, fake):
        self.at: list[tuple[float, int]] = []
        fake.add_listener(lambda event, payload: event == "sent" and self.at.append((time.monotonic(), payload.chat_id)))

    def of(self, chats):
        return [t for t, chat in self.at if chat in chats]


@pytest.fixture
async def bot_at_10(fake, tmp_path, monkeypatch):
    """The bot with TELEGRAM_RATE_LIMIT=10, so the limit binds within a short test."""
    monkeypatch.chdir(tmp_path)

    class Limited(RunningBot):
        @property
        def settings(self):
            return super().settings.model_copy(update={"telegram_rate_limit": 10})

    running = Limited(fake=fake, db_path=tmp_path / "data" / "bot.sqlite3", clock=FakeClock())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_reminders_go_out_at_two_thirds_of_the_limit(bot_at_10, fake, no_violations):
    chats = list(range(9001, 9031))
    await subscribe(bot_at_10, chats)
    sends = SendTimes(fake)
    report = await tick(bot_at_10.app, NINE)
    assert report.sent == 30
    times = sends.of(set(chats))
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate == pytest.approx(10 * 2 / 3, rel=0.15)  # not 10: a third stays free for replies


async def test_people_are_answered_at_once_while_a_broadcast_runs(bot_at_10, fake, no_violations):
    """30 reminders due with the limit at 10/s take about 4.5 s to send. People writing in the
    middle of it get their replies within a fraction of a second, not after the broadcast."""
    chats = list(range(9101, 9131))
    await subscribe(bot_at_10, chats)
    sends = SendTimes(fake)
    broadcast = asyncio.create_task(tick(bot_at_10.app, NINE))
    await fake.wait_until(lambda: len(sends.of(set(chats))) >= 8, timeout=10, what="the broadcast to be under way")
    waits = []
    for n in range(6):
        person = fake.user(9500 + n, f"P{n}")
        started = time.monotonic()
        await person.send("/start")
        await person.reply(timeout=10)
        waits.append(time.monotonic() - started)
        await asyncio.sleep(0.1)
    assert max(waits) < 0.5, waits  # one slot at 10/s is 0.1 s; behind the broadcast it would be seconds
    assert not broadcast.done()  # the replies really met the broadcast
    assert (await broadcast).sent == 30


# --- the limiter's priorities --------------------------------------------------------------------


async def admit(bucket, order, kind, n):
    """One call of `kind` ("reply": made in deliver()'s context, or "other") through the bucket;
    `order` records when it was let in."""
    token = retry._HANDLED_HERE.set(kind == "reply")
    try:
        async with bucket:
            order.append((kind, n))
    finally:
        retry._HANDLED_HERE.reset(token)


async def admitted_order(bucket, first, then, rate_note=""):
    """Fill the bucket, queue `first` calls of one kind, then `then` of the other; the order
    in which they are let in. A kind is "reply" (made in deliver()'s context) or "other"."""
    order = []

    def call(kind, n):
        return admit(bucket, order, kind, n)

    for _ in range(int(bucket.rate)):  # the burst allowance, used up
        async with bucket:
            pass
    tasks = [asyncio.create_task(call(first[0], n)) for n in range(first[1])]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(call(then[0], n)) for n in range(then[1])]
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    return order


async def test_waiting_replies_are_let_in_before_waiting_reminders():
    order = await admitted_order(PriorityBucket(50), ("other", 10), ("reply", 3))
    assert order[:3] == [("reply", 0), ("reply", 1), ("reply", 2)]
    assert order[3:] == [("other", n) for n in range(10)]


async def test_each_kind_keeps_its_own_order_and_the_rate_holds():
    bucket = PriorityBucket(50)
    started = time.monotonic()
    order = await admitted_order(bucket, ("reply", 20), ("other", 5))
    assert order == [("reply", n) for n in range(20)] + [("other", n) for n in range(5)]
    assert time.monotonic() - started >= 25 / 50 * 0.9  # 50 at once, then 50 per second


async def test_a_reply_given_up_while_waiting_does_not_hold_the_others():
    bucket = PriorityBucket(20)
    for _ in range(20):
        async with bucket:
            pass
    order = []

    def call(kind, n):
        return admit(bucket, order, kind, n)

    gone = asyncio.create_task(call("reply", 0))
    rest = [asyncio.create_task(call("reply", 1)), asyncio.create_task(call("other", 0))]
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.wait_for(asyncio.gather(*rest), 2)
    assert order == [("reply", 1), ("other", 0)] and bucket.waiting == (0, 0)
