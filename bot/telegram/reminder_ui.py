"""Reminder messages and screens: texts from content/reminders.toml, buttons with self-contained data.

Callback data (prefix "rm", see bot.telegram.callbacks):
    rm | rm:v                    the reminders screen
    rm:on:<k> | rm:off:<k>       switch a kind on / off            k: s = stretching, h = hydration
    rm:t:<k>:<f>                 ask for a time                    f: a = daily time, s = first, e = last
    rm:set:<k>:<f>:<HHMM>        a preset time
    rm:h | rm:n:<count>          water settings / how many a day
    rm:z                         ask for the time zone
    rm:on:<k>                    switch on: asks for the time first (then the zone, if unknown)
    rm:set:<k>:<f>:<HHMM>:1      a preset time while switching on
    rm:ys:<k>:<f>:<HHMM>:<a>[:<zc>]   Yes to a said-back time (a = 1: switch on; zc: and this zone)
    rm:yz:<zc>                   Yes to a said-back zone
    rm:ct:<k>:<f>:<a> | rm:cz[:<k>:<f>:<HHMM>]   Change: ask the time / the zone again
    rm:pz:<zc>                   one zone of a country with several: say it back
        zc: an IANA name as it is ("Australia/Sydney"), or a fixed offset as "+0530"
    rm:d|sn|x:<sub>:<YYYYMMDD>:<slot>   Done / Snooze / Stop on a sent reminder (its delivery key)
    rm:fg:y | rm:fg:n            /forget: confirm / keep
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import available_timezones

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.core import schedule
from bot.core.reminder_content import ReminderContent, hydration_message, stretch_message
from bot.core.telegram_html import escape
from bot.core.timeparse import TimeReading, ZoneChoices, ZoneReading, current_offset, offset_text
from bot.storage.deliveries import DeliveryKey
from bot.storage.subscriptions import Subscription
from bot.telegram import callbacks as cb
from bot.telegram.keyboards import button, pack

KIND_CODES = {"stretching": "s", "hydration": "h"}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}
FIELD_CODES = {"at": "a", "start": "s", "end": "e"}
FIELDS_BY_CODE = {code: name for name, code in FIELD_CODES.items()}

VIEW, ON, OFF, TIME, SET, WATER, COUNT, ZONE = "v", "on", "off", "t", "set", "h", "n", "z"
YES_TIME, YES_ZONE, CHANGE_TIME, CHANGE_ZONE, PICK_ZONE = "ys", "yz", "ct", "cz", "pz"
DONE, SNOOZE, STOP = "d", "sn", "x"
FORGET = "fg"
RESUME = "rs"  # send the open time / zone question again, at the bottom


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


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


# Button data is short (bot.telegram.callbacks keeps room for marks), so a zone's area is one
# letter: "A/Argentina/Buenos_Aires". Area names never change, so old buttons stay readable.
_AREA_CODES = {
    "America": "A", "Europe": "E", "Asia": "S", "Africa": "F", "Australia": "U", "Pacific": "P",
    "Atlantic": "T", "Indian": "I", "Antarctica": "N", "Etc": "X",
}
_AREAS_BY_CODE = {code: area for area, code in _AREA_CODES.items()}


def zone_code(zone: str) -> str:
    """A stored zone as button data: "+05:30" as "+0530" (no colon), "Europe/Berlin" as "E/Berlin"."""
    if schedule.offset_minutes(zone) is not None:
        return zone.replace(":", "")
    area, _, rest = zone.partition("/")
    return f"{_AREA_CODES[area]}/{rest}" if rest and area in _AREA_CODES else zone


def parse_zone_code(code: str) -> str | None:
    """Button data back to a zone to store, or None unless it is a real IANA name or offset."""
    if re.fullmatch(r"[+-][0-9]{4}", code):
        zone = f"{code[:3]}:{code[3:]}"
        return zone if schedule.is_valid_zone(zone) and zone not in ("+00:00", "-00:00") else None
    area, _, rest = code.partition("/")
    zone = f"{_AREAS_BY_CODE[area]}/{rest}" if rest and area in _AREAS_BY_CODE else code
    return zone if zone in _zone_names() else None


def zone_city(zone: str) -> str:
    """"America/New_York" -> "New York"; what a zone is called in a sentence."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def describe_zone(content: ReminderContent, reading: ZoneReading, now_utc: datetime) -> str:
    """How a zone is said back: "<b>Sydney time</b> (Australia/Sydney, UTC+10 now)"."""
    texts = content.texts.confirm
    offset = offset_text(current_offset(reading.zone, now_utc))
    clock = hhmm(reading.clock) if reading.clock else ""
    if reading.how == "clock":
        return texts.zone_clock.format(offset=offset, clock=clock)
    if reading.how == "bare_clock":
        return texts.zone_bare_clock.format(offset=offset, clock=clock)
    if reading.fixed_offset:
        return texts.zone_fixed.format(offset=offset)
    if reading.how == "location":
        return texts.zone_location.format(zone=escape(reading.zone), offset=offset)
    if reading.zone == "UTC":
        return "<b>UTC</b>"
    place = reading.place if reading.how == "place" and reading.place else zone_city(reading.zone)
    return texts.zone_place.format(place=escape(place), zone=escape(reading.zone), offset=offset)


def stored_zone(zone: str) -> ZoneReading:
    """The user's saved zone, to be said back like a typed one."""
    return ZoneReading(zone, "zone", zone_city(zone))


def reading_notes(content: ReminderContent, reading: TimeReading | None, typed: str) -> list[str]:
    """What was assumed: the time picked for "in the evening", or "9ish" read as 09:00."""
    if reading is None:
        return []
    texts = content.texts.confirm
    said = escape(" ".join(typed.split())[:40])
    if reading.said:
        return [texts.said.format(said=said, time=hhmm(reading.value))]
    if reading.approximate:
        return [texts.approximate.format(said=said, time=hhmm(reading.value))]
    return []


def confirm_time(
    content: ReminderContent,
    kind: str,
    field: str,
    value: time,
    zone_text: str,
    settings: tuple[int, time, time],
    switch_on: bool,
    zone: str | None = None,
    notes: list[str] | None = None,
    zone_changeable: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """"Sydney time (UTC+10 now): your daily stretch at 07:45 — right?" with Yes / Change.

    `settings` are the water reminders' count, first and last time (for the sentence); `zone`
    is a zone to save with the time (one typed in this same set-up), None to leave it."""
    texts, labels = content.texts.confirm, content.texts.buttons
    count, start, end = settings
    at = hhmm(value)
    if kind == "stretching":
        line = texts.stretching.format(zone=zone_text, time=at)
    elif field == "start":
        line = texts.hydration_start.format(zone=zone_text, time=at, count=count, end=hhmm(end))
    else:
        line = texts.hydration_end.format(zone=zone_text, time=at, count=count, start=hhmm(start))
    lines = [line, *(notes or [])]
    if switch_on:
        lines.append(texts.switch_on)
    code, fcode, flag = KIND_CODES[kind], FIELD_CODES[field], "1" if switch_on else "0"
    yes = [*_data(YES_TIME, code, fcode, compact(value), flag)] + ([zone_code(zone)] if zone else [])
    change = [button(labels.change_time if zone_changeable else labels.change, *_data(CHANGE_TIME, code, fcode, flag))]
    if zone_changeable:
        change.append(button(labels.change_zone, *_data(CHANGE_ZONE, code, fcode, compact(value))))
    return "\n\n".join(lines), InlineKeyboardMarkup([[button(labels.yes, *yes)], change])


def confirm_zone(content: ReminderContent, zone_text: str, zone: str) -> tuple[str, InlineKeyboardMarkup]:
    texts, labels = content.texts.confirm, content.texts.buttons
    rows = [[button(labels.yes, *_data(YES_ZONE, zone_code(zone)))], [button(labels.change, *_data(CHANGE_ZONE))]]
    return texts.zone_only.format(zone=zone_text), InlineKeyboardMarkup(rows)


def zone_choices(content: ReminderContent, choices: ZoneChoices, now_utc: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """A country with several zones: one button per zone, "Sydney (UTC+10)"."""
    texts = content.texts
    buttons = []
    for zone in choices.zones:
        label = f"{zone_city(zone)} ({offset_text(current_offset(zone, now_utc))})"
        buttons.append(button(label[:40], *_data(PICK_ZONE, zone_code(zone))))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(texts.buttons.back, *_data(VIEW))])
    text = f"{texts.confirm.choices.format(place=escape(choices.place))}\n{texts.prompts.cancel_hint}"
    return text, InlineKeyboardMarkup(rows)


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


def time_prompt(
    content: ReminderContent, kind: str, field: str, lead: str | None = None, switch_on: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """Preset time buttons plus the invitation to type any time; `switch_on` while turning a kind on."""
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
    flag = ["1"] if switch_on else []
    choices = [button(p, *_data(SET, code, fcode, p.replace(":", ""), *flag)) for p in presets]
    rows = [choices[i : i + 3] for i in range(0, len(choices), 3)]
    back = _data(VIEW) if kind == "stretching" or switch_on else _data(WATER)
    rows.append([button(labels.back, *back)])
    return text, InlineKeyboardMarkup(rows)


def zone_prompt(content: ReminderContent, first: bool = False, lead: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    texts = content.texts
    parts = [lead] if lead else []
    if first:
        parts.append(texts.prompts.zone_first)
    parts += [texts.prompts.zone, texts.prompts.cancel_hint]
    return "\n\n".join(parts), InlineKeyboardMarkup([[button(texts.buttons.back, *_data(VIEW))]])


def location_offer(content: ReminderContent) -> tuple[str, ReplyKeyboardMarkup]:
    """The location button, beside the zone question in a private chat. Telegram offers
    request_location only on a reply keyboard (under the input field), never inline, and only in
    private chats. One-time: it folds away once used; the said-back answer removes it."""
    texts = content.texts
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton(texts.buttons.share_location, request_location=True)]],
        resize_keyboard=True, one_time_keyboard=True, input_field_placeholder=texts.prompts.zone_input_hint,
    )
    return texts.prompts.zone_location_offer.format(button=escape(texts.buttons.share_location)), markup


def forget_keyboard(content: ReminderContent) -> InlineKeyboardMarkup:
    labels = content.texts.buttons
    return InlineKeyboardMarkup(pack([button(labels.forget_yes, *_data(FORGET, "y")), button(labels.forget_no, *_data(FORGET, "n"))]))
