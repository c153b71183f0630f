from datetime import datetime, time, timezone

import pytest

from bot.core.reminder_content import load_cities
from bot.core.schedule import is_valid_zone
from bot.core.timeparse import (
    TimeParseError,
    ZoneChoice,
    ZoneParseError,
    normalize_name,
    parse_time,
    parse_zone,
    zone_from_local_time,
)


@pytest.fixture(scope="module")
def cities():
    return load_cities()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("9", time(9, 0)),
        ("09", time(9, 0)),
        ("0", time(0, 0)),
        ("23", time(23, 0)),
        ("9am", time(9, 0)),
        ("9 am", time(9, 0)),
        ("9 AM", time(9, 0)),
        ("9 a.m.", time(9, 0)),
        ("9 pm", time(21, 0)),
        ("9PM", time(21, 0)),
        ("12am", time(0, 0)),
        ("12 pm", time(12, 0)),
        ("21:30", time(21, 30)),
        ("07:05", time(7, 5)),
        ("9.30", time(9, 30)),
        ("9:30pm", time(21, 30)),
        ("9h30", time(9, 30)),
        ("0930", time(9, 30)),
        ("930", time(9, 30)),
        ("2130", time(21, 30)),
        ("0000", time(0, 0)),
        ("noon", time(12, 0)),
        (" Noon ", time(12, 0)),
        ("midnight", time(0, 0)),
        ("9 o'clock", time(9, 0)),
    ],
)
def test_parse_time_accepts(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "24", "25:00", "9:60", "9:5", "13pm", "0am", "21:30pm", "2400", "99999", "-1", "nine",
     "9:30:15", "tomorrow", "9 xm", "12:3o"],
)
def test_parse_time_refuses_with_an_example(text):
    with pytest.raises(TimeParseError) as info:
        parse_time(text)
    assert isinstance(info.value, ValueError)
    assert "21:30" in str(info.value)  # the message shows what works


@pytest.mark.parametrize(
    "text, zone, fixed",
    [
        ("Europe/Berlin", "Europe/Berlin", False),
        ("europe/berlin", "Europe/Berlin", False),
        ("EUROPE/BERLIN", "Europe/Berlin", False),
        ("America/New_York", "America/New_York", False),
        ("america/new york", "America/New_York", False),
        ("asia/kolkata", "Asia/Kolkata", False),
        ("UTC", "UTC", False),
        ("Berlin", "Europe/Berlin", False),
        ("berlin", "Europe/Berlin", False),
        ("Mumbai", "Asia/Kolkata", False),
        ("new delhi", "Asia/Kolkata", False),
        ("New York", "America/New_York", False),
        ("NYC", "America/New_York", False),
        ("san francisco", "America/Los_Angeles", False),
        ("São Paulo", "America/Sao_Paulo", False),
        ("sao paulo", "America/Sao_Paulo", False),
        ("MÜNCHEN", "Europe/Berlin", False),
        ("st johns", "America/St_Johns", False),
        ("Tokyo", "Asia/Tokyo", False),
        ("Reykjavik", "Atlantic/Reykjavik", False),  # not in the table: found through IANA names
        ("UTC+2", "+02:00", True),
        ("utc+2", "+02:00", True),
        ("GMT-5", "-05:00", True),
        ("gmt -5", "-05:00", True),
        ("+5:30", "+05:30", True),
        ("+05:30", "+05:30", True),
        ("+0530", "+05:30", True),
        ("utc +05:30", "+05:30", True),
        ("UTC+5.30", "+05:30", True),
        ("UTC+05:45", "+05:45", True),
        ("-3", "-03:00", True),
        ("UTC\u22124", "-04:00", True),  # a typographic minus sign
        ("UTC+14", "+14:00", True),
        ("UTC-12", "-12:00", True),
        ("UTC+0", "UTC", False),
        ("GMT", "UTC", False),
    ],
)
def test_parse_zone_accepts(cities, text, zone, fixed):
    choice = parse_zone(text, cities)
    assert choice.zone == zone
    assert choice.fixed_offset is fixed
    assert is_valid_zone(choice.zone)


@pytest.mark.parametrize(
    "text, label",
    [("Europe/Berlin", "Europe/Berlin"), ("mumbai", "Mumbai (Asia/Kolkata)"), ("UTC+2", "UTC+02:00"),
     ("+5:30", "UTC+05:30")],
)
def test_parse_zone_labels(cities, text, label):
    assert parse_zone(text, cities).label == label


@pytest.mark.parametrize("text", ["", "Atlantis", "Europe/Atlantis", "UTC+15", "UTC-13", "+5:20", "+25",
                                  "Pacific", "9:30", "x" * 200])
def test_parse_zone_refuses_with_an_example(cities, text):
    with pytest.raises(ZoneParseError) as info:
        parse_zone(text, cities)
    assert isinstance(info.value, ValueError)
    assert "UTC+2" in str(info.value) or "+5:30" in str(info.value)


def test_parse_zone_without_a_city_table_still_knows_iana_cities():
    assert parse_zone("Kolkata").zone == "Asia/Kolkata"
    with pytest.raises(ZoneParseError):
        parse_zone("Mumbai")  # only the table maps Mumbai


def test_normalize_name():
    assert normalize_name("  São   Paulo ") == "sao paulo"
    assert normalize_name("St. John's") == "st john s"
    assert normalize_name("Ho-Chi-Minh City") == "ho chi minh city"


NOW = datetime(2024, 5, 2, 12, 0, 20, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text, zone",
    [
        ("14:00", "+02:00"),
        ("my local time is now 14:00", "+02:00"),
        ("its 2pm", "+02:00"),
        ("its 2:05pm", "+02:00"),
        ("it's 2:01 pm", "+02:00"),  # typed a minute off: rounded to the nearest 15 min
        ("13:58", "+02:00"),
        ("17:30", "+05:30"),
        ("5.30pm", "+05:30"),
        ("17:45", "+05:45"),
        ("07:00", "-05:00"),
        ("local time 9:30 am", "-02:30"),  # Newfoundland in summer time
        ("12:00", "UTC"),
        ("noon", "UTC"),
        ("02:00", "-10:00"),  # Honolulu, not UTC+14
        ("01:00", "+13:00"),  # Auckland in summer
        ("1400", "+02:00"),
    ],
)
def test_zone_from_local_time(text, zone):
    choice = zone_from_local_time(text, NOW)
    assert choice.zone == zone
    assert choice.fixed_offset is (zone != "UTC")


def test_zone_from_local_time_crosses_midnight():
    late = datetime(2024, 5, 2, 23, 50, tzinfo=timezone.utc)
    assert zone_from_local_time("01:50", late).zone == "+02:00"
    early = datetime(2024, 5, 2, 0, 10, tzinfo=timezone.utc)
    assert zone_from_local_time("19:10", early).zone == "-05:00"


@pytest.mark.parametrize("text", ["what time is it", "", "25:00", "it's 13pm",
                                  "08:30",  # UTC-03:30 is Newfoundland's winter offset: nobody uses it in May
                                  "14:08"])  # 8 minutes from UTC+2, and UTC+2:15 does not exist
def test_zone_from_local_time_refuses(text):
    with pytest.raises(TimeParseError):
        zone_from_local_time(text, NOW)


def test_zone_choice_is_a_small_value():
    assert parse_zone("UTC+2") == ZoneChoice("+02:00", "UTC+02:00", True)
