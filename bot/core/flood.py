"""How many messages a chat may send before the bot asks it to slow down.

A token bucket per chat: `burst` messages at once (people type in short bursts: "hi", "my back",
"it hurts"), then `per_second` more each second. A message with no token left is not answered;
the first one of a flood gets one "slow down a little" note, the rest nothing, until the bucket
is full again. So one person sending 100 messages in a second costs the bot about `burst + 1`
replies, and everyone else's replies are not queued behind theirs at Telegram's send limit.

Pure: the caller passes the time (seconds, any monotonic origin).
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIT, WARN, DROP = "admit", "warn", "drop"
MAX_TRACKED = 10_000  # chats remembered at once; full buckets are forgotten first


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodGate:
    def __init__(self, burst: int = 8, per_second: float = 1.0):
        if burst < 1 or per_second <= 0:
            raise ValueError("burst must be >= 1 and per_second > 0")
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[int, _Bucket] = {}

    def admit(self, chat_id: int, now: float) -> str:
        """ADMIT (answer it), WARN (send the one slow-down note) or DROP (say nothing)."""
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED:
                self._forget_idle(now)
            bucket = self._buckets[chat_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if bucket.tokens >= self.burst - 1:
                bucket.warned = False  # calm again: a later flood gets its note
            return ADMIT
        if bucket.warned:
            return DROP
        bucket.warned = True
        return WARN

    def _forget_idle(self, now: float) -> None:
        for chat_id in [c for c, b in self._buckets.items() if b.tokens + (now - b.at) * self.per_second >= self.burst]:
            del self._buckets[chat_id]
        if len(self._buckets) >= MAX_TRACKED:  # all busy: forget the oldest half
            for chat_id in sorted(self._buckets, key=lambda c: self._buckets[c].at)[: MAX_TRACKED // 2]:
                del self._buckets[chat_id]
