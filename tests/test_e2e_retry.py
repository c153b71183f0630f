"""Replies, edits and callback answers survive Telegram's hiccups (issue 11, item 1).

The real Application against the fake Bot API server with injected faults. Retry waits run on a
virtual clock (`vtime`): the production budgets (30 s, 10 s) are exercised without sleeping them.
"""

import asyncio
import logging
import time as wall
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.storage import subscriptions
from bot.telegram import retry
from bot.telegram.reminder_sender import tick

# PTB's own RetryAfter constructor reads its deprecated int attribute; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2:DeprecationWarning")

ANN, BOB = 111, 222
SECRET = "my very private words about my back"


class VirtualTime:
    """retry.Policy's clock and sleep: a sleep moves the clock at once. `gate` (cleared) parks
    every sleep until the test sets it; `parked` is set while one is waiting."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.parked = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if not self.gate.is_set():
            self.parked.set()
            await self.gate.wait()
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def vtime(monkeypatch):
    virtual = VirtualTime()
    monkeypatch.setattr(retry, "POLICY", retry.Policy(clock=virtual.clock, sleep=virtual.sleep))
    yield virtual
    virtual.gate.set()  # a test that failed while a reply was parked must not hang the bot's shutdown


async def eventually(predicate, timeout=5.0, what="the condition"):
    deadline = wall.monotonic() + timeout
    while not predicate():
        if wall.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g}s for {what}")
        await asyncio.sleep(0.01)


def inject(fake, bot, method, fault, chat_id=ANN, times=1):
    if method == "answerCallbackQuery":
        chat_id = None  # its request names no chat
    if fault == "500":
        fake.inject_error(method, 500, "Internal Server Error", chat_id=chat_id, times=times)
    elif fault == "502":
        fake.inject_error(method, 502, "Bad Gateway", chat_id=chat_id, times=times)
    elif fault == "429":
        fake.inject_error(method, 429, "Too Many Requests: retry after 3", chat_id=chat_id, times=times, retry_after=3)
    elif fault == "dropped":
        fake.inject_disconnect(method, chat_id=chat_id, times=times)
    elif fault == "timeout":
        request = bot.services.requests[0]  # the bot waits 0.2 s for an answer instead of 10
        request._read_timeout, request._write_timeout = 0.2, 0.0
        fake.inject_delay(method, 0.6, chat_id=chat_id, times=times)
    else:
        raise ValueError(fault)


def calls(fake, method, chat_id=ANN):
    # answerCallbackQuery carries no chat_id; the tests' only taps are Ann's.
    return [c for c in fake.calls_to(method) if c.chat_id in (chat_id, None)]


async def outcomes(fake, method):
    """ok per call, once both the failed and the successful call are recorded (a delayed call is
    recorded when the fake gives up on it, after the retry)."""
    await eventually(lambda: len(calls(fake, method)) >= 2, what=f"two {method} calls")
    return sorted(c.ok for c in calls(fake, method))


async def open_menu(fake):
    ann = fake.user(ANN, "Ann")
    await ann.send("/start")
    return ann, await ann.reply()


FAULTS = ["500", "502", "429", "dropped", "timeout"]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_reply_is_retried_after_a_transient_fault(bot, fake, vtime, fault, no_violations):
    inject(fake, bot, "sendMessage", fault)
    ann, menu = await open_menu(fake)
    assert "Causes" in menu.button_texts
    assert await outcomes(fake, "sendMessage") == [False, True]
    assert len(ann.messages) == 1  # the failed attempt left nothing behind
    if fault == "429":
        assert vtime.sleeps[0] >= 3  # retry_after honoured


@pytest.mark.parametrize("fault", FAULTS)
async def test_an_edit_is_retried_after_a_transient_fault(bot, fake, vtime, fault, no_violations):
    ann, menu = await open_menu(fake)
    inject(fake, bot, "editMessageText", fault)
    query = await ann.tap(menu, "Causes")
    causes = await ann.reply()
    assert causes.message_id == menu.message_id and causes.edits == 1
    await fake.wait_answered(query)
    assert await outcomes(fake, "editMessageText") == [False, True]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_callback_answer_is_retried_after_a_transient_fault(bot, fake, vtime, fault, no_violations):
    ann, menu = await open_menu(fake)
    inject(fake, bot, "answerCallbackQuery", fault)
    query = await ann.tap(menu, "Causes")
    await fake.wait_answered(query)  # no_violations: no query left spinning
    assert (await ann.reply()).edits == 1
    assert await outcomes(fake, "answerCallbackQuery") == [False, True]
    if fault == "429":
        assert vtime.sleeps[0] >= 3


async def test_a_lost_answer_to_a_send_repeats_the_reply(bot, fake, vtime, no_violations):
    """The documented trade: Telegram delivered, the answer was lost, the retry sends it again.
    The person sees the reply twice - better than not at all."""
    fake.inject_disconnect("sendMessage", chat_id=ANN, deliver=True)
    ann, first = await open_menu(fake)
    second = await ann.reply()
    assert second.text == first.text and second.message_id != first.message_id
    assert len(ann.messages) == 2


@pytest.mark.parametrize("method, refusal", [
    ("editMessageText", "message is not modified"),
    ("answerCallbackQuery", "query is too old"),
])
async def test_a_lost_answer_to_an_edit_or_callback_answer_is_harmless(bot, fake, vtime, method, refusal):
    """Edits and callback answers are idempotent: the repeat is refused by Telegram as a no-op,
    which the bot takes as success. One screen, one answer, no error for the person."""
    ann, menu = await open_menu(fake)
    fake.inject_disconnect(method, deliver=True)
    query = await ann.tap(menu, "Causes")
    causes = await ann.reply()
    await fake.wait_answered(query)
    await eventually(lambda: len(fake.calls_to(method)) == 2, what="the repeated call")
    assert causes.edits == 1 and len(ann.messages) == 1
    assert [refusal in v.description for v in fake.violations] == [True]
    assert len(fake.calls_to("sendMessage")) == 1  # no "sorry" message
    assert fake.unanswered_callback_queries() == []


@pytest.mark.parametrize("method, budget", [
    ("sendMessage", 30.0),
    ("editMessageText", 30.0),
    ("answerCallbackQuery", 10.0),
])
async def test_a_persistent_fault_is_given_up_after_the_budget_with_one_log_line(bot, fake, vtime, caplog, method, budget):
    caplog.set_level(logging.WARNING)
    ann = fake.user(ANN, "Ann")
    if method != "sendMessage":
        ann, menu = await open_menu(fake)
    fake.inject_error(method, 500, "Internal Server Error", times=1000)
    if method == "sendMessage":
        await ann.send(SECRET)
    else:
        query = await ann.tap(menu, "Causes")

    def gave_up():
        return [r for r in caplog.records if r.levelno >= logging.WARNING]

    await eventually(lambda: gave_up(), what="the give-up line")
    await asyncio.sleep(0.2)  # anything logged or sent after it would show now
    fake.clear_faults()
    lines = [r.getMessage() for r in gave_up()]
    assert len(lines) == 1, lines
    line = lines[0]
    assert f"gave up on {method} to chat {ANN} after " in line and "Internal Server Error" in line
    if method != "answerCallbackQuery":
        assert line.startswith("update ")  # the error handler names the update
    assert SECRET not in line and fake.token.split(":")[1] not in line
    attempts = int(line.split(" after ")[1].split()[0])
    assert attempts >= 4 and len(calls(fake, method)) == attempts
    assert budget - retry.POLICY.max_delay - retry.POLICY.min_attempt <= vtime.now <= budget
    if method == "answerCallbackQuery":
        assert (await ann.reply()).edits == 1  # the screen still changed
        assert fake.unanswered_callback_queries() == [query]
    else:
        assert len(calls(fake, "sendMessage")) == (attempts if method == "sendMessage" else 1)  # no "sorry" either
    assert fake.violations == []


async def test_a_hung_callback_answer_is_cut_off_when_its_budget_ends(bot, fake, monkeypatch, caplog):
    """An attempt does not outlive the budget: a call Telegram never answers is abandoned when
    the budget ends (here 0.5 s of real time), not when the HTTP read timeout (10 s) would fire."""
    monkeypatch.setattr(retry, "POLICY", retry.Policy(answer_budget=0.5, min_attempt=0.1, first_delay=0.05))
    caplog.set_level(logging.WARNING)
    ann, menu = await open_menu(fake)
    fake.inject_delay("answerCallbackQuery", 2.0)
    started = wall.monotonic()
    await ann.tap(menu, "Causes")
    assert (await ann.reply()).edits == 1  # the handler went on to the edit
    assert wall.monotonic() - started < 1.5
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.startswith(f"gave up on answerCallbackQuery to chat {ANN} after 1 attempts") and "timed out" in line


@pytest.mark.parametrize("code, description", [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: can't parse entities")])
async def test_refusals_are_not_retried(bot, fake, vtime, code, description):
    fake.inject_error("sendMessage", code, description, chat_id=ANN)
    ann = fake.user(ANN, "Ann")
    await ann.send("/start")
    if code == 403:
        await eventually(lambda: len(calls(fake, "sendMessage")) == 1, what="the refused send")
        await asyncio.sleep(0.2)
        assert len(calls(fake, "sendMessage")) == 1
    else:
        sorry = await ann.reply()  # the error handler's apology, not a retry of the refused reply
        assert "went wrong" in sorry.text
        assert len(calls(fake, "sendMessage")) == 2
    assert vtime.sleeps == []


async def test_a_retried_reply_does_not_hold_other_chats_sends(bot, fake, vtime, no_violations):
    """Ann's reply meets a 429 and waits it out (parked here until the test says so). Meanwhile
    the bot still sends to Bob at once, as the reminder dispatcher would: the wait is an asyncio
    sleep in Ann's task, with no lock and no bot-wide pause (PTB's AIORateLimiter would stop
    every request for retry_after; bot.telegram.retry.RateLimiter hands the 429 back instead)."""
    fake.user(BOB, "Bob")
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=ANN, retry_after=1)
    vtime.gate.clear()
    ann = fake.user(ANN, "Ann")
    await ann.send("/start")
    await fake.wait_until(lambda: any(c.error_code == 429 for c in fake.calls), what="Ann's 429")
    started = wall.monotonic()
    await asyncio.wait_for(bot.app.bot.send_message(BOB, "your stretching reminder"), 5)
    assert wall.monotonic() - started < 0.5
    assert [m.text for m in fake.user(BOB).messages] == ["your stretching reminder"]
    await asyncio.wait_for(vtime.parked.wait(), 5)
    assert ann.messages == []  # Ann's reply is still waiting...
    vtime.gate.set()
    assert "Causes" in (await ann.reply()).button_texts  # ...and arrives once released


async def test_another_chat_is_not_delayed_while_one_chats_reply_is_retried(bot, fake, vtime, no_violations):
    """Updates of different chats run concurrently (bot.telegram.update_processor): while Ann's
    reply waits for its retry, Bob is answered; Ann's reply follows once the wait ends."""
    fake.inject_error("sendMessage", 502, "Bad Gateway", chat_id=ANN)
    vtime.gate.clear()
    ann, bob = fake.user(ANN, "Ann"), fake.user(BOB, "Bob")
    await ann.send("/start")
    await asyncio.wait_for(vtime.parked.wait(), 5)
    await bob.send("/start")
    assert "Causes" in (await bob.reply()).button_texts
    assert ann.messages == []  # still parked in its retry wait
    vtime.gate.set()
    assert "Causes" in (await ann.reply()).button_texts
    assert bob.last.date <= ann.last.date


async def subscribe_at_nine(bot, fake, chat_id):
    db, now = bot.services.db, datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc)
    fake.user(chat_id)
    await subscriptions.set_zone(db, chat_id, "UTC", now)
    await subscriptions.update_settings(db, chat_id, "stretching", now, at=time(9, 0))
    await subscriptions.activate(db, chat_id, "stretching", now)


NINE = datetime(2026, 6, 1, 9, 0, 1, tzinfo=timezone.utc)


async def test_the_dispatchers_500_is_not_retried_by_the_reply_layer(bot, fake, vtime, no_violations):
    """A reminder that meets a 500 is released for the dispatcher's next tick, as before: the
    application's own bot and rate limiter add no retry of their own."""
    await subscribe_at_nine(bot, fake, 560)
    fake.inject_error("sendMessage", 500, "Internal Server Error", chat_id=560)
    report = await tick(bot.app, NINE)
    assert (report.sent, report.retry) == (0, 1)
    assert len(calls(fake, "sendMessage", 560)) == 1 and vtime.sleeps == []
    later = await tick(bot.app, NINE + timedelta(seconds=30))
    assert later.sent == 1 and fake.sent_count(560) == 1


async def test_the_dispatchers_429_is_still_waited_out_by_the_rate_limiter(bot, fake, vtime, no_violations):
    """Only calls made through bot.telegram.retry get their 429 handed back; the dispatcher's
    still meet AIORateLimiter(max_retries=2), which waits retry_after (1 s here, really slept)."""
    await subscribe_at_nine(bot, fake, 561)
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=561, retry_after=1)
    report = await tick(bot.app, NINE)
    assert (report.sent, report.held) == (1, 0)
    assert fake.sent_count(561) == 1 and vtime.sleeps == []
