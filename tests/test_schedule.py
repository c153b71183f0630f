from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.core.schedule import (
    GRACE,
    Action,
    Due,
    ScheduleError,
    SubSpec,
    base_slot,
    count_streak,
    format_offset,
    local_today,
    next_due,
    offset_minutes,
    plan_tick,
    previous_due,
    resolve_tick,
    slots_for,
    snooze_due,
    snooze_round,
    snooze_until,
    tz_for,
    zone_label,
)

UTC = timezone.utc


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def stretch(zone: str, at: str = "09:00") -> SubSpec:
    return SubSpec("stretching", zone, at=time.fromisoformat(at))


def hydrate(zone: str, count: int = 4, start: str = "09:00", end: str = "19:00") -> SubSpec:
    return SubSpec("hydration", zone, count=count, start=time.fromisoformat(start), end=time.fromisoformat(end))


def walk(spec: SubSpec, start: datetime, stop: datetime) -> list[Due]:
    out, moment = [], start
    while True:
        due = next_due(spec, moment)
        if due.due_utc >= stop:
            return out
        out.append(due)
        moment = due.due_utc


# --- slots ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count, start, end, expected",
    [
        (4, "09:00", "19:00", ["09:00", "12:20", "15:40", "19:00"]),
        (1, "08:00", "19:00", ["08:00"]),
        (2, "07:30", "22:00", ["07:30", "22:00"]),
        (3, "08:00", "20:00", ["08:00", "14:00", "20:00"]),
        (5, "09:00", "19:00", ["09:00", "11:30", "14:00", "16:30", "19:00"]),
        (7, "09:00", "19:00", ["09:00", "10:40", "12:20", "14:00", "15:40", "17:20", "19:00"]),
        (3, "09:00", "10:01", ["09:00", "09:31", "10:01"]),  # 30.5 min rounds half up
        (12, "06:00", "23:59", None),  # just a count check below
    ],
)
def test_hydration_slots_are_evenly_spaced(count, start, end, expected):
    slots = slots_for(hydrate("UTC", count, start, end))
    assert len(slots) == count
    assert slots[0] == time.fromisoformat(start)
    if count > 1:
        assert slots[-1] == time.fromisoformat(end)
    assert slots == sorted(slots)
    if expected is not None:
        assert [t.strftime("%H:%M") for t in slots] == expected


def test_stretching_has_one_slot_at_its_time():
    assert slots_for(stretch("Europe/Berlin", "07:45")) == [time(7, 45)]
    assert slots_for(SubSpec("stretching", "UTC")) == [time(9, 0)]  # the default


@pytest.mark.parametrize(
    "count, start, end, message",
    [
        (0, "09:00", "19:00", "between 1 and 12"),
        (13, "09:00", "19:00", "between 1 and 12"),
        (4, "19:00", "09:00", "later than the start"),
        (2, "09:00", "09:00", "later than the start"),
        (4, "09:00", "10:00", "at least 1 h 30 min"),
    ],
)
def test_impossible_hydration_settings_are_refused(count, start, end, message):
    with pytest.raises(ScheduleError, match=message):
        hydrate("UTC", count, start, end)


@pytest.mark.parametrize("kind, zone", [("yoga", "UTC"), ("stretching", "Mars/Base"), ("stretching", "+15:00"),
                                        ("stretching", "+05:20"), ("stretching", "")])
def test_unknown_kind_or_zone_is_refused(kind, zone):
    with pytest.raises(ScheduleError):
        SubSpec(kind, zone)


@pytest.mark.parametrize(
    "zone, minutes, label",
    [("+05:30", 330, "UTC+05:30"), ("-03:00", -180, "UTC-03:00"), ("+05:45", 345, "UTC+05:45"),
     ("Europe/Berlin", None, "Europe/Berlin")],
)
def test_fixed_offsets_round_trip(zone, minutes, label):
    assert offset_minutes(zone) == minutes
    assert zone_label(zone) == label
    if minutes is not None:
        assert format_offset(minutes) == zone
        assert tz_for(zone).utcoffset(None) == timedelta(minutes=minutes)


# --- next_due -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, after, due_utc, local_date, slot",
    [
        # India, +5:30 all year
        (stretch("Asia/Kolkata"), utc(2024, 1, 15, 0, 0), utc(2024, 1, 15, 3, 30), date(2024, 1, 15), 0),
        # strictly after: exactly at the slot moves to the next day
        (stretch("Asia/Kolkata"), utc(2024, 1, 15, 3, 30), utc(2024, 1, 16, 3, 30), date(2024, 1, 16), 0),
        (stretch("+05:30"), utc(2024, 1, 15, 3, 29, 59), utc(2024, 1, 15, 3, 30), date(2024, 1, 15), 0),
        (stretch("-03:00", "21:00"), utc(2024, 6, 1, 23, 0), utc(2024, 6, 2, 0, 0), date(2024, 6, 1), 0),
        # Berlin winter and summer time
        (stretch("Europe/Berlin"), utc(2024, 1, 10, 12), utc(2024, 1, 11, 8, 0), date(2024, 1, 11), 0),
        (stretch("Europe/Berlin"), utc(2024, 7, 10, 12), utc(2024, 7, 11, 7, 0), date(2024, 7, 11), 0),
        # spring forward: 02:30 does not exist on 31 March 2024; it fires at 03:30 CEST
        (stretch("Europe/Berlin", "02:30"), utc(2024, 3, 30, 12), utc(2024, 3, 31, 1, 30), date(2024, 3, 31), 0),
        (stretch("Europe/Berlin", "02:30"), utc(2024, 3, 31, 1, 30), utc(2024, 4, 1, 0, 30), date(2024, 4, 1), 0),
        # fall back: 02:30 happens twice on 27 October 2024; the first (CEST) one is used
        (stretch("Europe/Berlin", "02:30"), utc(2024, 10, 26, 12), utc(2024, 10, 27, 0, 30), date(2024, 10, 27), 0),
        (stretch("Europe/Berlin", "02:30"), utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30), date(2024, 10, 28), 0),
        # New York: spring forward 10 March 2024, fall back 3 November 2024
        (stretch("America/New_York", "02:30"), utc(2024, 3, 9, 12), utc(2024, 3, 10, 7, 30), date(2024, 3, 10), 0),
        (stretch("America/New_York", "01:30"), utc(2024, 11, 2, 12), utc(2024, 11, 3, 5, 30), date(2024, 11, 3), 0),
        (stretch("America/New_York", "01:30"), utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30), date(2024, 11, 4), 0),
        # the second 01:30 (EST) on fall-back day is not a new slot
        (stretch("America/New_York", "01:30"), utc(2024, 11, 3, 6, 0), utc(2024, 11, 4, 6, 30), date(2024, 11, 4), 0),
        # local date differs from the UTC date: Auckland is ahead, Honolulu behind
        (stretch("Pacific/Auckland", "07:00"), utc(2024, 1, 15, 12), utc(2024, 1, 15, 18, 0), date(2024, 1, 16), 0),
        (stretch("Pacific/Honolulu", "20:00"), utc(2024, 1, 15, 12), utc(2024, 1, 16, 6, 0), date(2024, 1, 15), 0),
        # end of day: a 23:59 slot just passed rolls to tomorrow, also across a month and a year
        (stretch("Europe/Berlin", "23:59"), utc(2024, 1, 31, 22, 59), utc(2024, 2, 1, 22, 59), date(2024, 2, 1), 0),
        (stretch("UTC", "00:00"), utc(2024, 12, 31, 23, 59, 59), utc(2025, 1, 1, 0, 0), date(2025, 1, 1), 0),
        (stretch("Asia/Kolkata", "23:45"), utc(2024, 2, 28, 18, 15), utc(2024, 2, 29, 18, 15), date(2024, 2, 29), 0),
        # hydration: next slot the same day, then the first of the next day
        (hydrate("Europe/Berlin"), utc(2024, 1, 10, 10, 0), utc(2024, 1, 10, 11, 20), date(2024, 1, 10), 1),
        (hydrate("Europe/Berlin"), utc(2024, 1, 10, 18, 0), utc(2024, 1, 11, 8, 0), date(2024, 1, 11), 0),
    ],
)
def test_next_due(spec, after, due_utc, local_date, slot):
    assert next_due(spec, after) == (due_utc, local_date, slot)


def test_next_due_accepts_any_aware_datetime_and_refuses_naive():
    berlin_noon = datetime(2024, 1, 10, 13, 0, tzinfo=tz_for("Europe/Berlin"))
    assert next_due(stretch("UTC"), berlin_noon).due_utc == utc(2024, 1, 11, 9, 0)
    with pytest.raises(ValueError):
        next_due(stretch("UTC"), datetime(2024, 1, 10, 12, 0))


@pytest.mark.parametrize(
    "zone, at",
    [("Europe/Berlin", "02:30"), ("America/New_York", "02:30"), ("America/New_York", "01:30"),
     ("Europe/Berlin", "02:00"), ("Australia/Sydney", "02:30"), ("Asia/Kolkata", "00:00")],
)
def test_a_year_of_slots_fires_once_per_local_day(zone, at):
    fired = walk(stretch(zone, at), utc(2023, 12, 31, 0), utc(2025, 1, 2, 0))
    days = [d.local_date for d in fired if d.local_date.year == 2024]
    assert days == [date(2024, 1, 1) + timedelta(days=i) for i in range(366)]
    times = [d.due_utc for d in fired]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_hydration_slots_straddling_the_gap_each_fire_once():
    # 02:30 (in the gap, fires 03:30) and 03:15 on Berlin's spring-forward day.
    spec = hydrate("Europe/Berlin", 2, "02:30", "03:15")
    fired = walk(spec, utc(2024, 3, 30, 12), utc(2024, 4, 1, 12))
    assert fired == [
        Due(utc(2024, 3, 31, 1, 15), date(2024, 3, 31), 1),
        Due(utc(2024, 3, 31, 1, 30), date(2024, 3, 31), 0),
        Due(utc(2024, 4, 1, 0, 30), date(2024, 4, 1), 0),
        Due(utc(2024, 4, 1, 1, 15), date(2024, 4, 1), 1),
    ]


def test_hydration_day_in_new_york_on_fall_back_day():
    fired = walk(hydrate("America/New_York", 4, "00:30", "02:30"), utc(2024, 11, 3, 0), utc(2024, 11, 4, 0))
    # 00:30 EDT, 01:10 EDT (first), 01:50 EDT (first), 02:30 EST: four slots, never the repeated hour
    assert [d.due_utc for d in fired] == [utc(2024, 11, 3, 4, 30), utc(2024, 11, 3, 5, 10),
                                          utc(2024, 11, 3, 5, 50), utc(2024, 11, 3, 7, 30)]
    assert [d.slot for d in fired] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "spec, moment, expected",
    [
        (stretch("Asia/Kolkata"), utc(2024, 1, 15, 3, 30), Due(utc(2024, 1, 15, 3, 30), date(2024, 1, 15), 0)),
        (stretch("Asia/Kolkata"), utc(2024, 1, 15, 3, 29), Due(utc(2024, 1, 14, 3, 30), date(2024, 1, 14), 0)),
        (hydrate("Europe/Berlin"), utc(2024, 1, 10, 14, 0), Due(utc(2024, 1, 10, 11, 20), date(2024, 1, 10), 1)),
        (stretch("Europe/Berlin", "02:30"), utc(2024, 3, 31, 2), Due(utc(2024, 3, 31, 1, 30), date(2024, 3, 31), 0)),
    ],
)
def test_previous_due(spec, moment, expected):
    assert previous_due(spec, moment) == expected


# --- ticks: grace window and catching up ----------------------------------------------------------


@pytest.mark.parametrize(
    "late, action",
    [
        (-timedelta(seconds=1), Action.WAIT),
        (timedelta(0), Action.SEND),
        (timedelta(minutes=59), Action.SEND),
        (GRACE, Action.SEND),
        (GRACE + timedelta(seconds=1), Action.SKIP),
        (timedelta(days=3), Action.SKIP),
    ],
)
def test_plan_tick_grace_window(late, action):
    due = utc(2024, 5, 1, 9, 0)
    assert plan_tick(due, due + late) is action


def test_plan_tick_custom_grace():
    due = utc(2024, 5, 1, 9, 0)
    assert plan_tick(due, due + timedelta(minutes=10), grace=timedelta(minutes=5)) is Action.SKIP


def test_resolve_tick_not_due_keeps_the_stored_slot():
    spec = stretch("UTC")
    stored = Due(utc(2024, 5, 2, 9), date(2024, 5, 2), 0)
    plan = resolve_tick(spec, stored, utc(2024, 5, 2, 8, 59))
    assert plan.send is None and plan.next == stored


def test_resolve_tick_without_stored_slot_schedules_the_next():
    plan = resolve_tick(stretch("UTC"), None, utc(2024, 5, 2, 10))
    assert plan.send is None and plan.next == Due(utc(2024, 5, 3, 9), date(2024, 5, 3), 0)


def test_resolve_tick_on_time_sends_and_moves_on():
    spec = stretch("Asia/Kolkata")
    stored = Due(utc(2024, 5, 2, 3, 30), date(2024, 5, 2), 0)
    plan = resolve_tick(spec, stored, utc(2024, 5, 2, 3, 30, 20))
    assert plan.send == stored
    assert plan.next == Due(utc(2024, 5, 3, 3, 30), date(2024, 5, 3), 0)


def test_resolve_tick_within_grace_sends_late():
    spec = stretch("UTC")
    stored = Due(utc(2024, 5, 2, 9), date(2024, 5, 2), 0)
    plan = resolve_tick(spec, stored, utc(2024, 5, 2, 10, 45))
    assert plan.send == stored
    assert plan.next.local_date == date(2024, 5, 3)


def test_resolve_tick_beyond_grace_skips_to_next_slot():
    spec = stretch("UTC")
    stored = Due(utc(2024, 5, 2, 9), date(2024, 5, 2), 0)
    plan = resolve_tick(spec, stored, utc(2024, 5, 2, 11, 1))
    assert plan.send is None
    assert plan.next == Due(utc(2024, 5, 3, 9), date(2024, 5, 3), 0)


def test_resolve_tick_after_downtime_sends_only_the_latest_missed_slot():
    spec = hydrate("UTC")  # 09:00 12:20 15:40 19:00
    stored = Due(utc(2024, 5, 2, 9), date(2024, 5, 2), 0)
    plan = resolve_tick(spec, stored, utc(2024, 5, 2, 13, 0))
    assert plan.send == Due(utc(2024, 5, 2, 12, 20), date(2024, 5, 2), 1)
    assert plan.next == Due(utc(2024, 5, 2, 15, 40), date(2024, 5, 2), 2)


def test_resolve_tick_after_days_down_catches_up_to_today():
    spec = stretch("Europe/Berlin")
    stored = Due(utc(2024, 4, 28, 7), date(2024, 4, 28), 0)
    plan = resolve_tick(spec, stored, utc(2024, 5, 2, 7, 30))
    assert plan.send == Due(utc(2024, 5, 2, 7), date(2024, 5, 2), 0)
    assert plan.next == Due(utc(2024, 5, 3, 7), date(2024, 5, 3), 0)


def test_resolve_tick_is_stable_when_repeated_after_a_crash():
    # A crash after sending but before storing `next`: the same key comes back, so the
    # delivery table's unique key is what stops a second send.
    spec = stretch("UTC")
    stored = Due(utc(2024, 5, 2, 9), date(2024, 5, 2), 0)
    first = resolve_tick(spec, stored, utc(2024, 5, 2, 9, 0, 30))
    again = resolve_tick(spec, stored, utc(2024, 5, 2, 9, 1, 0))
    assert first.send == again.send == stored


# --- snooze ---------------------------------------------------------------------------------------


def test_snooze_until_defaults_to_thirty_minutes():
    assert snooze_until(utc(2024, 5, 2, 9, 0, 10, 500)) == utc(2024, 5, 2, 9, 30, 10)
    assert snooze_until(utc(2024, 5, 2, 9), minutes=5) == utc(2024, 5, 2, 9, 5)
    with pytest.raises(ScheduleError):
        snooze_until(utc(2024, 5, 2, 9), minutes=0)


def test_snooze_gets_a_fresh_key_on_the_same_local_day():
    # Snoozing a 23:50 reminder lands after midnight but keeps the reminder's local date.
    due = snooze_due(date(2024, 5, 2), 2, utc(2024, 5, 2, 23, 50))
    assert due == Due(utc(2024, 5, 3, 0, 20), date(2024, 5, 2), 102)
    again = snooze_due(due.local_date, due.slot, utc(2024, 5, 3, 0, 20))
    assert again.slot == 202
    assert base_slot(again.slot) == 2 and snooze_round(again.slot) == 2


def test_snoozing_has_a_limit():
    slot = 0
    for _ in range(5):
        slot = snooze_due(date(2024, 5, 2), slot, utc(2024, 5, 2, 9)).slot
    assert slot == 500
    with pytest.raises(ScheduleError, match="snoozed 5 times"):
        snooze_due(date(2024, 5, 2), slot, utc(2024, 5, 2, 9))


# --- local day and streaks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone, now, today",
    [("Asia/Kolkata", utc(2024, 5, 2, 18, 29), date(2024, 5, 2)), ("Asia/Kolkata", utc(2024, 5, 2, 18, 30), date(2024, 5, 3)),
     ("America/New_York", utc(2024, 5, 2, 3, 59), date(2024, 5, 1)), ("-03:00", utc(2024, 5, 2, 2), date(2024, 5, 1))],
)
def test_local_today(zone, now, today):
    assert local_today(zone, now) == today


D = date(2024, 5, 10)


@pytest.mark.parametrize(
    "done, expected",
    [
        ([], 0),
        ([D], 1),
        ([D, D - timedelta(1), D - timedelta(2)], 3),
        ([D - timedelta(1), D - timedelta(2)], 2),  # today not done yet: the streak is still alive
        ([D - timedelta(2), D - timedelta(3)], 0),  # yesterday missed: broken
        ([D, D - timedelta(2)], 1),
        ([D + timedelta(1), D], 1),  # a future date does not count
    ],
)
def test_count_streak(done, expected):
    assert count_streak(done, D) == expected
