"""The symptom triage as pure functions: answers so far → next question or outcome → message text.

The state is a compact string, one character per question in order:
  'y' Yes, 'n' No, 'u' Not sure   answered by the person;
  'Y'                              "Yes" read from the message that started the check (context only);
  '.'                              not answered yet, only before a 'Y'.
Without a message that answered something, the string is just the answers so far: "nny".
With one, the pre-answer waits at its place: ".........Y", and the walk skips that question.
The string is the whole state, so it lives in callback data and survives a restart.

Rules (the question data is in content/triage.toml):
- Questions go emergency → same_day → appointment → context.
- "Yes" or "Not sure" to a red flag (emergency or same_day) ends the triage at once at that level;
  "Not sure" counts as "Yes" for safety, and the outcome says so. Because of the order, nothing
  asked later could raise the level.
- Otherwise a "Yes" to an appointment question gives "appointment", and no flag gives "self_care".
- Context questions never change the level; each "Yes" adds its tip to the self-care tips.
- Only context questions are ever answered from the opening message, and only with "Yes":
  a warning sign is always asked, because a message that does not mention it says nothing.
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
    "PRESET", "PENDING", "load_triage", "valid_answers", "is_finished", "next_step", "decide", "answer",
    "back", "progress", "choices", "render_question", "render_outcome", "render_tips", "render_tap_hint",
    "parse_typed_answer", "is_opening", "open_question", "preanswer", "asked_count",
]

PRESET = "Y"  # "Yes", read from the opening message
PENDING = "."  # not answered yet (only ever before a PRESET)
_ASKED = ("y", "n", "u")
_HOME_CARE = ("self_care", "appointment")  # the outcomes that come with self-care tips


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

    # Which buttons the bot offers under the outcome. Emergency and same day end with what to do,
    # never with self-care: the tips and reminders come only when home care is the plan.
    @property
    def offer_tips(self) -> bool:
        return self.level in _HOME_CARE

    @property
    def offer_reminders(self) -> bool:
        return self.offer_tips


def _flagged(answer: str) -> bool:
    return answer in ("y", "u")


def _scan(triage: Triage, answers: str) -> tuple[bool, int | None]:
    """(valid, index of the open question or None when finished), in one pass over the string."""
    questions = triage.questions
    if not isinstance(answers, str) or len(answers) > len(questions) or answers.endswith(PENDING):
        return False, None
    finished = False
    open_at: int | None = None  # the first place without an answer
    for i, (q, a) in enumerate(zip(questions, answers, strict=False)):
        if a == PRESET:
            if q.level != "context":
                return False, None  # a warning sign is never answered for the person
            continue
        if a == PENDING:
            if open_at is None:
                open_at = i
            continue
        # An answer by the person: allowed for this question, in order, and before the end.
        if a not in q.choices or open_at is not None or finished:
            return False, None
        finished = q.red_flag and _flagged(a)
    if finished:
        return True, None
    if open_at is None:
        open_at = next((i for i in range(len(answers), len(questions))), None)
    return True, open_at


def is_finished(triage: Triage, answers: str) -> bool:
    """True when no further question could change the outcome (or none are left)."""
    valid, open_at = _scan(triage, answers)
    return valid and open_at is None


def valid_answers(triage: Triage, answers: object) -> bool:
    """True if `answers` is a state this question set can reach (each answer allowed, none after the end)."""
    return _scan(triage, answers)[0]  # type: ignore[arg-type]


def _check(triage: Triage, answers: str) -> None:
    if not valid_answers(triage, answers):
        raise InvalidAnswers(f"answers {answers!r} do not fit triage version {triage.version}")


def decide(triage: Triage, answers: str) -> Outcome:
    """The outcome for the answers given so far (normally called once `is_finished`)."""
    _check(triage, answers)
    answered = list(zip(triage.questions, answers, strict=False))
    flagged = [(q, a) for q, a in answered if q.level != "context" and _flagged(a)]
    level = max((q.level for q, _ in flagged), key=RANK.__getitem__, default="self_care")
    reasons = tuple(Reason(q.id, q.reason, a) for q, a in flagged if q.level == level)
    # Tips go only with home care: a pre-answer from the opening message is there even when a
    # red flag ends the check, and an emergency must not end with tips.
    tipped = [q for q, a in answered if q.level == "context" and a in ("y", PRESET)] if level in _HOME_CARE else []
    return Outcome(
        level=level,
        reasons=reasons,
        tip_ids=tuple(q.id for q in tipped),
        tips=tuple(q.tip for q in tipped),
        text=getattr(triage.outcomes, level),
        labels=triage.labels,
    )


def open_question(triage: Triage, answers: object) -> Question | None:
    """The question a state is waiting for; None if the state is finished or does not fit this set."""
    valid, open_at = _scan(triage, answers)  # type: ignore[arg-type]
    return triage.questions[open_at] if valid and open_at is not None else None


def next_step(triage: Triage, answers: str) -> Question | Outcome:
    """The next question to ask, or the final outcome. Raises InvalidAnswers for a stale state."""
    _check(triage, answers)
    question = open_question(triage, answers)
    return decide(triage, answers) if question is None else question


def answer(triage: Triage, answers: str, choice: str) -> str:
    """The state after answering the open question with `choice` ('y', 'n' or 'u')."""
    _check(triage, answers)
    _, at = _scan(triage, answers)
    if at is None:
        raise InvalidAnswers(f"answers {answers!r} are already finished")
    question = triage.questions[at]
    if choice not in question.choices:
        raise InvalidAnswers(f"{choice!r} is not an answer to '{question.id}'")
    return answers[:at] + choice + answers[at + 1 :]


def back(answers: str) -> str:
    """Back = forget the person's last answer; what the opening message answered stays."""
    last = max((i for i, a in enumerate(answers) if a in _ASKED), default=None)
    if last is None:
        return answers  # at the first question there is nothing to undo
    return (answers[:last] + PENDING + answers[last + 1 :]).rstrip(PENDING)


def asked_count(answers: str) -> int:
    """How many questions the person has answered (what the opening message answered is not counted)."""
    return sum(a in _ASKED for a in answers)


def progress(triage: Triage, answers: str) -> tuple[int, int]:
    """(number of the open question, questions the person is asked at most): shown as "3/10"."""
    return asked_count(answers) + 1, len(triage.questions) - answers.count(PRESET)


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
    if number == 1:
        parts.insert(0, triage.intro)
    return "\n\n".join(parts)


def render_tap_hint(triage: Triage, question: Question) -> str:
    """Short note for typed text that is not an answer: which buttons to tap."""
    names = [label for _, label in choices(triage, question)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return triage.labels.tap_hint.replace("{choices}", listed)


def render_outcome(outcome: Outcome, disclaimer: str) -> str:
    """The outcome message: headline (the action), advice, why, safety net, sources, then the disclaimer.

    The self-care tips are not part of it: they come as a message of their own (render_tips), so
    this one fits a phone screen and keeps the safety net in view.
    """
    if not disclaimer.strip():
        raise ValueError("the outcome must end with the disclaimer")
    labels, text = outcome.labels, outcome.text
    why = [
        (labels.said_not_sure if r.not_sure else labels.said_yes).replace("{reason}", r.phrase)
        for r in outcome.reasons
    ] or [labels.no_flags]
    parts = [f"<b>{text.headline}</b>", text.body, f"<b>{labels.why}</b>\n" + "\n".join(f"• {w}" for w in why)]
    if text.safety_net:
        parts.append(text.safety_net)
    parts.append(f"<i>{labels.based_on}: {text.source}</i>")
    parts.append(disclaimer.strip())
    return "\n\n".join(parts)


def render_tips(triage: Triage, outcome: Outcome | None, disclaimer: str) -> str:
    """The self-care tips message: the general tips, then the tips the context answers call for.

    `outcome` None gives the general tips only (a tips button from an older question set).
    """
    if not disclaimer.strip():
        raise ValueError("the tips must end with the disclaimer")
    parts = [f"<b>{triage.labels.tips_title}</b>", triage.tips.general]
    if outcome is not None:
        parts += outcome.tips
    parts.append(f"<i>{triage.labels.based_on}: {triage.tips.source}</i>")
    parts.append(disclaimer.strip())
    return "\n\n".join(parts)


# ── Skipping what the opening message already said ─────────────────────────────


def preanswer(triage: Triage, text: str | None) -> str:
    """The starting state for a check opened by `text`: context questions its words answer are "Yes".

    Only context questions, only "Yes", and not after a denial ("I wasn't lifting"): a wrong guess
    here changes a tip, never the level.
    """
    if not text:
        return ""
    words = _normalise(text).split()
    state = ""
    for i, q in enumerate(triage.questions):
        if q.level == "context" and any(_said(words, cue.split()) for cue in q.cues):
            state = state.ljust(i, PENDING) + PRESET
    return state


_DENIALS = {"no", "not", "never", "without", "wasnt", "werent", "didnt", "dont", "havent", "hadnt", "isnt", "nothing"}
_DENIAL_REACH = 3  # words back a denial can reach: "wasnt even lifting"


def _said(words: list[str], cue: list[str]) -> bool:
    n = len(cue)
    for i in range(len(words) - n + 1):
        if words[i : i + n] == cue and not _DENIALS & set(words[max(0, i - _DENIAL_REACH) : i]):
            return True
    return False


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
