"""Reminder messages and screens: texts from content/reminders.toml, buttons with self-contained data.

Callback data (prefix "rm", see bot.telegram.callbacks):
    rm | rm:v                    the reminders screen
    rm:on:<k> | rm:off:<k>       switch a kind on / off            k: s = stretching, h = hydration
    rm:t:<k>:<f>                 ask for a time                    f: a = daily time, s = first, e = last
    rm:set:<k>:<f>:<HHMM>        a preset time
    rm:h | rm:n:<count>          water settings / how many a day
    rm:z                         ask for the time zone
    rm:d|sn|x:<sub>:<YYYYMMDD>:<slot>   Done / Snooze / Stop on a sent reminder (its delivery key)
    rm:fg:y | rm:fg:n            /forget: confirm / keep
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import schedule
from bot.core.reminder_content import ReminderContent, hydration_message, stretch_message
from bot.core.telegram_html import escape
from bot.storage.repositories import DeliveryKey, Subscription
from bot.telegram import callbacks as cb
from bot.telegram.keyboards import button, pack

KIND_CODES = {"stretching": "s", "hydration": "h"}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}
FIELD_CODES = {"at": "a", "start": "s", "end": "e"}
FIELDS_BY_CODE = {code: name for name, code in FIELD_CODES.items()}

VIEW, ON, OFF, TIME, SET, WATER, COUNT, ZONE = "v", "on", "off", "t", "set", "h", "n", "z"
DONE, SNOOZE, STOP = "d", "sn", "x"
FORGET = "fg"


# --- small formatting helpers ---------------------------------------------------------------


def hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def compact(value: time) -> str:
    return f"{value.hour:02d}{value.minute:02d}"


def parse_compact(text: str) -> time | None:
    """"HHMM" in ASCII digits, a real time of day; None for anything else."""
    hour = cb.number(text[:2], 0, 23) if len(text) == 4 else None
    minute = cb.number(text[2:], 0, 59) if hour is not None else None
    return None if minute is None else time(hour, minute)


def zone_line(content: ReminderContent, zone: str | None) -> str:
    screen = content.texts.screen
    if zone is None:
        return screen.no_zone
    label = escape(schedule.zone_label(zone))
    fixed = schedule.offset_minutes(zone) is not None
    return (screen.zone_fixed if fixed else screen.zone).format(zone=label)


def when_text(content: ReminderContent, zone: str, due_utc: datetime, now_utc: datetime) -> str:
    """"today at 09:00" / "tomorrow at 09:00" / "on 2026-06-03 at 09:00", in the user's zone."""
    results = content.texts.results
    tz = schedule.tz_for(zone)
    local, today = due_utc.astimezone(tz), now_utc.astimezone(tz).date()
    at = local.strftime("%H:%M")
    if local.date() == today:
        return results.today.format(time=at)
    if local.date() == today + timedelta(days=1):
        return results.tomorrow.format(time=at)
    return results.later.format(date=local.date().isoformat(), time=at)


def streak_text(content: ReminderContent, days: int) -> str:
    texts = content.texts.reminder
    return texts.streak_one if days == 1 else texts.streak_many.format(n=days)


# --- the reminder message -------------------------------------------------------------------


def key_parts(key: DeliveryKey) -> tuple[str, str, str]:
    return str(key.subscription_id), key.local_date.strftime("%Y%m%d"), str(key.slot)


# Slot numbers: the daily slots, and their snoozed copies (see bot.core.schedule).
MAX_SLOT = schedule.SNOOZE_STEP * schedule.MAX_SNOOZES + schedule.MAX_PER_DAY - 1


def parse_delivery(args: list[str]) -> DeliveryKey | None:
    """[sub, YYYYMMDD, slot] -> DeliveryKey, or None if it does not parse or is out of range."""
    if len(args) != 3 or len(args[1]) != 8:
        return None
    sub, slot = cb.number(args[0], 1), cb.number(args[2], 0, MAX_SLOT)
    year, month, day = (cb.number(part, 1) for part in (args[1][:4], args[1][4:6], args[1][6:]))
    if sub is None or slot is None or schedule.base_slot(slot) >= schedule.MAX_PER_DAY:
        return None
    if year is None or month is None or day is None:
        return None
    try:
        return DeliveryKey(sub, date(year, month, day), slot)
    except ValueError:  # no such day (month 13, 31 June...)
        return None


def reminder_text(content: ReminderContent, kind: str, key: DeliveryKey, per_day: int) -> str:
    if kind == "stretching":
        return stretch_message(content, key.local_date)
    return hydration_message(content, key.local_date, key.slot, per_day)


def reminder_keyboard(content: ReminderContent, key: DeliveryKey) -> InlineKeyboardMarkup:
    labels = content.texts.buttons
    return InlineKeyboardMarkup(
        [
            [button(labels.done, cb.REMINDERS, DONE, *key_parts(key)),
             button(labels.snooze, cb.REMINDERS, SNOOZE, *key_parts(key))],
            [button(labels.stop, cb.REMINDERS, STOP, *key_parts(key))],
        ]
    )


# --- screens ----------------------------------------------------------------------------------


def _data(*parts: str) -> tuple[str, ...]:
    return (cb.REMINDERS, *parts)


def overview(
    content: ReminderContent, zone: str | None, subs: list[Subscription], home: list[InlineKeyboardButton], lead: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The /reminders screen: zone, each kind with its state, and its buttons."""
    texts, labels = content.texts, content.texts.buttons
    by_kind = {s.kind: s for s in subs}
    stretch = by_kind.get("stretching")
    water = by_kind.get("hydration")
    at = stretch.at if stretch else schedule.DEFAULT_TIME
    count = water.per_day if water else schedule.DEFAULT_COUNT
    start = water.start if water else schedule.DEFAULT_START
    end = water.end if water else schedule.DEFAULT_END
    stretch_on = bool(stretch and stretch.active)
    water_on = bool(water and water.active)

    lines = [texts.screen.title, texts.screen.intro, "", zone_line(content, zone), ""]
    lines.append((texts.screen.stretching_on if stretch_on else texts.screen.stretching_off).format(time=hhmm(at)))
    water_line = texts.screen.hydration_on if water_on else texts.screen.hydration_off
    lines.append(water_line.format(count=count, start=hhmm(start), end=hhmm(end)))
    if lead:
        lines = [lead, "", *lines]

    rows = [
        [button(labels.stretching_off, *_data(OFF, "s")) if stretch_on else button(labels.stretching_on, *_data(ON, "s"))],
        [button(labels.stretching_time, *_data(TIME, "s", "a"))],
        [button(labels.hydration_off, *_data(OFF, "h")) if water_on else button(labels.hydration_on, *_data(ON, "h"))],
        [button(labels.hydration_times, *_data(WATER))],
        [button(labels.zone, *_data(ZONE))],
        home,
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def water_screen(
    content: ReminderContent, sub: Subscription | None, lead: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    texts, labels = content.texts, content.texts.buttons
    count = sub.per_day if sub else schedule.DEFAULT_COUNT
    start = sub.start if sub else schedule.DEFAULT_START
    end = sub.end if sub else schedule.DEFAULT_END
    try:
        times = ", ".join(hhmm(t) for t in schedule.slots_for(schedule.SubSpec("hydration", "UTC", count=count, start=start, end=end)))
    except schedule.ScheduleError:
        times = f"{hhmm(start)}–{hhmm(end)}"
    text = texts.screen.hydration.format(count=count, start=hhmm(start), end=hhmm(end), times=times)
    if lead:
        text = f"{lead}\n\n{text}"
    steppers = []
    if count > 1:
        steppers.append(button(labels.fewer, *_data(COUNT, str(count - 1))))
    if count < schedule.MAX_PER_DAY:
        steppers.append(button(labels.more, *_data(COUNT, str(count + 1))))
    rows = [
        steppers,
        [button(labels.first.format(time=hhmm(start)), *_data(TIME, "h", "s")),
         button(labels.last.format(time=hhmm(end)), *_data(TIME, "h", "e"))],
        [button(labels.back, *_data(VIEW))],
    ]
    return text, InlineKeyboardMarkup([row for row in rows if row])


def time_prompt(content: ReminderContent, kind: str, field: str, lead: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """Preset time buttons plus the invitation to type any time."""
    texts, labels = content.texts, content.texts.buttons
    if kind == "stretching":
        prompt, presets = texts.prompts.stretching_time, texts.presets.stretching
    elif field == "start":
        prompt, presets = texts.prompts.hydration_start, texts.presets.hydration_start
    else:
        prompt, presets = texts.prompts.hydration_end, texts.presets.hydration_end
    text = f"{prompt}\n{texts.prompts.cancel_hint}"
    if lead:
        text = f"{lead}\n\n{text}"
    code, fcode = KIND_CODES[kind], FIELD_CODES[field]
    choices = [button(p, *_data(SET, code, fcode, p.replace(":", ""))) for p in presets]
    rows = [choices[i : i + 3] for i in range(0, len(choices), 3)]
    back = _data(VIEW) if kind == "stretching" else _data(WATER)
    rows.append([button(labels.back, *back)])
    return text, InlineKeyboardMarkup(rows)


def zone_prompt(content: ReminderContent, first: bool = False, lead: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    texts = content.texts
    parts = [lead] if lead else []
    if first:
        parts.append(texts.prompts.zone_first)
    parts += [texts.prompts.zone, texts.prompts.cancel_hint]
    return "\n\n".join(parts), InlineKeyboardMarkup([[button(texts.buttons.back, *_data(VIEW))]])


def forget_keyboard(content: ReminderContent) -> InlineKeyboardMarkup:
    labels = content.texts.buttons
    return InlineKeyboardMarkup(pack([button(labels.forget_yes, *_data(FORGET, "y")), button(labels.forget_no, *_data(FORGET, "n"))]))
