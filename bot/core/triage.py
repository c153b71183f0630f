"""The symptom triage as pure functions: answers so far → next question or outcome → message text.

Answers are a compact string, one character per answered question in order: 'y' (Yes), 'n' (No),
'u' (Not sure). The string is the whole state, so it can live in callback data and survive a restart.

Rules (the question data is in content/triage.toml):
- Questions go emergency → same_day → appointment → context.
- "Yes" or "Not sure" to a red flag (emergency or same_day) ends the triage at once at that level;
  "Not sure" counts as "Yes" for safety, and the outcome says so. Because of the order, nothing
  asked later could raise the level.
- Otherwise a "Yes" to an appointment question gives "appointment", and no flag gives "self_care".
- Context questions never change the level; each "Yes" adds its tip to self-care/appointment advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.triage_model import (
    MAX_QUESTIONS,
    RANK,
    Labels,
    OutcomeText,
    Question,
    Triage,
    TriageError,
    load_triage,
)

__all__ = [
    "MAX_QUESTIONS", "Triage", "TriageError", "Question", "Outcome", "Reason", "InvalidAnswers",
    "load_triage", "valid_answers", "is_finished", "next_step", "decide", "answer", "back",
    "progress", "choices", "render_question", "render_outcome", "render_tap_hint", "parse_typed_answer",
    "is_opening", "open_question",
]


class InvalidAnswers(ValueError):
    """An answer string that does not fit the current question set (stale or tampered button)."""


@dataclass(frozen=True)
class Reason:
    question_id: str
    phrase: str
    answer: str  # 'y' or 'u'

    @property
    def not_sure(self) -> bool:
        return self.answer == "u"


@dataclass(frozen=True)
class Outcome:
    level: str  # emergency | same_day | appointment | self_care
    reasons: tuple[Reason, ...]
    tip_ids: tuple[str, ...]
    tips: tuple[str, ...]
    text: OutcomeText = field(repr=False)
    labels: Labels = field(repr=False, compare=False)

    @property
    def headline(self) -> str:
        return self.text.headline

    @property
    def counted_not_sure(self) -> bool:
        return any(r.not_sure for r in self.reasons)

    # Which buttons the bot offers under the outcome: an emergency gets only the advice and Main menu.
    @property
    def offer_tips(self) -> bool:
        return self.level != "emergency"

    @property
    def offer_reminders(self) -> bool:
        return self.level != "emergency"


def _flagged(answer: str) -> bool:
    return answer in ("y", "u")


def is_finished(triage: Triage, answers: str) -> bool:
    """True when no further question could change the outcome (or none are left)."""
    if len(answers) >= len(triage.questions):
        return True
    return any(q.red_flag and _flagged(a) for q, a in zip(triage.questions, answers))


def valid_answers(triage: Triage, answers: object) -> bool:
    """True if `answers` is a state this question set can reach (each answer allowed, none after the end)."""
    if not isinstance(answers, str) or len(answers) > len(triage.questions):
        return False
    for i, a in enumerate(answers):
        if is_finished(triage, answers[:i]) or a not in triage.questions[i].choices:
            return False
    return True


def _check(triage: Triage, answers: str) -> None:
    if not valid_answers(triage, answers):
        raise InvalidAnswers(f"answers {answers!r} do not fit triage version {triage.version}")


def decide(triage: Triage, answers: str) -> Outcome:
    """The outcome for the answers given so far (normally called once `is_finished`)."""
    _check(triage, answers)
    answered = list(zip(triage.questions, answers))
    flagged = [(q, a) for q, a in answered if q.level != "context" and _flagged(a)]
    level = max((q.level for q, _ in flagged), key=RANK.__getitem__, default="self_care")
    reasons = tuple(Reason(q.id, q.reason, a) for q, a in flagged if q.level == level)
    # Context questions are reached only without a red flag, so tips go with self-care or appointment.
    tipped = [q for q, a in answered if q.level == "context" and a == "y"]
    return Outcome(
        level=level,
        reasons=reasons,
        tip_ids=tuple(q.id for q in tipped),
        tips=tuple(q.tip for q in tipped),
        text=getattr(triage.outcomes, level),
        labels=triage.labels,
    )


def next_step(triage: Triage, answers: str) -> Question | Outcome:
    """The next question to ask, or the final outcome. Raises InvalidAnswers for a stale state."""
    _check(triage, answers)
    if is_finished(triage, answers):
        return decide(triage, answers)
    return triage.questions[len(answers)]


def answer(triage: Triage, answers: str, choice: str) -> str:
    """The state after answering the open question with `choice` ('y', 'n' or 'u')."""
    step = next_step(triage, answers)
    if not isinstance(step, Question):
        raise InvalidAnswers(f"answers {answers!r} are already finished")
    if choice not in step.choices:
        raise InvalidAnswers(f"{choice!r} is not an answer to '{step.id}'")
    return answers + choice


def open_question(triage: Triage, answers: object) -> Question | None:
    """The question a state is waiting for; None if the state is finished or does not fit this set."""
    if not valid_answers(triage, answers) or is_finished(triage, answers):  # type: ignore[arg-type]
        return None
    return triage.questions[len(answers)]  # type: ignore[arg-type]


def back(answers: str) -> str:
    """Back = forget the last answer (at the first question there is nothing to undo)."""
    return answers[:-1]


def progress(triage: Triage, answers: str) -> tuple[int, int]:
    """(number of the open question, total questions): shown as "3/8"."""
    return len(answers) + 1, len(triage.questions)


def choices(triage: Triage, question: Question) -> list[tuple[str, str]]:
    """(answer char, button label) pairs for the question's buttons, in display order."""
    names = {"y": triage.labels.yes, "n": triage.labels.no, "u": triage.labels.not_sure}
    return [(c, names[c]) for c in question.choices]


def render_question(triage: Triage, answers: str) -> str:
    """Message text for the open question: progress mark, the intro before the first one, the question."""
    step = next_step(triage, answers)
    if not isinstance(step, Question):
        raise InvalidAnswers(f"answers {answers!r} are already finished")
    number, total = progress(triage, answers)
    parts = [f"<b>{number}/{total}</b>", step.text]
    if not answers:
        parts.insert(0, triage.intro)
    return "\n\n".join(parts)


def render_tap_hint(triage: Triage, question: Question) -> str:
    """Short note for typed text that is not an answer: which buttons to tap."""
    names = [label for _, label in choices(triage, question)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return triage.labels.tap_hint.replace("{choices}", listed)


def render_outcome(outcome: Outcome, disclaimer: str) -> str:
    """The outcome message: headline, advice, why, tips, safety net, sources, then the disclaimer."""
    if not disclaimer.strip():
        raise ValueError("the outcome must end with the disclaimer")
    labels, text = outcome.labels, outcome.text
    why = [
        (labels.said_not_sure if r.not_sure else labels.said_yes).replace("{reason}", r.phrase)
        for r in outcome.reasons
    ] or [labels.no_flags]
    parts = [f"<b>{text.headline}</b>", text.body, f"<b>{labels.why}</b>\n" + "\n".join(f"• {w}" for w in why)]
    if outcome.tips:
        parts.append(f"<b>{labels.tips_title}</b>\n" + "\n\n".join(outcome.tips))
    if text.safety_net:
        parts.append(text.safety_net)
    parts.append(f"<i>{labels.based_on}: {text.source}</i>")
    parts.append(disclaimer.strip())
    return "\n\n".join(parts)


# ── Typed answers ──────────────────────────────────────────────────────────────

_YES = {
    "yes", "y", "yep", "yeah", "ya", "yea", "yeh", "ye", "yup", "yus", "aye", "sure", "of course",
    "correct", "right", "true", "definitely", "absolutely", "i do", "i have", "i am", "yes i do",
    "yes i have", "yes please", "uh huh", "affirmative", "👍",
}
_NO = {
    "no", "n", "nope", "nah", "na", "nay", "nop", "never", "none", "not really", "no way", "negative",
    "false", "i dont", "i do not", "i havent", "i have not", "no i dont", "no i havent", "no i do not",
    "no i have not", "not at all", "👎",
}
_UNSURE = {
    "not sure", "unsure", "dunno", "i dunno", "dont know", "i dont know", "do not know", "i do not know",
    "idk", "maybe", "perhaps", "possibly", "no idea", "not certain", "uncertain", "im not sure",
    "i am not sure", "im unsure", "i am unsure", "no clue", "hard to say", "cant say", "cant tell",
    "not sure really", "i cant tell", "i cant say", "🤷",
}
# Stretched spellings: "yesss", "noooo", "yeahhh", "nopeee".
_STRETCHED = [
    (re.compile(r"y+e+s+|y+e+a+h*|y+u+p+"), "y"),
    (re.compile(r"n+o+|n+o+p+e+|n+a+h+"), "n"),
]
_NOT_WORD = re.compile(r"[^\w\U0001F300-\U0001FAFF]+")


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "").replace("'", "")
    text = re.sub(r"[\uFE0F\U0001F3FB-\U0001F3FF]", "", text)  # emoji variation and skin-tone marks
    return " ".join(_NOT_WORD.sub(" ", text).split())


def parse_typed_answer(text: str | None) -> str | None:
    """'y', 'n' or 'u' for a typed reply such as "Yep!", "nope" or "not sure"; None for anything else."""
    if not text:
        return None
    words = _normalise(text)
    for table, choice in ((_UNSURE, "u"), (_YES, "y"), (_NO, "n")):
        if words in table:
            return choice
    for pattern, choice in _STRETCHED:
        if pattern.fullmatch(words):
            return choice
    return None


def is_opening(triage: Triage, text: str | None) -> bool:
    """True if a typed message asks for the check ("Should I see a doctor?"): it contains an opening phrase."""
    if not text:
        return False
    padded = f" {_normalise(text)} "
    return any(f" {phrase} " in padded for phrase in triage.openings.phrases)
