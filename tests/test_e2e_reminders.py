"""End to end: reminder screens, typed times and zones, and reminders arriving through the fake server.

The bot fixture runs without the JobQueue job (dispatch_interval=None): tests move the injected
clock and call the dispatcher tick themselves.
"""

import asyncio
from datetime import date, datetime, time, timedelta, timezone

from bot.storage import completions, subscriptions, users
from bot.storage import pending as pending_store
from bot.telegram import reminder_sender
from tests.reminder_steps import said_back, zone_prompt

UTC = timezone.utc
# The fixture clock starts at 2026-06-01 08:00 UTC = 10:00 in Berlin (summer time).


def texts(bot):
    return bot.services.reminders.texts


async def tick(bot):
    return await reminder_sender.tick(bot.app, bot.clock.now)


async def eventually(check, what, timeout=5.0):
    """Poll an async condition on the database (the bot handles updates in the background)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise TimeoutError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.02)


async def open_reminders(bot, user):
    await user.send("/reminders")
    return await user.reply()


async def opt_in_stretching(bot, user, zone_text="Berlin", at="09:00"):
    """Tap Turn on stretching, tap a time, answer the zone question, confirm what is said back;
    returns the screen that says it is on."""
    t = texts(bot)
    screen = await open_reminders(bot, user)
    await user.tap(screen, t.buttons.stretching_on)
    await user.tap(await user.reply(), at)  # the time question: a preset
    await zone_prompt(user)
    await user.send(zone_text)
    said = await said_back(user)
    await user.tap(said, t.buttons.yes)
    return await user.reply()


async def test_menu_button_opens_the_screen_and_nothing_is_on_by_default(bot, fake, no_violations):
    ann = fake.user(401)
    await ann.send("/start")
    menu = await ann.reply()
    await ann.tap(menu, bot.services.content.messages.buttons.reminders)
    screen = await ann.reply()
    assert screen.message_id == menu.message_id  # edited in place
    t = texts(bot)
    assert {t.buttons.stretching_on, t.buttons.hydration_on, t.buttons.zone} <= set(screen.button_texts)
    assert "not set yet" in screen.text
    bot.clock.advance(days=2)
    assert (await tick(bot)).due == 0 and fake.sent_count(401) == 1  # the /start reply, edited, and nothing else
    assert await subscriptions.list_subscriptions(bot.services.db, 401) == []


async def test_opt_in_asks_the_time_then_the_zone_then_a_reminder_arrives_done_streak(bot, fake, no_violations):
    ann = fake.user(402)
    t = texts(bot)
    screen = await open_reminders(bot, ann)
    await ann.tap(screen, t.buttons.stretching_on)
    when = await ann.reply()
    assert "when should the daily stretch" in when.text.lower() and "09:00" in when.button_texts
    await ann.tap(when, "09:00")
    question = await zone_prompt(ann)
    assert "time zone" in question.text.lower() and "14:05" in question.text and "09:00" in question.text
    await ann.send("Berlin")
    said = await said_back(ann)
    assert "Berlin time (Europe/Berlin, UTC+2 now)" in said.text and "09:00" in said.text
    assert await users.get_user(bot.services.db, 402) is None  # nothing saved before Yes
    await ann.tap(said, t.buttons.yes)
    confirmed = await ann.reply()
    assert "Europe/Berlin" in confirmed.text
    assert "tomorrow at 09:00" in confirmed.text  # it is 10:00 in Berlin now
    assert t.buttons.stretching_off in confirmed.button_texts

    bot.clock.now = datetime(2026, 6, 2, 7, 0, 20, tzinfo=UTC)  # 09:00:20 in Berlin
    assert (await tick(bot)).sent == 1
    reminder = await ann.reply()
    assert bot.services.reminders.stretch_heading in reminder.text
    assert {t.buttons.done, t.buttons.snooze, t.buttons.stop} == set(reminder.button_texts)

    query = await ann.tap(reminder, t.buttons.done)
    assert "1 day" in (await fake.wait_answered(query)).text
    done = await ann.reply()
    assert done.message_id == reminder.message_id and "Streak: 1 day" in done.text
    assert done.button_texts == []

    bot.clock.now += timedelta(days=1)  # the next day's reminder, done too: a 2-day streak
    await tick(bot)
    second = await ann.reply()
    await ann.tap(second, t.buttons.done)
    assert "Streak: 2 days" in (await ann.reply()).text


async def test_time_and_zone_typed_and_the_reminder_follows_them(bot, fake, no_violations):
    ann = fake.user(403)
    t = texts(bot)
    await opt_in_stretching(bot, ann, "my local time is now 14:05")  # 08:00 UTC -> UTC+06:00
    screen = ann.last
    assert "UTC+06:00" in screen.text
    await ann.tap(screen, t.buttons.stretching_time)
    prompt = await ann.reply()
    assert "09:00" in prompt.button_texts  # presets
    await ann.send("half past nine please")
    said = await ann.reply()
    assert "your daily stretch at 09:30 — right?" in said.text
    await ann.tap(said, t.buttons.change)
    await ann.reply()
    await ann.send("25:70")
    error = await ann.reply()
    assert "9am" in error.text and "21:30" in error.text  # a clear example
    await ann.send("9:45pm")
    said = await ann.reply()
    assert "21:45" in said.text
    await ann.tap(said, t.buttons.yes)
    saved = await ann.reply()
    assert "every day at 21:45" in saved.text

    await ann.tap(saved, t.buttons.zone)
    await zone_prompt(ann)
    await ann.send("Narnia")
    assert "Europe/Berlin" in (await ann.reply()).text  # the example of what works
    await ann.send("Asia/Kolkata")
    said = await said_back(ann)
    assert "Kolkata time (Asia/Kolkata, UTC+5:30 now)" in said.text
    await ann.tap(said, t.buttons.yes)
    zoned = await ann.reply()
    assert "Asia/Kolkata" in zoned.text

    sub = await subscriptions.get_subscription(bot.services.db, 403, "stretching")
    assert sub.at == time(21, 45) and sub.zone == "Asia/Kolkata"
    bot.clock.now = datetime(2026, 6, 1, 16, 14, tzinfo=UTC)  # 21:44 in Kolkata
    assert (await tick(bot)).sent == 0
    bot.clock.now = datetime(2026, 6, 1, 16, 15, 5, tzinfo=UTC)  # 21:45:05
    assert (await tick(bot)).sent == 1
    assert bot.services.reminders.stretch_heading in (await ann.reply()).text


async def test_preset_time_button_and_water_settings(bot, fake, no_violations):
    ann = fake.user(404)
    t = texts(bot)
    screen = await opt_in_stretching(bot, ann)
    await ann.tap(screen, t.buttons.stretching_time)
    prompt = await ann.reply()
    await ann.tap(prompt, "07:00")
    assert "every day at 07:00" in (await ann.reply()).text

    await ann.tap(ann.last, t.buttons.hydration_times)
    water = await ann.reply()
    assert "4 a day" in water.text and "09:00, 12:20, 15:40, 19:00" in water.text
    await ann.tap(water, t.buttons.more)
    five = await ann.reply()
    assert "5 a day" in five.text
    await ann.tap(five, t.buttons.last.format(time="19:00"))
    await ann.reply()
    await ann.send("8")  # 08:00 is before the first one at 09:00
    refused = await ann.reply()
    assert "after the first one" in refused.text
    assert "21:00" in refused.button_texts  # the question again, still open
    await ann.send("21:00")
    said = await ann.reply()
    assert "5 water reminders a day, the first at 09:00 and the last at 21:00" in said.text
    await ann.tap(said, t.buttons.yes)
    assert "from 09:00 to 21:00" in (await ann.reply()).text
    await ann.tap(ann.last, t.buttons.back)
    overview = await ann.reply()
    assert t.buttons.hydration_on in overview.button_texts  # settings alone switch nothing on
    await ann.tap(overview, t.buttons.hydration_on)
    first = await ann.reply()
    assert "first water reminder" in first.text
    await ann.tap(first, "09:00")  # the zone is known: a tapped time switches it on
    on = await ann.reply()
    assert "5 a day from 09:00 to 21:00" in on.text

    sent_times = []
    for minutes in range(0, 24 * 60, 10):
        bot.clock.now = datetime(2026, 6, 2, 0, 0, tzinfo=UTC) + timedelta(minutes=minutes)
        if (await tick(bot)).sent:
            sent_times.append(bot.clock.now.astimezone(timezone(timedelta(hours=2))).strftime("%H:%M"))
    assert sent_times == ["07:00", "09:00", "12:00", "15:00", "18:00", "21:00"]  # stretch + 5 water


async def test_snooze_sends_again_once_after_30_minutes_and_stop_turns_it_off(bot, fake, no_violations):
    ann = fake.user(405)
    t = texts(bot)
    await opt_in_stretching(bot, ann)
    bot.clock.now = datetime(2026, 6, 2, 7, 0, 5, tzinfo=UTC)
    await tick(bot)
    reminder = await ann.reply()
    query = await ann.tap(reminder, t.buttons.snooze)
    await fake.wait_answered(query)
    snoozed = await ann.reply()
    assert "09:30" in snoozed.text and snoozed.button_texts == []

    bot.clock.advance(minutes=29)
    assert (await tick(bot)).sent == 0
    bot.clock.advance(minutes=1, seconds=5)
    assert (await tick(bot)).sent == 1
    again = await ann.reply()
    assert again.message_id != reminder.message_id
    bot.clock.advance(minutes=1)
    assert (await tick(bot)).due == 0

    await ann.tap(again, t.buttons.stop)
    stopped = await ann.reply()
    assert "off" in stopped.text
    assert not (await subscriptions.get_subscription(bot.services.db, 405, "stretching")).active
    bot.clock.advance(days=3)
    assert (await tick(bot)).due == 0


async def test_restart_sends_nothing_twice_and_pending_prompt_survives(bot, fake, no_violations):
    ann = fake.user(406)
    t = texts(bot)
    await opt_in_stretching(bot, ann)
    bot.clock.now = datetime(2026, 6, 2, 7, 0, 5, tzinfo=UTC)
    assert (await tick(bot)).sent == 1
    await ann.reply()
    await ann.tap(ann.last, t.buttons.done)
    await ann.reply()
    await ann.send("/reminders")
    screen = await ann.reply()
    await ann.tap(screen, t.buttons.stretching_time)
    await ann.reply()

    await bot.restart()
    assert (await tick(bot)).due == 0  # the same moment after a restart: nothing again
    await ann.send("8am")  # the question asked before the restart is still answered
    await ann.tap(await ann.reply(), t.buttons.yes)
    assert "every day at 08:00" in (await ann.reply()).text
    deleted = [m for m in fake.chats[406].messages.values() if m.deleted]  # the location button's removal
    assert fake.sent_count(406) == len(ann.messages) + len(deleted) and len(deleted) == 1
    stretch_messages = [m for m in ann.messages if bot.services.reminders.stretch_heading in (m.text or "")]
    assert len(stretch_messages) == 1


async def test_blocking_the_bot_switches_reminders_off(bot, fake, no_violations):
    ann = fake.user(407)
    await opt_in_stretching(bot, ann)
    await ann.block()  # Telegram sends my_chat_member "kicked"

    async def off():
        sub = await subscriptions.get_subscription(bot.services.db, 407, "stretching")
        return not sub.active

    await eventually(off, "the subscription to be switched off")
    bot.clock.advance(days=1)
    assert (await tick(bot)).due == 0


async def test_403_at_send_time_deactivates(bot, fake, no_violations):
    ann = fake.user(408)
    await opt_in_stretching(bot, ann)
    fake.chats[408].blocked = True  # blocked without the bot hearing of it
    bot.clock.now = datetime(2026, 6, 2, 7, 0, 5, tzinfo=UTC)
    report = await tick(bot)
    assert report.deactivated == 1
    assert not (await subscriptions.get_subscription(bot.services.db, 408, "stretching")).active


async def test_urgent_text_at_a_prompt_gets_the_emergency_reply(bot, fake, no_violations):
    ann = fake.user(409)
    screen = await open_reminders(bot, ann)
    await ann.tap(screen, texts(bot).buttons.zone)
    await zone_prompt(ann)
    await ann.send("my back went and now i cant feel my bum or inner thighs")
    urgent = await ann.reply()
    assert all(n in urgent.text for n in ("112", "911", "999"))
    assert await pending_store.get_pending(bot.services.db, 409, bot.clock.now) is None


async def test_a_question_at_a_prompt_is_answered_with_a_way_back_to_it(bot, fake, no_violations):
    ann = fake.user(411)
    messages = bot.services.content.messages
    screen = await open_reminders(bot, ann)
    await ann.tap(screen, texts(bot).buttons.zone)
    prompt = await zone_prompt(ann)
    await ann.send("my back seized up, what do i do")
    answer = await ann.reply()
    assert answer.message_id != prompt.message_id and "time zone" not in answer.text.lower()
    assert messages.reminder_still_open in answer.text
    assert answer.button_texts[0] == messages.buttons.resume_reminders
    await ann.tap(answer, messages.buttons.resume_reminders)
    again = await ann.reply()
    assert again.message_id > answer.message_id and again.text == prompt.text  # the question, at the bottom
    await ann.reply()  # and the location button under the input field again
    assert ann.reply_keyboard is not None
    await ann.send("Berlin")
    assert "Berlin" in (await said_back(ann)).text  # and it still answers it


async def test_cancel_and_other_commands_drop_the_prompt(bot, fake, no_violations):
    ann = fake.user(410)
    screen = await open_reminders(bot, ann)
    await ann.tap(screen, texts(bot).buttons.zone)
    await zone_prompt(ann)
    assert ann.reply_keyboard is not None  # the location button
    await ann.send("/cancel")
    assert (await ann.reply()).reply_markup == {"remove_keyboard": True}  # it goes with the question
    assert bot.services.content.messages.cancelled in (await ann.reply()).text
    assert ann.reply_keyboard is None
    await ann.send("what causes back spasms")  # a question again, not a zone
    answer = await ann.reply()
    assert "time zone" not in answer.text.lower()
    assert await users.get_user(bot.services.db, 410) is None  # nothing stored by looking around


async def test_a_stale_prompt_is_not_read_as_a_time(bot, fake, no_violations):
    ann = fake.user(411)
    screen = await open_reminders(bot, ann)
    await ann.tap(screen, texts(bot).buttons.stretching_time)
    await ann.reply()
    bot.clock.advance(hours=2)
    await ann.send("what causes back spasms")
    answer = await ann.reply()
    assert texts(bot).errors.bad_time not in answer.text  # answered as a question
    assert await subscriptions.get_subscription(bot.services.db, 411, "stretching") is None


async def test_forged_and_stale_reminder_buttons(bot, fake, no_violations):
    ann = fake.user(412)
    bob = fake.user(413)
    await opt_in_stretching(bot, ann)
    bot.clock.now = datetime(2026, 6, 2, 7, 0, 5, tzinfo=UTC)
    await tick(bot)
    reminder = await ann.reply()
    done_data = reminder.buttons[0][0][1]
    await bob.send("/menu")
    menu = await bob.reply()
    query = await bob.press(menu, done_data)  # someone else's reminder key
    assert "out of date" in (await fake.wait_answered(query)).text
    assert await completions.streak(bot.services.db, 412, "stretching", date(2026, 6, 2)) == 0
    query = await ann.press(reminder, "rm:d:1:2026:0")  # not a date
    assert "out of date" in (await fake.wait_answered(query)).text
    fresh = await ann.reply()  # the message became a fresh menu
    for data in ("rm:n:99", "rm:on:q", "rm:set:s:e:0700", "rm:zz", "rm:v:extra", "rm:x:0:20260602:0"):
        query = await ann.press(fresh, data)
        assert (await fake.wait_answered(query)).text
    assert ann.messages[-1].edits == fresh.edits


async def test_too_many_water_reminders_for_the_hours_are_refused_with_the_reason(bot, fake, no_violations):
    ann = fake.user(414)
    t = texts(bot)
    screen = await open_reminders(bot, ann)
    await ann.tap(screen, t.buttons.hydration_times)
    water = await ann.reply()
    await ann.tap(water, t.buttons.last.format(time="19:00"))
    await ann.reply()
    await ann.send("noon")
    await ann.tap(await ann.reply(), t.buttons.yes)
    narrow = await ann.reply()
    assert "from 09:00 to 12:00" in narrow.text
    await ann.press(narrow, "rm:n:12")  # twelve a day in three hours
    refused = await ann.reply()
    assert "at least 5:30 hours" in refused.text and "4 a day" in refused.text
    assert (await subscriptions.get_subscription(bot.services.db, 414, "hydration")).per_day == 4


async def test_the_jobqueue_job_sends_without_anyone_calling_tick(bot, fake, no_violations):
    ann = fake.user(415)
    await opt_in_stretching(bot, ann)
    bot.clock.now = datetime(2026, 6, 2, 7, 0, 5, tzinfo=UTC)
    reminder_sender.schedule(bot.app, 0.05)
    reminder = await ann.reply()
    assert bot.services.reminders.stretch_heading in reminder.text
    await asyncio.sleep(0.3)  # several more runs of the job: still one message
    deleted = [m for m in fake.chats[415].messages.values() if m.deleted]  # the location button's removal
    assert fake.sent_count(415) == len(ann.messages) + len(deleted)
    assert [j.name for j in bot.app.job_queue.jobs()] == ["reminders"]
