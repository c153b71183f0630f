"""Reminder screens in Telegram: /reminders, the menu's Reminders button, typed times and zones,
and Done / Snooze / Stop on the reminders the dispatcher sends.

Typed input: when a screen asks for a time or a zone it stores what it waits for in SQLite
(bot.storage.pending), so the answer still works after a restart. A group -1 handler reads the
next typed text as that answer and stops it there; it lets the text through untouched when
nothing is pending, and always when the answer engine calls it urgent, so an emergency reply
is never swallowed by a reminder prompt. Any command or another feature's button drops the prompt.
"""

from __future__ import annotations

import logging
from datetime import time

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.core import schedule
from bot.core.content import plain_text
from bot.core.telegram_html import escape
from bot.core.timeparse import TimeParseError, ZoneParseError, parse_time, parse_zone, zone_from_local_time
from bot.storage import pending as pending_store
from bot.storage import repositories as repo
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import privacy_handlers
from bot.telegram import reminder_ui as ui
from bot.telegram.handlers import stale_button
from bot.telegram.sending import answer_query, reply, show
from bot.telegram.services import Services, services

log = logging.getLogger(__name__)

TYPED_GROUP = -1
PATTERN = rf"^{cb.REMINDERS}({cb.SEP}|$)"
OTHER_BUTTON = rf"^(?!{cb.REMINDERS}({cb.SEP}|$))"
ZONE = "zone"


# --- screens built from the database -----------------------------------------------------------


async def overview_screen(svc: Services, chat_id: int, lead: str | None = None):
    user = await repo.get_user(svc.db, chat_id)
    subs = await repo.list_subscriptions(svc.db, chat_id)
    return ui.overview(svc.reminders, user.zone if user else None, subs, kb.home_row(svc.content), lead)


async def water_screen(svc: Services, chat_id: int, lead: str | None = None):
    return ui.water_screen(svc.reminders, await repo.get_subscription(svc.db, chat_id, "hydration"), lead)


def _schedule_error(svc: Services, count: int, start: time, end: time) -> str:
    """The content's words for settings that make no schedule."""
    errors = svc.reminders.texts.errors
    if count > 1 and (end.hour, end.minute) <= (start.hour, start.minute):
        return errors.end_before_start
    need = (count - 1) * schedule.MIN_GAP_MINUTES
    return errors.window_too_small.format(count=count, need=f"{need // 60}:{need % 60:02d}")


async def _save_time(svc: Services, chat_id: int, kind: str, field: str, value: time) -> str | None:
    """Store one time; None when saved, else the error text to show."""
    current = await repo.get_subscription(svc.db, chat_id, kind)
    try:
        await repo.update_settings(svc.db, chat_id, kind, svc.clock(), **{field: value})
    except schedule.ScheduleError:
        count = current.per_day if current else schedule.DEFAULT_COUNT
        start = value if field == "start" else (current.start if current else schedule.DEFAULT_START)
        end = value if field == "end" else (current.end if current else schedule.DEFAULT_END)
        return _schedule_error(svc, count, start, end)
    return None


async def _turn_on(svc: Services, chat_id: int, kind: str) -> str:
    """Switch a kind on (the zone is known); the lead line saying when the first one comes."""
    now = svc.clock()
    sub = await repo.activate(svc.db, chat_id, kind, now)
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
    if svc.db is not None and update.effective_chat is not None:
        await pending_store.clear_pending(svc.db, update.effective_chat.id)


async def on_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
        await _typed_zone(svc, message, chat_id, waiting.then_do)
    else:
        await _typed_time(svc, message, chat_id, waiting.awaiting)
    raise ApplicationHandlerStop


async def _typed_zone(svc: Services, message: Message, chat_id: int, then_do: str | None) -> None:
    texts = svc.reminders.texts
    now = svc.clock()
    try:
        choice = parse_zone(message.text, svc.reminders.cities)
    except ZoneParseError:
        try:
            choice = zone_from_local_time(message.text, now)
        except (TimeParseError, ValueError):
            log.info("typed zone not understood")
            await reply(message, *ui.zone_prompt(svc.reminders, lead=texts.errors.bad_zone))
            return
    await repo.set_zone(svc.db, chat_id, choice.zone, now)
    await pending_store.clear_pending(svc.db, chat_id)
    saved = texts.results.zone_saved_fixed if choice.fixed_offset else texts.results.zone_saved
    leads = [saved.format(zone=escape(schedule.zone_label(choice.zone)))]
    if then_do and then_do.startswith("on:") and then_do[3:] in schedule.KINDS:
        leads.append(await _turn_on(svc, chat_id, then_do[3:]))
    log.info("time zone set: fixed_offset=%s", choice.fixed_offset)
    await reply(message, *await overview_screen(svc, chat_id, "\n".join(leads)))


async def _typed_time(svc: Services, message: Message, chat_id: int, awaiting: str) -> None:
    parts = awaiting.split(":")
    if len(parts) != 3 or parts[0] != "time" or parts[1] not in schedule.KINDS or parts[2] not in ui.FIELD_CODES:
        await pending_store.clear_pending(svc.db, chat_id)
        return
    kind, field = parts[1], parts[2]
    try:
        value = parse_time(message.text)
    except TimeParseError:
        await reply(message, *ui.time_prompt(svc.reminders, kind, field, lead=svc.reminders.texts.errors.bad_time))
        return
    await pending_store.clear_pending(svc.db, chat_id)
    error = await _save_time(svc, chat_id, kind, field, value)
    saved = svc.reminders.texts.results.saved
    if kind == "hydration":
        await reply(message, *await water_screen(svc, chat_id, error or saved))
    else:
        await reply(message, *await overview_screen(svc, chat_id, error or saved))


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The user blocked the bot (or it left the chat): switch the chat's reminders off."""
    member = update.my_chat_member
    if member is None or member.new_chat_member.status not in ("kicked", "left"):
        return
    svc = services(context)
    if svc.db is not None:
        stopped = await repo.deactivate_chat(svc.db, member.chat.id, svc.clock())
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
    user = await repo.get_user(svc.db, chat_id)
    if user is None or user.zone is None:
        # Explicit opt-in, but no zone yet: ask for it first, then switch on.
        await pending_store.save_pending(svc.db, chat_id, ZONE, f"on:{kind}", svc.clock())
        await show(query, *ui.zone_prompt(svc.reminders, first=True))
        return True
    lead = await _turn_on(svc, chat_id, kind)
    await show(query, *await overview_screen(svc, chat_id, lead))
    return True


async def _off(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    kind = ui.KINDS_BY_CODE.get(args[0]) if len(args) == 1 else None
    if kind is None:
        return False
    await answer_query(update.callback_query)
    await repo.deactivate(svc.db, chat_id, kind, svc.clock())
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
    found = _kind_field(args) if len(args) == 3 else None
    value = ui.parse_compact(args[2]) if found else None
    if found is None or value is None:
        return False
    kind, field = found
    await answer_query(update.callback_query)
    await pending_store.clear_pending(svc.db, chat_id)
    error = await _save_time(svc, chat_id, kind, field, value)
    lead = error or svc.reminders.texts.results.saved
    screen = await (water_screen(svc, chat_id, lead) if kind == "hydration" else overview_screen(svc, chat_id, lead))
    await show(update.callback_query, *screen)
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
    current = await repo.get_subscription(svc.db, chat_id, "hydration")
    lead = None
    try:
        await repo.update_settings(svc.db, chat_id, "hydration", svc.clock(), per_day=count)
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
    return True


# --- Done / Snooze / Stop on a sent reminder ----------------------------------------------------


async def _reminder_target(svc: Services, chat_id: int, args: list[str]):
    key = ui.parse_delivery(args)
    if key is None:
        return None
    sub = await repo.get_subscription_by_id(svc.db, key.subscription_id)
    if sub is None or sub.chat_id != chat_id:  # forgotten, or not this chat's
        return None
    return key, sub


def _with_line(svc: Services, sub: repo.Subscription, key: repo.DeliveryKey, line: str) -> str:
    return f"{ui.reminder_text(svc.reminders, sub.kind, key, sub.per_day)}\n\n{line}"


async def _done(update, context, svc: Services, chat_id: int, args: list[str]) -> bool:
    target = await _reminder_target(svc, chat_id, args)
    if target is None:
        return False
    key, sub = target
    now = svc.clock()
    await repo.record_completion(svc.db, chat_id, sub.kind, key.local_date, now)
    today = schedule.local_today(sub.zone, now) if sub.zone else key.local_date
    days = await repo.streak(svc.db, chat_id, sub.kind, max(today, key.local_date))
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
        due = await repo.snooze(svc.db, key, svc.clock())
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
    await repo.deactivate(svc.db, chat_id, sub.kind, svc.clock())
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
}


def register(app: Application) -> None:
    """Add the reminder, privacy and stats handlers; called by bot.app before the fallbacks."""
    # Group -1: the first matching handler of a group runs, so commands and text cannot clash.
    app.add_handler(MessageHandler(filters.COMMAND, drop_prompt), group=TYPED_GROUP)
    app.add_handler(CallbackQueryHandler(drop_prompt, pattern=OTHER_BUTTON), group=TYPED_GROUP)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_typed), group=TYPED_GROUP)
    app.add_handler(CommandHandler("reminders", reminders_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=PATTERN))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    privacy_handlers.register(app)
