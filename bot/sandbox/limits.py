"""Flood control (429 with retry_after) and injected faults."""

from __future__ import annotations

import math
from dataclasses import dataclass


class TokenBucket:
    """`rate` tokens a second, holding at most `capacity` (the tolerated burst)."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float, capacity: float, now: float):
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class FloodControl:
    """Telegram's sending limits: about `per_second` messages overall and `per_chat` a second in
    one private chat, with a small burst tolerated."""

    def __init__(self, per_second: float, per_chat: float = 1.0, burst: int = 3):
        self.per_second = per_second
        self.per_chat = per_chat
        self.burst = burst
        self._global: TokenBucket | None = None
        self._chats: dict[int, TokenBucket] = {}

    def admit(self, chat_id: int, now: float) -> int | None:
        """Take one send slot: None if allowed, else the retry_after (whole seconds) to answer."""
        if self._global is None:
            self._global = TokenBucket(self.per_second, max(1.0, self.per_second), now)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = TokenBucket(self.per_chat, max(1.0, float(self.burst)), now)
        self._global.refill(now)
        chat.refill(now)
        wait = max(self._global.wait_time(), chat.wait_time())
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.tokens -= 1
        chat.tokens -= 1
        return None


@dataclass(slots=True)
class Fault:
    """An error to answer instead of handling the request, `times` times."""

    method: str  # lower-case method name, or "*" for any
    error_code: int
    description: str
    chat_id: int | None = None
    times: int = 1
    retry_after: int | None = None
    disconnect: bool = False  # drop the connection without an answer
    deliver: bool = False  # with disconnect: handle the request first, then drop the answer
    delay: float = 0.0  # seconds to hold the request before anything else (a timeout, if long enough)

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method not in ("*", method):
            return False
        return self.chat_id is None or self.chat_id == chat_id


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def __bool__(self) -> bool:
        return bool(self._faults)

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The first matching fault, used up once."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None
