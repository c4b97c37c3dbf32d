"""Flood control: token buckets approximating Telegram's documented sending limits.

Telegram documents "about 30 messages per second" overall and "no more than one message per
second" in a single chat, with short bursts tolerated. The simulator models each as a token
bucket (rate = the per-second limit, capacity = the burst). Only message-creating methods
count (send*, copy*, forward*); edits, deletions, chat actions and answerCallbackQuery do not.
A rejected request consumes nothing. retry_after is the wait until a token is free, rounded up
to whole seconds (at least 1), as the real service only reports integers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simulator.errors import too_many_requests


@dataclass(frozen=True)
class RateLimits:
    """Configurable flood limits; `enabled=False` turns flood control off for a test."""

    global_per_second: float = 30.0
    global_burst: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    enabled: bool = True


class TokenBucket:
    """A bucket refilled at `rate` tokens per second up to `capacity`."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else math.inf

    def take(self) -> None:
        """Spend one token; call only after wait_time returned 0."""
        self.tokens -= 1


class FloodControl:
    """Apply RateLimits per chat and overall, answering 429 like Telegram when exceeded."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._chats: dict[int, TokenBucket] = {}
        self.limits = limits

    @property
    def limits(self) -> RateLimits:
        """The limits in force."""
        return self._limits

    @limits.setter
    def limits(self, limits: RateLimits) -> None:
        self._limits = limits
        self.reset()

    def reset(self) -> None:
        """Forget past traffic, e.g. between test phases."""
        self._global = TokenBucket(
            self._limits.global_per_second, self._limits.global_burst, self._clock()
        )
        self._chats.clear()

    def acquire(self, chat_id: int) -> None:
        """Admit one message to `chat_id` or raise the 429 ApiError with retry_after."""
        if not self._limits.enabled:
            return
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = TokenBucket(self._limits.per_chat_per_second, self._limits.per_chat_burst, now)
            self._chats[chat_id] = chat
        wait = max(self._global.wait_time(now), chat.wait_time(now))
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)) if math.isfinite(wait) else 3600)
        self._global.take()
        chat.take()
