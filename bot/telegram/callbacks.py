"""callback_data codec: short, colon-separated, always within Telegram's 64-byte limit.

Buttons outlive the process (a user can tap one from last week), so data is self-contained
and every handler treats what it cannot decode as a stale button, never as an error.

Marks: facts about the *message* a button sits under, added to every callback button of that
message as trailing fields, after a feature built its data. decode() strips them, so no feature's
parser ever sees them; sending.show() and the group gate (bot.telegram.groups) read them.

    <data>:!            the message carries advice (an emergency reply, a typed answer, a triage
                        outcome, tips): a tap on any of its buttons never edits it (sending.show)
    <data>:@<owner>     in a group, the person the message was shown to, in base 36: anyone else's
                        tap gets a pop-up and changes nothing (bot.telegram.groups)

Why in the data and not in a table: the marks travel with the message, survive restarts, need
no row per message (nor its deletion in /forget), and a handler in any module that calls
sending.show() obeys them without knowing they exist. encode() keeps MARK_ROOM bytes free so
both marks always fit within 64 bytes.
"""

from __future__ import annotations

import re

MAX_BYTES = 64
SEP = ":"
MAX_ID = 2**63 - 1  # SQLite's largest integer: a row id or a chat id is never more
_DIGITS = re.compile(r"[0-9]{1,19}")

ADVICE = "!"
OWNER = "@"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_OWNER_ID = re.compile(r"[0-9a-z]{1,13}")  # MAX_ID in base 36 is 13 characters
MARK_ROOM = len(SEP + ADVICE) + len(SEP + OWNER) + 13
DATA_BYTES = MAX_BYTES - MARK_ROOM  # what a feature's own data may use

# First field: what the button does.
MAIN_MENU = "m"
CATEGORY = "c"      # c:<category id>
TOPIC = "t"         # t:<topic id>
ASK = "a"
ABOUT = "ab"
TRIAGE = "tg"       # owned by the triage handlers
REMINDERS = "rm"    # owned by the reminder handlers


def encode(*parts: str) -> str:
    for part in parts:
        if SEP in part:
            raise ValueError(f"callback part {part!r} contains {SEP!r}")
    data = SEP.join(parts)
    if not data or len(data.encode()) > DATA_BYTES:
        raise ValueError(f"callback_data must be 1-{DATA_BYTES} bytes (room is kept for marks): {data!r}")
    if data[0] in (ADVICE, OWNER) or any(part[:1] in (ADVICE, OWNER) for part in parts[1:]):
        raise ValueError(f"callback part of {data!r} starts with a mark character")
    return data


def decode(data: str | None) -> list[str]:
    """The fields of a button's data, marks left out; [] for anything that is not ours."""
    return _split(data)[0]


def _split(data: str | None) -> tuple[list[str], list[str]]:
    """(the feature's fields, the trailing marks)."""
    if not data or not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return [], []
    fields = data.split(SEP)
    marks: list[str] = []
    while len(fields) > 1 and fields[-1][:1] in (ADVICE, OWNER):
        marks.insert(0, fields.pop())
    return fields, marks


def mark(data: str, *, advice: bool = False, owner: int | None = None) -> str:
    """`data` with the marks added (those already there kept; an owner replaces an older one)."""
    fields, marks = _split(data)
    if not fields:
        return data  # not ours: left as it is
    advice = advice or ADVICE in marks
    if owner is None:
        owner = owner_of(data)
    tail = ([ADVICE] if advice else []) + ([OWNER + _base36(owner)] if owner is not None and 0 < owner <= MAX_ID else [])
    marked = SEP.join(fields + tail)
    return marked if len(marked.encode()) <= MAX_BYTES else data


def is_advice(data: str | None) -> bool:
    """True if the button sits under a message that carries advice."""
    return ADVICE in _split(data)[1]


def owner_of(data: str | None) -> int | None:
    """The user id a group message's button was shown to; None if it carries none (or a bad one)."""
    for found in _split(data)[1]:
        if found.startswith(OWNER) and _OWNER_ID.fullmatch(found[1:]):
            value = int(found[1:], 36)
            return value if 0 < value <= MAX_ID else None
    return None


def _base36(value: int) -> str:
    digits = ""
    while True:
        value, rest = divmod(value, 36)
        digits = _BASE36[rest] + digits
        if not value:
            return digits


def number(text: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """The integer `text` spells in ASCII digits, if it lies in [low, high]; else None.

    Button data is whatever a client sends, so neither str.isdigit (true for "²", which int()
    refuses) nor int() (which reads "٤" and "４", signs and spaces) is the test; an unbounded
    id would overflow SQLite."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
