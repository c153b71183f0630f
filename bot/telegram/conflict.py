"""A second copy of the bot polling with the same token: Telegram answers 409 Conflict.

Telegram lets one getUpdates wait at a time and ends the older one with 409, so two copies
would fight for ever, each losing updates to the other. The copy that meets a conflict soon
after it started is the newcomer: it stops, and the command line says why in one line. A copy
that has been running for a while keeps going and warns; the newcomer leaving ends the fight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram.error import Conflict
from telegram.ext import ApplicationHandlerStop, ContextTypes

log = logging.getLogger(__name__)

# Longer than PTB's longest wait between polling retries (30 s), so the copy that was there
# first has polled again, and ended our request, before we count ourselves as settled.
GRACE = 35.0


class ConflictGuard:
    def __init__(self, grace: float = GRACE, now: Callable[[], float] = time.monotonic):
        self.grace = grace
        self._now = now
        self._started: float | None = None
        self.gave_way = False  # True once this copy stopped because another one was polling

    def polling_started(self) -> None:
        self._started = self._now()

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An error handler registered before the general one; it claims only 409s."""
        if not isinstance(context.error, Conflict):
            return
        if self._started is None or self._now() - self._started <= self.grace:
            if not self.gave_way:
                self.gave_way = True
                context.application.stop_running()
        else:
            log.warning("another copy of this bot polled Telegram with the same token (409 Conflict); "
                        "stop it, or both keep losing updates")
        raise ApplicationHandlerStop
