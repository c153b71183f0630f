"""Reminder screens in Telegram: /reminders, the menu's Reminders button, typed times and zones,
and Done / Snooze / Stop on the reminders the dispatcher sends.

Typed input: when a screen asks for a time or a zone it stores what it waits for in SQLite
(bot.storage.pending), so the answer still works after a restart. A handler in its own group
(bot.app's routing table, REMINDER_TYPED) reads the
next typed text (or a shared location) as that answer, says back what it understood with Yes /
Change buttons, and stops it there. Nothing is saved until Yes. Text that is no answer
(bot.core.timeparse.read_time / read_zone return None) goes on untouched to the normal handlers
and the question stays open; so does anything urgent, which also drops the prompt, so an
emergency reply is never swallowed by a reminder prompt. Any command or another feature's
button drops the prompt.

Switching a kind on asks for its time first (preset buttons, or typed), then the zone if none is
stored; both are said back together: "Sydney time (UTC+10 now): your daily stretch at 07:45 —
right?". The Yes button carries everything it saves (kind, field, time, zone), like every
button here, so it works after a restart or after the question expired.
"""

from __future__ import annotations

import logging
import re
from datetime import time

from telegram import Bot, Chat, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core import schedule
from bot.core.content import plain_text
from bot.core.location import zone_at
from bot.core.telegram_html import escape
from bot.core.timeparse import ZoneChoices, ZoneProblem, ZoneReading, read_time, read_zone
from bot.storage import completions, deliveries, subscriptions, users
from bot.storage import pending as pending_store
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import privacy_handlers
from bot.telegram import reminder_ui as ui
from bot.telegram.handlers import stale_button
from bot.telegram.sending import answer_query, offer_reply_keyboard, remove_reply_keyboard, reply, send, show
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

PATTERN = rf"^{cb.REMINDERS}({cb.SEP}|$)"
def is_other_button(data: object) -> bool:
    """Any button but the reminders' own: tapping one drops an open prompt."""
    return not (isinstance(data, str) and re.match(PATTERN, data))
ZONE = "zone"


# --- screens built from the database -----------------------------------------------------------


async def overview_screen(svc: Services, chat_id: int, lead: str | None = None):
    user = await users.get_user(svc.db, chat_id)
    subs = await subscriptions.list_subscriptions(svc.db, chat_id)
    return ui.overview(svc.reminders, user.zone if user else None, subs, kb.home_row(svc.content), lead)


async def water_screen(svc: Services, chat_id: int, lead: str | None = None):
    return ui.water_screen(svc.reminders, await subscriptions.get_subscription(svc.db, chat_id, "hydration"), lead)


def _schedule_error(svc: Services, count: int, start: time, end: time) -> str:
    """The content's words for settings that make no schedule."""
    errors = svc.reminders.texts.errors
    if count > 1 and (end.hour, end.minute) <= (start.hour, start.minute):
        return errors.end_before_start
    need = (count - 1) * schedule.MIN_GAP_MINUTES
    return errors.window_too_small.format(count=count, need=f"{need // 60}:{need % 60:02d}")


async def _save_time(svc: Services, chat_id: int, kind: str, field: str, value: time) -> str | None:
    """Store one time; None when saved, else the error text to show."""
    current = await subscriptions.get_subscription(svc.db, chat_id, kind)
    try:
        await subscriptions.update_settings(svc.db, chat_id, kind, svc.clock(), **{field: value})
    except schedule.ScheduleError:
        count = current.per_day if current else schedule.DEFAULT_COUNT
        start = value if field == "start" else (current.start if current else schedule.DEFAULT_START)
        end = value if field == "end" else (current.end if current else schedule.DEFAULT_END)
        return _schedule_error(svc, count, start, end)
    return None


async def _turn_on(svc: Services, chat_id: int, kind: str) -> str:
    """Switch a kind on (the zone is known); the lead line saying when the first one comes."""
    now = svc.clock()
    sub = await subscriptions.activate(svc.db, chat_id, kind, now)
    kind_name = escape(svc.reminders.texts.kinds.of(kind))
    when = ui.when_text(svc.reminders, sub.zone, sub.next.due_utc, now) if sub.next and sub.zone else ""
    log.info("reminder switched on: kind=%s", kind)
    return svc.reminders.texts.results.turned_on.format(kind=kind_name, when=when)


# --- commands and typed text ------------------------------------------------------------------


async def reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat_id = update.effective_chat.id
    await reply(update.effective_message, *await overview_screen(svc, chat_id))


async def drop_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command (/cancel too) or another feature's button: the open prompt is dropped.

    Returns without stopping, so the command or button is handled as usual."""
    svc = services(context)
    chat = update.effective_chat
    if svc.db is not None and chat is not None:
        waiting = await pending_store.take_pending(svc.db, chat.id, svc.clock())
        if waiting is not None and waiting.awaiting == ZONE:
            await _take_location_button_away(svc, context.bot, chat)


async def on_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text while a time or zone question is open: said back if it is an answer.

    Stops the update (ApplicationHandlerStop) only when the text was taken as an answer, or as a
    failed try at one (a word or two the answer engine knows nothing about, like "Narnia"). Any
    other text goes on to the normal handlers untouched and the question stays open: "my back
    seized up, what do i do" is answered as a question, never as "I don't know that time zone".
    Red flags first: urgent text drops the prompt and goes on to the emergency reply."""
    svc = services(context)
    message: Message = update.effective_message
    if svc.db is None or update.effective_chat is None or not message.text:
        return
    chat_id = update.effective_chat.id
    waiting = await pending_store.get_pending(svc.db, chat_id, svc.clock())
    if waiting is None:
        return
    if svc.engine.is_urgent(message.text):
        # The emergency reply comes from the normal handler; the prompt is no longer the point.
        await pending_store.clear_pending(svc.db, chat_id)
        return
    if waiting.awaiting == ZONE:
        taken = await _typed_zone(svc, message, chat_id, waiting.then_do)
    else:
        taken = await _typed_time(svc, message, chat_id, waiting.awaiting, waiting.then_do)
    if not taken and _a_failed_try(svc, message.text):
        lead = svc.reminders.texts.errors.bad_zone if waiting.awaiting == ZONE else svc.reminders.texts.errors.bad_time
        await reply(message, *_prompt_again(svc, waiting, lead))
        taken = True
    if taken:
        raise ApplicationHandlerStop
    log.info("text at an open prompt is not an answer: handled as a message")


def _a_failed_try(svc: Services, text: str) -> bool:
    """A word or two that the answer engine cannot place ("Narnia", "9:70"): a try at the answer."""
    if "?" in text or len(text.split()) > 3:
        return False
    return svc.engine.answer(text).kind == "no_match"


def _prompt_again(svc: Services, waiting: pending_store.Pending, lead: str):
    if waiting.awaiting == ZONE:
        return ui.zone_prompt(svc.reminders, lead=lead)
    found = _time_target(waiting.awaiting)
    if found is None:
        return ui.zone_prompt(svc.reminders, lead=lead)
    kind, field = found
    return ui.time_prompt(svc.reminders, kind, field, lead=lead, switch_on=waiting.then_do == ON_FLAG)


ON_FLAG = "on"  # then_do of a time question asked while switching a kind on


def _time_target(awaiting: str) -> tuple[str, str] | None:
    parts = awaiting.split(":")
    if len(parts) != 3 or parts[0] != "time" or parts[1] not in schedule.KINDS or parts[2] not in ui.FIELD_CODES:
        return None
    if (parts[1] == "stretching") != (parts[2] == "at"):
        return None
    return parts[1], parts[2]


def _switch_on_plan(then_do: str | None) -> tuple[str, str, time | None] | None:
    """then_do of a zone question: "on:<kind>[:<field>:<HHMM>]" -> (kind, field, time or None)."""
    parts = (then_do or "").split(":")
    if len(parts) < 2 or parts[0] != "on" or parts[1] not in schedule.KINDS:
        return None
    kind = parts[1]
    field = "at" if kind == "stretching" else "start"
    if len(parts) == 4 and parts[2] in ui.FIELD_CODES and (kind == "stretching") == (parts[2] == "at"):
        value = ui.parse_compact(parts[3])
        if value is not None:
            return kind, parts[2], value
    return kind, field, None


async def _settings(svc: Services, chat_id: int, kind: str) -> tuple[int, time, time, time]:
    """(count, first, last, daily time) as they are now, or the defaults."""
    sub = await subscriptions.get_subscription(svc.db, chat_id, kind)
    if sub is None:
        return schedule.DEFAULT_COUNT, schedule.DEFAULT_START, schedule.DEFAULT_END, schedule.DEFAULT_TIME
    return sub.per_day, sub.start, sub.end, sub.at


async def _schedule_problem(svc: Services, chat_id: int, kind: str, field: str, value: time) -> str | None:
    """Why this time would make no schedule (water: the first after the last...), or None."""
    if kind != "hydration":
        return None
    count, start, end, _ = await _settings(svc, chat_id, kind)
    start, end = (value, end) if field == "start" else (start, value)
    try:
        schedule.SubSpec("hydration", "UTC", count=count, start=start, end=end)
    except schedule.ScheduleError:
        return _schedule_error(svc, count, start, end)
    return None


async def _confirm_time_screen(
    svc: Services, chat_id: int, kind: str, field: str, value: time, switch_on: bool,
    zone: ZoneReading | None = None, notes: list[str] | None = None,
):
    """The said-back time (and zone): with the zone typed in this set-up, or the stored one."""
    now = svc.clock()
    count, start, end, _ = await _settings(svc, chat_id, kind)
    if zone is not None:
        zone_text = ui.describe_zone(svc.reminders, zone, now)
    else:
        user = await users.get_user(svc.db, chat_id)
        stored = user.zone if user else None
        zone_text = ui.describe_zone(svc.reminders, ui.stored_zone(stored), now) if stored else svc.reminders.texts.confirm.no_zone
    return ui.confirm_time(
        svc.reminders, kind, field, value, zone_text, (count, start, end), switch_on,
        zone=zone.zone if zone else None, notes=notes, zone_changeable=zone is not None,
    )


async def _typed_zone(svc: Services, message: Message, chat_id: int, then_do: str | None) -> bool:
    reading = read_zone(message.text, svc.reminders.places, svc.clock(), svc.reminders.day_parts)
    if reading is None:
        return False
    if isinstance(reading, ZoneProblem):
        texts = svc.reminders.texts.confirm
        line = {"time": texts.problem_time, "clock": texts.problem_clock, "offset": texts.problem_offset}[reading.reason]
        log.info("typed zone refused: %s", reading.reason)
        await reply(message, *ui.zone_prompt(svc.reminders, lead=line.format(text=escape(reading.text))))
        return True
    if isinstance(reading, ZoneChoices):
        log.info("typed zone has several zones: %d", len(reading.zones))
        await _zone_answered(svc, message, *ui.zone_choices(svc.reminders, reading, svc.clock()))
        return True
    log.info("typed zone read: how=%s", reading.how)
    await _zone_answered(svc, message, *await _zone_said_back(svc, chat_id, reading, then_do))
    return True


async def _offer_location(svc: Services, bot: Bot, chat: Chat | None) -> None:
    """The zone question has just opened: in a private chat, the location button too (a reply
    keyboard, so a message of its own; groups cannot have one)."""
    if chat is not None and chat.type == Chat.PRIVATE:
        await offer_reply_keyboard(bot, chat.id, *ui.location_offer(svc.reminders))


async def _zone_answered(svc: Services, message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """What a typed or shared zone was read as: in a private chat the location button goes first."""
    await _take_location_button_away(svc, message.get_bot(), message.chat)
    await reply(message, text, markup)


async def _take_location_button_away(svc: Services, bot: Bot, chat: Chat | None) -> None:
    if chat is not None and chat.type == Chat.PRIVATE:
        await remove_reply_keyboard(bot, chat.id, svc.reminders.texts.prompts.zone_location_done)


async def _zone_said_back(svc: Services, chat_id: int, reading: ZoneReading, then_do: str | None):
    """A zone read from text, a location or a button, said back; with the time, while switching on."""
    plan = _switch_on_plan(then_do)
    if plan is None:
        return ui.confirm_zone(svc.reminders, ui.describe_zone(svc.reminders, reading, svc.clock()), reading.zone)
    kind, field, value = plan
    if value is None:  # a question from before the time was asked first: the current time
        count, start, end, at = await _settings(svc, chat_id, kind)
        value = at if kind == "stretching" else start
    return await _confirm_time_screen(svc, chat_id, kind, field, value, True, zone=reading)


async def _typed_time(svc: Services, message: Message, chat_id: int, awaiting: str, then_do: str | None) -> bool:
    found = _time_target(awaiting)
    if found is None:
        await pending_store.clear_pending(svc.db, chat_id)
        return False
    kind, field = found
    reading = read_time(message.text, svc.reminders.day_parts)
    if reading is None:
        return False
    switch_on = then_do == ON_FLAG
    problem = await _schedule_problem(svc, chat_id, kind, field, reading.value)
    if problem:
        await reply(message, *ui.time_prompt(svc.reminders, kind, field, lead=problem, switch_on=switch_on))
        return True
    notes = ui.reading_notes(svc.reminders, reading, message.text)
    log.info("typed time read: said=%s approximate=%s", bool(reading.said), reading.approximate)
    if switch_on and not await _has_zone(svc, chat_id):
        # Switching on without a zone: the zone next, then both are said back together.
        await _ask_zone_next(svc, chat_id, kind, field, reading.value)
        lead = "\n".join([svc.reminders.texts.confirm.time_noted.format(time=ui.hhmm(reading.value)), *notes])
        await reply(message, *ui.zone_prompt(svc.reminders, first=True, lead=lead))
        await _offer_location(svc, message.get_bot(), message.chat)
        return True
    await reply(message, *await _confirm_time_screen(svc, chat_id, kind, field, reading.value, switch_on, notes=notes))
    return True


async def _has_zone(svc: Services, chat_id: int) -> bool:
    user = await users.get_user(svc.db, chat_id)
    return bool(user and user.zone)


async def _ask_zone_next(svc: Services, chat_id: int, kind: str, field: str, value: time) -> None:
    then_do = f"on:{kind}:{field}:{ui.compact(value)}"
    await pending_store.save_pending(svc.db, chat_id, ZONE, then_do, svc.clock())


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location while the zone question is open: its zone (offline), said back."""
    svc = services(context)
    message: Message = update.effective_message
    if svc.db is None or update.effective_chat is None or message.location is None:
        return
    chat_id = update.effective_chat.id
    waiting = await pending_store.get_pending(svc.db, chat_id, svc.clock())
    asked = waiting is not None and waiting.awaiting == ZONE
    if not asked and update.effective_chat.type != Chat.PRIVATE:
        return  # not asked for: the usual "I can't read that" reply
    # In a private chat a location is only ever a time zone: the button may be pressed after the
    # question was closed (it folds away, it is not gone), so it is read and said back all the same.
    then_do = waiting.then_do if asked and waiting else None
    zone = zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        await reply(message, *ui.zone_prompt(svc.reminders, lead=svc.reminders.texts.confirm.problem_location))
    else:
        log.info("zone read from a location")
        await _zone_answered(svc, message, *await _zone_said_back(svc, chat_id, ZoneReading(zone, "location"), then_do))
    raise ApplicationHandlerStop


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user blocked the bot (or it left the chat): switch the chat's reminders off."""
    member = update.my_chat_member
    if member is None or member.new_chat_member.status not in ("kicked", "left"):
        return
    svc = services(context)
    if svc.db is not None:
        stopped = await subscriptions.deactivate_chat(svc.db, member.chat.id, svc.clock())
        log.info("bot removed from a chat; %d reminder(s) switched off", stopped)


# --- buttons ----------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    svc = services(context)
    fields = cb.decode(query.data)
    if not fields or fields[0] != cb.REMINDERS:
        await stale_button(update, context)
        return
    action, args = (fields[1], fields[2:]) if len(fields) > 1 else (ui.VIEW, [])
    chat_id = update.effective_chat.id
    handler = _BUTTONS.get(action)
    if handler is None or not await handler(update, context, svc, chat_id, args):
        await stale_button(update, context)


async def _view(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    if args:
        return False
    await pending_store.clear_pending(svc.db, chat_id)
    await answer_query(update.callback_query)
    await show(update.callback_query, *await overview_screen(svc, chat_id))
    return True


async def _on(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    kind = ui.KINDS_BY_CODE.get(args[0]) if len(args) == 1 else None
    if kind is None:
        return False
    query = update.callback_query
    await answer_query(query)
    # Switching on asks for the time (and then the zone, if unknown); nothing is on until confirmed.
    field = "at" if kind == "stretching" else "start"
    await pending_store.save_pending(svc.db, chat_id, f"time:{kind}:{field}", ON_FLAG, svc.clock())
    prompts = svc.reminders.texts.prompts
    lead = prompts.stretching_on if kind == "stretching" else prompts.hydration_on
    await show(query, *ui.time_prompt(svc.reminders, kind, field, lead=lead, switch_on=True))
    return True


async def _off(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    kind = ui.KINDS_BY_CODE.get(args[0]) if len(args) == 1 else None
    if kind is None:
        return False
    await answer_query(update.callback_query)
    await subscriptions.deactivate(svc.db, chat_id, kind, svc.clock())
    log.info("reminder switched off: kind=%s", kind)
    lead = svc.reminders.texts.results.turned_off.format(kind=escape(svc.reminders.texts.kinds.of(kind)))
    await show(update.callback_query, *await overview_screen(svc, chat_id, lead))
    return True


def _kind_field(args: list[str]) -> tuple[str, str] | None:
    if len(args) < 2:
        return None
    kind, field = ui.KINDS_BY_CODE.get(args[0]), ui.FIELDS_BY_CODE.get(args[1])
    if kind is None or field is None or (kind == "stretching") != (field == "at"):
        return None
    return kind, field


async def _ask_time(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    found = _kind_field(args) if len(args) == 2 else None
    if found is None:
        return False
    kind, field = found
    await answer_query(update.callback_query)
    await pending_store.save_pending(svc.db, chat_id, f"time:{kind}:{field}", None, svc.clock())
    await show(update.callback_query, *ui.time_prompt(svc.reminders, kind, field))
    return True


async def _set_time(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    switch_on = len(args) == 4 and args[3] == "1"
    found = _kind_field(args) if len(args) == 3 or switch_on else None
    value = ui.parse_compact(args[2]) if found else None
    if found is None or value is None:
        return False
    kind, field = found
    query = update.callback_query
    await answer_query(query)
    if switch_on:
        return await _switch_on_at(query, svc, chat_id, kind, field, value)
    await pending_store.clear_pending(svc.db, chat_id)
    error = await _save_time(svc, chat_id, kind, field, value)
    lead = error or svc.reminders.texts.results.saved
    screen = await (water_screen(svc, chat_id, lead) if kind == "hydration" else overview_screen(svc, chat_id, lead))
    await show(update.callback_query, *screen)
    return True


async def _switch_on_at(query, svc: Services, chat_id: int, kind: str, field: str, value: time, zone: str | None = None) -> bool:
    """A time chosen (a preset tapped, or a said-back time confirmed) while switching on."""
    if zone is not None:
        await subscriptions.set_zone(svc.db, chat_id, zone, svc.clock())
        log.info("time zone set: fixed_offset=%s", schedule.offset_minutes(zone) is not None)
    if not await _has_zone(svc, chat_id):
        await _ask_zone_next(svc, chat_id, kind, field, value)
        lead = svc.reminders.texts.confirm.time_noted.format(time=ui.hhmm(value))
        await show(query, *ui.zone_prompt(svc.reminders, first=True, lead=lead))
        await _offer_location(svc, query.get_bot(), query.message.chat if query.message else None)
        return True
    error = await _save_time(svc, chat_id, kind, field, value)
    if error:
        await pending_store.save_pending(svc.db, chat_id, f"time:{kind}:{field}", ON_FLAG, svc.clock())
        await show(query, *ui.time_prompt(svc.reminders, kind, field, lead=error, switch_on=True))
        return True
    await pending_store.clear_pending(svc.db, chat_id)
    leads = []
    if zone is not None:
        leads.append(_zone_saved_line(svc, zone))
    leads.append(await _turn_on(svc, chat_id, kind))
    await show(query, *await overview_screen(svc, chat_id, "\n".join(leads)))
    return True


def _zone_saved_line(svc: Services, zone: str) -> str:
    results = svc.reminders.texts.results
    saved = results.zone_saved_fixed if schedule.offset_minutes(zone) is not None else results.zone_saved
    return saved.format(zone=escape(schedule.zone_label(zone)))


async def _yes_time(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    """Yes to a said-back time: ys:<k>:<f>:<HHMM>:<0|1>[:<zone>]."""
    if len(args) not in (4, 5) or args[3] not in ("0", "1"):
        return False
    found = _kind_field(args[:2])
    value = ui.parse_compact(args[2]) if found else None
    zone = ui.parse_zone_code(args[4]) if len(args) == 5 else None
    if found is None or value is None or (len(args) == 5 and (zone is None or args[3] != "1")):
        return False
    kind, field = found
    query = update.callback_query
    await answer_query(query)
    if args[3] == "1":
        return await _switch_on_at(query, svc, chat_id, kind, field, value, zone)
    await pending_store.clear_pending(svc.db, chat_id)
    error = await _save_time(svc, chat_id, kind, field, value)
    lead = error or svc.reminders.texts.results.saved
    screen = await (water_screen(svc, chat_id, lead) if kind == "hydration" else overview_screen(svc, chat_id, lead))
    await show(query, *screen)
    return True


async def _yes_zone(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    """Yes to a said-back zone: yz:<zone>."""
    zone = ui.parse_zone_code(args[0]) if len(args) == 1 else None
    if zone is None:
        return False
    await answer_query(update.callback_query)
    await subscriptions.set_zone(svc.db, chat_id, zone, svc.clock())
    await pending_store.clear_pending(svc.db, chat_id)
    log.info("time zone set: fixed_offset=%s", schedule.offset_minutes(zone) is not None)
    await show(update.callback_query, *await overview_screen(svc, chat_id, _zone_saved_line(svc, zone)))
    return True


async def _change_time(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    """Change under a said-back time: ct:<k>:<f>:<0|1>, the time question again."""
    found = _kind_field(args[:2]) if len(args) == 3 and args[2] in ("0", "1") else None
    if found is None:
        return False
    kind, field = found
    switch_on = args[2] == "1"
    await answer_query(update.callback_query)
    await pending_store.save_pending(svc.db, chat_id, f"time:{kind}:{field}", ON_FLAG if switch_on else None, svc.clock())
    await show(update.callback_query, *ui.time_prompt(svc.reminders, kind, field, switch_on=switch_on))
    return True


async def _change_zone(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    """Change under a said-back zone: cz, or cz:<k>:<f>:<HHMM> while switching on."""
    if args:
        found = _kind_field(args[:2]) if len(args) == 3 else None
        value = ui.parse_compact(args[2]) if found else None
        if found is None or value is None:
            return False
        then_do = f"on:{found[0]}:{found[1]}:{ui.compact(value)}"
    else:
        then_do = None
    await answer_query(update.callback_query)
    await pending_store.save_pending(svc.db, chat_id, ZONE, then_do, svc.clock())
    await show(update.callback_query, *ui.zone_prompt(svc.reminders))
    await _offer_location(svc, context.bot, update.effective_chat)
    return True


async def _pick_zone(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    """One zone of a country with several, tapped: said back (with the time, while switching on)."""
    zone = ui.parse_zone_code(args[0]) if len(args) == 1 else None
    if zone is None:
        return False
    await answer_query(update.callback_query)
    waiting = await pending_store.get_pending(svc.db, chat_id, svc.clock())
    then_do = waiting.then_do if waiting and waiting.awaiting == ZONE else None
    reading = ZoneReading(zone, "zone", ui.zone_city(zone))
    await show(update.callback_query, *await _zone_said_back(svc, chat_id, reading, then_do))
    return True


async def _water(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    if args:
        return False
    await answer_query(update.callback_query)
    await pending_store.clear_pending(svc.db, chat_id)
    await show(update.callback_query, *await water_screen(svc, chat_id))
    return True


async def _count(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    count = cb.number(args[0], 1, schedule.MAX_PER_DAY) if len(args) == 1 else None
    if count is None:
        return False
    await answer_query(update.callback_query)
    current = await subscriptions.get_subscription(svc.db, chat_id, "hydration")
    lead = None
    try:
        await subscriptions.update_settings(svc.db, chat_id, "hydration", svc.clock(), per_day=count)
    except schedule.ScheduleError:
        start = current.start if current else schedule.DEFAULT_START
        end = current.end if current else schedule.DEFAULT_END
        lead = _schedule_error(svc, count, start, end)
    await show(update.callback_query, *await water_screen(svc, chat_id, lead))
    return True


async def _ask_zone(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    if args:
        return False
    await answer_query(update.callback_query)
    await pending_store.save_pending(svc.db, chat_id, ZONE, None, svc.clock())
    await show(update.callback_query, *ui.zone_prompt(svc.reminders))
    await _offer_location(svc, context.bot, update.effective_chat)
    return True


# --- Done / Snooze / Stop on a sent reminder ----------------------------------------------------


async def _reminder_target(svc: Services, chat_id: int, args: list[str]):
    key = ui.parse_delivery(args)
    if key is None:
        return None
    sub = await subscriptions.get_subscription_by_id(svc.db, key.subscription_id)
    if sub is None or sub.chat_id != chat_id:  # forgotten, or not this chat's
        return None
    return key, sub


def _with_line(svc: Services, sub: subscriptions.Subscription, key: deliveries.DeliveryKey, line: str) -> str:
    return f"{ui.reminder_text(svc.reminders, sub.kind, key, sub.per_day)}\n\n{line}"


async def _done(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    target = await _reminder_target(svc, chat_id, args)
    if target is None:
        return False
    key, sub = target
    now = svc.clock()
    await completions.record_completion(svc.db, chat_id, sub.kind, key.local_date, now)
    today = schedule.local_today(sub.zone, now) if sub.zone else key.local_date
    days = await completions.streak(svc.db, chat_id, sub.kind, max(today, key.local_date))
    line = svc.reminders.texts.reminder.done.format(streak=ui.streak_text(svc.reminders, days))
    log.info("reminder done: kind=%s", sub.kind)
    await answer_query(update.callback_query, plain_text(line)[:200])
    await show(update.callback_query, _with_line(svc, sub, key, line), None)
    return True


async def _snooze(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    target = await _reminder_target(svc, chat_id, args)
    if target is None:
        return False
    key, sub = target
    texts = svc.reminders.texts.reminder
    query = update.callback_query
    try:
        due = await subscriptions.snooze(svc.db, key, svc.clock())
    except schedule.ScheduleError:
        await answer_query(query, plain_text(texts.snooze_limit)[:200])
        return True
    if due is None:
        await answer_query(query, plain_text(texts.is_off)[:200])
        await show(query, _with_line(svc, sub, key, texts.is_off), None)
        return True
    at = due.due_utc.astimezone(schedule.tz_for(sub.zone)).strftime("%H:%M") if sub.zone else ui.hhmm(due.due_utc.time())
    line = texts.snoozed.format(time=at)
    log.info("reminder snoozed: kind=%s", sub.kind)
    await answer_query(query, plain_text(line)[:200])
    await show(query, _with_line(svc, sub, key, line), None)
    return True


async def _stop(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    target = await _reminder_target(svc, chat_id, args)
    if target is None:
        return False
    key, sub = target
    await subscriptions.deactivate(svc.db, chat_id, sub.kind, svc.clock())
    texts = svc.reminders.texts
    line = texts.reminder.stopped.format(kind=escape(texts.kinds.of(sub.kind)))
    log.info("reminder stopped from its message: kind=%s", sub.kind)
    await answer_query(update.callback_query, plain_text(line)[:200])
    markup = InlineKeyboardMarkup([[kb.button(texts.buttons.back, cb.REMINDERS, ui.VIEW)]])
    await show(update.callback_query, _with_line(svc, sub, key, line), markup)
    return True


async def _forget(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    if args == ["y"]:
        await privacy_handlers.forget_confirmed(update, context)
        return True
    if args == ["n"]:
        await privacy_handlers.forget_kept(update, context)
        return True
    return False


async def _resume(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    """The open time or zone question again, as a new message where the person is now."""
    if args:
        return False
    query = update.callback_query
    await answer_query(query)
    waiting = await pending_store.get_pending(svc.db, chat_id, svc.clock())
    screen = _prompt_again(svc, waiting, "") if waiting is not None else await overview_screen(svc, chat_id)
    await send(query.get_bot(), chat_id, *screen, for_user=query.from_user)
    if waiting is not None and waiting.awaiting == ZONE:
        await _offer_location(svc, query.get_bot(), update.effective_chat)
    return True


async def continue_offer(svc: Services, chat_id: int) -> tuple[str, str, str] | None:
    """(line, button label, button data) under a normal answer while a time or zone is awaited."""
    if await pending_store.get_pending(svc.db, chat_id, svc.clock()) is None:
        return None
    messages = svc.content.messages
    return messages.reminder_still_open, messages.buttons.resume_reminders, cb.encode(cb.REMINDERS, ui.RESUME)


_BUTTONS = {
    ui.VIEW: _view,
    ui.ON: _on,
    ui.OFF: _off,
    ui.TIME: _ask_time,
    ui.SET: _set_time,
    ui.WATER: _water,
    ui.COUNT: _count,
    ui.ZONE: _ask_zone,
    ui.DONE: _done,
    ui.SNOOZE: _snooze,
    ui.STOP: _stop,
    ui.FORGET: _forget,
    ui.YES_TIME: _yes_time,
    ui.YES_ZONE: _yes_zone,
    ui.CHANGE_TIME: _change_time,
    ui.CHANGE_ZONE: _change_zone,
    ui.PICK_ZONE: _pick_zone,
    ui.RESUME: _resume,
}


def typed_handlers() -> list[BaseHandler]:
    """A typed time or zone for the open prompt; any command or another feature's button drops it.
    The first matching handler of a group runs, so commands and text cannot clash."""
    return [
        MessageHandler(filters.COMMAND, drop_prompt),
        CallbackQueryHandler(drop_prompt, pattern=is_other_button),
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_typed),
        MessageHandler(filters.LOCATION, on_location),
    ]


def main_handlers() -> list[BaseHandler]:
    return [
        CommandHandler("reminders", reminders_command),
        CallbackQueryHandler(on_button, pattern=PATTERN),
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
