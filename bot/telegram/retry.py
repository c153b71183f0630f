"""Retrying what a person must see: replies, edits and callback answers.

Telegram answers 429 (flood control, with retry_after), 5xx, slowly (timeouts) or not at all
(dropped connections) now and then. A handled update is never delivered again, so a reply lost to
one of these is lost for good: `deliver()` tries again with exponential backoff and jitter (or
after retry_after for a 429) within a total budget - 30 s for sends and edits, 10 s for callback
answers, since Telegram stops accepting the answer to a tap about 15 s after it. Refusals
(400 Bad Request, 403 Forbidden, a wrong token) are never retried: asking again cannot change them.
An attempt still in flight when the budget ends (a hung connection, or a wait in the rate
limiter's queue) is cut off there, so the budget is the longest a handler waits for one call.
Only when the budget is spent is the call given up: `Undelivered` is raised and logged once, as
one WARNING line naming the update and chat (never the text, never the token), by the error
handler - or by bot.telegram.sending for a callback answer, where the handler goes on.

Waiting is an asyncio sleep in the caller's own task, holding no lock, so other chats' sends and
the reminder dispatcher go on meanwhile. Other chats' updates are handled meanwhile too
(bot.telegram.update_processor); only the next update of the same chat waits, so a chat's replies
stay in order.

Duplicates. A retry after a lost answer cannot know whether the first attempt took effect:
- sendMessage: a 5xx, timeout or dropped connection may come after Telegram already delivered the
  message, and the retry sends it again. The person then sees the same reply twice. That is rare
  (it needs a failure in the moment between delivery and answer) and harmless, while the
  alternative, not retrying, leaves them with no answer at all; a repeated reply is the better
  failure. (The reminder dispatcher, which sends on its own schedule, does not use this module
  and keeps its own at-most-once policy.)
- editMessageText / editMessageReplyMarkup: idempotent. A repeat sets the same content, and
  Telegram's "message is not modified" refusal is taken as success by bot.telegram.sending.
- answerCallbackQuery: idempotent. A repeat is refused as "query is too old", also taken as
  success.

With PTB's AIORateLimiter in place (bot.app), a 429 would otherwise be slept off inside the
limiter while it pauses every request of the bot, and retried there a second time; `RateLimiter`
hands 429s of calls made through `deliver()` straight back instead and leaves all other calls
(the dispatcher's) to AIORateLimiter unchanged.

Replies first. The overall limit (TELEGRAM_RATE_LIMIT) is a `PriorityBucket`: when it binds, a
call made through `deliver()` - a reply, edit or callback answer to a person - is let in before
every other waiting call (the reminder dispatcher's sends). The dispatcher also paces itself at
two thirds of the limit (bot.reminders.pacing), so replies find room without waiting at all
unless they alone need more than the remaining third.
"""

from __future__ import annotations

import asyncio
import random
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

T = TypeVar("T")


@dataclass(frozen=True)
class Policy:
    """How long and how often; tests replace `POLICY` with a fake clock and sleep."""

    budget: float = 30.0  # sends and edits
    answer_budget: float = 10.0  # callback answers: Telegram's window is about 15 s after the tap
    first_delay: float = 0.5  # backoff: 0.5, 1, 2, 4, 8, 8 ... s, each jittered to 50-100 %
    max_delay: float = 8.0
    min_attempt: float = 1.0  # no new attempt with less than this left of the budget
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    uniform: Callable[[float, float], float] = random.uniform


POLICY = Policy()


class Undelivered(NetworkError):
    """The budget was spent without a successful call. Whoever catches it logs `summary` once:
    the error handler (adding the update id) or bot.telegram.sending for a callback answer."""

    def __init__(self, method: str, chat_id: int | None, attempts: int, elapsed: float, reason: str):
        super().__init__(f"{method} undelivered")
        self.summary = f"gave up on {method} to chat {chat_id} after {attempts} attempts in {elapsed:.1f} s: {reason}"


# Set only while a call made by deliver() is in flight, in that call's own task.
_HANDLED_HERE: ContextVar[bool] = ContextVar("retried_by_deliver", default=False)


async def deliver(
    call: Callable[[], Awaitable[T]], *, method: str, chat_id: int | None, budget: float | None = None
) -> T:
    """Await `call()` until it succeeds, retrying transient failures within the budget."""
    policy = POLICY
    budget = policy.budget if budget is None else budget
    start = policy.clock()
    attempts = 0
    while True:
        attempts += 1
        remaining = budget - (policy.clock() - start)
        token = _HANDLED_HERE.set(True)
        try:
            async with asyncio.timeout(remaining) as limit:
                return await call()
        except (BadRequest, Undelivered):
            raise  # NetworkError subclasses, but a refusal (asking again changes nothing) or given up
        except RetryAfter as exc:
            error: Exception = exc
            wait = _retry_after(exc) + policy.uniform(0, policy.first_delay)
        except NetworkError as exc:  # 5xx, timeouts, dropped connections (TimedOut is one too)
            error = exc
            delay = min(policy.max_delay, policy.first_delay * 2 ** (attempts - 1))
            wait = policy.uniform(delay / 2, delay)
        except TimeoutError as exc:
            if not limit.expired():
                raise
            error, wait = TimedOut("the retry budget ran out during the call"), budget
            error.__cause__ = exc
        finally:
            _HANDLED_HERE.reset(token)
        elapsed = policy.clock() - start
        if elapsed + wait + policy.min_attempt > budget:
            raise Undelivered(method, chat_id, attempts, elapsed, _reason(error)) from error
        await policy.sleep(wait)


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int form will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _reason(error: Exception) -> str:
    """What went wrong, in words that can carry neither the user's text nor the token."""
    if isinstance(error, RetryAfter):
        return f"429, retry after {_retry_after(error):g} s"
    if isinstance(error, TimedOut):
        return "timed out"
    if error.__cause__ is not None:  # raised by the HTTP backend: the connection failed
        return f"connection failed ({type(error.__cause__).__name__})"
    return str(error)[:80]  # Telegram's own description of a 5xx, e.g. "Bad Gateway"


class _HandBack(Exception):
    def __init__(self, error: RetryAfter):
        super().__init__()
        self.error = error


class RateLimiter(AIORateLimiter):
    """AIORateLimiter that lets `deliver()` handle the 429s of its own calls.

    For those calls the limiter still paces the request, but a RetryAfter passes through it
    instead of being slept off inside it (which halts every other request of the bot and is
    a second retry loop on top of deliver's). Every other call - the reminder dispatcher's sends,
    start-up calls - goes through AIORateLimiter exactly as before, max_retries included.
    The overall bucket is a `PriorityBucket`, so replies waiting for it go before other calls.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base = self._base_limiter  # AIORateLimiter's overall bucket, swapped for one with priorities
        if base is not None:
            self._base_limiter = PriorityBucket(base.max_rate / base.time_period)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if not _HANDLED_HERE.get():
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

        async def once(*call_args: Any, **call_kwargs: Any) -> Any:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                raise _HandBack(exc) from None

        try:
            return await super().process_request(once, args, kwargs, endpoint, data, rate_limit_args)
        except _HandBack as back:
            raise back.error from None


class PriorityBucket:
    """The overall limit as a leaky bucket, like aiolimiter.AsyncLimiter(rate, 1) that
    AIORateLimiter uses - up to `rate` calls at once, then `rate` per second - except that calls
    made through deliver() (replies to people) that wait are let in before any other waiting call
    (the reminder dispatcher's). Each queue is first come, first served."""

    def __init__(self, rate: float):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._level = 0.0
        self._checked: float | None = None
        self._replies: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> tuple[int, int]:
        """(replies, others) waiting now, cancelled ones included until skipped."""
        return len(self._replies), len(self._others)

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        reply = _HANDLED_HERE.get()
        ahead = self._replies if reply else self._replies or self._others
        if not ahead and self._take(loop):
            return
        admitted: asyncio.Future[None] = loop.create_future()
        (self._replies if reply else self._others).append(admitted)
        self._schedule(loop)
        try:
            await admitted
        except asyncio.CancelledError:
            if admitted.done() and not admitted.cancelled():
                self._level = max(0.0, self._level - 1)  # let in, but gone: give its place back
            else:
                admitted.cancel()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    def _take(self, loop: asyncio.AbstractEventLoop) -> bool:
        now = loop.time()
        if self._checked is not None:
            self._level = max(0.0, self._level - (now - self._checked) * self.rate)
        self._checked = now
        if self._level + 1 <= self.rate:
            self._level += 1
            return True
        return False

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None:
            delay = max(0.0, (self._level + 1 - self.rate) / self.rate)
            self._timer = loop.call_later(delay, self._let_in, loop)

    def _let_in(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        for queue in (self._replies, self._others):  # replies first
            while queue:
                if queue[0].done():  # cancelled while waiting
                    queue.popleft()
                elif self._take(loop):
                    queue.popleft().set_result(None)
                else:
                    self._schedule(loop)
                    return
