"""How fast the reminder dispatcher sends: at most REMINDER_SHARE of TELEGRAM_RATE_LIMIT.

The rate limiter (bot.telegram.retry.RateLimiter, an AIORateLimiter) holds every send of the bot
to TELEGRAM_RATE_LIMIT messages per second. Reminders are broadcast in bulk; replies to people
come one by one and must not wait behind them. So the dispatcher spaces its own sends evenly at
two thirds of the limit, leaving a third free for replies at all times, and the limiter lets
waiting replies in ahead of waiting reminders when replies need more than that.

`configure(deps, rate)` is called once by bot.app with the setting (0: no limiter, no pacing);
the dispatcher asks `of(deps)` for the pace before each send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

REMINDER_SHARE = 2 / 3
KEY = "reminder_pace"


class Pace:
    """Evenly spaced start times, `rate` per second, shared by every send that awaits `wait()`."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._next = float("-inf")
        self._clock, self._sleep = clock, sleep

    async def wait(self) -> None:
        """Return at the next free start time (at once if the sends are slower than the rate)."""
        now = self._clock()
        start = max(self._next, now)  # no credit for idle time: never a burst above the rate
        self._next = start + self._interval
        if start > now:
            await self._sleep(start - now)


def reminder_rate(limit: float) -> float | None:
    """Reminders per second for TELEGRAM_RATE_LIMIT `limit`; None when the limiter is off."""
    return limit * REMINDER_SHARE if limit > 0 else None


def configure(deps: Any, limit: float) -> None:
    rate = reminder_rate(limit)
    deps.extras[KEY] = Pace(rate) if rate else None


def of(deps: Any) -> Pace | None:
    extras = getattr(deps, "extras", None)
    return extras.get(KEY) if extras else None
