"""Observable simulator history: numbered events, listeners, subscriptions and waiting.

Every change a chat page or a test may care about is published as a SimEvent with a
monotonically increasing `seq`: new messages (from users and from the bot), edits, deletions,
button presses, callback answers, chat actions, blocks, and every Bot API call the bot made.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Event kinds.
MESSAGE = "message"  # data: the Message (from a user or from the bot)
EDITED = "edited"  # data: the Message after the edit
DELETED = "deleted"  # data: {"message_id": ...}
CALLBACK_QUERY = "callback_query"  # data: the CallbackQuery a user caused
CALLBACK_ANSWER = "callback_answer"  # data: {"callback_query_id", "text", "show_alert", ...}
CHAT_ACTION = "chat_action"  # data: {"action": "typing"}
BLOCKED = "blocked"  # data: the User who blocked the bot
UNBLOCKED = "unblocked"  # data: the User who unblocked it
API_CALL = "api_call"  # data: the ApiCall record (every method except getUpdates)


@dataclass(frozen=True)
class SimEvent:
    """One thing that happened, with the chat it happened in (None for bot-wide calls)."""

    seq: int
    kind: str
    chat_id: int | None
    data: dict[str, Any]
    time: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        """Render for the control API."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "data": self.data,
            "time": self.time,
        }


class Subscription:
    """An async iterator over events published after it was opened; close it when done."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self.queue: asyncio.Queue[SimEvent] = asyncio.Queue()

    def __aiter__(self) -> AsyncIterator[SimEvent]:
        return self

    async def __anext__(self) -> SimEvent:
        return await self.queue.get()

    def close(self) -> None:
        """Stop receiving events."""
        self._bus._subscriptions.discard(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    """Publish events to listeners and subscriptions, keep recent history, wake waiters."""

    def __init__(self, history_size: int = 10_000) -> None:
        self._history: deque[SimEvent] = deque(maxlen=history_size)
        # The same events by chat, so a waiter for one chat never scans everyone's.
        self._by_chat: dict[int | None, deque[SimEvent]] = {}
        self._chat_history_size = min(history_size, 1000)
        self._listeners: list[Callable[[SimEvent], None]] = []
        self._subscriptions: set[Subscription] = set()
        self._changed = asyncio.Event()
        # Waiters for one chat wake only on that chat's events (200 people waiting for
        # their own reply would otherwise all re-check on every event).
        self._chat_changed: dict[int | None, asyncio.Event] = {}
        self.last_seq = 0

    def publish(self, kind: str, chat_id: int | None, data: dict[str, Any]) -> SimEvent:
        """Record an event and notify everyone waiting for one."""
        self.last_seq += 1
        event = SimEvent(self.last_seq, kind, chat_id, data)
        self._history.append(event)
        chat = self._by_chat.get(chat_id)
        if chat is None:
            chat = self._by_chat[chat_id] = deque(maxlen=self._chat_history_size)
        chat.append(event)
        for listener in list(self._listeners):
            listener(event)
        for subscription in list(self._subscriptions):
            subscription.queue.put_nowait(event)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        chat_changed = self._chat_changed.pop(chat_id, None)
        if chat_changed is not None:
            chat_changed.set()
        return event

    def history(self, after: int = 0) -> list[SimEvent]:
        """Events with seq greater than `after` still kept in history, oldest first."""
        return _newer(self._history, after)

    def chat_history(self, chat_id: int, after: int = 0) -> list[SimEvent]:
        """The events of one chat with seq greater than `after` still kept, oldest first."""
        return _newer(self._by_chat.get(chat_id, ()), after)

    def add_listener(self, listener: Callable[[SimEvent], None]) -> Callable[[], None]:
        """Call `listener` synchronously for every event; returns the function to remove it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def subscribe(self) -> Subscription:
        """Open a queue-backed subscription (`with bus.subscribe() as events: async for ...`)."""
        subscription = Subscription(self)
        self._subscriptions.add(subscription)
        return subscription

    async def wait_until(
        self,
        check: Callable[[], T | None],
        seconds: float,
        what: str = "",
        *,
        chat_id: int | None = None,
    ) -> T:
        """Re-run `check` after every event (of `chat_id` only, when given) until it returns
        something truthy; never sleeps. With `chat_id`, `check` must read only that chat's
        events: other chats' events do not wake it."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    result = check()
                    if result:
                        return result
                    await self._next_change(chat_id).wait()
        except TimeoutError:
            raise TimeoutError(f"simulator: {what or 'condition'} not met in {seconds}s") from None

    def _next_change(self, chat_id: int | None) -> asyncio.Event:
        if chat_id is None:
            return self._changed
        event = self._chat_changed.get(chat_id)
        if event is None:
            event = self._chat_changed[chat_id] = asyncio.Event()
        return event

    async def wait_for_events(self, after: int, seconds: float) -> list[SimEvent]:
        """Return events after `after`, waiting up to `seconds` for at least one."""
        try:
            return await self.wait_until(lambda: self.history(after), seconds)
        except TimeoutError:
            return []


def _newer(events: deque[SimEvent] | tuple[()], after: int) -> list[SimEvent]:
    """The events after seq `after`, read from the newest end (seqs only grow)."""
    newer: list[SimEvent] = []
    for event in reversed(events):
        if event.seq <= after:
            break
        newer.append(event)
    newer.reverse()
    return newer
