"""What reminders say: stretches, hydration tips, the city table and the reminder screens' texts,
loaded from `content/`.

Errors are collected into one ContentError, each line naming file and field, like bot.core.content.
Picking the stretch or tip for a given day is pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from string import Formatter
from typing import ClassVar

from pydantic import Field, ValidationInfo, field_validator

from bot.core.content import DEFAULT_CONTENT_DIR, ID_PATTERN, ContentError, StrictModel, load_model
from bot.core.schedule import ScheduleError, base_slot, offset_minutes, tz_for
from bot.core.telegram_html import check_message_text, escape
from bot.core.timeparse import Place, build_places, normalize_name, place_key

MIN_STRETCHES = 10
MIN_TIPS = 8
MIN_CITIES = 60

_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt|quot);)")
# "no doses": a number followed by a unit of amount.
_DOSE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|iu|ml|l|litres?|liters?|tablets?|pills?|capsules?)\b", re.I)


def check_snippet(text: str) -> str:
    """Raise ValueError unless `text` is Telegram HTML using only <b>/<i> and escaped ampersands."""
    for match in _TAG.finditer(text):
        if match.group(1).lower() not in ("b", "i"):
            raise ValueError(f"only <b> and <i> tags may be used, found <{match.group(1)}>")
    if _BARE_AMP.search(text):
        raise ValueError("write & as &amp;")
    error = check_message_text(text)
    if error:
        raise ValueError(error)
    return text


class Stretch(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=60, pattern=r"^[^<>&]+$")
    steps: tuple[str, ...] = Field(min_length=2, max_length=8)
    hold_seconds: int = Field(ge=1, le=120)
    repetitions: int = Field(ge=1, le=20)
    each_side: bool = False
    note: str = ""

    @field_validator("steps")
    @classmethod
    def _steps(cls, steps: tuple[str, ...]) -> tuple[str, ...]:
        for step in steps:
            if len(step) > 200:
                raise ValueError("keep each step under 200 characters")
            check_snippet(step)
        return steps

    @field_validator("note")
    @classmethod
    def _note(cls, note: str) -> str:
        return check_snippet(note) if note else note


class StretchFile(StrictModel):
    heading: str = Field(min_length=1, max_length=60, pattern=r"^[^<>&]+$")
    caution: str = Field(min_length=1, max_length=400)
    stretch: tuple[Stretch, ...] = Field(min_length=MIN_STRETCHES)

    @field_validator("caution")
    @classmethod
    def _caution(cls, caution: str) -> str:
        low = caution.lower()
        if "stop" not in low or not ("doctor" in low or "physio" in low):
            raise ValueError("must tell the reader to stop if pain sharpens and to ask a doctor or physio")
        if "<" in caution:
            raise ValueError("plain text only; the caution is shown in italics already")
        return check_snippet(caution)

    @field_validator("stretch")
    @classmethod
    def _unique_ids(cls, items: tuple[Stretch, ...]) -> tuple[Stretch, ...]:
        _check_unique([s.id for s in items], "stretch")
        return items


class Tip(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1, max_length=300)

    @field_validator("text")
    @classmethod
    def _text(cls, text: str) -> str:
        if _DOSE.search(text):
            raise ValueError("tips must not give amounts or doses")
        return check_snippet(text)


class HydrationFile(StrictModel):
    heading: str = Field(min_length=1, max_length=60, pattern=r"^[^<>&]+$")
    tip: tuple[Tip, ...] = Field(min_length=MIN_TIPS)

    @field_validator("tip")
    @classmethod
    def _unique_ids(cls, items: tuple[Tip, ...]) -> tuple[Tip, ...]:
        _check_unique([t.id for t in items], "tip")
        return items


def _check_iana(name: str, zone: str) -> None:
    try:
        tz_for(zone)
    except ScheduleError:
        raise ValueError(f"{name!r}: {zone!r} is not an IANA time zone") from None
    if offset_minutes(zone) is not None:
        raise ValueError(f"{name!r}: use an IANA name like Europe/Berlin, not an offset")


def _check_names(names: Mapping[str, object], what: str) -> None:
    seen: dict[str, tuple[str, object]] = {}
    for name, value in names.items():
        key = place_key(name)
        if not key:
            raise ValueError(f"{what} {name!r} has no letters")
        if key in seen and seen[key][1] != value:
            raise ValueError(f"{name!r} clashes with {seen[key][0]!r} once case and accents are ignored")
        seen[key] = (name, value)


class Abbreviation(StrictModel):
    zone: str  # a real place's IANA zone, so summer time is followed
    name: str = Field(min_length=1, max_length=30, pattern=r"^[^<>&]+$")  # said back: "US Eastern"


class CitiesFile(StrictModel):
    cities: dict[str, str] = Field(min_length=MIN_CITIES)
    countries: dict[str, str | list[str]] = Field(default_factory=dict)
    abbreviations: dict[str, Abbreviation] = Field(default_factory=dict)

    @field_validator("cities")
    @classmethod
    def _zones(cls, cities: dict[str, str]) -> dict[str, str]:
        _check_names(cities, "city")
        for city, zone in cities.items():
            _check_iana(city, zone)
        return cities

    @field_validator("countries")
    @classmethod
    def _countries(cls, countries: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        _check_names(countries, "country")
        for country, zones in countries.items():
            listed = [zones] if isinstance(zones, str) else zones
            if not listed or len(listed) > 8 or len(set(listed)) != len(listed):
                raise ValueError(f"{country!r}: give one zone, or a list of 2 to 8 different zones")
            for zone in listed:
                _check_iana(country, zone)
        return countries

    @field_validator("abbreviations")
    @classmethod
    def _abbreviations(cls, abbreviations: dict[str, Abbreviation]) -> dict[str, Abbreviation]:
        _check_names({k: (v.zone, v.name) for k, v in abbreviations.items()}, "abbreviation")
        for name, entry in abbreviations.items():
            _check_iana(name, entry.zone)
        return abbreviations

    def places(self) -> dict[str, Place]:
        return build_places(
            self.cities, self.countries, {k: (v.zone, v.name) for k, v in self.abbreviations.items()}
        )


class DayPartsFile(StrictModel):
    day_parts: dict[str, str] = Field(min_length=1)

    @field_validator("day_parts")
    @classmethod
    def _times(cls, parts: dict[str, str]) -> dict[str, str]:
        _check_names(parts, "day part")
        for name, value in parts.items():
            if not re.match(_HHMM, value):
                raise ValueError(f"{name!r}: {value!r} is not a time like 19:00")
        return parts

    def times(self) -> dict[str, time]:
        return {place_key(k): time(int(v[:2]), int(v[3:])) for k, v in self.day_parts.items()}


def _check_unique(ids: list[str], what: str) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} id used twice: {', '.join(dupes)}")


# --- interface texts (reminders.toml) ----------------------------------------------------------

MAX_LABEL = 40
MAX_PRESETS = 8
_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def placeholders(text: str) -> set[str]:
    """The {names} a template uses; ValueError for a stray brace or a {name!r}/{name:spec}."""
    names = set()
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        raise ValueError("a { or } is not closed; write {{ or }} for a literal brace") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"write placeholders as {{name}}, found {{{name}}}")
        names.add(name)
    return names


def check_template(text: str, required: frozenset[str], html: bool = True) -> str:
    """Exactly the placeholders `required`; valid Telegram HTML (or plain text) once filled in."""
    found = placeholders(text)
    if found - required:
        allowed = ", ".join(f"{{{n}}}" for n in sorted(required)) or "none"
        raise ValueError(f"unknown placeholder {{{sorted(found - required)[0]}}}; this text can use: {allowed}")
    if required - found:
        raise ValueError(f"keep the placeholder {{{sorted(required - found)[0]}}}")
    sample = text.format(**{name: "10" for name in required})
    if html:
        check_snippet(sample)
        return text
    if re.search(r"[<>&]", sample):
        raise ValueError("plain text only: no <, > or &")
    if len(sample) > MAX_LABEL:
        raise ValueError(f"keep it under {MAX_LABEL} characters")
    return text


class _Texts(StrictModel):
    """A section of reminders.toml: every field a non-empty template."""

    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {}
    HTML: ClassVar[bool] = True

    @field_validator("*")
    @classmethod
    def _template(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            if not value:
                raise ValueError("must not be empty")
            name = info.field_name
            allowed = cls.PLACEHOLDERS.get(name, frozenset()) if name is not None else frozenset()
            return check_template(value, allowed, cls.HTML)
        return value


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


class KindTexts(_Texts):
    HTML: ClassVar[bool] = False
    stretching: str
    hydration: str

    def of(self, kind: str) -> str:
        return getattr(self, kind)


class ScreenTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {
        "zone": _names("zone"),
        "zone_fixed": _names("zone"),
        "stretching_on": _names("time"),
        "stretching_off": _names("time"),
        "hydration_on": _names("count", "start", "end"),
        "hydration_off": _names("count", "start", "end"),
        "hydration": _names("count", "start", "end", "times"),
    }
    title: str
    intro: str
    zone: str
    zone_fixed: str
    no_zone: str
    stretching_on: str
    stretching_off: str
    hydration_on: str
    hydration_off: str
    hydration: str


class PromptTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {"zone_location_offer": _names("button")}
    stretching_time: str
    hydration_start: str
    hydration_end: str
    zone: str
    zone_first: str
    zone_location_offer: str  # beside the zone question in a private chat, over the location button
    zone_location_done: str  # the short message that takes the location button away (deleted at once)
    zone_input_hint: str  # shown in the empty input field while the location button is up (<= 64)
    cancel_hint: str
    stretching_on: str
    hydration_on: str


class ConfirmTexts(_Texts):
    """What the bot understood, said back with Yes / Change before anything is saved."""

    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {
        "stretching": _names("zone", "time"),
        "hydration_start": _names("zone", "time", "count", "end"),
        "hydration_end": _names("zone", "time", "count", "start"),
        "zone_only": _names("zone"),
        "zone_place": _names("place", "zone", "offset"),
        "zone_fixed": _names("offset"),
        "zone_clock": _names("offset", "clock"),
        "zone_bare_clock": _names("offset", "clock"),
        "zone_location": _names("zone", "offset"),
        "said": _names("said", "time"),
        "approximate": _names("said", "time"),
        "time_noted": _names("time"),
        "choices": _names("place"),
        "problem_time": _names("text"),
        "problem_clock": _names("text"),
        "problem_offset": _names("text"),
    }
    stretching: str
    hydration_start: str
    hydration_end: str
    zone_only: str
    zone_place: str
    zone_fixed: str
    zone_clock: str
    zone_bare_clock: str
    zone_location: str
    no_zone: str
    said: str
    approximate: str
    switch_on: str
    time_noted: str
    choices: str
    problem_time: str
    problem_clock: str
    problem_offset: str
    problem_location: str


class ResultTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {
        "turned_on": _names("kind", "when"),
        "turned_off": _names("kind"),
        "zone_saved": _names("zone"),
        "zone_saved_fixed": _names("zone"),
        "today": _names("time"),
        "tomorrow": _names("time"),
        "later": _names("date", "time"),
    }
    turned_on: str
    turned_off: str
    saved: str
    zone_saved: str
    zone_saved_fixed: str
    today: str
    tomorrow: str
    later: str


class ErrorTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {"window_too_small": _names("count", "need")}
    bad_time: str
    bad_zone: str
    window_too_small: str
    end_before_start: str


class ReminderActionTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {
        "done": _names("streak"),
        "streak_many": _names("n"),
        "stopped": _names("kind"),
        "snoozed": _names("time"),
    }
    done: str
    streak_one: str
    streak_many: str
    snoozed: str
    snooze_limit: str
    stopped: str
    is_off: str


class ButtonTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {"first": _names("time"), "last": _names("time")}
    HTML: ClassVar[bool] = False
    stretching_on: str
    stretching_off: str
    stretching_time: str
    hydration_on: str
    hydration_off: str
    hydration_times: str
    zone: str
    fewer: str
    more: str
    first: str
    last: str
    done: str
    snooze: str
    stop: str
    back: str
    forget_yes: str
    forget_no: str
    yes: str
    change: str
    change_time: str
    change_zone: str
    share_location: str


class Presets(StrictModel):
    stretching: tuple[str, ...] = Field(min_length=1, max_length=MAX_PRESETS)
    hydration_start: tuple[str, ...] = Field(min_length=1, max_length=MAX_PRESETS)
    hydration_end: tuple[str, ...] = Field(min_length=1, max_length=MAX_PRESETS)

    @field_validator("*")
    @classmethod
    def _times(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not re.match(_HHMM, value):
                raise ValueError(f"{value!r} is not a time like 09:00")
        if len(set(values)) != len(values):
            raise ValueError("a time is listed twice")
        return values


class PrivacyTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {"now": _names("zone", "active", "days")}
    text: str
    now: str
    now_nothing: str
    not_set: str
    none: str
    forget_confirm: str
    forgotten: str
    nothing_to_forget: str
    kept: str


class StatsTexts(_Texts):
    PLACEHOLDERS: ClassVar[dict[str, frozenset[str]]] = {
        "text": _names("users", "stretching", "hydration", "sent", "failed", "retrying", "triage")
    }
    text: str
    none: str


class ReminderTexts(StrictModel):
    kinds: KindTexts
    screen: ScreenTexts
    prompts: PromptTexts
    results: ResultTexts
    errors: ErrorTexts
    confirm: ConfirmTexts
    reminder: ReminderActionTexts
    buttons: ButtonTexts
    presets: Presets
    privacy: PrivacyTexts
    stats: StatsTexts


@dataclass(frozen=True)
class ReminderContent:
    stretch_heading: str
    caution: str
    stretches: tuple[Stretch, ...]
    hydration_heading: str
    tips: tuple[Tip, ...]
    cities: dict[str, str]  # normalized city name -> IANA zone, for timeparse.parse_zone
    texts: ReminderTexts  # screens, prompts, errors, /privacy, /forget, /stats
    places: dict[str, Place] = field(default_factory=dict)  # cities, countries, abbreviations: timeparse.read_zone
    day_parts: dict[str, time] = field(default_factory=dict)  # "evening" -> 19:00: timeparse.read_time


def load_cities(directory: Path | str | None = None) -> dict[str, str]:
    root = Path(directory) if directory else DEFAULT_CONTENT_DIR
    problems: list[str] = []
    parsed = load_model(root / "cities.toml", CitiesFile, problems)
    if parsed is None:
        raise ContentError(problems)
    return {normalize_name(city): zone for city, zone in parsed.cities.items()}


def load_reminder_content(directory: Path | str | None = None) -> ReminderContent:
    """Load stretches.toml, hydration.toml, cities.toml, daytimes.toml and reminders.toml;
    ContentError lists every problem."""
    root = Path(directory) if directory else DEFAULT_CONTENT_DIR
    problems: list[str] = []
    stretches = load_model(root / "stretches.toml", StretchFile, problems)
    hydration = load_model(root / "hydration.toml", HydrationFile, problems)
    cities = load_model(root / "cities.toml", CitiesFile, problems)
    texts = load_model(root / "reminders.toml", ReminderTexts, problems)
    day_parts = load_model(root / "daytimes.toml", DayPartsFile, problems)
    if stretches is not None:
        for item in stretches.stretch:
            error = check_message_text(format_stretch(item, stretches.caution, stretches.heading))
            if error:
                problems.append(f"stretches.toml: stretch[{item.id}]: the message would fail: {error}")
    if problems or stretches is None or hydration is None or cities is None or texts is None or day_parts is None:
        raise ContentError(problems)
    return ReminderContent(
        stretch_heading=stretches.heading,
        caution=stretches.caution,
        stretches=stretches.stretch,
        hydration_heading=hydration.heading,
        tips=hydration.tip,
        cities={normalize_name(city): zone for city, zone in cities.cities.items()},
        texts=texts,
        places=cities.places(),
        day_parts=day_parts.times(),
    )


# --- rotation -------------------------------------------------------------------------------


def stretch_of_the_day(stretches: tuple[Stretch, ...], local_date: date) -> Stretch:
    """Consecutive local dates walk through the list in order, then start again."""
    return stretches[local_date.toordinal() % len(stretches)]


def tip_for(tips: tuple[Tip, ...], local_date: date, slot: int, per_day: int) -> Tip:
    """Every reminder of every day gets the next tip in order; a snoozed copy repeats its tip."""
    index = local_date.toordinal() * max(per_day, 1) + base_slot(slot)
    return tips[index % len(tips)]


# --- message text (Telegram HTML) -----------------------------------------------------------


def _seconds(n: int) -> str:
    return "1 second" if n == 1 else f"{n} seconds"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def format_stretch(stretch: Stretch, caution: str, heading: str = "Stretch of the day") -> str:
    lines = [f"<b>{escape(heading)}: {escape(stretch.name)}</b>", ""]
    lines += [f"{n}. {step}" for n, step in enumerate(stretch.steps, start=1)]
    side = " on each side" if stretch.each_side else ""
    lines += ["", f"Hold <b>{_seconds(stretch.hold_seconds)}</b>, repeat <b>{_times(stretch.repetitions)}</b>{side}."]
    if stretch.note:
        lines.append(stretch.note)
    lines += ["", f"<i>{caution}</i>"]
    return "\n".join(lines)


def format_tip(tip: Tip, heading: str = "Water break") -> str:
    return f"<b>{escape(heading)}</b>\n{tip.text}"


def stretch_message(content: ReminderContent, local_date: date) -> str:
    return format_stretch(stretch_of_the_day(content.stretches, local_date), content.caution, content.stretch_heading)


def hydration_message(content: ReminderContent, local_date: date, slot: int, per_day: int) -> str:
    return format_tip(tip_for(content.tips, local_date, slot, per_day), content.hydration_heading)
