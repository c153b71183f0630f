"""Patient stories (tests/data/triage_stories.toml) walked through the shipped triage, one answer at a time."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.core.telegram_html import check_message_text
from bot.core.triage import (
    PRESET,
    Outcome,
    answer,
    asked_count,
    load_triage,
    next_step,
    preanswer,
    render_outcome,
    render_question,
)

STORIES = tomllib.loads((Path(__file__).parent / "data" / "triage_stories.toml").read_text("utf-8"))["story"]
TRIAGE = load_triage()
QUESTIONS = TRIAGE.questions
DISCLAIMER = "<i>General information, not medical advice.</i>"


def walk(story: dict) -> tuple[str, Outcome]:
    """Answer each question the bot asks the way this person would; stop at the outcome."""
    yes, unsure = set(story.get("yes", [])), set(story.get("not_sure", []))
    start = preanswer(TRIAGE, story.get("said"))
    answers = start
    while True:
        step = next_step(TRIAGE, answers)
        if isinstance(step, Outcome):
            return answers, step
        assert start[QUESTIONS.index(step) :][:1] != PRESET, f"asked {step.id}, which the message answered"
        assert check_message_text(render_question(TRIAGE, answers)) is None
        choice = "u" if step.id in unsure else "y" if step.id in yes else "n"
        answers = answer(TRIAGE, answers, choice)


def test_enough_stories_covering_every_outcome_question_and_sign():
    assert len(STORIES) >= 45
    assert {s["level"] for s in STORIES} == {"emergency", "same_day", "appointment", "self_care"}
    assert all(s["facts"].strip() and s["guideline"].strip() for s in STORIES)
    told = {s["sign"] for s in STORIES if "sign" in s}
    assert told == set(TRIAGE.flag_levels()), f"signs without a story: {set(TRIAGE.flag_levels()) - told}"
    reasons = {r.question_id for s in STORIES for r in walk(s)[1].reasons}
    assert reasons == {q.id for q in QUESTIONS if q.level != "context"}


@pytest.mark.parametrize("story", STORIES, ids=[s["facts"][:50] for s in STORIES])
def test_story(story):
    ids = {q.id for q in QUESTIONS}
    named = set(story.get("yes", [])) | set(story.get("not_sure", []))
    assert named <= ids, f"unknown question ids {named - ids}"

    answers, outcome = walk(story)

    assert outcome.level == story["level"], story["guideline"]
    assert list(outcome.tip_ids) == story.get("tips", [])
    if "asked" in story:
        assert asked_count(answers) == story["asked"]
    if "sign" in story:
        # The question that ended the check is the one that asks about this sign, at its level.
        (reason,) = outcome.reasons
        question = TRIAGE.question(reason.question_id)
        assert story["sign"] in question.flags and question.level == outcome.level
    # "Not sure" shows in the outcome only when an unsure answer is what led there.
    unsure_reason = any(r.question_id in story.get("not_sure", []) for r in outcome.reasons)
    assert outcome.counted_not_sure == unsure_reason
    if story.get("not_sure") and outcome.level in ("emergency", "same_day"):
        assert outcome.counted_not_sure

    text = render_outcome(outcome, DISCLAIMER)
    assert text.startswith(f"<b>{outcome.headline}</b>")
    assert text.endswith(DISCLAIMER)
    assert check_message_text(text) is None
