"""Chats at once, one chat in order (issue 12, item 1): bot.telegram.update_processor.

Unit tests drive ChatOrderedProcessor directly; the end-to-end ones run the real Application
against the fake Bot API server, with a probe handler (group -100, before every other handler)
that records when each update starts and ends and sleeps a random while in between.
"""

import asyncio
import logging
import random
import time
from datetime import datetime, timezone
from datetime import time as clock_time

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.ext import TypeHandler

from bot.telegram.update_processor import ChatOrderedProcessor, chat_key


def message_update(update_id: int, chat_id: int | None, user_id: int | None = None) -> Update:
    user = User(user_id or chat_id or 1, "P", False)
    if chat_id is None:  # a tap on an inline-mode message: a user, no chat
        query = CallbackQuery(str(update_id), user, "inst", data="x", inline_message_id="im")
        return Update(update_id, callback_query=query)
    chat = Chat(chat_id, "private" if chat_id > 0 else "group")
    return Update(update_id, message=Message(update_id, datetime.now(timezone.utc), chat, from_user=user, text="t"))


class Recorder:
    def __init__(self):
        self.events: list[tuple[str, object, int]] = []
        self.running: set[object] = set()
        self.peak = 0

    async def handle(self, key, n, delay):
        self.events.append(("start", key, n))
        self.running.add(key)
        self.peak = max(self.peak, len(self.running))
        await asyncio.sleep(delay)
        self.running.discard(key)
        self.events.append(("end", key, n))


def per_key(events, key):
    return [(kind, n) for kind, k, n in events if k == key]


def serial(count):
    """start 0, end 0, start 1, end 1, ...: in order and never two at once."""
    return [(kind, n) for n in range(count) for kind in ("start", "end")]


def test_the_key_is_the_chat_then_the_user_then_none():
    assert chat_key(message_update(1, 42)) == 42
    assert chat_key(message_update(2, -500, user_id=7)) == -500
    assert chat_key(message_update(3, None, user_id=9)) == 9
    assert chat_key(Update(4)) is None
    assert chat_key(object()) is None


async def test_one_chats_updates_run_in_order_and_chats_run_at_once():
    processor = ChatOrderedProcessor()
    rec, rng = Recorder(), random.Random(12)
    tasks = []
    for i in range(200):  # 20 chats x 10 updates, interleaved, each taking 0-10 ms
        chat, n = i % 20, i // 20
        update = message_update(i, 1000 + chat)
        coro = rec.handle(1000 + chat, n, rng.uniform(0, 0.01))
        tasks.append(asyncio.create_task(processor.process_update(update, coro)))  # as PTB does
    async with processor:
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
    for chat in range(20):
        assert per_key(rec.events, 1000 + chat) == serial(10)
    assert rec.peak == 20  # every chat had an update running at once
    assert processor.queued_chats == 0 and processor.running == 0


async def test_at_most_the_bound_of_chats_run_at_once():
    processor = ChatOrderedProcessor(max_concurrent_chats=3)
    rec = Recorder()
    tasks = [
        asyncio.create_task(processor.process_update(message_update(i, 1 + i % 10), rec.handle(1 + i % 10, i // 10, 0.005)))
        for i in range(40)
    ]
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert rec.peak == 3
    for chat in range(1, 11):
        assert per_key(rec.events, chat) == serial(4)


async def test_a_flooding_chat_takes_one_slot_so_others_still_run():
    """Queued updates of one chat wait for that chat, not for a slot: with two slots, fifty
    stuck updates of Ann's leave the other slot to Bob."""
    processor = ChatOrderedProcessor(max_concurrent_chats=2)
    release = asyncio.Event()

    async def stuck():
        await release.wait()

    ann = [asyncio.create_task(processor.process_update(message_update(i, 111), stuck())) for i in range(50)]
    bob_done = asyncio.Event()

    async def bob():
        bob_done.set()

    bobs = asyncio.create_task(processor.process_update(message_update(99, 222), bob()))
    await asyncio.wait_for(bob_done.wait(), 2)
    assert processor.running == 1  # Ann's first update, still stuck; the rest queue behind it
    release.set()
    await asyncio.wait_for(asyncio.gather(*ann, bobs), 5)


async def test_updates_without_a_chat_or_user_run_freely():
    processor = ChatOrderedProcessor()
    rec = Recorder()
    tasks = [asyncio.create_task(processor.process_update(Update(i), rec.handle(i, 0, 0.05))) for i in range(10)]
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
    assert rec.peak == 10


async def test_an_error_in_one_update_does_not_stop_the_chats_next_one():
    processor = ChatOrderedProcessor()
    done = []

    async def boom():
        raise RuntimeError("handler bug")

    async def fine():
        done.append(True)

    first = asyncio.create_task(processor.process_update(message_update(1, 5), boom()))
    second = asyncio.create_task(processor.process_update(message_update(2, 5), fine()))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and done == [True]
    assert processor.queued_chats == 0


async def test_a_cancelled_queued_update_lets_the_next_one_run():
    processor = ChatOrderedProcessor()
    gate, order = asyncio.Event(), []

    async def step(n):
        order.append(n)
        if n == 0:
            await gate.wait()

    tasks = [asyncio.create_task(processor.process_update(message_update(n, 5), step(n))) for n in range(3)]
    await asyncio.sleep(0.01)
    tasks[1].cancel()
    gate.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert order == [0, 2] and processor.queued_chats == 0


# --- end to end: the real Application and the fake Bot API ------------------------------------


def add_probe(app, rec: Recorder, rng: random.Random, max_delay: float):
    async def probe(update, context):
        await rec.handle(update.effective_chat.id, int(update.message.text.removeprefix("m")), rng.uniform(0, max_delay))

    app.add_handler(TypeHandler(Update, probe), group=-100)


async def test_under_load_each_chats_messages_are_handled_in_order(bot, fake, no_violations):
    """200 messages from 20 people at once, each handled after a random 0-30 ms: every chat's
    messages run one after another in the order sent, chats overlap, and every one is answered."""
    rec, rng = Recorder(), random.Random(7)
    add_probe(bot.app, rec, rng, 0.03)
    people = [fake.user(5000 + i, f"P{i}") for i in range(20)]
    for n in range(10):
        for person in rng.sample(people, len(people)):
            await person.send(f"m{n}")
    await fake.wait_until(lambda: fake.sent_count() >= 200, timeout=30, what="200 replies")
    for person in people:
        assert per_key(rec.events, person.chat_id) == serial(10)
        assert len(person.messages) == 10
    assert rec.peak > 1


async def test_a_slow_reply_in_one_chat_does_not_delay_another(bot, fake, no_violations):
    """Telegram takes 2 s to answer Ann's reply; Bob, writing after her, is answered at once."""
    fake.inject_delay("sendMessage", 2.0, chat_id=111, deliver=True)
    ann, bob = fake.user(111, "Ann"), fake.user(222, "Bob")
    await ann.send("/start")
    await asyncio.sleep(0.3)  # Ann's reply is held by the fake now
    started = time.monotonic()
    await bob.send("/start")
    assert "Causes" in (await bob.reply(timeout=1.5)).button_texts
    assert time.monotonic() - started < 1.0
    assert ann.messages == []
    assert "Causes" in (await ann.reply(timeout=5)).button_texts


async def test_a_persons_taps_are_handled_in_the_order_tapped(bot, fake, no_violations):
    """Causes, then Remedies at once on the same menu, and Telegram is slow to answer the first
    edit: the menu still ends on Remedies, because the second tap waits for the first."""
    ann = fake.user(111, "Ann")
    await ann.send("/start")
    menu = await ann.reply()
    fake.inject_delay("editMessageText", 0.5, chat_id=111, deliver=True)
    await ann.tap(menu, "Causes")
    await ann.tap(menu, "Remedies")
    first, second = await ann.reply(), await ann.reply()
    assert first.text.startswith("Causes") and second.text.startswith("Remedies")
    await fake.wait_until(lambda: not fake.unanswered_callback_queries(), timeout=5, what="both taps answered")
    assert ann.last.text.startswith("Remedies")


async def test_stopping_with_updates_in_flight_finishes_them(bot, fake, no_violations, caplog):
    """Sixty messages from six people, each handled for up to 50 ms, and the bot is stopped as soon
    as the first has started: stop() returns once every one was handled and answered."""
    rec, rng = Recorder(), random.Random(3)
    add_probe(bot.app, rec, rng, 0.05)
    people = [fake.user(7000 + i, f"Q{i}") for i in range(6)]
    for n in range(10):
        for person in people:
            await person.send(f"m{n}")
    await fake.wait_until(lambda: rec.events, timeout=5, what="the first update to start")
    started = time.monotonic()
    app = bot.app
    done_before_stop = sum(1 for event in rec.events if event[0] == "end")
    await asyncio.wait_for(bot.stop(), 30)
    handled = {(k, n) for kind, k, n in rec.events if kind == "end"}
    started_ = {(k, n) for kind, k, n in rec.events if kind == "start"}
    assert handled == started_  # nothing left half-done
    for person in people:
        mine = per_key(rec.events, person.chat_id)
        assert mine == serial(len(mine) // 2)  # whatever was fetched ran in order
        assert len(person.messages) == len(mine) // 2  # and was answered before stop() returned
    assert len(handled) >= 6 and not app.running
    assert done_before_stop < len(handled)  # some really were in flight (typically 0 of 60 done)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert time.monotonic() - started < 30


async def test_twenty_people_setting_up_reminders_at_once_all_get_theirs(bot, fake, no_violations):
    """State kept per chat (the typed-zone prompt, the said-back confirmation) and the one shared
    SQLite connection under concurrent chats: twenty people go through the whole opt-in at once,
    each with their own zone, and each gets exactly their own reminder at their own 09:00."""
    from bot.storage import subscriptions
    from bot.telegram.reminder_sender import tick
    from tests.test_e2e_reminders import opt_in_stretching

    zones = {"Berlin": "Europe/Berlin", "London": "Europe/London", "Paris": "Europe/Paris", "Tokyo": "Asia/Tokyo"}
    people = {8000 + i: list(zones)[i % 4] for i in range(20)}
    screens = await asyncio.gather(
        *(opt_in_stretching(bot, fake.user(chat_id, f"S{chat_id}"), zone_text=city) for chat_id, city in people.items())
    )
    assert all(zones[city] in screen.text for screen, city in zip(screens, people.values(), strict=False))
    for chat_id, city in people.items():
        (sub,) = [s for s in await subscriptions.list_subscriptions(bot.services.db, chat_id) if s.active]
        assert sub.zone == zones[city] and sub.at == clock_time(9, 0)
    sent = 0
    for hour in range(24):  # a day passes: each person's 09:00 comes in their own zone
        bot.clock.now = datetime(2026, 6, 2, hour, 0, 20, tzinfo=timezone.utc)
        sent += (await tick(bot.app, bot.clock.now)).sent
    assert sent == 20
    for chat_id in people:
        assert sum(bot.services.reminders.stretch_heading in m.text for m in fake.user(chat_id).messages) == 1
