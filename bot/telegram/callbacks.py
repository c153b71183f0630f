"""callback_data codec: short, colon-separated, always within Telegram's 64-byte limit.

Buttons outlive the process (a user can tap one from last week), so data is self-contained
and every handler treats what it cannot decode as a stale button, never as an error.
"""

from __future__ import annotations

import re

MAX_BYTES = 64
SEP = ":"
MAX_ID = 2**63 - 1  # SQLite's largest integer: a row id or a chat id is never more
_DIGITS = re.compile(r"[0-9]{1,19}")

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
    if not data or len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback_data must be 1-{MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> list[str]:
    """The fields of a button's data; [] for anything that is not ours."""
    if not data or not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return []
    return data.split(SEP)


def number(text: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """The integer `text` spells in ASCII digits, if it lies in [low, high]; else None.

    Button data is whatever a client sends, so neither str.isdigit (true for "²", which int()
    refuses) nor int() (which reads "٤" and "４", signs and spaces) is the test; an unbounded
    id would overflow SQLite."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None
