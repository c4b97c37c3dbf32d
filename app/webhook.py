"""The webhook, served on aiohttp: every post Telegram makes is answered, poison included.

python-telegram-bot's own webhook server (tornado) answers 400 to a post it cannot turn
into an Update, and 500 to one that is not JSON, after logging the whole post (another
person's message, their health data) at CRITICAL. Telegram resends a post that was not
answered 2xx, again and again, so one unreadable update is logged over and over and the
updates after it wait behind it.

`WebhookUpdater` is PTB's `Updater` with `start_webhook` serving our own small aiohttp
server instead (aiohttp is already the bot's transport): a post with the right secret is
always answered 200; one that cannot be read (not JSON, not an object, a field PTB cannot
parse) is logged once by update id and error type (`app.updates.read_update`, the same
reading polling uses) and dropped; the rest go to PTB's update queue as before. Polling is
PTB's own.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from socket import socket
from typing import Any

from aiohttp import web
from telegram._utils.defaultvalue import DEFAULT_80, DEFAULT_IP, DefaultValue
from telegram._utils.types import DVType
from telegram.error import InvalidToken, TelegramError
from telegram.ext import ExtBot, Updater

from app.updates import log_unreadable, read_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are small; a larger post is refused by aiohttp (413) before reading.
MAX_BODY = 16 * 1024 * 1024


class WebhookServer:
    """Receives Telegram's posts on one path and hands readable updates to a queue."""

    def __init__(
        self, bot: ExtBot[Any], queue: asyncio.Queue[object], path: str, secret: str | None
    ) -> None:
        self._bot = bot
        self._queue = queue
        self._secret = secret.encode() if secret else None
        self._path = "/" + path.strip("/")
        self._runner: web.AppRunner | None = None
        self.skipped = 0  # posts answered 200 but not handled: they could not be read

    async def start(self, listen: str, port: int) -> None:
        """Listen on `listen:port`."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self._path, self._receive)
        if self._path != "/":
            app.router.add_post(self._path + "/", self._receive)
        # No access log: its lines name the path and the caller, and nothing here needs them.
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        """Answer one post: 403 without the secret, else 200, whatever the body holds."""
        if self._secret is not None:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not hmac.compare_digest(given, self._secret):
                return web.Response(status=403)
        body = await request.read()
        try:
            data = json.loads(body)
        except ValueError as error:  # not JSON, or not UTF-8: nobody can read it
            self.skipped += 1
            log_unreadable(None, error)
            return web.Response(status=200)
        update = read_update(self._bot, data)
        if update is None:
            self.skipped += 1
        else:
            await self._queue.put(update)
        return web.Response(status=200)


class WebhookUpdater(Updater):
    """PTB's Updater, with the webhook served by `WebhookServer` (polling unchanged)."""

    def __init__(self, bot: ExtBot[Any], update_queue: asyncio.Queue[object]) -> None:
        super().__init__(bot=bot, update_queue=update_queue)
        self._ext_bot = bot
        self.webhook: WebhookServer | None = None

    @property
    def running(self) -> bool:
        """Whether polling or the webhook is taking updates."""
        return self.webhook is not None or super().running

    async def start_webhook(
        self,
        listen: DVType[str] = DEFAULT_IP,
        port: DVType[int] = DEFAULT_80,
        url_path: str = "",
        cert: str | Path | None = None,
        key: str | Path | None = None,
        bootstrap_retries: int = 0,
        webhook_url: str | None = None,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: str | Path | socket | None = None,
    ) -> asyncio.Queue[object]:
        """Serve the webhook and tell Telegram its address, as `Updater.start_webhook` does.

        TLS is the proxy's job (the README's set-up), so no certificate, key or unix socket.
        """
        if cert is not None or key is not None or unix is not None:
            raise ValueError("the webhook serves plain HTTP behind a TLS proxy: no cert or unix")
        if not webhook_url:
            raise ValueError("the webhook needs the public https address (WEBHOOK_URL)")
        if self.running:
            raise RuntimeError("This Updater is already running!")
        server = WebhookServer(self._ext_bot, self.update_queue, url_path, secret_token)
        await server.start(DefaultValue.get_value(listen), DefaultValue.get_value(port))
        try:
            await self._set_webhook(
                bootstrap_retries,
                url=webhook_url,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                ip_address=ip_address,
                max_connections=max_connections,
                secret_token=secret_token,
            )
        except BaseException:
            await server.stop()
            raise
        self.webhook = server
        return self.update_queue

    async def _set_webhook(self, retries: int, **options: Any) -> None:
        """Call setWebhook, again 1 s later after a failure while `retries` last (-1: always),
        as PTB's bootstrap does."""
        attempt = 0
        while True:
            try:
                await self.bot.set_webhook(**options)
                return
            except InvalidToken:
                raise
            except TelegramError as error:
                if 0 <= retries <= attempt:
                    raise
                attempt += 1
                log.warning("setWebhook failed (%s): trying again in 1 s", type(error).__name__)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        """Stop the webhook server, or polling."""
        if self.webhook is not None:
            server, self.webhook = self.webhook, None
            await server.stop()
            return
        await super().stop()
