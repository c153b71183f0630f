import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.core.content import DEFAULT_CONTENT_DIR, ContentError
from bot.core.reminder_content import (
    MIN_CITIES,
    MIN_STRETCHES,
    MIN_TIPS,
    format_tip,
    hydration_message,
    load_cities,
    load_reminder_content,
    stretch_message,
    stretch_of_the_day,
    tip_for,
)
from bot.core.schedule import is_valid_zone, offset_minutes
from bot.core.telegram_html import check_message_text, parse_html

FILES = ("stretches.toml", "hydration.toml", "cities.toml", "daytimes.toml", "reminders.toml")


@pytest.fixture(scope="module")
def content():
    return load_reminder_content()


def test_shipped_content_loads_with_enough_items(content):
    assert len(content.stretches) >= MIN_STRETCHES >= 10
    assert len(content.tips) >= MIN_TIPS >= 8
    assert len(content.cities) >= MIN_CITIES >= 60
    for zone in content.cities.values():
        assert is_valid_zone(zone) and offset_minutes(zone) is None


def test_every_stretch_has_steps_hold_repetitions_and_the_caution(content):
    day = date(2024, 1, 1)
    for i, item in enumerate(content.stretches):
        text = stretch_message(content, day + timedelta(days=(i - day.toordinal()) % len(content.stretches)))
        assert item.name in text
        assert check_message_text(text) is None
        assert set(re.findall(r"</?([a-z-]+)", text)) <= {"b", "i"}
        visible = parse_html(text)
        assert f"{item.hold_seconds} second" in visible
        assert "1." in visible and "2." in visible
        assert "Stop if the pain gets sharper" in visible
        assert "doctor or physiotherapist" in visible


def test_hydration_tips_cover_the_articles_points(content):
    texts = " ".join(parse_html(t.text).lower() for t in content.tips)
    for needle in ("heat", "dehydration", "calcium", "potassium", "balanced diet"):
        assert needle in texts
    for tip in content.tips:
        message = format_tip(tip, content.hydration_heading)
        assert check_message_text(message) is None
        assert set(re.findall(r"</?([a-z-]+)", message)) <= {"b", "i"}
        assert not re.search(r"\d", parse_html(tip.text)), f"{tip.id}: tips carry no amounts"


def test_stretch_rotation_is_deterministic_and_cycles_through_all(content):
    n = len(content.stretches)
    start = date(2024, 3, 30)
    days = [start + timedelta(days=i) for i in range(n)]
    picked = [stretch_of_the_day(content.stretches, d).id for d in days]
    assert sorted(picked) == sorted(s.id for s in content.stretches)
    assert stretch_of_the_day(content.stretches, start + timedelta(days=n)).id == picked[0]
    assert [stretch_of_the_day(content.stretches, d).id for d in days] == picked


def test_tip_rotation_walks_every_reminder_through_all_tips(content):
    n, per_day = len(content.tips), 4
    seen = []
    day = date(2024, 6, 1)
    while len(seen) < n:
        for slot in range(per_day):
            seen.append(tip_for(content.tips, day, slot, per_day).id)
        day += timedelta(days=1)
    assert set(seen[:n]) == {t.id for t in content.tips}
    # a snoozed copy (slot 102) repeats the tip of slot 2
    assert tip_for(content.tips, day, 102, per_day) == tip_for(content.tips, day, 2, per_day)
    assert hydration_message(content, day, 2, per_day).startswith(f"<b>{content.hydration_heading}</b>\n")


# --- errors name the file and the field -------------------------------------------------------------


@pytest.fixture
def editable(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(DEFAULT_CONTENT_DIR / name, tmp_path / name)
    return tmp_path


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(directory: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_reminder_content(directory)
    return "\n".join(info.value.problems)


def test_copied_content_loads(editable):
    assert len(load_reminder_content(editable).stretches) >= 10


@pytest.mark.parametrize(
    "name, old, new, expected",
    [
        ("stretches.toml", "hold_seconds = 20\nrepetitions = 3\neach_side = true\n\n[[stretch]]\nid = \"pelvic-tilt\"",
         "repetitions = 3\neach_side = true\n\n[[stretch]]\nid = \"pelvic-tilt\"",
         "stretches.toml: stretch[knee-to-chest].hold_seconds: Field required"),
        ("stretches.toml", "hold_seconds = 5\nrepetitions = 10", "hold_seconds = 500\nrepetitions = 10",
         "stretches.toml: stretch[pelvic-tilt].hold_seconds:"),
        ("stretches.toml", "Ask a doctor or physiotherapist", "Ask a friend",
         "stretches.toml: caution: Value error, must tell the reader to stop"),
        ("stretches.toml", 'id = "bridge"', 'id = "sphinx"', "stretches.toml: stretch: Value error, stretch id used twice: sphinx"),
        ("stretches.toml", "Kneel on the floor", "Kneel on the <u>floor</u>",
         "stretches.toml: stretch[childs-pose].steps: Value error, only <b> and <i> tags may be used, found <u>"),
        ("stretches.toml", "Kneel on the floor", "Kneel on the floor & relax",
         "stretches.toml: stretch[childs-pose].steps: Value error, write & as &amp;"),
        ("stretches.toml", "Kneel on the floor", "Kneel on the <b>floor",
         "stretches.toml: stretch[childs-pose].steps: Value error, Bad Request: can't parse entities"),
        ("stretches.toml", 'name = "Bridge"', 'name = "Bridge"\ncolour = "red"',
         "stretches.toml: stretch[bridge].colour: Extra inputs are not permitted"),
        ("hydration.toml", "Time for a glass of water.", "Drink 500 ml of water.",
         "hydration.toml: tip[glass-now].text: Value error, tips must not give amounts or doses"),
        ("hydration.toml", "Time for a glass of water.", "Take 20 mg of magnesium.",
         "hydration.toml: tip[glass-now].text: Value error, tips must not give amounts or doses"),
        ("hydration.toml", "fruit &amp; vegetables", "fruit & vegetables",
         "hydration.toml: tip[watery-foods].text: Value error, write & as &amp;"),
        ("hydration.toml", 'heading = "Water break"', "",
         "hydration.toml: heading: Field required"),
        ("cities.toml", '"Mumbai" = "Asia/Kolkata"', '"Mumbai" = "Asia/Bombay_Typo"',
         "cities.toml: cities: Value error, 'Mumbai': 'Asia/Bombay_Typo' is not an IANA time zone"),
        ("cities.toml", '"Mumbai" = "Asia/Kolkata"', '"Mumbai" = "+05:30"',
         "cities.toml: cities: Value error, 'Mumbai': use an IANA name"),
        ("cities.toml", '"Tokyo" = "Asia/Tokyo"', '"Tokyo" = "Asia/Tokyo"\n"TOKYO" = "Asia/Seoul"',
         "cities.toml: cities: Value error, 'TOKYO' clashes with 'Tokyo'"),
        ("reminders.toml", 'done = "✅ Done. Streak: {streak}."', 'done = "✅ Done."',
         "reminders.toml: reminder.done: Value error, keep the placeholder {streak}"),
        ("reminders.toml", 'done = "✅ Done. Streak: {streak}."', 'done = "✅ Done. Streak: {streaks}."',
         "reminders.toml: reminder.done: Value error, unknown placeholder {streaks}; this text can use: {streak}"),
        ("reminders.toml", 'done = "✅ Done. Streak: {streak}."', 'done = "✅ Done. Streak: {streak."',
         "reminders.toml: reminder.done: Value error, a { or } is not closed"),
        ("reminders.toml", 'saved = "✅ Saved."', 'saved = "✅ <u>Saved</u>."',
         "reminders.toml: results.saved: Value error, only <b> and <i> tags may be used, found <u>"),
        ("reminders.toml", 'saved = "✅ Saved."', 'saved = ""',
         "reminders.toml: results.saved: Value error, must not be empty"),
        ("reminders.toml", 'stop = "🔕 Stop"', 'stop = "🔕 <b>Stop</b>"',
         "reminders.toml: buttons.stop: Value error, plain text only"),
        ("reminders.toml", 'stop = "🔕 Stop"', 'stop = "🔕 Stop sending me these reminders every single day"',
         "reminders.toml: buttons.stop: Value error, keep it under 40 characters"),
        ("reminders.toml", 'stretching = ["07:00",', 'stretching = ["7 am",',
         "reminders.toml: presets.stretching: Value error, '7 am' is not a time like 09:00"),
        ("reminders.toml", 'kept = "OK, nothing was deleted."', '',
         "reminders.toml: privacy.kept: Field required"),
    ],
)
def test_content_errors_name_file_and_field(editable, name, old, new, expected):
    edit(editable, name, old, new)
    assert expected in problems(editable)


def test_too_few_stretches_is_an_error(editable):
    text = (editable / "stretches.toml").read_text(encoding="utf-8")
    kept = text.split("[[stretch]]")[:4]  # header and three stretches
    (editable / "stretches.toml").write_text("[[stretch]]".join(kept), encoding="utf-8")
    assert "stretches.toml: stretch: Tuple should have at least 10 items" in problems(editable)


def test_missing_and_broken_files_are_reported_together(editable):
    (editable / "hydration.toml").unlink()
    (editable / "cities.toml").write_text("[cities\n", encoding="utf-8")
    found = problems(editable)
    assert "hydration.toml: file is missing" in found
    assert "cities.toml: not valid TOML" in found


def test_load_cities_normalizes_names(editable):
    cities = load_cities(editable)
    assert cities["sao paulo"] == "America/Sao_Paulo"
    assert cities["munchen"] == "Europe/Berlin"


def test_the_location_button_fits_telegram_and_is_offered_only_as_a_reply_keyboard():
    """request_location exists only on reply keyboards; the input-field hint is 1-64 characters."""
    from bot.telegram import reminder_ui as ui

    text, markup = ui.location_offer(load_reminder_content())
    data = markup.to_dict()
    assert text and data["one_time_keyboard"] and data["resize_keyboard"]
    assert [[b.get("request_location") for b in row] for row in data["keyboard"]] == [[True]]
    assert 1 <= len(data["input_field_placeholder"]) <= 64
