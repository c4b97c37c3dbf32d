"""Update intake and processing: unreadable updates skipped; different people at once,
each person's updates in order.

python-telegram-bot reads a getUpdates batch as a whole: one update it cannot parse (a
field from a newer Bot API, a changed type) fails the batch, it logs the whole batch (other
people's messages with it) at CRITICAL, does not move the offset, and fetches the same
batch again at once, forever. `PollingBot` reads each update on its own (`read_update`):
one that cannot be read is logged by its id and error type only, and confirmed with the
next call so it is never served again; the rest of the batch goes on. The webhook
(`app.webhook`) reads each posted update with the same `read_update`.

python-telegram-bot handles updates one at a time by default, so at 08:00, when hundreds of
reminders land and people tap Taken together, each waits for everyone before them. Fully
concurrent processing would let one person's quick taps race through their conversation
state. This processor runs updates concurrently across people and in order per person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.ext import BaseUpdateProcessor, ExtBot

log = logging.getLogger(__name__)


class _Skips:
    """The offset past the last unreadable update (mutable: the bot itself is frozen)."""

    def __init__(self) -> None:
        self.past = 0
        self.count = 0


class PollingBot(ExtBot[None]):
    """The bot, reading each polled update on its own so an unreadable one is skipped."""

    __slots__ = ("_skips",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self._unfrozen():
            self._skips = _Skips()

    @property
    def skipped(self) -> int:
        """How many polled updates could not be read (and were skipped)."""
        return self._skips.count

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109  (PTB's own signature)
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """Fetch updates as `Bot.get_updates` does, confirming any skipped one."""
        if self._skips.past:
            offset = max(offset or 0, self._skips.past)
        data: JSONDict = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        # As Bot.get_updates: a long poll may take the transport's read timeout plus its own.
        base = read_timeout if not isinstance(read_timeout, DefaultValue) else None
        if base is None:
            base = self._request[0].read_timeout
        waits = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout or 0
        result = await self._post(
            "getUpdates",
            data,
            read_timeout=(base or 0) + waits,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        return tuple(self._readable(result))

    def _readable(self, result: list[JSONDict]) -> Iterator[Update]:
        for data in result:
            update = read_update(self, data)
            if update is None:
                self._skip(data)
                continue
            yield update

    def _skip(self, data: object) -> None:
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if isinstance(update_id, int):
            self._skips.past = max(self._skips.past, update_id + 1)
        self._skips.count += 1


def read_update(bot: ExtBot[Any], data: object) -> Update | None:
    """The update in `data`, or None (logged once, by id and error type) if it cannot be read.

    Polling and the webhook both read through this: whatever the parser trips on skips this
    update only. The update's content and the error's message (which may quote it) stay out
    of the log.
    """
    try:
        if not isinstance(data, dict):
            raise TypeError("an update is a JSON object")
        update = Update.de_json(data, bot)
    except Exception as error:  # whatever the parser trips on: skip this one only
        update_id = data.get("update_id") if isinstance(data, dict) else None
        log_unreadable(update_id if isinstance(update_id, int) else None, error)
        return None
    bot.insert_callback_data(update)  # as ExtBot.get_updates does
    return update


def log_unreadable(update_id: int | None, error: Exception) -> None:
    """Log an update skipped as unreadable: its id and the error's type, nothing else."""
    kind = type(error).__name__
    log.error(
        "update %s skipped: it could not be read (%s)",
        update_id,
        kind,
        extra={"error_type": kind},  # alike when repeated (app.logs.LimitRepeats)
    )


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """Serialise updates per user (or chat), run different users concurrently."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this person's earlier updates, then process this one."""
        key = _person_of(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle people: the map stays small
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _person_of(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
