"""Updates from different chats at once, updates from one chat strictly in order.

`ChatOrderedProcessor` is python-telegram-bot's `BaseUpdateProcessor` for
`ApplicationBuilder().concurrent_updates(...)` (wired in bot.app). PTB starts one task per update,
in the order the updates arrive, and hands each to `do_process_update`:

- The update's key is its chat (`update.effective_chat.id`); an update without a chat is keyed by
  its user (in a private chat the same number, so it queues with that chat); one with neither is
  processed freely.
- Each key has a FIFO lock (asyncio.Lock: first come, first served), taken before the first
  suspension point, so a chat's updates run one after another in arrival order - a conversation
  never sees its own taps out of order, and a reply being retried (bot.telegram.retry) delays
  only its own chat.
- At most `max_concurrent_chats` chats (default 256) run a handler at a time. Only the update at
  the head of a chat's queue waits for one of those slots, so one person sending fifty messages
  takes one slot, not fifty, and cannot crowd out the others.

PTB's own semaphore (`max_concurrent_updates`) is acquired before `do_process_update` is called,
and a waiter there could be overtaken by a later update of the same chat; it is therefore set so
high that it never binds - the bound that matters is the chat slots above. Waiting updates cost
one small task each; PTB reads updates as they come (it has no back-pressure of its own).

Shutdown: `Application.stop()` waits until every update taken from its queue is done, queued
ones included, so nothing in flight is dropped; `shutdown()` here then only checks that it was
left with nothing running.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_CONCURRENT_CHATS = 256
NEVER_BINDS = 2**31 - 1  # PTB's own bound; see the module docstring


def chat_key(update: object) -> Hashable | None:
    """The chat an update belongs to, else its user, else None (no order to keep)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _Queue:
    __slots__ = ("lock", "waiting")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0  # updates of this chat in do_process_update: running or queued


class ChatOrderedProcessor(BaseUpdateProcessor):
    """One chat's updates in order; up to `max_concurrent_chats` chats at once."""

    __slots__ = ("_max_chats", "_slots", "_chats", "_running")

    def __init__(self, max_concurrent_chats: int = MAX_CONCURRENT_CHATS):
        if max_concurrent_chats < 1:
            raise ValueError("max_concurrent_chats must be at least 1")
        super().__init__(NEVER_BINDS)
        self._max_chats = max_concurrent_chats
        self._slots = asyncio.Semaphore(max_concurrent_chats)
        self._chats: dict[Hashable, _Queue] = {}
        self._running = 0

    @property
    def max_concurrent_chats(self) -> int:
        return self._max_chats

    @property
    def queued_chats(self) -> int:
        """Chats with an update running or waiting (a snapshot, for tests and diagnostics)."""
        return len(self._chats)

    @property
    def running(self) -> int:
        """Updates whose handlers are running now (at most max_concurrent_chats)."""
        return self._running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            key = chat_key(update)
            if key is None:
                await self._run(coroutine)
                return
            # Nothing here suspends before lock.acquire() joins the chat's FIFO, so the queue
            # order is the order PTB started the tasks in: the order the updates arrived.
            queue = self._chats.get(key)
            if queue is None:
                queue = self._chats[key] = _Queue()
            queue.waiting += 1
            try:
                async with queue.lock:
                    await self._run(coroutine)
            finally:
                queue.waiting -= 1
                if queue.waiting == 0:
                    del self._chats[key]
        finally:
            if inspect.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()  # cancelled while queued: never started, so no "never awaited" warning

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    async def initialize(self) -> None:
        """Nothing to allocate: the locks and slots are made as chats come."""

    async def shutdown(self) -> None:
        """Application.stop() has already waited for every update; anything left is a bug upstream."""
        if self._chats:
            log.warning("update processor shut down with %d chats still queued", len(self._chats))
