"""What the check's screens say: the action first, the safety net in view, one phone screen, plain words."""

from __future__ import annotations

import re

import pytest
import textstat

from bot.core.content import load_content, plain_text
from bot.core.triage import Outcome, load_triage, next_step, render_outcome, render_question, render_tips

TRIAGE = load_triage()
QUESTIONS = TRIAGE.questions
CONTENT = load_content()
DISCLAIMER = f"<i>{CONTENT.messages.disclaimer}</i>"  # the real one: it counts towards the screen
MAX_GRADE = 8
PHONE_SCREEN = 700  # characters a phone shows without scrolling, disclaimer included


def outcome_for(question_id: str | None, mark: str = "y") -> Outcome:
    """The outcome of answering No to everything but `question_id` (None: No to all)."""
    answers = ""
    while True:
        step = next_step(TRIAGE, answers)
        if isinstance(step, Outcome):
            return step
        answers += mark if step.id == question_id else "n"


def screen(outcome: Outcome) -> str:
    return plain_text(render_outcome(outcome, DISCLAIMER))


RED = [q for q in QUESTIONS if q.red_flag]
EMERGENCY = [q for q in QUESTIONS if q.level == "emergency"]
SAME_DAY = [q for q in QUESTIONS if q.level == "same_day"]
NUMBERS = ("999", "112", "911")


@pytest.mark.parametrize("question", EMERGENCY, ids=lambda q: q.id)
def test_emergency_gives_the_action_first(question):
    text = screen(outcome_for(question.id))
    first = text.splitlines()[0]
    for number, place in (("999", "UK"), ("112", "Europe"), ("911", "US, Canada")):
        assert re.search(rf"{number} \({place}\)", first), first
    assert "A&E" in text and "ER" in text
    assert re.search(r"(Do not|Don't) drive yourself", text) and re.search(r"(Do not|Don't) wait", text)
    assert question.reason in text
    assert TRIAGE.tips.general not in render_outcome(outcome_for(question.id), DISCLAIMER)


@pytest.mark.parametrize("question", SAME_DAY, ids=lambda q: q.id)
def test_same_day_says_where_to_go_and_when_to_call_999_instead(question):
    outcome = outcome_for(question.id)
    text = screen(outcome)
    assert text.splitlines()[0] == "See a doctor today"
    for place in ("urgent appointment", "NHS 111", "urgent care"):
        assert place in text
    net = plain_text(outcome.text.safety_net)
    assert all(n in net for n in NUMBERS) and "instead" in net
    assert question.reason in text
    # It ends with the safety net (then the source and disclaimer), never with self-care tips.
    body_end = text.index(plain_text(TRIAGE.labels.based_on))
    assert text[:body_end].rstrip().endswith(net.rstrip())
    assert not outcome.offer_tips and not outcome.tips


def test_self_care_fits_one_screen_with_the_safety_net_above_the_tips():
    outcome = outcome_for(None)
    text = screen(outcome)
    assert len(text) <= PHONE_SCREEN, len(text)
    assert "none of the signs I asked about" in text
    net = plain_text(outcome.text.safety_net)
    assert net in text
    assert all(n in net for n in NUMBERS)  # tier 1: the emergency numbers
    assert all(p in net for p in ("urgent GP", "NHS 111", "urgent care"))  # tier 2: a doctor today
    assert plain_text(TRIAGE.tips.general) not in text  # the tips come behind a button
    assert outcome.offer_tips


def test_self_care_with_a_context_yes_still_fits():
    context = next(q for q in QUESTIONS if q.level == "context")
    outcome = outcome_for(context.id)
    assert outcome.level == "self_care" and outcome.tip_ids == (context.id,)
    assert len(screen(outcome)) <= PHONE_SCREEN
    assert plain_text(context.tip) not in screen(outcome)
    assert plain_text(context.tip) in plain_text(render_tips(TRIAGE, outcome, DISCLAIMER))


def test_appointment_gives_the_two_tier_safety_net():
    appointment = next(q for q in QUESTIONS if q.level == "appointment")
    outcome = outcome_for(appointment.id)
    net = plain_text(outcome.text.safety_net)
    assert outcome.level == "appointment" and net in screen(outcome)
    assert all(n in net for n in NUMBERS) and "NHS 111" in net


# ---- reading level ----

def _prose(html: str) -> str:
    """Plain text for scoring: the progress mark, the source line and the disclaimer dropped; each
    bullet or line is a sentence of its own, as it reads on a phone."""
    lines = []
    for line in plain_text(html).splitlines():
        line = line.strip().lstrip("•").strip()
        if not line or re.fullmatch(r"\d+/\d+", line) or line.startswith(TRIAGE.labels.based_on):
            continue
        if line == CONTENT.messages.disclaimer:
            continue
        lines.append(line if line[-1] in ".!?:" else line + ".")
    return " ".join(lines)


def _screens() -> dict[str, str]:
    screens = {}
    for i, q in enumerate(QUESTIONS):
        screens[f"question {q.id}"] = render_question(TRIAGE, "n" * i)
    for q in QUESTIONS:
        screens[f"outcome after {q.id}"] = render_outcome(outcome_for(q.id), DISCLAIMER)
    for q in RED:
        screens[f"outcome after {q.id}, not sure"] = render_outcome(outcome_for(q.id, "u"), DISCLAIMER)
    screens["outcome self-care"] = render_outcome(outcome_for(None), DISCLAIMER)
    context = next(q for q in QUESTIONS if q.level == "context")
    screens["tips"] = render_tips(TRIAGE, outcome_for(context.id), DISCLAIMER)
    screens["restart note"] = TRIAGE.labels.restarted
    return screens


SCREENS = _screens()


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_every_screen_reads_at_grade_8_or_below(name):
    grade = textstat.flesch_kincaid_grade(_prose(SCREENS[name]))
    assert grade <= MAX_GRADE, f"{name} reads at grade {grade}: {_prose(SCREENS[name])}"


def test_the_grade_gate_can_fail():
    hard = "Characteristically, intervertebral radiculopathy necessitates comprehensive neurological evaluation."
    assert textstat.flesch_kincaid_grade(_prose(hard)) > MAX_GRADE
    assert _prose("<b>3/10</b>\n\n• one\n• two things") == "one. two things."
