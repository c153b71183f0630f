"""The update queue behind getUpdates: offsets, limits, long polling and allowed_updates."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Callable

from bot.sandbox.params import ApiError

# What Telegram delivers when allowed_updates was never set or set to [].
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class UpdateQueue:
    """Pending updates, confirmed by `offset` as on Telegram.

    The allowed_updates filter is applied when updates are handed out: an update of a type the
    bot did not ask for is dropped (kept in `dropped` for diagnosis) and never delivered.
    A second getUpdates while one is waiting ends the first with 409 Conflict, like Telegram.
    """

    def __init__(self, on_wait: Callable[[], None] | None = None) -> None:
        self._on_wait = on_wait  # called when a getUpdates call starts waiting
        self.waiting = 0  # getUpdates calls blocked in long polling right now
        self._pending: deque[tuple[str, dict[str, Any]]] = deque()
        self._next_id = 1
        self._wakeup: asyncio.Event | None = None  # set (and dropped) by the next put or close
        self._poller = 0  # id of the newest getUpdates call
        self._closed = False
        self.allowed: list[str] | None = None  # last allowed_updates the bot passed
        self.dropped: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self._pending)

    def put(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_id
        self._next_id += 1
        self._pending.append((kind, {"update_id": update_id, kind: payload}))
        self._pulse()
        return update_id

    def clear(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        """Let every waiting getUpdates return at once (server shutdown)."""
        self._closed = True
        self._pulse()

    def _pulse(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()
            self._wakeup = None

    def _event(self) -> asyncio.Event:
        # Taken *before* looking at the queue: a put after that sets this very event, so no
        # wake-up can fall between the look and the wait.
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        return self._wakeup

    def _wanted(self, kind: str) -> bool:
        if not self.allowed:
            return kind not in NOT_BY_DEFAULT
        return kind in self.allowed

    def _take(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        pending = self._pending
        if offset is not None and offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        elif offset is not None:
            while pending and pending[0][1]["update_id"] < offset:
                pending.popleft()
        if not pending:
            return []
        batch: list[dict[str, Any]] = []
        kept: deque[tuple[str, dict[str, Any]]] = deque()
        for kind, update in pending:
            if not self._wanted(kind):
                self.dropped.append(update)
                continue
            kept.append((kind, update))
            if len(batch) < limit:
                batch.append(update)
        self._pending = kept
        return batch

    async def get(
        self, offset: int | None, limit: int, timeout: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        if allowed is not None:
            self.allowed = list(allowed)
        self._poller += 1
        me = self._poller
        self._pulse()  # an older waiting call notices it was superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            wakeup = self._event()
            if me != self._poller:
                raise ApiError(409, CONFLICT, violation=False)
            batch = self._take(offset, limit)
            remaining = deadline - loop.time()
            if batch or self._closed or remaining <= 0:
                return batch
            self.waiting += 1
            if self._on_wait is not None:
                self._on_wait()
            try:
                async with asyncio.timeout(remaining):
                    await wakeup.wait()
            except TimeoutError:
                pass
            finally:
                self.waiting -= 1
