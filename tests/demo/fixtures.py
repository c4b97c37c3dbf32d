"""Fixtures and helpers for the demo's tests: a running demo, and its page's live stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from demo import Demo, demo_running


@pytest.fixture(name="demo")
async def demo_fixture(database_url: str) -> AsyncIterator[Demo]:
    """The whole demo (simulator, real bot, chat page) on a free port and the suite's database."""
    async with demo_running(database_url=database_url) as running_demo:
        yield running_demo


@pytest.fixture(name="http")
async def http_fixture() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client, as the page's browser would be."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        yield session


class EventStream:
    """The page's server-sent events, read the way a browser's EventSource reads them."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response

    async def read(self) -> tuple[str, Any]:
        """Return the next (event name, decoded data); comments (keep-alives) are skipped."""
        name, data = "message", ""
        while True:
            raw = await self.response.content.readline()
            if not raw:
                raise AssertionError("the stream ended")
            line = raw.decode().rstrip("\n")
            if not line:
                if data:
                    return name, json.loads(data)
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data += value

    async def next(
        self,
        name: str,
        check: Callable[[Any], bool] = lambda data: True,
        timeout: float = 10.0,  # noqa: ASYNC109 - a bound per expectation, like Person.expect
    ) -> Any:
        """Return the data of the next `name` event that passes `check` (others are skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                event, data = await self.read()
                if event == name and check(data):
                    return data


@asynccontextmanager
async def page_stream(
    http: aiohttp.ClientSession, url: str, user_id: int, name: str
) -> AsyncIterator[EventStream]:
    """Open the page at `url` for one person: create them, then follow their chat's stream."""
    async with http.post(f"{url}/demo/api/people", json={"id": user_id, "name": name}) as r:
        assert r.status == 200, await r.text()
    async with http.get(f"{url}/demo/api/stream", params={"user": str(user_id)}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        yield EventStream(response)


def text_of(message: dict[str, Any]) -> str:
    """A message's text or caption."""
    return message.get("text") or message.get("caption") or ""
