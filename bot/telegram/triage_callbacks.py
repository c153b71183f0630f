"""Button data of the symptom check. Each button carries the whole state of its check, so a
button works after a restart and two checks in two messages never share anything.

    tg                              start a check (the main menu's button)
    tg:x                            cancel
    tg:r                            resume: send the open question again, at the bottom
    tg:<version>:<answers>:<action> answer the open question (action y, n or u), go back (b),
                                    or, under an outcome, send the self-care tips (t)

<version> is the question set's six hex digits; <answers> is the triage core's state string, one
character per question ('y', 'n', 'u', and '.'/'Y' for what the opening message answered), empty
before the first answer: "tg:1a2b3c::y". The longest, with ten questions, is 22 bytes, far below
Telegram's 64. Whether version and answers still fit the question set is the handler's call (the
triage core knows); this module only reads the shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.telegram import callbacks as cb

CANCEL = "x"
RESUME = "r"
BACK = "b"
TIPS = "t"
ANSWERS = ("y", "n", "u")
ACTIONS = (*ANSWERS, BACK, TIPS)
PATTERN = rf"^{cb.TRIAGE}({cb.SEP}|$)"


@dataclass(frozen=True)
class Tap:
    kind: str  # "start" | "cancel" | "resume" | "step"
    version: str = ""
    answers: str = ""
    action: str = ""  # step: 'y', 'n', 'u', BACK or TIPS


def start_data() -> str:
    return cb.encode(cb.TRIAGE)


def cancel_data() -> str:
    return cb.encode(cb.TRIAGE, CANCEL)


def resume_data() -> str:
    return cb.encode(cb.TRIAGE, RESUME)


def tips_data(version: str, answers: str) -> str:
    """The "Self-care tips" button under an outcome: its finished state says which tips to send."""
    return step_data(version, answers, TIPS)


def step_data(version: str, answers: str, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown triage action {action!r}")
    return cb.encode(cb.TRIAGE, version, answers, action)


def parse(data: str | None) -> Tap | None:
    """The tap a triage button stands for; None for data of another shape (a stale button)."""
    fields = cb.decode(data)
    if not fields or fields[0] != cb.TRIAGE:
        return None
    if len(fields) == 1:
        return Tap("start")
    if fields[1:] == [CANCEL]:
        return Tap("cancel")
    if fields[1:] == [RESUME]:
        return Tap("resume")
    if len(fields) == 4 and fields[3] in ACTIONS:
        return Tap("step", version=fields[1], answers=fields[2], action=fields[3])
    return None
