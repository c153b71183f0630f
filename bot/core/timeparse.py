"""Reading times and time zones the way people type them.

Pure: the city table is passed in (see reminder_content.load_cities); nothing here reads files
or the clock. Errors are ValueError subclasses whose message can be shown to the user as is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timezone
from functools import lru_cache
from zoneinfo import available_timezones

from bot.core.schedule import format_offset, zone_label

TIME_EXAMPLES = "9, 9am, 9:30 pm, 21:30 or noon"
ZONE_EXAMPLES = "a city like Berlin, a zone like Europe/Berlin, or an offset like UTC+2 or +5:30"


class TimeParseError(ValueError):
    """A time the user typed could not be read."""


class ZoneParseError(ValueError):
    """A time zone the user typed could not be read."""


@dataclass(frozen=True)
class ZoneChoice:
    zone: str  # what to store: an IANA name, or "+05:30" when only the offset is known
    label: str  # what to show
    fixed_offset: bool  # True: daylight-saving changes will not be followed


# --- times ------------------------------------------------------------------------------------

_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
_CLOCK = re.compile(
    r"^(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2}))?\s*(?P<ampm>a\.?\s*m\.?|p\.?\s*m\.?)?$"
)
_COMPACT = re.compile(r"^(?P<h>\d{1,2})(?P<m>\d{2})\s*(?P<ampm>a\.?\s*m\.?|p\.?\s*m\.?)?$")


def _fail_time(text: str) -> TimeParseError:
    shown = text.strip()[:20] or "that"
    return TimeParseError(f'I couldn\'t read "{shown}" as a time. Try {TIME_EXAMPLES}.')


def parse_time(text: str) -> time:
    """ "9" -> 09:00, "9 pm" -> 21:00, "21:30", "9.30", "0930", "noon"; TimeParseError otherwise."""
    raw = " ".join(text.strip().lower().split())
    raw = raw.removesuffix(" o'clock").removesuffix(" oclock")
    if raw in _WORDS:
        return _WORDS[raw]
    match = _CLOCK.match(raw) or _COMPACT.match(raw)
    if not match:
        raise _fail_time(text)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").replace(" ", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise _fail_time(text)
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _fail_time(text)
    return time(hour, minute)


# --- zones ------------------------------------------------------------------------------------

_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*(?P<sign>[+\-\u2212])\s*(?P<h>\d{1,2})(?:\s*[:.]?\s*(?P<m>\d{2}))?(?:\s*h(?:ours?)?)?$"
)
_ZERO = re.compile(r"^(?:utc|gmt|z)(?:\s*[+\-\u2212]\s*0{1,2}(?::?00)?)?$")


def normalize_name(text: str) -> str:
    """Lower case, accents dropped, "_" "-" "." and runs of spaces as one space: "São  Paulo" -> "sao paulo"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[_\-.,']", " ", folded.lower()).split())


_AREAS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}


@lru_cache(maxsize=1)
def _iana_index() -> tuple[dict[str, str], dict[str, str]]:
    """(full name -> IANA name, last part -> IANA name) over all installed zones, normalized."""
    full: dict[str, str] = {}
    last: dict[str, str] = {}
    for name in sorted(available_timezones()):
        full[normalize_name(name.replace("/", " / "))] = name
        if name.split("/", 1)[0] in _AREAS:
            # Prefer the canonical-looking region (Europe/..., Asia/...) over legacy aliases.
            last.setdefault(normalize_name(name.rsplit("/", 1)[1]), name)
    return full, last


def _offset_choice(minutes: int) -> ZoneChoice:
    if minutes == 0:
        return ZoneChoice("UTC", "UTC", fixed_offset=False)
    zone = format_offset(minutes)
    return ZoneChoice(zone, zone_label(zone), fixed_offset=True)


def parse_offset(text: str) -> int | None:
    """Minutes east of UTC for "UTC+2", "GMT-5", "+5:30", "utc +05:30"; None if not offset-shaped.

    Raises ZoneParseError for an offset-shaped text no place on Earth uses.
    """
    raw = " ".join(text.strip().lower().split())
    if _ZERO.match(raw):
        return 0
    match = _OFFSET.match(raw)
    if not match:
        return None
    minutes = int(match["h"]) * 60 + int(match["m"] or 0)
    if match["sign"] != "+":
        minutes = -minutes
    if not -12 * 60 <= minutes <= 14 * 60 or int(match["m"] or 0) % 15:
        raise ZoneParseError(
            f'"{text.strip()}" is not a UTC offset in use. Offsets run from UTC-12 to UTC+14, '
            "in steps of 15 minutes, like UTC+2 or +5:30."
        )
    return minutes


def parse_zone(text: str, cities: Mapping[str, str] | None = None) -> ZoneChoice:
    """An IANA name (any case), a city from `cities` or from the IANA names, or a UTC offset.

    `cities` maps normalized city names (see normalize_name) to IANA names.
    """
    raw = text.strip()
    if not raw or len(raw) > 60:
        raise ZoneParseError(f"Send me {ZONE_EXAMPLES}.")
    minutes = parse_offset(raw)
    if minutes is not None:
        return _offset_choice(minutes)
    key = normalize_name(raw)
    full, last = _iana_index()
    zone = full.get(normalize_name(raw.replace("/", " / ")))
    if zone:
        return ZoneChoice(zone, zone, fixed_offset=False)
    if cities and key in cities:
        zone = cities[key]
        return ZoneChoice(zone, f"{raw.title() if raw.islower() else raw} ({zone})", fixed_offset=False)
    if key in last:
        zone = last[key]
        return ZoneChoice(zone, zone, fixed_offset=False)
    shown = raw[:30]
    raise ZoneParseError(f'I don\'t know the time zone "{shown}". Send me {ZONE_EXAMPLES}.')


# --- "my local time is now 14:05" --------------------------------------------------------------

_TIME_IN_TEXT = re.compile(
    r"(?<![\d:.])(\d{1,2}(?:\s*[:.h]\s*\d{2})?\s*(?:a\.?\s*m\.?|p\.?\s*m\.?)?|\d{3,4})(?![\d:])|noon|midday|midnight",
    re.IGNORECASE,
)


def zone_from_local_time(text: str, now_utc: datetime) -> ZoneChoice:
    """Infer a fixed UTC offset from the user's current local time, to the nearest 15 minutes.

    Accepts "14:05", "my local time is now 14:05", "its 2:05pm". A wall clock 13 hours ahead
    of UTC is also 11 hours behind; the result runs from UTC-10:00 to UTC+13:45. Either reading
    fires reminders at the same instants; only the local date differs for the rare UTC-11/-12.
    """
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be aware")
    found = [m.group(0).strip() for m in _TIME_IN_TEXT.finditer(text)]
    if not found:
        raise TimeParseError("Tell me your local time now, for example 14:05 or 2:05pm.")
    local = parse_time(found[-1])
    now = now_utc.astimezone(timezone.utc)
    utc_minutes = now.hour * 60 + now.minute + now.second / 60
    diff = (local.hour * 60 + local.minute - utc_minutes) % 1440  # 0 .. 1440
    rounded = int(round(diff / 15)) * 15 % 1440
    minutes = rounded if rounded <= 13 * 60 + 45 else rounded - 1440
    return _offset_choice(minutes)
