"""Reading times and time zones the way people type them.

Pure: the place and day-part tables are passed in (see reminder_content), and so is "now";
nothing here reads files or the clock. Errors are ValueError subclasses whose message can be
shown to the user as is.

Two layers:
- parse_time / parse_zone / parse_offset read one exact value ("21:30", "Europe/Berlin", "UTC+2").
- read_time / read_zone read what people answer in a chat ("9ish", "half past 8", "in the
  evening", "I'm in Sydney", "EST", "my time is 7:45pm"). They return a reading to be said back
  and confirmed, never a value to save silently, and None when the text is not an answer at all
  (so the caller can treat it as a new message).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

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
# How far a typed clock may be from a real offset: a person reads the clock and types it.
CLOCK_TOLERANCE_MINUTES = 5
# Of two offsets that give the same wall clock (UTC+13 and UTC-11), the one in this range wins.
_PREFERRED = range(-10 * 60, 13 * 60 + 46)


@lru_cache(maxsize=64)
def _offsets_in_use(hour_key: int) -> frozenset[int]:
    at = datetime.fromtimestamp(hour_key * 3600, timezone.utc)
    found = set()
    for name in available_timezones():
        if name.split("/", 1)[0] not in _AREAS:
            continue
        offset = at.astimezone(ZoneInfo(name)).utcoffset()
        if offset is not None:
            found.add(int(offset.total_seconds() // 60))
    return frozenset(found)


def offsets_in_use(now_utc: datetime) -> frozenset[int]:
    """Minutes east of UTC that some inhabited zone uses at `now_utc` (within the hour)."""
    return _offsets_in_use(int(now_utc.timestamp() // 3600))


def offset_from_clock(local: time, now_utc: datetime, tolerance: int = CLOCK_TOLERANCE_MINUTES) -> int | None:
    """The real UTC offset at which the wall clock now shows `local`, or None if none is that close."""
    now = now_utc.astimezone(timezone.utc)
    utc_seconds = now.hour * 3600 + now.minute * 60 + now.second
    diff = (local.hour * 3600 + local.minute * 60 - utc_seconds) % 86400  # whole seconds: ties are exact
    best: tuple[int, int, int] | None = None
    for offset in offsets_in_use(now_utc):
        distance = abs((diff - offset * 60 + 43200) % 86400 - 43200)
        rank = (distance, 0 if offset in _PREFERRED else 1, offset)
        if best is None or rank < best:
            best = rank
    if best is None or best[0] > tolerance * 60:
        return None
    return best[2]


def zone_from_local_time(text: str, now_utc: datetime) -> ZoneChoice:
    """A fixed UTC offset from the user's current local time: one that some place really uses now.

    Accepts "14:05", "my local time is now 14:05", "its 2:05pm". A wall clock 13 hours ahead
    of UTC is also 11 hours behind; UTC-10:00 to UTC+13:45 wins such a tie. A clock that is more
    than CLOCK_TOLERANCE_MINUTES from every offset in use is refused, not rounded.
    """
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be aware")
    found = [m.group(0).strip() for m in _TIME_IN_TEXT.finditer(text)]
    if not found:
        raise TimeParseError("Tell me your local time now, for example 14:05 or 2:05pm.")
    local = parse_time(found[-1])
    minutes = offset_from_clock(local, now_utc)
    if minutes is None:
        raise TimeParseError(
            f"No time zone shows {local.hour:02d}:{local.minute:02d} right now. Check the clock, or send your city."
        )
    return _offset_choice(minutes)


# --- reading answers typed in a chat ------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case ASCII words and numbers: "I'm in São Paulo!" -> ["i", "m", "in", "sao", "paulo"]."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", folded).split()


def place_key(name: str) -> str:
    return " ".join(words(name))


def offset_text(minutes: int) -> str:
    """120 -> "UTC+2", 330 -> "UTC+5:30", -240 -> "UTC-4", 0 -> "UTC"."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def current_offset(zone: str, now_utc: datetime) -> int:
    """Minutes east of UTC that `zone` (IANA name or "+05:30") has at `now_utc`."""
    from bot.core.schedule import tz_for

    offset = now_utc.astimezone(tz_for(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


@dataclass(frozen=True)
class Place:
    """An entry of content/cities.toml: a city, a country or an abbreviation."""

    name: str  # as the table writes it, said back: "Sydney", "Germany", "US Eastern"
    zones: tuple[str, ...]  # one IANA name, or the choices of a country with several
    kind: str  # "city" | "country" | "abbreviation" | "zone" (an IANA name's city part)


_PLACE_RANK = {"city": 0, "zone": 1, "abbreviation": 2, "country": 3}


def build_places(
    cities: Mapping[str, str], countries: Mapping[str, str | list[str] | tuple[str, ...]], abbreviations: Mapping[str, tuple[str, str]]
) -> dict[str, Place]:
    """One lookup table keyed by place_key; a city wins over an abbreviation, which wins over a country.

    `abbreviations` maps "EST" to (zone, name said back)."""
    table: dict[str, Place] = {}

    def add(key_name: str, place: Place) -> None:
        key = place_key(key_name)
        if key and (key not in table or _PLACE_RANK[place.kind] < _PLACE_RANK[table[key].kind]):
            table[key] = place

    for name, zone in cities.items():
        add(name, Place(name, (zone,), "city"))
    for name, (zone, said) in abbreviations.items():
        add(name, Place(said, (zone,), "abbreviation"))
    for name, zones in countries.items():
        add(name, Place(name, (zones,) if isinstance(zones, str) else tuple(zones), "country"))
    return table


@lru_cache(maxsize=1)
def _iana_places() -> dict[str, Place]:
    """"kolkata" -> Asia/Kolkata, "buenos aires" -> America/Argentina/Buenos_Aires, from the zone names."""
    found: dict[str, Place] = {}
    for name in sorted(available_timezones()):
        if name.split("/", 1)[0] in _AREAS:
            city = name.rsplit("/", 1)[1].replace("_", " ")
            found.setdefault(place_key(city), Place(city, (name,), "zone"))
    return found


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@dataclass(frozen=True)
class TimeReading:
    """A reminder time read from a chat answer; said back before it is saved."""

    value: time
    said: str = ""  # the day-part words it came from ("in the evening"), "" for a clock time
    approximate: bool = False  # "9ish", "around 9"
    has_minutes: bool = False  # the text named the minutes or am/pm: "9:30", "9pm", "half past 8"


@dataclass(frozen=True)
class ZoneReading:
    """A time zone read from a chat answer; said back before it is saved."""

    zone: str  # an IANA name, or "+05:30" for a fixed offset
    how: str  # "place" | "zone" | "offset" | "clock" | "bare_clock" | "location"
    place: str = ""  # what it was read from, said back: "Sydney", "US Eastern", "Germany"
    clock: time | None = None  # for "clock" and "bare_clock": the local time they typed

    @property
    def fixed_offset(self) -> bool:
        return bool(re.match(r"^[+-]\d{2}:\d{2}$", self.zone))


@dataclass(frozen=True)
class ZoneChoices:
    """A country with several zones ("Australia"): the bot asks which."""

    place: str
    zones: tuple[str, ...]


@dataclass(frozen=True)
class ZoneProblem:
    """Clearly meant as a zone (or a time typed where a zone is asked) but not usable as one."""

    reason: str  # "offset" (not in use) | "clock" (no zone shows that time now) | "time" (a reminder time?)
    text: str = ""  # what they typed, trimmed, for the reply


# Words that may surround a time: "at 9 please", "around 9 every day", "let's say 9ish".
_TIME_FILLER = frozenset("""
a about after all an approx approximately around at be best by can could d day daily days do ll ve
each er every everyday fine first for from go good great hmm how i id in is ish it its just last
lets let like m make maybe me my now ok okay on or perhaps please pls plz prefer probably remind
reminder reminders roughly s say send set so start stretch stretching sure thanks thank that the
then time to um usually want water works would yeah yep yes you
""".split())
_APPROX = frozenset({"about", "around", "approx", "approximately", "roughly", "ish", "maybe", "perhaps", "probably"})
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}
_MINUTE_WORDS = {
    "five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
    "thirty five": 35, "forty": 40, "forty five": 45, "fifty": 50, "fifty five": 55,
    "oh five": 5, "o five": 5,
}
_NOON_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
# Tokens: "21:30" "9.30" "9h30" "0930" "9" "am" "pm" "quarter" ...
_TOKEN = re.compile(r"\d{1,2}[:.h]\d{2}|\d{1,4}|[a-z]+")


def _time_tokens(text: str) -> list[str]:
    raw = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    raw = raw.replace("\u2019", "'")
    raw = re.sub(r"\b([ap])\.?\s?m\b\.?", r"\1m", raw)  # a.m. / a m / am
    raw = re.sub(r"o'?\s?clock", " ", raw)
    raw = re.sub(r"(\d)\s*-?\s*ish\b", r"\1 ish", raw)  # 9ish, 9-ish
    raw = re.sub(r"(\d)(am|pm)\b", r"\1 \2", raw)
    raw = re.sub(r"[~\u2248]", " about ", raw)
    raw = re.sub(r"(\d)\s*[:.h]\s*(\d{2})\b", r"\1:\2", raw)
    raw = raw.replace("-", " ")
    return _TOKEN.findall(raw)


def _find_day_part(tokens: list[str], day_parts: Mapping[str, time]) -> tuple[str, time, list[str]] | None:
    """The longest day-part phrase in `tokens`, its time, and the tokens without it."""
    for size in range(min(4, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            phrase = " ".join(tokens[start : start + size])
            if phrase in day_parts:
                return phrase, day_parts[phrase], tokens[:start] + tokens[start + size :]
    return None


def _hour_of(token: str) -> int | None:
    if token.isdigit() and len(token) <= 2:
        return int(token)
    return _NUMBER_WORDS.get(token)


def _minutes_of(tokens: list[str]) -> int | None:
    phrase = " ".join(tokens)
    if phrase in _MINUTE_WORDS:
        return _MINUTE_WORDS[phrase]
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) == 2 and int(tokens[0]) < 60:
        return int(tokens[0])
    if len(tokens) == 1 and tokens[0].isdigit() and int(tokens[0]) in (5, 10, 15, 20, 25):
        return int(tokens[0])
    return None


def _clock_from(core: list[str]) -> tuple[int, int, bool, str] | None:
    """(hour, minute, minutes named, relation) from the tokens that remain once fillers are gone.

    relation: "" for a plain clock, "to" when the minutes are before the hour ("quarter to 7")."""
    if len(core) == 1:
        token = core[0]
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", token)
        if match:
            return int(match[1]), int(match[2]), True, ""
        if re.fullmatch(r"\d{3,4}", token):
            return int(token[:-2]), int(token[-2:]), True, ""
        hour = _hour_of(token)
        return (hour, 0, False, "") if hour is not None else None
    for link in ("past", "after", "to", "till", "til", "before"):
        if link in core:
            at = core.index(link)
            before, after = core[:at], core[at + 1 :]
            if len(after) != 1 or _hour_of(after[0]) is None:
                return None
            hour = _hour_of(after[0])
            minutes: int | None
            if before in (["half"],) and link in ("past", "after"):
                minutes = 30
            elif before == ["quarter"]:
                minutes = 15
            else:
                before = [t for t in before if t != "minutes"]
                minutes = _minutes_of(before) if before else None
            if minutes is None or hour is None:
                return None
            return hour, minutes, True, "to" if link in ("to", "till", "til", "before") else ""
    if core[0] == "half" and len(core) == 2:  # "half 8": 8:30 (British)
        half_hour = _hour_of(core[1])
        if half_hour is not None:
            return half_hour, 30, True, ""
    hour = _hour_of(core[0])
    minutes = _minutes_of(core[1:])
    if hour is not None and minutes is not None:  # "eight thirty", "9 30"
        return hour, minutes, True, ""
    return None


def read_time(text: str, day_parts: Mapping[str, time] | None = None) -> TimeReading | None:
    """A reminder time from a chat answer, or None when the text is not (only) a time.

    "9", "9am", "21:30", "9ish", "around 9", "half past 8", "quarter to 7", "8 in the morning",
    "in the evening" (the day part's time from `day_parts`), "noon". Everything else in the text
    must be small words ("at", "please", "every day"), so "my back hurts since 9am" is not a time.
    """
    if not text or len(text) > 80:
        return None
    tokens = _time_tokens(text)
    if not tokens:
        return None
    parts = {place_key(k): v for k, v in (day_parts or {}).items()}
    found = _find_day_part(tokens, parts)
    day_part, part_time = (found[0], found[1]) if found else ("", None)
    rest = found[2] if found else tokens
    ampm = ""
    core: list[str] = []
    approximate = False
    noon: time | None = None
    joined = " ".join(rest)
    if re.search(r"\bor so\b", joined):
        approximate = True
        rest = joined.replace("or so", " ").split()
    if "or" in rest or "and" in rest or "between" in rest:
        return None  # "9 or 10", "between 8 and 9": two times, not one
    for token in rest:
        if token in ("am", "pm"):
            if ampm:
                return None
            ampm = token
        elif token in _NOON_WORDS:
            if noon is not None:
                return None
            noon = _NOON_WORDS[token]
        elif token in ("half", "quarter", "past", "till", "til", "minutes") or _hour_of(token) is not None \
                or token in _MINUTE_WORDS or re.fullmatch(r"\d{1,2}:\d{2}|\d{3,4}", token):
            core.append(token)
        elif token in ("to", "after", "before") and core:
            core.append(token)
        elif token in _APPROX:
            approximate = True
        elif token in _TIME_FILLER or token == "oh" or token == "o":
            if token in ("oh", "o"):
                core.append(token)
        else:
            return None
    core = [t for i, t in enumerate(core) if not (t in ("oh", "o") and i == 0)]
    if noon is not None:
        if core or ampm:
            return None
        return TimeReading(noon, approximate=approximate, has_minutes=True)
    if not core:
        if part_time is None:
            return None
        return TimeReading(part_time, said=day_part, approximate=approximate)
    clock = _clock_from(core)
    if clock is None:
        return None
    hour, minute, has_minutes, relation = clock
    if minute > 59:
        return None
    modifier = ampm
    if not modifier and part_time is not None:
        if "night" in day_part:
            modifier = "am" if hour == 12 or hour <= 4 else "pm"
        else:
            modifier = "am" if part_time.hour < 12 else "pm"
    if modifier:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if modifier == "pm" else 0)
    if hour > 23:
        return None
    total = hour * 60 + (-minute if relation == "to" else minute)
    value = time((total % 1440) // 60, total % 60)
    return TimeReading(value, approximate=approximate, has_minutes=has_minutes or bool(ampm))


# Words that may surround a place: "I'm in Sydney", "i live in new york", "my time zone is EST".
_ZONE_FILLER = frozenset("""
a am and area around at based but city close come country currently d daylight from guess have here hi
hello i im in is it its just live living ll located local m my near now of oh ok okay on our outside please
or re region right s so sorry standard state summer thanks the think this time timezone tz use using
we well winter yeah yes zone zones currently actually based area usually
""".split())
# "my time is 7:45pm", "it's 14:05 here": the text says the clock is now, so a zone follows from it.
_NOW_PHRASE = re.compile(
    r"\b(my\s+(local\s+)?time|local\s+time|time\s+(here|now|where\s+i\s+am)|here\s+it\s*'?s|"
    r"it\s*'?s|it\s+is|the\s+time\s+is|clock\s+(says|shows|reads)|right\s+now)\b",
    re.IGNORECASE,
)
_CLOCK_FILLER = _ZONE_FILLER | frozenset("clock says shows reads where exactly".split())
_OFFSET_IN_TEXT = re.compile(
    r"(?<![a-z0-9])(?:utc|gmt)\s*(?P<sign>[+\-\u2212])\s*(?P<h>\d{1,2})(?:\s*[:.]?\s*(?P<m>\d{2}))?(?![0-9])",
    re.IGNORECASE,
)


def _only_filler(leftover: list[str], filler: frozenset[str]) -> bool:
    return all(word in filler for word in leftover)


def _places_in(tokens: list[str], places: Mapping[str, Place]) -> tuple[list[Place], list[str]]:
    """The places named in `tokens` (longest names first) and the words left over."""
    found: list[Place] = []
    leftover: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(4, len(tokens) - i), 0, -1):
            key = " ".join(tokens[i : i + size])
            place = places.get(key) or _iana_places().get(key)
            if place is not None and not (size == 1 and key in _ZONE_FILLER):
                found.append(place)
                i += size
                break
        else:
            leftover.append(tokens[i])
            i += 1
    return found, leftover


def _pick_place(found: list[Place]) -> Place | ZoneChoices | None:
    """The most precise place named: a city over an abbreviation over a country."""
    best = min(_PLACE_RANK[p.kind] for p in found)
    top = [p for p in found if _PLACE_RANK[p.kind] == best]
    zones = {p.zones for p in top}
    if len(zones) == 1:
        place = top[0]
        if len(place.zones) == 1:
            return place
        return ZoneChoices(place.name, place.zones)
    # Two different cities ("London or Paris"): let them choose.
    options = tuple(dict.fromkeys(z for p in top for z in p.zones))
    return ZoneChoices(" or ".join(p.name for p in top), options) if len(options) <= 8 else None


def read_zone(
    text: str,
    places: Mapping[str, Place] | None,
    now_utc: datetime,
    day_parts: Mapping[str, time] | None = None,
) -> ZoneReading | ZoneChoices | ZoneProblem | None:
    """A time zone from a chat answer; None when the text is not about a zone at all.

    Reads, in this order: a UTC offset anywhere ("I'm UTC+2"), an IANA name, a place or an
    abbreviation inside a sentence ("I'm in Sydney", "sydney australia", "pst"), the clock when
    the text says it is the time now ("my time is 7:45pm"), and a bare clock time ("14:05", said
    back as "if it is 14:05 where you are now"). A time meant as a reminder time ("9ish", "9",
    "in the evening") is a ZoneProblem("time"), never a zone.
    """
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be aware")
    raw = " ".join(text.strip().split())
    if not raw or len(raw) > 120:
        return None
    tokens = words(raw)

    # An offset: "UTC+2", "gmt-5", "+5:30", "i'm on utc +05:30".
    whole = parse_offset_or_none(raw)
    if whole is not None:
        return whole
    match = _OFFSET_IN_TEXT.search(raw)
    if match and _only_filler(words(raw[: match.start()] + " " + raw[match.end() :]), _ZONE_FILLER):
        return parse_offset_or_none(match.group(0)) or ZoneProblem("offset", match.group(0))
    if tokens and tokens[-1] in ("utc", "z") and _only_filler(tokens[:-1], _ZONE_FILLER):
        return ZoneReading("UTC", "zone", "UTC")

    # An IANA name: "Europe/Berlin", "america/new york".
    iana = re.search(r"[A-Za-z]+(?:/[A-Za-z_\- ]+)+", raw)
    if iana:
        name = _iana_by_lower().get(iana.group(0).strip().replace(" ", "_").lower())
        if name and _only_filler(words(raw[: iana.start()] + " " + raw[iana.end() :]), _ZONE_FILLER):
            return ZoneReading(name, "zone", name)

    # A place or an abbreviation inside a sentence.
    if tokens:
        found, leftover = _places_in(tokens, places or {})
        if found and _only_filler(leftover, _ZONE_FILLER):
            picked = _pick_place(found)
            if isinstance(picked, Place):
                return ZoneReading(picked.zones[0], "place", picked.name)
            if picked is not None:
                return picked

    # The clock, when the text says it is the time now: "my time is 7:45pm", "it's 14:05 here".
    clocks = [m.group(0).strip() for m in _TIME_IN_TEXT.finditer(raw)]
    if clocks and _NOW_PHRASE.search(raw):
        rest = raw
        for clock in clocks:
            rest = rest.replace(clock, " ")
        if _only_filler(words(_NOW_PHRASE.sub(" ", rest)), _CLOCK_FILLER) and len(clocks) == 1:
            try:
                local = parse_time(clocks[0])
            except TimeParseError:
                return ZoneProblem("clock", clocks[0])
            minutes = offset_from_clock(local, now_utc)
            if minutes is None:
                return ZoneProblem("clock", clocks[0])
            return ZoneReading(_offset_choice(minutes).zone, "clock", clock=local)

    # A time on its own: maybe their clock ("14:05"), maybe a reminder time ("9ish"): never silently.
    reading = read_time(raw, day_parts)
    if reading is not None:
        if reading.approximate or reading.said or not reading.has_minutes:
            return ZoneProblem("time", raw[:20])
        minutes = offset_from_clock(reading.value, now_utc)
        if minutes is None:
            return ZoneProblem("time", raw[:20])
        return ZoneReading(_offset_choice(minutes).zone, "bare_clock", clock=reading.value)
    return None


def parse_offset_or_none(text: str) -> ZoneReading | ZoneProblem | None:
    """An offset-shaped text as a reading ("UTC+2" -> "+02:00"), a problem if no place uses it, else None."""
    if not re.search(r"\d", text):
        return None  # "GMT" alone is the UK (content/cities.toml), "UTC" is read by read_zone
    try:
        minutes = parse_offset(text)
    except ZoneParseError:
        return ZoneProblem("offset", text.strip()[:20])
    if minutes is None:
        return None
    choice = _offset_choice(minutes)
    return ZoneReading(choice.zone, "zone" if choice.zone == "UTC" else "offset", choice.label)
