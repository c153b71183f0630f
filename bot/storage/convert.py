"""Conversions shared by the storage modules.

Every storage function takes the connection from db.open_db and, where it writes a timestamp or
computes a schedule, an aware `now_utc`: the clock is always injected. Times are stored as
integer epoch seconds, local dates as ISO text. Reads go through tx.read, so they see only
committed data even on the connection every coroutine shares.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from bot.core import schedule

KINDS = schedule.KINDS


def epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("expected an aware datetime")
    return int(moment.timestamp())


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown reminder kind {kind!r}")
