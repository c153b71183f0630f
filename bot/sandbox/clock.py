"""The sandbox's simulated time: the real clock plus an offset that only moves forward.

The bot (its reminder dispatcher and handlers) and the fake server read the same clock, so
messages are stamped with the simulated time and reminders fall due when it says so.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable


class SandboxClock:
    def __init__(self, start: datetime | None = None, real: Callable[[], float] = time.time):
        self._real = real
        self.offset = 0.0 if start is None else start.timestamp() - real()

    def timestamp(self) -> float:
        """Seconds since the epoch, for the fake server."""
        return self._real() + self.offset

    def now(self) -> datetime:
        """An aware UTC datetime, for the bot."""
        return datetime.fromtimestamp(self.timestamp(), timezone.utc)

    __call__ = now

    def advance(self, seconds: float) -> datetime:
        # Going back would let a reminder fall due twice on screen and confuse everyone.
        if seconds <= 0:
            raise ValueError("the sandbox clock only moves forward")
        self.offset += seconds
        return self.now()
