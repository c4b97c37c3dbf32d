"""One client-side flood limiter for every Bot API call the bot makes.

Telegram answers 429 with `retry_after` when a bot sends more than about 30 messages a
second overall or more than about one a second in one chat (short bursts tolerated).
Before, only unprompted messages were paced (by the courier); a reply that met a 429 raised
`RetryAfter` in its handler and was lost: with 24 people sending /start within a second,
some never got the consent question.

Now every call passes one `FloodLimiter`:

- replies, edits, button answers, documents and photos through `FloodSafeRequest`, the
  bot's `BaseRequest` (PTB's documented extension point, so every `Bot` method is covered,
  the /export and /mydata files included);
- the courier's unprompted messages through `FloodLimiter.unprompted()`, the turns it waits
  for before each send (it asks the leadership fence between its turn and the request).

Only calls that create a message take a token (send*, copy*, forward*; not sendChatAction),
as Telegram documents its limits for messages; every call waits out a `retry_after`. The
limits are token buckets, one overall and one per chat, each refilled at its rate up to its
burst. Replies go first: they take any token free, while unprompted messages wait behind
every queued reply and are spaced evenly (one per interval overall, one per interval per
chat), as the courier always sent them, so a peak minute of reminders leaves room for the
people answering them.

A 429 still met (the real service's algorithm is not published) pauses every call for its
`retry_after`, as Telegram does not say which limit it was; a reply then tries again, for
up to `REPLY_PATIENCE` seconds of waits, before PTB sees the 429.

PTB's `AIORateLimiter` was not used: it needs the aiolimiter package, limits private chats
only overall (no per-chat limit), has no priority between replies and broadcasts, and sits
in `ExtBot`, which the courier bypasses on purpose (see `scheduler.delivery.Courier`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from enum import IntEnum

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from app.wrapped_request import WrappedRequest

log = logging.getLogger(__name__)

# Seconds of retry_after a reply waits out in all before its 429 reaches PTB (and the
# person gets the apology): Telegram's per-chat waits are seconds, a reply is still wanted.
REPLY_PATIENCE = 60.0
# Unprompted slots closer than this are not waited for: the event loop's timers are no
# finer, and at high rates a timer per send would cost more than the pacing it buys. The
# slots still advance, so the average rate holds.
MIN_WAIT = 0.001
# Idle chats past this many are forgotten (a full bucket is the same as no bucket).
MAX_CHATS = 10_000
_NEVER = math.inf


class Priority(IntEnum):
    """Who waits for whom: replies before unprompted messages."""

    REPLY = 0
    UNPROMPTED = 1


class _Bucket:
    """A token bucket: `rate` tokens a second, up to `capacity`, starting full."""

    __slots__ = ("capacity", "last", "rate", "tokens", "updated")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.tokens = self.capacity
        self.updated = now
        self.last = -_NEVER  # when a token was last taken

    def ready_at(self, now: float) -> float:
        """When a token is free: `now` if one is free already."""
        if self.tokens < self.capacity:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1 - 1e-9:  # refilled to one, give or take the float's last bits
            return now
        return now + (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token (call only when `ready_at(now) == now`)."""
        self.tokens -= 1
        self.last = now

    def full(self, now: float) -> bool:
        """Whether the bucket has refilled: forgetting it changes nothing."""
        return self.tokens + (now - self.updated) * self.rate >= self.capacity


class _Waiter:
    __slots__ = ("chat", "future")

    def __init__(self, chat: str, future: asyncio.Future[None]) -> None:
        self.chat = chat
        self.future = future


class FloodLimiter:
    """Token buckets overall and per chat, with replies served before unprompted sends."""

    def __init__(
        self,
        per_second: float,
        burst: int,
        per_chat_per_second: float,
        per_chat_burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._global = _Bucket(per_second, burst, clock())
        self._chat_rate = per_chat_per_second
        self._chat_burst = per_chat_burst
        self._spacing = 1.0 / per_second
        self._chat_spacing = 1.0 / per_chat_per_second
        self._chats: dict[str, _Bucket] = {}
        self._next_unprompted = 0.0
        self._paused_until = 0.0
        self._queues: tuple[deque[_Waiter], deque[_Waiter]] = (deque(), deque())
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = _NEVER
        # What happened, for tests and figures: sends that had to queue, 429s met.
        self.queued = 0
        self.floods = 0

    def unprompted(self) -> UnpromptedTurns:
        """The courier's door: the same buckets, behind every reply."""
        return UnpromptedTurns(self)

    async def acquire(self, chat_id: int | str, priority: Priority = Priority.REPLY) -> None:
        """Wait until one message to `chat_id` may be sent, then count it as sent."""
        chat = str(chat_id)
        now = self._clock()
        if not self._queues[0] and not self._queues[1] and self._may_go(chat, priority, now):
            self._take(chat, priority, now)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues[priority].append(_Waiter(chat, future))
        self.queued += 1
        self._dispatch()
        await future  # cancelled with its task: the dispatcher skips it

    async def clear(self) -> None:
        """Wait out any retry_after in force (for calls that create no message)."""
        # A loop, not one sleep: another 429 may extend the pause while this one waits.
        while (wait := self._paused_until - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every call for `seconds`: Telegram answered 429 with this retry_after."""
        self.floods += 1
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        log.warning("flood control: every send waits %.1f s", seconds)

    def _chat(self, chat: str, now: float) -> _Bucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            if len(self._chats) >= MAX_CHATS:
                self._chats = {c: b for c, b in self._chats.items() if not b.full(now)}
            bucket = self._chats[chat] = _Bucket(self._chat_rate, self._chat_burst, now)
        return bucket

    def _ready_at(self, chat: str, priority: Priority, now: float) -> float:
        """When a message to `chat` at `priority` could go (now, or later)."""
        bucket = self._chat(chat, now)
        at = max(self._paused_until, self._global.ready_at(now), bucket.ready_at(now))
        if priority is Priority.UNPROMPTED:
            # Evenly spaced, as the courier always sent them: a slot within MIN_WAIT is now.
            spaced = max(self._next_unprompted, bucket.last + self._chat_spacing)
            if spaced > now + MIN_WAIT:
                at = max(at, spaced)
        return at

    def _may_go(self, chat: str, priority: Priority, now: float) -> bool:
        return self._ready_at(chat, priority, now) <= now

    def _take(self, chat: str, priority: Priority, now: float) -> None:
        self._global.take(now)
        self._chat(chat, now).take(now)
        if priority is Priority.UNPROMPTED:
            # A turn given late (the loop was busy) does not push back the ones after it,
            # up to one interval: the average rate holds, and the buckets bound any burst.
            self._next_unprompted = max(self._next_unprompted, now - self._spacing) + self._spacing

    def _dispatch(self) -> None:
        """Let go every queued send that may go now, replies first; wake again when the
        next one could."""
        now = self._clock()
        blocked: set[str] = set()  # a chat whose first waiter waits: its later ones too
        wake = min(self._drain(priority, now, blocked) for priority in Priority)
        if self._queues[0] or self._queues[1]:
            self._arm(wake, now)

    def _drain(self, priority: Priority, now: float, blocked: set[str]) -> float:
        """Let go what may go now from one queue, from its head; return when the first one
        left waiting could go.

        It stops at the first waiter that waits for everyone (a pause, the overall bucket,
        the unprompted spacing), so a peak of queued reminders costs one look per turn,
        not one look at each of them.
        """
        queue = self._queues[priority]
        wake = _NEVER
        index = 0
        while index < len(queue):
            waiter = queue[index]
            if waiter.future.done():  # its task was cancelled
                del queue[index]
                continue
            if waiter.chat in blocked:
                index += 1
                continue
            at = self._ready_at(waiter.chat, priority, now)
            if at <= now:
                self._take(waiter.chat, priority, now)
                waiter.future.set_result(None)
                del queue[index]
                continue
            wake = min(wake, at)
            if self._shared_wait(now) > now:  # nobody can go before then
                break
            if priority is Priority.UNPROMPTED and self._next_unprompted > now + MIN_WAIT:
                break
            blocked.add(waiter.chat)
            index += 1
        return wake

    def _shared_wait(self, now: float) -> float:
        """When any message at all could go (the pause and the overall bucket)."""
        return max(self._paused_until, self._global.ready_at(now))

    def _arm(self, at: float, now: float) -> None:
        if at >= self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = at
        self._timer = asyncio.get_running_loop().call_later(max(0.0, at - now), self._wake)

    def _wake(self) -> None:
        self._timer = None
        self._timer_at = _NEVER
        self._dispatch()


class UnpromptedTurns:
    """The courier's turns: the limiter's buckets, at the priority behind every reply."""

    def __init__(self, limiter: FloodLimiter) -> None:
        self._limiter = limiter

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until an unprompted message to `chat_id` may go."""
        await self._limiter.acquire(chat_id, Priority.UNPROMPTED)

    def pause(self, seconds: float) -> None:
        """Hold every call for `seconds` (the courier met a 429)."""
        self._limiter.pause(seconds)


def creates_message(endpoint: str) -> bool:
    """Whether a Bot API method makes a message (what Telegram's limits count)."""
    name = endpoint.lower()
    return name.startswith(("send", "copymessage", "forwardmessage")) and name != "sendchataction"


class FloodSafeRequest(WrappedRequest):
    """The bot's transport behind the flood limiter: every Bot API call waits its turn.

    A call that creates a message takes a token for its chat; any other waits out a pause.
    A 429 pauses every call for its `retry_after` and the call is made again, up to
    `patience` seconds of such waits; only then does PTB raise `RetryAfter`.
    """

    def __init__(
        self, inner: BaseRequest, limiter: FloodLimiter, patience: float = REPLY_PATIENCE
    ) -> None:
        super().__init__(inner)
        self.limiter = limiter
        self._patience = patience

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Wait for a turn, send; after a 429, wait its retry_after and send again."""
        endpoint = url.rsplit("/", 1)[-1]  # the URL before it holds the token
        chat = _chat_of(request_data) if creates_message(endpoint) else None
        waited = 0.0
        while True:
            if chat is None:
                await self.limiter.clear()
            else:
                await self.limiter.acquire(chat, Priority.REPLY)
            status, body = await self.inner.do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
            if status != 429:
                return status, body
            seconds = _retry_after(body)
            if seconds is None:
                return status, body
            self.limiter.pause(seconds)
            waited += seconds
            if waited > self._patience:
                log.error("Bot API %s: flood control for %.0f s, giving up", endpoint, waited)
                return status, body
            log.warning("Bot API %s met flood control: trying again in %.0f s", endpoint, seconds)


def _chat_of(request_data: RequestData | None) -> str | None:
    """The chat a message goes to, as the request names it (an id or an @username)."""
    if request_data is None:
        return None
    chat = request_data.json_parameters.get("chat_id")
    return None if chat is None else str(chat)


def _retry_after(body: bytes) -> float | None:
    """The seconds a 429 answer asks to wait, or None when it says none."""
    try:
        answer = json.loads(body)
        seconds = answer["parameters"]["retry_after"]
    except (ValueError, TypeError, KeyError):
        return None
    return float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else None
