"""The triage content model: questions, outcome texts and labels, loaded from content/triage.toml.

A non-programmer edits that file, so every check names the file and the field that is wrong.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.core.content import DEFAULT_CONTENT_DIR, ContentError, StrictModel, load_one
from bot.core.telegram_html import check_message_text

DEFAULT_TRIAGE_FILE = DEFAULT_CONTENT_DIR / "triage.toml"

MAX_QUESTIONS = 10
MAX_REASON = 120  # the "why" line names the question's signs in one line
QUESTION_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,23}$"
FLAG_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"  # the ids of redflags.toml

# Question levels in the order they must be asked; the rank is how serious a "Yes" is.
QUESTION_LEVELS = ("emergency", "same_day", "appointment", "context")
OUTCOME_LEVELS = ("emergency", "same_day", "appointment", "self_care")
RANK = {"self_care": 0, "context": 0, "appointment": 1, "same_day": 2, "emergency": 3}
RED_FLAG_LEVELS = ("emergency", "same_day")

QuestionLevel = Literal["emergency", "same_day", "appointment", "context"]

_ALLOWED_TAG = re.compile(r"</?(b|i)>")
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_LONE_AMP = re.compile(r"&(?!(amp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);)")
# Typed openings and cues are stored the way bot.core.triage normalises a message: lower case, single spaces.
_OPENING = re.compile(r"[a-z0-9]+( [a-z0-9]+)*")
_FLAG_ID = re.compile(FLAG_ID_PATTERN)
# Questions ask about the presence of something; a negation makes "Yes" ambiguous.
_NEGATION = re.compile(r"\b(not|no|never|none|nothing)\b|n['’]t\b", re.IGNORECASE)


class TriageError(ContentError):
    """Problems in triage.toml, each naming file and field (a ContentError, so start-up handles both)."""


def check_html(text: str) -> str | None:
    """None if `text` is Telegram HTML using only <b> and <i> with '&' escaped, else the problem."""
    for tag in _ANY_TAG.finditer(text):
        if not _ALLOWED_TAG.fullmatch(tag.group(0)):
            return f"only <b> and <i> tags are allowed, found {tag.group(0)!r}"
    if _LONE_AMP.search(text):
        return "write & as &amp;"
    return check_message_text(text)


def _html_field(text: str) -> str:
    error = check_html(text)
    if error:
        raise ValueError(error)
    return text


def _plain_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    for phrase in phrases:
        if not _OPENING.fullmatch(phrase):
            raise ValueError(
                f"{phrase!r}: write lower-case words separated by single spaces, "
                "without punctuation or apostrophes (\"dont\", not \"don't\")"
            )
    repeated = sorted({p for p in phrases if phrases.count(p) > 1})
    if repeated:
        raise ValueError(f"listed twice: {', '.join(repeated)}")
    return phrases


class Question(StrictModel):
    id: str = Field(pattern=QUESTION_ID_PATTERN)
    level: QuestionLevel
    text: str = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=MAX_REASON)
    not_sure: bool = False
    source: str = Field(min_length=1)
    flags: tuple[str, ...] = ()  # red-flag questions: the redflags.toml ids of the signs asked about
    tip: str = ""  # context questions only: the self-care tip shown after a "Yes"
    cues: tuple[str, ...] = ()  # context questions only: words of the opening message that mean "Yes"

    @field_validator("text", "reason", "source", "tip")
    @classmethod
    def _fits_telegram(cls, text: str) -> str:
        return _html_field(text) if text else text

    @field_validator("reason")
    @classmethod
    def _one_line(cls, text: str) -> str:
        if "\n" in text:
            raise ValueError("write the reason in one line")
        return text

    @field_validator("flags")
    @classmethod
    def _flag_ids(cls, flags: tuple[str, ...]) -> tuple[str, ...]:
        for flag in flags:
            if not _FLAG_ID.fullmatch(flag):
                raise ValueError(f"{flag!r} is not a red-flag id (lower case, digits and dashes)")
        repeated = sorted({f for f in flags if flags.count(f) > 1})
        if repeated:
            raise ValueError(f"listed twice: {', '.join(repeated)}")
        return flags

    @field_validator("cues")
    @classmethod
    def _plain_cues(cls, cues: tuple[str, ...]) -> tuple[str, ...]:
        return _plain_phrases(cues)

    @field_validator("text")
    @classmethod
    def _asks_positively(cls, text: str) -> str:
        match = _NEGATION.search(text)
        if match:
            raise ValueError(
                f"ask about the presence of something, without negation (found {match.group(0)!r})"
            )
        return text

    @model_validator(mode="after")
    def _level_rules(self) -> Question:
        if self.level == "context" and not self.tip:
            raise ValueError("a context question needs a tip (shown when the answer is Yes)")
        if self.level != "context" and self.tip:
            raise ValueError("only context questions have a tip")
        if self.level in RED_FLAG_LEVELS and not self.not_sure:
            raise ValueError("red-flag questions (emergency, same_day) must allow not_sure = true")
        if self.level == "context" and self.not_sure:
            raise ValueError("context questions are Yes/No only: set not_sure = false")
        if self.level in RED_FLAG_LEVELS and not self.flags:
            raise ValueError("a red-flag question names the warning signs it asks about in flags")
        if self.level not in RED_FLAG_LEVELS and self.flags:
            raise ValueError("only emergency and same_day questions have flags")
        # Only context can be answered from the opening message: a warning sign is always asked.
        if self.cues and self.level != "context":
            raise ValueError("only context questions have cues")
        return self

    @property
    def choices(self) -> tuple[str, ...]:
        return ("y", "n", "u") if self.not_sure else ("y", "n")

    @property
    def red_flag(self) -> bool:
        return self.level in RED_FLAG_LEVELS


class OutcomeText(StrictModel):
    headline: str = Field(min_length=1, max_length=80)
    body: str = Field(min_length=1)
    source: str = Field(min_length=1)
    safety_net: str = ""

    @field_validator("headline", "body", "source", "safety_net")
    @classmethod
    def _fits_telegram(cls, text: str) -> str:
        return _html_field(text) if text else text


class SafetyNetText(OutcomeText):
    """Outcomes short of an emergency say which new signs mean 999 and which mean a doctor today."""

    safety_net: str = Field(min_length=1)


class Outcomes(StrictModel):
    emergency: OutcomeText
    same_day: SafetyNetText
    appointment: SafetyNetText
    self_care: SafetyNetText


class Tips(StrictModel):
    """The self-care tips, sent as a message of their own under the self-care and appointment outcomes."""

    general: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @field_validator("general", "source")
    @classmethod
    def _fits_telegram(cls, text: str) -> str:
        return _html_field(text)


class Labels(StrictModel):
    yes: str = Field(min_length=1, max_length=20)
    no: str = Field(min_length=1, max_length=20)
    not_sure: str = Field(min_length=1, max_length=20)
    why: str = Field(min_length=1)
    said_yes: str = Field(min_length=1)
    said_not_sure: str = Field(min_length=1)
    no_flags: str = Field(min_length=1)
    tips_title: str = Field(min_length=1)
    based_on: str = Field(min_length=1)
    tap_hint: str = Field(min_length=1)
    # Buttons and notes of the Telegram screens (button labels are plain text).
    cancel: str = Field(min_length=1, max_length=40)
    tips_button: str = Field(min_length=1, max_length=40)
    reminders_button: str = Field(min_length=1, max_length=40)
    restarted: str = Field(min_length=1, max_length=200)
    # Under a normal answer typed while a check is open: one line and a button to carry on.
    still_open: str = Field(default="Your symptom check is still open.", min_length=1, max_length=200)
    resume: str = Field(default="Continue the check", min_length=1, max_length=40)

    @field_validator("*")
    @classmethod
    def _fits_telegram(cls, text: str) -> str:
        return _html_field(text)

    @field_validator("said_yes", "said_not_sure")
    @classmethod
    def _has_reason_slot(cls, text: str) -> str:
        if "{reason}" not in text:
            raise ValueError("must contain {reason}, where the question's reason goes")
        return text

    @field_validator("tap_hint")
    @classmethod
    def _has_choices_slot(cls, text: str) -> str:
        if "{choices}" not in text:
            raise ValueError("must contain {choices}, where the button names go")
        return text


class Openings(StrictModel):
    """Typed phrases that start the check ("should I see a doctor"), written the way they are matched."""

    phrases: tuple[str, ...] = Field(min_length=1)

    @field_validator("phrases")
    @classmethod
    def _plain_and_unique(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        return _plain_phrases(phrases)


class Triage(StrictModel):
    intro: str = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    outcomes: Outcomes
    tips: Tips
    labels: Labels
    openings: Openings

    @field_validator("intro")
    @classmethod
    def _fits_telegram(cls, text: str) -> str:
        return _html_field(text)

    @field_validator("questions")
    @classmethod
    def _order_and_ids(cls, questions: tuple[Question, ...]) -> tuple[Question, ...]:
        if len(questions) > MAX_QUESTIONS:
            raise ValueError(
                f"at most {MAX_QUESTIONS} questions are allowed, found {len(questions)}: "
                "group related signs into one question"
            )
        seen: set[str] = set()
        for q in questions:
            if q.id in seen:
                raise ValueError(f"the id '{q.id}' is used twice")
            seen.add(q.id)
        # Each warning sign is asked once, so its answer and its level can never disagree.
        asked_in: dict[str, str] = {}
        for q in questions:
            for flag in q.flags:
                if flag in asked_in:
                    raise ValueError(f"the flag '{flag}' is asked in both '{asked_in[flag]}' and '{q.id}'")
                asked_in[flag] = q.id
        order = [QUESTION_LEVELS.index(q.level) for q in questions]
        for before, after, q in zip(order, order[1:], questions[1:], strict=False):
            if after < before:
                raise ValueError(
                    f"'{q.id}' ({q.level}) comes too late: order must be "
                    + " → ".join(QUESTION_LEVELS)
                )
        return questions

    @property
    def version(self) -> str:
        """Six hex digits that change when question ids, order, levels or not_sure change.

        Buttons carry it, so a tap on a keyboard from an older question set is seen as stale.
        Wording changes keep the version: old answers still mean the same thing.
        """
        shape = "|".join(f"{q.id}:{q.level}:{int(q.not_sure)}" for q in self.questions)
        return hashlib.sha256(shape.encode()).hexdigest()[:6]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def flag_levels(self) -> dict[str, str]:
        """Each red-flag id the check asks about, with the level of the question that asks it."""
        return {flag: q.level for q in self.questions for flag in q.flags}


def load_triage(path: Path | str | None = None) -> Triage:
    """Read and validate triage.toml; raise TriageError listing every problem found."""
    path = Path(path) if path else DEFAULT_TRIAGE_FILE
    return load_one(path, Triage, TriageError)
