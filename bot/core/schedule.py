"""Reminder schedule arithmetic: local slots, the next due instant, the grace window, snooze, streaks.

Pure: no I/O and no clock. Every "now" comes in as an aware datetime and every instant
going out is an aware UTC datetime.

Daylight-saving rules (PEP 495, fold=0):
- A slot whose wall time does not exist that day (spring forward, e.g. 02:30 in Berlin on the
  last Sunday of March) fires once, shifted forward by the length of the gap: 02:30 -> 03:30.
- A slot whose wall time happens twice (fall back) fires once, at the first occurrence.
A delivery is identified by (subscription, local date, slot index), so one slot on one local
day can only ever be sent once, whatever the clocks do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import Enum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KINDS = ("stretching", "hydration")
GRACE = timedelta(hours=2)
SNOOZE_MINUTES = 30
# Snoozed copies of slot k use slot numbers k+100, k+200, ... so each has its own delivery key.
SNOOZE_STEP = 100
MAX_SNOOZES = 5
MAX_PER_DAY = 12
MIN_GAP_MINUTES = 30

DEFAULT_TIME = time(9, 0)
DEFAULT_COUNT = 4
DEFAULT_START = time(9, 0)
DEFAULT_END = time(19, 0)

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class ScheduleError(ValueError):
    """Settings that cannot make a schedule; the message is fit to show a user."""


# --- zones -------------------------------------------------------------------------------


def format_offset(minutes: int) -> str:
    """-330 -> "-05:30"; the fixed-offset form stored for zones without an IANA name."""
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def offset_minutes(zone: str) -> int | None:
    """Minutes east of UTC for a fixed-offset zone string, None for anything else."""
    match = _OFFSET.match(zone)
    if not match:
        return None
    sign, hours, mins = match.groups()
    total = int(hours) * 60 + int(mins)
    return -total if sign == "-" else total


@lru_cache(maxsize=1024)
def tz_for(zone: str) -> tzinfo:
    """The tzinfo for an IANA name or a "+05:30" style fixed offset; ScheduleError if neither."""
    minutes = offset_minutes(zone)
    if minutes is not None:
        if not -12 * 60 <= minutes <= 14 * 60 or minutes % 15:
            raise ScheduleError(f"{zone} is not a real UTC offset")
        return timezone(timedelta(minutes=minutes))
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(f"unknown time zone {zone!r}") from None


def is_valid_zone(zone: str) -> bool:
    try:
        tz_for(zone)
    except ScheduleError:
        return False
    return True


def zone_label(zone: str) -> str:
    """How a stored zone is shown: IANA names as they are, offsets as "UTC+05:30"."""
    return f"UTC{zone}" if offset_minutes(zone) is not None else zone


def local_today(zone: str, now_utc: datetime) -> date:
    return _utc(now_utc).astimezone(tz_for(zone)).date()


# --- settings and slots --------------------------------------------------------------------


@dataclass(frozen=True)
class SubSpec:
    """What the schedule needs to know about one subscription.

    stretching uses `at`; hydration uses `count`, `start` and `end` (start < end, same day).
    """

    kind: str
    zone: str
    at: time = DEFAULT_TIME
    count: int = DEFAULT_COUNT
    start: time = DEFAULT_START
    end: time = DEFAULT_END
    slots: tuple[time, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScheduleError(f"unknown reminder kind {self.kind!r}")
        tz_for(self.zone)
        object.__setattr__(self, "slots", tuple(_slots(self)))


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _slots(spec: SubSpec) -> list[time]:
    if spec.kind == "stretching":
        return [spec.at.replace(second=0, microsecond=0, tzinfo=None)]
    count, first, last = spec.count, _minutes(spec.start), _minutes(spec.end)
    if not 1 <= count <= MAX_PER_DAY:
        raise ScheduleError(f"choose between 1 and {MAX_PER_DAY} reminders a day")
    if count == 1:
        return [time(first // 60, first % 60)]
    if last <= first:
        raise ScheduleError("the end time must be later than the start time on the same day")
    if (last - first) < (count - 1) * MIN_GAP_MINUTES:
        raise ScheduleError(
            f"{count} reminders need at least {(count - 1) * MIN_GAP_MINUTES // 60} h "
            f"{(count - 1) * MIN_GAP_MINUTES % 60:02d} min between start and end"
        )
    span, steps = last - first, count - 1
    # Evenly spaced, rounded half-up to the minute, first and last exactly on start and end.
    out = []
    for i in range(count):
        m = first + (2 * i * span + steps) // (2 * steps)
        out.append(time(m // 60, m % 60))
    return out


def slots_for(spec: SubSpec) -> list[time]:
    """Local wall-clock times of the day's reminders, in order."""
    return list(spec.slots)


# --- due instants --------------------------------------------------------------------------


class Due(NamedTuple):
    due_utc: datetime
    local_date: date
    slot: int


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expected an aware datetime")
    return moment.astimezone(timezone.utc)


def _resolve(day: date, slot: time, tz: tzinfo) -> datetime:
    # fold=0: a wall time in a gap takes the offset from before the change (shifted forward),
    # a repeated wall time takes its first occurrence.
    return datetime.combine(day, slot, tzinfo=tz).astimezone(timezone.utc)


def next_due(spec: SubSpec, after_utc: datetime) -> Due:
    """The first slot strictly after `after_utc`."""
    after = _utc(after_utc)
    tz = tz_for(spec.zone)
    today = after.astimezone(tz).date()
    best: Due | None = None
    for delta in (-1, 0, 1, 2):  # -1: a late-evening slot pushed past midnight by a gap
        day = today + timedelta(days=delta)
        for index, slot in enumerate(spec.slots):
            at = _resolve(day, slot, tz)
            if at > after and (best is None or at < best.due_utc):
                best = Due(at, day, index)
        if best is not None and delta >= 0:
            return best
    assert best is not None  # every day has at least one slot
    return best


def previous_due(spec: SubSpec, at_or_before_utc: datetime) -> Due:
    """The latest slot at or before the moment (ties go to the same key next_due would pick)."""
    moment = _utc(at_or_before_utc)
    tz = tz_for(spec.zone)
    today = moment.astimezone(tz).date()
    best: Due | None = None
    for delta in (1, 0, -1, -2):
        day = today + timedelta(days=delta)
        for index, slot in enumerate(spec.slots):
            at = _resolve(day, slot, tz)
            if at <= moment and (
                best is None
                or at > best.due_utc
                or (at == best.due_utc and (day, index) < (best.local_date, best.slot))
            ):
                best = Due(at, day, index)
        if best is not None and delta <= -1:
            return best
    assert best is not None
    return best


# --- what to do on a tick ------------------------------------------------------------------


class Action(Enum):
    WAIT = "wait"  # not due yet
    SEND = "send"  # due, and late by no more than the grace window
    SKIP = "skip"  # missed by more than the grace window


def plan_tick(due_utc: datetime, now_utc: datetime, grace: timedelta = GRACE) -> Action:
    due, now = _utc(due_utc), _utc(now_utc)
    if now < due:
        return Action.WAIT
    return Action.SEND if now - due <= grace else Action.SKIP


@dataclass(frozen=True)
class TickPlan:
    send: Due | None  # claim and send this key now, or nothing
    next: Due  # store this as the subscription's next due slot


def resolve_tick(spec: SubSpec, stored: Due | None, now_utc: datetime, grace: timedelta = GRACE) -> TickPlan:
    """What a dispatcher tick does with one subscription whose stored next slot is `stored`.

    After downtime only the latest slot that has passed is considered, so a user never gets a
    burst of stale reminders: it is sent if within the grace window, else skipped. The next
    slot stored is always strictly after now, so a tick never leaves a passed slot behind.
    """
    now = _utc(now_utc)
    if stored is None or stored.due_utc > now:
        return TickPlan(None, stored if stored is not None else next_due(spec, now))
    latest = previous_due(spec, now)
    if latest.due_utc < stored.due_utc:  # stored slot from older settings; honour it as is
        latest = stored
    send = latest if plan_tick(latest.due_utc, now, grace) is Action.SEND else None
    return TickPlan(send, next_due(spec, now))


# --- snooze ---------------------------------------------------------------------------------


def snooze_until(now_utc: datetime, minutes: int = SNOOZE_MINUTES) -> datetime:
    if not 1 <= minutes <= 24 * 60:
        raise ScheduleError("snooze for between 1 minute and 24 hours")
    return (_utc(now_utc) + timedelta(minutes=minutes)).replace(microsecond=0)


def base_slot(slot: int) -> int:
    """The daily slot a (possibly snoozed) slot number belongs to."""
    return slot % SNOOZE_STEP


def snooze_round(slot: int) -> int:
    """0 for the original reminder, 1 for its first snooze, ..."""
    return slot // SNOOZE_STEP


def snooze_due(local_date: date, slot: int, now_utc: datetime, minutes: int = SNOOZE_MINUTES) -> Due:
    """The delivery that a Snooze tap on reminder (local_date, slot) schedules.

    It keeps the local date and takes the next snooze slot number, so it has a fresh delivery
    key and can be sent exactly once too.
    """
    if snooze_round(slot) >= MAX_SNOOZES:
        raise ScheduleError(f"this reminder was already snoozed {MAX_SNOOZES} times")
    return Due(snooze_until(now_utc, minutes), local_date, slot + SNOOZE_STEP)


# --- streaks --------------------------------------------------------------------------------


def count_streak(done_dates: Iterable[date], today: date) -> int:
    """Consecutive days with a completion, ending today, or yesterday if today is not done yet."""
    done = set(done_dates)
    day = today if today in done else today - timedelta(days=1)
    streak = 0
    while day in done:
        streak += 1
        day -= timedelta(days=1)
    return streak
