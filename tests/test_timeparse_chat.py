"""read_time and read_zone: answers as people type them in a chat, said back before saving.

None means "not an answer at all": the bot then answers the text as a normal message.
"""

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.reminder_content import load_reminder_content
from bot.core.schedule import is_valid_zone
from bot.core.timeparse import (
    ZoneChoices,
    ZoneProblem,
    ZoneReading,
    offset_from_clock,
    offset_text,
    offsets_in_use,
    read_time,
    read_zone,
)

SUMMER = datetime(2026, 6, 1, 8, 0, 20, tzinfo=timezone.utc)  # the e2e fixture's clock
WINTER = datetime(2026, 1, 15, 20, 0, 10, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def content():
    return load_reminder_content()


# --- times -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("9", time(9, 0)),
        ("9am", time(9, 0)),
        ("9 a.m.", time(9, 0)),
        ("9 PM", time(21, 0)),
        ("21:30", time(21, 30)),
        ("21.30", time(21, 30)),
        ("0930", time(9, 30)),
        ("at 9", time(9, 0)),
        ("at 7pm every day", time(19, 0)),
        ("9:45pm please", time(21, 45)),
        ("half past 8", time(8, 30)),
        ("half past nine please", time(9, 30)),
        ("half 8", time(8, 30)),  # British
        ("quarter to 7", time(6, 45)),
        ("a quarter past seven", time(7, 15)),
        ("quarter past seven in the evening", time(19, 15)),
        ("quarter to 7 in the evening", time(18, 45)),
        ("ten to seven", time(6, 50)),
        ("20 past 8", time(8, 20)),
        ("twenty five past 8", time(8, 25)),
        ("eight thirty", time(8, 30)),
        ("eight oh five", time(8, 5)),
        ("8 in the morning", time(8, 0)),
        ("7 in the evening", time(19, 0)),
        ("5 in the afternoon", time(17, 0)),
        ("7 tonight", time(19, 0)),
        ("10 at night", time(22, 0)),
        ("12 at night", time(0, 0)),
        ("nine o'clock", time(9, 0)),
        ("9 o'clock in the morning", time(9, 0)),
        ("noon", time(12, 0)),
        ("Noon please", time(12, 0)),
        ("midday", time(12, 0)),
        ("midnight", time(0, 0)),
        ("I'd like 8am", time(8, 0)),
        ("let's say 7", time(7, 0)),
    ],
)
def test_read_time_exact(content, text, expected):
    reading = read_time(text, content.day_parts)
    assert reading is not None, text
    assert reading.value == expected
    assert not reading.said and not reading.approximate


@pytest.mark.parametrize(
    "text, expected",
    [("9ish", time(9, 0)), ("9-ish", time(9, 0)), ("around 9", time(9, 0)), ("about 9:30", time(9, 30)),
     ("roughly 8pm", time(20, 0)), ("9 or so", time(9, 0)), ("~7", time(7, 0)),
     ("maybe around half past 6 in the evening", time(18, 30))],
)
def test_read_time_approximate_is_marked_to_be_said_back(content, text, expected):
    reading = read_time(text, content.day_parts)
    assert reading is not None and reading.value == expected and reading.approximate


@pytest.mark.parametrize(
    "text, expected, said",
    [
        ("in the evening", time(19, 0), "evening"),
        ("evening", time(19, 0), "evening"),
        ("every evening please", time(19, 0), "evening"),
        ("in the morning", time(8, 0), "morning"),
        ("after lunch", time(13, 30), "after lunch"),
        ("before bed", time(21, 30), "before bed"),
        ("when I wake up", time(7, 0), "when i wake up"),
        ("first thing", time(7, 0), "first thing"),
        ("Late afternoon", time(17, 0), "late afternoon"),
    ],
)
def test_read_time_day_parts_come_from_content_and_say_so(content, text, expected, said):
    reading = read_time(text, content.day_parts)
    assert reading is not None and reading.value == expected and reading.said == said


def test_read_time_day_part_defaults_are_data():
    assert read_time("in the evening", {"evening": time(18, 15)}).value == time(18, 15)
    assert read_time("in the evening") is None  # no table, no guess


@pytest.mark.parametrize(
    "text",
    [
        "", "hi", "ok", "thanks", "what causes back spasms", "my back seized up, what do i do",
        "my back hurts since 9am", "can i take ibuprofen at 9", "9 or 10", "between 8 and 9",
        "25:00", "9:60", "13pm", "21 in the morning", "tomorrow", "Berlin", "I'm in Sydney", "x" * 200,
    ],
)
def test_read_time_refuses_what_is_not_only_a_time(content, text):
    assert read_time(text, content.day_parts) is None


def test_has_minutes_tells_a_clock_from_a_bare_hour(content):
    assert not read_time("9", content.day_parts).has_minutes
    assert read_time("9pm", content.day_parts).has_minutes
    assert read_time("14:05", content.day_parts).has_minutes


# --- zones: places, abbreviations, offsets ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, zone, place",
    [
        ("I'm in Sydney", "Australia/Sydney", "Sydney"),
        ("sydney australia", "Australia/Sydney", "Sydney"),
        ("Sydney, Australia", "Australia/Sydney", "Sydney"),
        ("uk", "Europe/London", "UK"),
        ("UK", "Europe/London", "UK"),
        ("I live in the UK", "Europe/London", "UK"),
        ("england", "Europe/London", "England"),
        ("new york", "America/New_York", "New York"),
        ("i live in new york city", "America/New_York", "New York"),
        ("im in germany", "Europe/Berlin", "Germany"),
        ("Germany", "Europe/Berlin", "Germany"),
        ("berlin germany", "Europe/Berlin", "Berlin"),
        ("I'm based in São Paulo", "America/Sao_Paulo", "São Paulo"),
        ("california", "America/Los_Angeles", "California"),
        ("Kolkata", "Asia/Kolkata", "Kolkata"),
        ("reykjavik", "Atlantic/Reykjavik", "Reykjavik"),  # not in the table: the IANA city
        ("hi, i'm in tokyo", "Asia/Tokyo", "Tokyo"),
    ],
)
def test_read_zone_places_in_sentences(content, text, zone, place):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneReading), reading
    assert (reading.zone, reading.place, reading.fixed_offset) == (zone, place, False)


@pytest.mark.parametrize(
    "text, zone",
    [
        ("PST", "America/Los_Angeles"), ("pst", "America/Los_Angeles"), ("PDT", "America/Los_Angeles"),
        ("pacific time", "America/Los_Angeles"), ("Pacific Standard Time", "America/Los_Angeles"),
        ("EST", "America/New_York"), ("edt", "America/New_York"), ("eastern time", "America/New_York"),
        ("my time zone is EST", "America/New_York"),
        ("CST", "America/Chicago"), ("central", "America/Chicago"), ("MST", "America/Denver"),
        ("mountain time", "America/Denver"),
        ("GMT", "Europe/London"), ("BST", "Europe/London"),
        ("CET", "Europe/Paris"), ("CEST", "Europe/Paris"), ("central european time", "Europe/Paris"),
        ("AEST", "Australia/Sydney"), ("AEDT", "Australia/Sydney"),
        ("IST", "Asia/Kolkata"), ("JST", "Asia/Tokyo"), ("NZST", "Pacific/Auckland"),
    ],
)
def test_read_zone_abbreviations_are_real_places_with_summer_time(content, text, zone):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneReading) and reading.zone == zone and not reading.fixed_offset
    assert is_valid_zone(reading.zone)


def test_est_follows_summer_time(content):
    """EST typed in June is New York (UTC-4 then), not a fixed UTC-5 all year."""
    zone = read_zone("EST", content.places, SUMMER).zone
    assert SUMMER.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() == -4 * 3600
    assert WINTER.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() == -5 * 3600


@pytest.mark.parametrize(
    "text, zone",
    [("UTC+2", "+02:00"), ("utc+2", "+02:00"), ("GMT-5", "-05:00"), ("+5:30", "+05:30"),
     ("i'm on utc+5:30", "+05:30"), ("my timezone is GMT+1", "+01:00"), ("UTC−4", "-04:00")],
)
def test_read_zone_offsets_are_fixed(content, text, zone):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneReading) and reading.zone == zone and reading.fixed_offset


@pytest.mark.parametrize("text, zone", [("UTC", "UTC"), ("utc+0", "UTC"), ("Europe/Berlin", "Europe/Berlin"),
                                        ("america/new_york", "America/New_York"), ("my zone is Asia/Tokyo", "Asia/Tokyo")])
def test_read_zone_iana_names_and_utc(content, text, zone):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneReading) and reading.zone == zone


@pytest.mark.parametrize("text, n", [("australia", 7), ("I'm in the USA", 7), ("canada", 7), ("london or paris", 2)])
def test_read_zone_asks_which_when_a_country_has_several(content, text, n):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneChoices) and len(reading.zones) == n
    assert all(is_valid_zone(z) for z in reading.zones)


@pytest.mark.parametrize("text", ["UTC+15", "GMT-13", "+5:20"])
def test_read_zone_offsets_nobody_uses_are_a_problem(content, text):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneProblem) and reading.reason == "offset"


# --- zones from the clock ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, zone",
    [
        ("my time is 10:00", "+02:00"),
        ("my local time is now 14:05", "+06:00"),
        ("it's 14:05 here", "+06:00"),
        ("its 4:02am", "-04:00"),
        ("my time is 13:30", "+05:30"),
        ("my time is 1:45pm", "+05:45"),  # Nepal
        ("here it's 5:30am", "-02:30"),  # Newfoundland in summer time
    ],
)
def test_read_zone_from_the_clock_when_the_text_says_it_is_now(content, text, zone):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneReading) and reading.how == "clock" and reading.zone == zone
    assert reading.fixed_offset


def test_clock_offsets_must_exist_now():
    """Only offsets some place uses at that moment: Chatham is UTC+13:45 in its summer only,
    Newfoundland UTC-2:30 in its summer only."""
    assert 13 * 60 + 45 not in offsets_in_use(SUMMER) and 13 * 60 + 45 in offsets_in_use(WINTER)
    assert -150 in offsets_in_use(SUMMER) and -150 not in offsets_in_use(WINTER)
    assert offset_from_clock(time(21, 45), SUMMER) is None  # 08:00 UTC + 13:45
    assert offset_from_clock(time(9, 45), WINTER) == 13 * 60 + 45  # 20:00 UTC + 13:45
    assert offset_from_clock(time(5, 30), SUMMER) == -150
    assert offset_from_clock(time(17, 30), WINTER) is None  # 20:00 UTC - 2:30
    assert offset_from_clock(time(10, 4), SUMMER) == 120  # a few minutes off is still UTC+2
    assert offset_from_clock(time(10, 6), SUMMER) is None  # but not six


@pytest.mark.parametrize("text", ["my time is 7:45pm",  # UTC+11:45 at 08:00 UTC: no such zone
                                  "my time is 10:09",  # 9 minutes from UTC+2
                                  "it's 25:00"])
def test_read_zone_a_clock_no_zone_shows_is_a_problem(content, text):
    reading = read_zone(text, content.places, SUMMER)
    assert isinstance(reading, ZoneProblem) and reading.reason == "clock"


def test_my_time_is_7_45pm_where_that_is_real(content):
    """The issue's example, at a moment when some place shows 7:45pm: UTC+12 (Auckland in June)."""
    at = datetime(2026, 6, 1, 7, 45, tzinfo=timezone.utc)
    reading = read_zone("my time is 7:45pm", content.places, at)
    assert isinstance(reading, ZoneReading) and reading.zone == "+12:00" and reading.clock == time(19, 45)


@pytest.mark.parametrize("text", ["9ish", "9", "around 9", "in the evening", "half past 8", "7", "after lunch"])
def test_read_zone_never_reads_a_reminder_time_as_a_zone(content, text):
    """The issue's bug: "9ish" at the zone question saved UTC+13:45 "worked out from your clock"."""
    reading = read_zone(text, content.places, SUMMER, content.day_parts)
    assert isinstance(reading, ZoneProblem) and reading.reason == "time"


def test_read_zone_a_bare_clock_is_only_a_guess_to_say_back(content):
    """"12:30 now" gave UTC-06:45 before; now it is a real offset said back as "if it is 12:30 now"."""
    reading = read_zone("12:30 now", content.places, SUMMER, content.day_parts)
    assert isinstance(reading, ZoneReading) and reading.how == "bare_clock" and reading.zone == "+04:30"
    odd = read_zone("12:52", content.places, SUMMER, content.day_parts)  # UTC+4:52: nobody
    assert isinstance(odd, ZoneProblem) and odd.reason == "time"


@pytest.mark.parametrize(
    "text",
    ["my back seized up, what do i do", "what causes back spasms", "hi", "ok", "thanks", "Narnia",
     "can i take ibuprofen", "ice or heat", "i hurt my back in sydney lifting a box", "x" * 300, ""],
)
def test_read_zone_hands_back_what_is_not_a_zone(content, text):
    assert read_zone(text, content.places, SUMMER, content.day_parts) is None


@pytest.mark.parametrize("minutes, text", [(0, "UTC"), (120, "UTC+2"), (330, "UTC+5:30"), (-240, "UTC-4"),
                                           (-570, "UTC-9:30"), (825, "UTC+13:45")])
def test_offset_text(minutes, text):
    assert offset_text(minutes) == text


def test_read_zone_needs_an_aware_now(content):
    with pytest.raises(ValueError):
        read_zone("Berlin", content.places, datetime(2026, 6, 1))
