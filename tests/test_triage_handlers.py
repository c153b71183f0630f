"""The triage's Telegram helpers without Telegram: button data, screens, openings, the open-check row."""

from __future__ import annotations

import itertools
import re
import tomllib
from datetime import datetime, timedelta, timezone

import pytest

from bot.core.content import load_content
from bot.core.triage import (
    TriageError,
    answer,
    decide,
    is_opening,
    load_triage,
    open_question,
    preanswer,
    render_tips,
)
from bot.core.triage_model import DEFAULT_TRIAGE_FILE
from bot.storage import open_triage, privacy
from bot.storage.db import close_db, open_db
from bot.telegram import callbacks as cb
from bot.telegram import triage_callbacks as tcb
from bot.telegram.triage_handlers import is_other_button
from bot.telegram.triage_screens import outcome_screen, question_screen, restart_screen, tips_screen

TRIAGE = load_triage()
CONTENT = load_content()
QUESTIONS = TRIAGE.questions
TOTAL = len(QUESTIONS)
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
LIFTING = preanswer(TRIAGE, "should I see a doctor? I was lifting")
CONTEXT_AT = next(i for i, q in enumerate(QUESTIONS) if q.level == "context")


def reachable_states(start: str = "") -> tuple[set[str], dict[str, str]]:
    """Every state the check can be in while a question is open, and every finished state with
    the level it ends at, from `start` (what the opening message answered)."""
    states, finished, frontier = {start}, {}, [start]
    while frontier:
        answers = frontier.pop()
        question = open_question(TRIAGE, answers)
        for choice in question.choices:
            nxt = answer(TRIAGE, answers, choice)
            if open_question(TRIAGE, nxt) is None:
                finished[nxt] = decide(TRIAGE, nxt).level
            elif nxt not in states:
                states.add(nxt)
                frontier.append(nxt)
    return states, finished


STATES, FINISHED = reachable_states()
PRESET_STATES, PRESET_FINISHED = reachable_states(LIFTING)


def data_of(markup) -> list[str]:
    return [b.callback_data for row in markup.inline_keyboard for b in row]


def labels_of(markup) -> list[str]:
    return [b.text for row in markup.inline_keyboard for b in row]


# ---- button data ----

def test_every_button_of_every_state_fits_and_parses_back():
    longest = 0
    for answers in STATES | PRESET_STATES:
        for data in data_of(question_screen(TRIAGE, CONTENT, answers)[1]):
            longest = max(longest, len(data.encode()))
            tap = tcb.parse(data)
            assert tap is not None
            if tap.kind == "step":
                assert (tap.version, tap.answers) == (TRIAGE.version, answers)
    # The longest: the last question open after a pre-answer, one character per question.
    assert longest == len(f"tg:{TRIAGE.version}:{'n' * TOTAL}:n")
    assert longest <= cb.MAX_BYTES


def test_every_outcome_button_fits_and_parses_back():
    for answers in {**FINISHED, **PRESET_FINISHED}:
        outcome = decide(TRIAGE, answers)
        for data in data_of(outcome_screen(TRIAGE, CONTENT, outcome, answers)[1]):
            assert len(data.encode()) <= cb.MAX_BYTES
            tap = tcb.parse(data)
            if tap is not None:
                assert tap == tcb.Tap("step", TRIAGE.version, answers, tcb.TIPS)


def test_the_longest_possible_data_fits_64_bytes():
    data = tcb.step_data("f" * 6, "u" * TOTAL, "u")
    assert len(data.encode()) <= 64
    assert tcb.parse(data) == tcb.Tap("step", "ffffff", "u" * TOTAL, "u")
    assert len(tcb.tips_data("f" * 6, "u" * TOTAL).encode()) <= 64


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("tg", tcb.Tap("start")),
        ("tg:x", tcb.Tap("cancel")),
        ("tg:abc123::y", tcb.Tap("step", "abc123", "", "y")),
        ("tg:abc123:nn:b", tcb.Tap("step", "abc123", "nn", "b")),
        ("tg:abc123:nn:u", tcb.Tap("step", "abc123", "nn", "u")),
        ("tg:abc123:nnnnnnnnnY:t", tcb.Tap("step", "abc123", "nnnnnnnnnY", "t")),
        ("tg:abc123:.........Y:y", tcb.Tap("step", "abc123", ".........Y", "y")),
        ("tg:abc123:nn:q", None),  # unknown action
        ("tg:abc123:nn", None),
        ("tg:x:y", None),
        ("tg:", None),
        ("tgx", None),
        ("rm", None),
        ("m", None),
        ("", None),
        (None, None),
        ("tg:" + "n" * 70, None),  # longer than Telegram allows: never ours
    ],
)
def test_parse(data, expected):
    assert tcb.parse(data) == expected


def test_step_data_refuses_unknown_actions():
    with pytest.raises(ValueError):
        tcb.step_data(TRIAGE.version, "", "x")


def test_other_buttons_leave_the_check_and_triage_buttons_do_not():
    for data in ("m", "c:remedies", "t:heat", "rm", "rm:on", "ab", "a", "tgx", None):
        assert is_other_button(data), data
    for data in ("tg", "tg:x", "tg:abc123::y"):
        assert not is_other_button(data), data
    assert re.match(tcb.PATTERN, "tg:x") and not re.match(tcb.PATTERN, "tgx")


# ---- screens ----

def test_question_screen_buttons():
    text, markup = question_screen(TRIAGE, CONTENT, "")
    assert f"1/{TOTAL}" in text and text.startswith(TRIAGE.intro)
    assert labels_of(markup) == ["Yes", "No", "Not sure", TRIAGE.labels.cancel]
    assert data_of(markup) == [f"tg:{TRIAGE.version}::y", f"tg:{TRIAGE.version}::n", f"tg:{TRIAGE.version}::u", "tg:x"]

    context_at = CONTEXT_AT
    text, markup = question_screen(TRIAGE, CONTENT, "n" * context_at)
    assert f"{context_at + 1}/{TOTAL}" in text
    assert labels_of(markup) == ["Yes", "No", CONTENT.messages.buttons.back, TRIAGE.labels.cancel]
    assert markup.inline_keyboard[0][0].callback_data == f"tg:{TRIAGE.version}:{'n' * context_at}:y"
    assert markup.inline_keyboard[1][0].callback_data == f"tg:{TRIAGE.version}:{'n' * context_at}:b"


def test_question_screen_after_a_pre_answer():
    text, markup = question_screen(TRIAGE, CONTENT, LIFTING)
    assert f"1/{TOTAL - 1}" in text and text.startswith(TRIAGE.intro)
    assert labels_of(markup) == ["Yes", "No", "Not sure", TRIAGE.labels.cancel]  # nothing to go back to
    assert data_of(markup)[0] == f"tg:{TRIAGE.version}:{LIFTING}:y"
    last = "n" * (CONTEXT_AT - 1) + "." + "Y"
    text, markup = question_screen(TRIAGE, CONTENT, last)
    assert f"{TOTAL - 1}/{TOTAL - 1}" in text and text.endswith(QUESTIONS[CONTEXT_AT - 1].text)
    assert CONTENT.messages.buttons.back in labels_of(markup)


def test_restart_screen_says_why_then_asks_the_first_question():
    text, markup = restart_screen(TRIAGE, CONTENT)
    first_text, first_markup = question_screen(TRIAGE, CONTENT, "")
    assert text == f"{TRIAGE.labels.restarted}\n\n{first_text}" and markup == first_markup


def test_outcome_buttons_per_level():
    found = {level: answers for answers, level in sorted(FINISHED.items())}
    assert set(found) == {"emergency", "same_day", "appointment", "self_care"}
    home = CONTENT.messages.buttons.main_menu
    for level, answers in found.items():
        outcome = decide(TRIAGE, answers)
        text, markup = outcome_screen(TRIAGE, CONTENT, outcome, answers)
        assert text.startswith(f"<b>{outcome.headline}</b>")
        assert text.endswith(f"<i>{CONTENT.messages.disclaimer}</i>")
        # An outcome is advice: every button carries the mark that keeps it from being edited.
        if level in ("emergency", "same_day"):  # what to do, and the way home: no tips, no reminders
            assert labels_of(markup) == [home] and data_of(markup) == ["m:!"]
        else:
            assert labels_of(markup) == ["Self-care tips", "Daily stretching reminders", home]
            assert data_of(markup) == [f"tg:{TRIAGE.version}:{answers}:t:!", "rm:!", "m:!"]


def test_every_outcome_text_is_within_telegram_limits():
    from bot.core.telegram_html import check_message_text

    for answers in {**FINISHED, **PRESET_FINISHED}:
        outcome = decide(TRIAGE, answers)
        assert check_message_text(outcome_screen(TRIAGE, CONTENT, outcome, answers)[0]) is None
        assert check_message_text(tips_screen(TRIAGE, CONTENT, outcome)[0]) is None


def test_tips_screen():
    tailored = decide(TRIAGE, "n" * CONTEXT_AT + "y")
    text, markup = tips_screen(TRIAGE, CONTENT, tailored)
    assert text == render_tips(TRIAGE, tailored, f"<i>{CONTENT.messages.disclaimer}</i>")
    assert QUESTIONS[CONTEXT_AT].tip in text
    assert data_of(markup) == ["m:!"]  # tips are advice too
    general, _ = tips_screen(TRIAGE, CONTENT, None)
    assert TRIAGE.tips.general in general and QUESTIONS[CONTEXT_AT].tip not in general


# ---- typed openings ----

@pytest.mark.parametrize(
    "text",
    ["Should I see a doctor?", "should i see a doctor about my back", "Do I need a doctor??", "IS THIS SERIOUS",
     "is it serious?", "🩺 Check my symptoms", "do i need to see a GP", "Should I go to hospital"],
)
def test_openings(text):
    assert is_opening(TRIAGE, text)


@pytest.mark.parametrize(
    "text",
    ["", None, "what causes back spasms", "heat or ice?", "is this seriously bad", "yes", "no",
     "I saw a doctorate programme", "check my sympt"],
)
def test_not_openings(text):
    assert not is_opening(TRIAGE, text)


def test_open_question():
    assert open_question(TRIAGE, "") is QUESTIONS[0]
    assert open_question(TRIAGE, "n") is QUESTIONS[1]
    assert open_question(TRIAGE, "y") is None  # finished: an emergency yes
    assert open_question(TRIAGE, "n" * len(QUESTIONS)) is None
    assert open_question(TRIAGE, "zz") is None
    assert open_question(TRIAGE, None) is None


def _write_with_openings(tmp_path, phrases):
    source = DEFAULT_TRIAGE_FILE.read_text("utf-8")
    data = tomllib.loads(source)
    start = source.index("[openings]")
    listed = ", ".join(f'"{p}"' for p in phrases)
    path = tmp_path / "triage.toml"
    path.write_text(source[:start] + f"[openings]\nphrases = [{listed}]\n", "utf-8")
    assert "openings" in data
    return path


@pytest.mark.parametrize(
    ("phrases", "problem"),
    [
        (["Should I see a doctor"], "lower-case words"),
        (["is this serious?"], "lower-case words"),
        (["don't know"], "lower-case words"),
        (["two  spaces"], "lower-case words"),
        (["is it bad", "is it bad"], "listed twice: is it bad"),
        ([], "at least 1 item"),
    ],
)
def test_openings_are_validated(tmp_path, phrases, problem):
    with pytest.raises(TriageError) as err:
        load_triage(_write_with_openings(tmp_path, phrases))
    assert any(p.startswith("triage.toml: openings.phrases") and problem in p for p in err.value.problems), err.value.problems


def test_shipped_openings_load(tmp_path):
    assert load_triage(_write_with_openings(tmp_path, ["should i see a doctor"])).openings.phrases == (
        "should i see a doctor",
    )
    assert "should i see a doctor" in TRIAGE.openings.phrases


# ---- the open-check row ----

@pytest.fixture
async def db(tmp_path):
    conn = await open_db(tmp_path / "bot.sqlite3")
    yield conn
    await close_db(conn)


async def test_open_check_row_save_replace_and_close(db):
    assert await open_triage.get_open_triage(db, 1) is None
    await open_triage.save_open_triage(db, 1, 10, "abc123", "n", NOW)
    await open_triage.save_open_triage(db, 1, 11, "abc123", "nn", NOW + timedelta(minutes=1))  # newest wins
    await open_triage.save_open_triage(db, 2, 20, "abc123", "", NOW)
    assert await open_triage.get_open_triage(db, 1) == open_triage.OpenTriage(1, 11, "abc123", "nn", NOW + timedelta(minutes=1))
    assert not await open_triage.close_open_triage(db, 1, 10)  # another message's cancel leaves it
    assert await open_triage.get_open_triage(db, 1) is not None
    assert await open_triage.close_open_triage(db, 1, 11)
    assert await open_triage.get_open_triage(db, 1) is None
    assert await open_triage.close_open_triage(db, 2)
    assert not await open_triage.close_open_triage(db, 2)


async def test_quiet_checks_are_purged(db):
    await open_triage.save_open_triage(db, 1, 10, "abc123", "n", NOW)
    await open_triage.save_open_triage(db, 2, 20, "abc123", "n", NOW + timedelta(hours=2))
    assert await open_triage.purge_open_triages(db, NOW + timedelta(hours=1)) == 1
    assert await open_triage.get_open_triage(db, 1) is None
    assert await open_triage.get_open_triage(db, 2) is not None


async def test_forget_chat_removes_the_open_check(db):
    await open_triage.save_open_triage(db, 1, 10, "abc123", "nyn", NOW)
    await open_triage.save_open_triage(db, 2, 20, "abc123", "n", NOW)
    assert await privacy.forget_chat(db, 1)  # even without a users row
    assert await open_triage.get_open_triage(db, 1) is None
    assert await open_triage.get_open_triage(db, 2) is not None


def test_reachable_states_cover_every_question():
    assert {open_question(TRIAGE, s) for s in STATES} == set(QUESTIONS)
    assert all(a in "ynu" for a in itertools.chain.from_iterable(STATES))
    assert {open_question(TRIAGE, s) for s in PRESET_STATES} == set(QUESTIONS[:CONTEXT_AT])
    assert set(FINISHED.values()) == set(PRESET_FINISHED.values()) == {"emergency", "same_day", "appointment", "self_care"}


def test_one_routing_table_with_the_gate_first_and_the_fallbacks_last():
    from telegram.ext import CallbackQueryHandler

    from bot.app import FLOOD, GATE, MAIN, routes
    from bot.telegram.handlers import stale_button

    table = routes()
    assert sorted(table)[:2] == [FLOOD, GATE] and max(table) == MAIN
    last_tap = [h for h in table[MAIN] if isinstance(h, CallbackQueryHandler)][-1]
    assert last_tap.callback is stale_button  # every button nobody claimed is still answered
