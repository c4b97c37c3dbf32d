"""The aiohttp transport under PTB: real requests, errors mapped as PTB maps them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from app.telegram_transport import AiohttpRequest
from simulator import BotApiSimulator, RateLimits
from tests.simulator.test_simulator import USER


@pytest.fixture
async def slow_server() -> AsyncIterator[str]:
    """A server whose every reply takes a second: longer than the timeouts used below."""

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def test_messages_documents_and_telegram_errors_go_through(
    simulator: BotApiSimulator,
) -> None:
    simulator.add_user(USER, "Ann", started=True)
    request = AiohttpRequest(pool_size=4)
    async with Bot(simulator.token, base_url=simulator.base_url, request=request) as bot:
        sent = await bot.send_message(USER, "Hello Ann")
        assert sent.text == "Hello Ann"
        document = await bot.send_document(USER, b"a,b\n1,2\n", filename="log.csv")
        assert document.document is not None
        assert document.document.file_name == "log.csv"
        with pytest.raises(BadRequest):
            await bot.send_message(USER, "")
    assert simulator.bot_messages(USER)[0].get("text") == "Hello Ann"


async def test_flood_control_reaches_ptb_as_retry_after(simulator: BotApiSimulator) -> None:
    simulator.rate_limits = RateLimits(per_chat_per_second=1, per_chat_burst=1)
    simulator.add_user(USER, "Ann", started=True)
    request = AiohttpRequest(pool_size=4)
    async with Bot(simulator.token, base_url=simulator.base_url, request=request) as bot:
        await bot.send_message(USER, "first")
        with pytest.raises(RetryAfter):  # a second message to one chat within the second
            await bot.send_message(USER, "again")


async def test_a_slow_reply_is_a_timeout(slow_server: str) -> None:
    request = AiohttpRequest(pool_size=1, read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"{slow_server}/getMe")
    finally:
        await request.shutdown()


async def test_a_refused_connection_is_a_network_error() -> None:
    request = AiohttpRequest(pool_size=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post("http://127.0.0.1:9/bot123:abc/getMe")
    finally:
        await request.shutdown()


async def test_using_it_before_initialising_is_a_clear_error() -> None:
    # PTB wraps what a transport raises that is not a Telegram error as a NetworkError.
    with pytest.raises(NetworkError, match="not initialized"):
        await AiohttpRequest().post("http://127.0.0.1:9/bot123:abc/getMe")
