"""Every end-to-end test also checks that no handler calls the Bot API with a session open.

A handler does its database work in one session (`handlers.common.unit_of_work`), lets it
close, then replies. Here the handlers' session factory is swapped for one that marks the
running task while a session is open, and the bot's HTTP transport notes any Bot API
request made from a marked task; a test in which that happened fails at teardown, naming
the methods. Jobs keep their own (unmarked) factory: only handlers are held to this here.

The mark is kept per task, not in a ContextVar: APScheduler wakes itself with call_soon from
inside the handler's session (a job planned there), so a context variable would leak into
the jobs it then runs. A task started with a session open (asyncio.gather inside the block)
goes unseen; `tests/e2e`'s lexical twin, test_handler_sessions.py, covers that shape.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from types import TracebackType
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.telegram_transport import AiohttpRequest
from bot.services.context import AppState, Services

_SESSIONS_OPEN: Counter[asyncio.Task[Any] | None] = Counter()  # per task, while open


class MarkedSession(AsyncSession):
    """An AsyncSession that marks the task using it while its `async with` block runs."""

    _task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> MarkedSession:
        self._task = asyncio.current_task()
        _SESSIONS_OPEN[self._task] += 1
        await super().__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(kind, error, trace)
        finally:
            _SESSIONS_OPEN[self._task] -= 1
            if _SESSIONS_OPEN[self._task] <= 0:
                del _SESSIONS_OPEN[self._task]


@pytest.fixture(autouse=True)
def no_bot_call_in_a_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test if a handler awaited a Bot API request inside a database session."""
    calls: list[str] = []
    plain_services = AppState.services.fget
    assert plain_services is not None

    def marked_services(state: AppState) -> Services:
        found = plain_services(state)
        marked = async_sessionmaker(class_=MarkedSession, **found.sessions.kw)
        return replace(found, sessions=marked)

    plain_request = AiohttpRequest.do_request

    async def noted_request(self: AiohttpRequest, url: str, *args: Any, **kwargs: Any) -> Any:
        if _SESSIONS_OPEN[asyncio.current_task()]:
            calls.append(url.rsplit("/", 1)[-1])
        return await plain_request(self, url, *args, **kwargs)

    monkeypatch.setattr(AppState, "services", property(marked_services))
    monkeypatch.setattr(AiohttpRequest, "do_request", noted_request)
    yield calls
    assert not calls, f"Bot API called while a handler's database session was open: {calls}"
