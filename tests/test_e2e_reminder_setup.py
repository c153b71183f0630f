"""End to end (issue 10, item 3): reminder set-up reads natural answers, says each one back with
Yes / Change, saves nothing before Yes, and hands text that is no answer to the normal handler.

The fixture clock is 2026-06-01 08:00 UTC: summer time in Europe and North America, winter in
Australia (Sydney is UTC+10).
"""

from datetime import datetime, time, timezone

from bot.core.content import plain_text
from bot.storage import pending as pending_store
from bot.storage import subscriptions, users
from bot.telegram import reminder_sender
from tests.reminder_steps import said_back, zone_prompt

UTC = timezone.utc


def texts(bot):
    return bot.services.reminders.texts


async def tick(bot):
    return await reminder_sender.tick(bot.app, bot.clock.now)


async def open_zone_question(bot, user):
    await user.send("/reminders")
    await user.tap(await user.reply(), texts(bot).buttons.zone)
    return await zone_prompt(user)


async def set_zone(bot, user, typed="Berlin"):
    await open_zone_question(bot, user)
    await user.send(typed)
    await user.tap(await said_back(user), texts(bot).buttons.yes)
    return await user.reply()


async def test_9ish_is_said_back_confirmed_and_saved(bot, fake, no_violations):
    ann = fake.user(501)
    t = texts(bot)
    await set_zone(bot, ann)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_time)
    await ann.reply()
    await ann.send("10ish")
    said = await ann.reply()
    assert "Berlin time (Europe/Berlin, UTC+2 now): your daily stretch at 10:00 — right?" in said.text
    assert "“10ish” read as 10:00." in said.text
    assert said.button_texts == [t.buttons.yes, t.buttons.change]
    assert await subscriptions.get_subscription(bot.services.db, 501, "stretching") is None  # nothing saved yet
    await ann.tap(said, t.buttons.yes)
    saved = await ann.reply()
    assert saved.message_id == said.message_id and "every day at 10:00" in saved.text
    assert (await subscriptions.get_subscription(bot.services.db, 501, "stretching")).at == time(10, 0)
    assert await pending_store.get_pending(bot.services.db, 501, bot.clock.now) is None


async def test_turning_stretching_on_asks_its_time_and_9ish_then_the_zone(bot, fake, no_violations):
    """The issue: switching on silently used 09:00, and "9ish" at the zone question became UTC+13:45."""
    ann = fake.user(502)
    t = texts(bot)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_on)
    when = await ann.reply()
    assert "When should the daily stretch arrive?" in when.text
    assert {"07:00", "09:00", "20:00"} <= set(when.button_texts)
    assert await subscriptions.list_subscriptions(bot.services.db, 502) == []  # asking switches nothing on
    await ann.send("9ish")
    zone_question = await zone_prompt(ann)
    assert "09:00 it is." in zone_question.text and "“9ish” read as 09:00." in zone_question.text
    assert "time zone" in zone_question.text
    await ann.send("9ish")  # typed again at the zone question: never read as a zone
    refused = await ann.reply()
    assert "looks like a reminder time" in refused.text
    assert await users.get_user(bot.services.db, 502) is None
    await ann.send("Berlin")
    said = await said_back(ann)
    assert "Berlin time (Europe/Berlin, UTC+2 now): your daily stretch at 09:00 — right?" in said.text
    assert said.button_texts == [t.buttons.yes, t.buttons.change_time, t.buttons.change_zone]
    assert await users.get_user(bot.services.db, 502) is None  # said back, not saved
    await ann.tap(said, t.buttons.yes)
    on = await ann.reply()
    assert "Stretching reminders are on" in on.text and "tomorrow at 09:00" in on.text
    sub = await subscriptions.get_subscription(bot.services.db, 502, "stretching")
    assert sub.active and sub.at == time(9, 0) and sub.zone == "Europe/Berlin"


async def test_in_the_evening_at_the_time_question_is_a_time_not_a_greeting(bot, fake, no_violations):
    ann = fake.user(503)
    t = texts(bot)
    await set_zone(bot, ann)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_on)
    await ann.reply()
    await ann.send("in the evening")
    said = await ann.reply()
    assert "your daily stretch at 19:00 — right?" in said.text
    assert "For “in the evening” I picked 19:00" in said.text
    assert t.confirm.switch_on in said.text
    await ann.tap(said, t.buttons.change)  # another time after all
    again = await ann.reply()
    assert "When should the daily stretch arrive?" in again.text
    await ann.send("8 in the evening")
    said = await ann.reply()
    assert "at 20:00 — right?" in said.text
    await ann.tap(said, t.buttons.yes)
    assert "today at 20:00" in (await ann.reply()).text  # 10:00 in Berlin now
    assert (await subscriptions.get_subscription(bot.services.db, 503, "stretching")).at == time(20, 0)


async def test_turning_water_on_asks_for_the_first_time(bot, fake, no_violations):
    ann = fake.user(504)
    t = texts(bot)
    await set_zone(bot, ann)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.hydration_on)
    first = await ann.reply()
    assert "When should the first water reminder come?" in first.text
    await ann.send("after breakfast")
    said = await ann.reply()
    assert "4 water reminders a day, the first at 08:30 and the last at 19:00 — right?" in said.text
    await ann.tap(said, t.buttons.yes)
    on = await ann.reply()
    assert "4 a day from 08:30 to 19:00" in on.text
    assert (await subscriptions.get_subscription(bot.services.db, 504, "hydration")).active


async def test_im_in_sydney_is_said_back_with_its_offset(bot, fake, no_violations):
    ann = fake.user(505)
    t = texts(bot)
    await open_zone_question(bot, ann)
    await ann.send("I'm in Sydney")
    said = await said_back(ann)
    assert "Your time zone: Sydney time (Australia/Sydney, UTC+10 now) — right?" in said.text
    assert await users.get_user(bot.services.db, 505) is None
    await ann.tap(said, t.buttons.yes)
    assert "Australia/Sydney" in (await ann.reply()).text
    assert (await users.get_user(bot.services.db, 505)).zone == "Australia/Sydney"


async def test_est_is_new_york_with_summer_time(bot, fake, no_violations):
    ann = fake.user(506)
    t = texts(bot)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_on)
    await ann.tap(await ann.reply(), "09:00")
    await zone_prompt(ann)
    await ann.send("EST")
    said = await said_back(ann)
    assert "US Eastern time (America/New_York, UTC-4 now): your daily stretch at 09:00 — right?" in said.text
    await ann.tap(said, t.buttons.yes)
    await ann.reply()
    assert (await users.get_user(bot.services.db, 506)).zone == "America/New_York"
    # 09:00 in New York in June is 13:00 UTC (UTC-4), not 14:00 (a fixed UTC-5 would be).
    bot.clock.now = datetime(2026, 6, 1, 13, 0, 5, tzinfo=UTC)
    assert (await tick(bot)).sent == 1
    assert bot.services.reminders.stretch_heading in (await ann.reply()).text


async def test_a_question_at_the_zone_prompt_is_answered_and_the_prompt_stays(bot, fake, no_violations):
    """The issue: "my back seized up, what do i do" at the zone question got "I don't know that time zone"."""
    ann = fake.user(507)
    t = texts(bot)
    question = "my back seized up, what do i do"
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_on)
    await ann.tap(await ann.reply(), "08:00")
    await zone_prompt(ann)
    await ann.send(question)
    answer = await ann.reply()
    expected = bot.services.engine.answer(question)
    assert expected.kind != "no_match"
    assert plain_text(expected.text).split("\n")[0].strip() in answer.text
    assert "time zone" not in answer.text.lower() and t.buttons.yes not in answer.button_texts
    waiting = await pending_store.get_pending(bot.services.db, 507, bot.clock.now)
    assert waiting is not None and waiting.awaiting == "zone"  # still open, nothing lost
    await ann.send("sydney australia")
    said = await said_back(ann)
    assert "Sydney time (Australia/Sydney, UTC+10 now): your daily stretch at 08:00 — right?" in said.text


async def test_a_question_at_the_time_prompt_is_answered(bot, fake, no_violations):
    ann = fake.user(508)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), texts(bot).buttons.stretching_time)
    await ann.reply()
    await ann.send("can i take ibuprofen at 9")
    answer = await ann.reply()
    assert texts(bot).errors.bad_time not in answer.text and "right?" not in answer.text
    assert await pending_store.get_pending(bot.services.db, 508, bot.clock.now) is not None


async def test_a_red_flag_at_the_zone_prompt_while_switching_on_gets_the_emergency_reply(bot, fake, no_violations):
    ann = fake.user(509)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), texts(bot).buttons.stretching_on)
    await ann.tap(await ann.reply(), "09:00")
    await zone_prompt(ann)
    await ann.send("my back went and now i cant feel my bum or inner thighs")
    urgent = await ann.reply()
    assert all(n in urgent.text for n in ("112", "911", "999"))
    assert await users.get_user(bot.services.db, 509) is None
    assert await pending_store.get_pending(bot.services.db, 509, bot.clock.now) is None  # set-up dropped


async def test_a_country_with_several_zones_asks_which(bot, fake, no_violations):
    ann = fake.user(510)
    t = texts(bot)
    await open_zone_question(bot, ann)
    await ann.send("australia")
    choices = await said_back(ann)
    assert "Australia has more than one time zone" in choices.text
    assert {"Sydney (UTC+10)", "Perth (UTC+8)", "Adelaide (UTC+9:30)"} <= set(choices.button_texts)
    await ann.tap(choices, "Perth (UTC+8)")
    said = await ann.reply()
    assert "Perth time (Australia/Perth, UTC+8 now) — right?" in said.text
    await ann.tap(said, t.buttons.yes)
    await ann.reply()
    assert (await users.get_user(bot.services.db, 510)).zone == "Australia/Perth"


async def test_my_time_is_and_a_bare_clock_are_fixed_offsets_said_back(bot, fake, no_violations):
    ann = fake.user(511)
    t = texts(bot)
    await open_zone_question(bot, ann)
    await ann.send("my time is 7:45pm")  # UTC+11:45 at 08:00 UTC: no place
    assert "No time zone shows 7:45pm right now" in (await ann.reply()).text
    await ann.send("my time is 1:45pm")  # Nepal
    said = await said_back(ann)
    assert "UTC+5:45, worked out from your clock showing 13:45" in said.text
    await ann.send("14:05")  # a bare clock: said back as a guess
    guess = await said_back(ann)
    assert "UTC+6, if it is 14:05 where you are right now" in guess.text
    await ann.tap(guess, t.buttons.yes)
    await ann.reply()
    assert (await users.get_user(bot.services.db, 511)).zone == "+06:00"


async def test_change_zone_keeps_the_time_while_switching_on(bot, fake, no_violations):
    ann = fake.user(512)
    t = texts(bot)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_on)
    await ann.reply()
    await ann.send("quarter to 8")
    await zone_prompt(ann)
    await ann.send("pacific time")
    said = await said_back(ann)
    assert "US Pacific time (America/Los_Angeles, UTC-7 now): your daily stretch at 07:45" in said.text
    await ann.tap(said, t.buttons.change_zone)
    await zone_prompt(ann)
    await ann.send("uk")
    said = await said_back(ann)
    assert "UK time (Europe/London, UTC+1 now): your daily stretch at 07:45 — right?" in said.text
    await ann.tap(said, t.buttons.yes)
    await ann.reply()
    sub = await subscriptions.get_subscription(bot.services.db, 512, "stretching")
    assert sub.active and sub.zone == "Europe/London" and sub.at == time(7, 45)


async def test_nothing_is_saved_when_the_said_back_answer_is_left(bot, fake, no_violations):
    ann = fake.user(513)
    await open_zone_question(bot, ann)
    await ann.send("new york")
    assert "New York time" in (await said_back(ann)).text
    await ann.send("/cancel")
    await ann.reply()
    assert await users.get_user(bot.services.db, 513) is None


async def test_a_shared_location_is_mapped_to_its_zone_and_said_back(bot, fake, no_violations):
    ann = fake.user(514)
    t = texts(bot)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.stretching_on)
    await ann.tap(await ann.reply(), "07:00")
    await zone_prompt(ann)
    await ann.tap_location_button(-33.87, 151.21)  # Sydney
    said = await said_back(ann)
    assert "Australia/Sydney time, from your location (UTC+10 now): your daily stretch at 07:00" in said.text
    await ann.tap(said, t.buttons.yes)
    await ann.reply()
    sub = await subscriptions.get_subscription(bot.services.db, 514, "stretching")
    assert sub.active and sub.zone == "Australia/Sydney"


async def test_a_location_without_a_question_is_not_taken_as_a_zone(bot, fake, no_violations):
    ann = fake.user(515)
    await ann.send_location(52.52, 13.40)
    reply = await ann.reply()
    assert "right?" not in reply.text
    assert await users.get_user(bot.services.db, 515) is None


async def test_typed_stop_at_the_zone_question_takes_the_location_button_away(bot, fake, no_violations):
    ann = fake.user(516)
    await open_zone_question(bot, ann)
    assert ann.reply_keyboard is not None
    await ann.send("stop")
    assert (await ann.reply()).reply_markup == {"remove_keyboard": True}
    assert bot.services.content.messages.cancelled in (await ann.reply()).text
    assert ann.reply_keyboard is None
    assert await pending_store.get_pending(bot.services.db, 516, bot.clock.now) is None


async def test_the_location_button_pressed_after_the_question_closed_still_sets_the_zone(bot, fake, no_violations):
    """A one-time keyboard folds away but can be opened again: its button is never a dead end."""
    ann = fake.user(517)
    t = texts(bot)
    await open_zone_question(bot, ann)
    await ann.send("what helps a back spasm")  # answered as a question; the zone question stays open
    await ann.reply()
    await pending_store.clear_pending(bot.services.db, 517)  # as 30 minutes later
    await ann.tap_location_button(-33.87, 151.21)
    said = await said_back(ann)
    assert "Australia/Sydney time, from your location" in said.text
    await ann.tap(said, t.buttons.yes)
    await ann.reply()
    assert (await users.get_user(bot.services.db, 517)).zone == "Australia/Sydney"


async def test_a_lost_location_offer_leaves_the_zone_question_working(bot, fake, no_violations):
    """The button is optional: if its message cannot be sent, the question still stands."""
    ann = fake.user(518)
    t = texts(bot)
    await ann.send("/reminders")
    await ann.tap(await ann.reply(), t.buttons.zone)
    fake.inject_error("sendMessage", 400, "Bad Request: something odd", chat_id=518)  # the offer
    prompt = await ann.reply()
    assert "time zone" in prompt.text.lower()
    await ann.send("Berlin")
    said = await said_back(ann)
    assert "Berlin time" in said.text
