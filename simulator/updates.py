"""The bot's pending updates and getUpdates long polling with Telegram's offset rules."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from simulator.errors import ApiError

# Sent only to bots that ask for them explicitly in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_LIMIT = 100
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)


class _Poll:
    """One pending getUpdates request."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.terminated = False


class UpdateQueue:
    """Updates waiting for the bot, confirmed by getUpdates offsets like the real server."""

    def __init__(
        self,
        update_types: Iterable[str],
        first_update_id: int = 1,
        shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self._types = frozenset(update_types)
        self._shape = shape  # the fault injector's: may queue an update malformed
        self._updates: list[dict[str, Any]] = []
        self._next_id = first_update_id
        self._poll: _Poll | None = None
        self._closed = False
        self._polling = asyncio.Event()  # set while a getUpdates call is waiting
        self.allowed_updates: list[str] = []

    @property
    def pending(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot, oldest first."""
        return list(self._updates)

    def accepts(self, kind: str) -> bool:
        """Tell whether the bot's allowed_updates let an update of this kind be queued."""
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind in self._types and kind not in OPT_IN_UPDATES

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless allowed_updates filters it out; return it if queued."""
        if not self.accepts(kind):
            return None
        update = {"update_id": self._next_id, kind: payload}
        if self._shape is not None:
            update = self._shape(update)
        self._next_id += 1
        self._updates.append(update)
        if self._poll is not None:
            self._poll.wake.set()
        return update

    def drop_pending(self) -> None:
        """Forget all pending updates (drop_pending_updates=True)."""
        self._updates.clear()

    def confirm(self, offset: int | None) -> None:
        """Apply an offset: positive confirms older updates, negative keeps only the last -N."""
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    async def get(
        self,
        offset: int | None,
        limit: int | None,
        wait: float | None,
        allowed_updates: list[str] | None,
    ) -> list[dict[str, Any]]:
        """Serve one getUpdates call, long polling up to `wait` seconds (its timeout)."""
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates)
        self.confirm(offset)
        count = MAX_LIMIT if limit is None else min(max(limit, 1), MAX_LIMIT)
        if self._poll is not None:
            self._poll.terminated = True
            self._poll.wake.set()
        poll = self._poll = _Poll()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait or 0.0, 0.0)
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, CONFLICT_OTHER_POLL)
                if self._closed or self._updates:
                    return self._updates[:count] if not self._closed else []
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                poll.wake.clear()
                self._polling.set()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await poll.wake.wait()
        finally:
            if self._poll is poll:
                self._poll = None
                self._polling.clear()

    @property
    def polling(self) -> bool:
        """Tell whether the bot is waiting in a long poll right now."""
        return self._polling.is_set()

    async def wait_for_poll(self, seconds: float) -> None:
        """Return once the bot waits in a long poll (it is up and listening)."""
        async with asyncio.timeout(seconds):
            await self._polling.wait()

    def close(self) -> None:
        """End pending long polls at once (they return no updates) and refuse to wait again."""
        self._closed = True
        if self._poll is not None:
            self._poll.wake.set()

    def reopen(self) -> None:
        """Allow long polling again after a restart of the server."""
        self._closed = False
