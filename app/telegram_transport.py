"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

PTB talks to Bot API through a `BaseRequest`, an extension point it documents for other
asyncio HTTP libraries. Its default (httpx) cost about 1.4 ms of CPU per request here;
aiohttp, already a dependency, costs about 0.12 ms (3000 calls to the simulator running in
its own process). Every message, reply and poll goes through this, so it bounds the bot's
send rate on one core.

Errors map as PTB's own transport maps them: timeouts raise `TimedOut`, other transport
failures `NetworkError`; the HTTP status and body go back to PTB, which raises the
Telegram errors (400, 403, 429 with retry_after, 5xx) itself.

`RetryingRequest` wraps it for the bot's own calls (replies to updates, edits, button
answers, files): a 5xx answer or a network error is tried again a few times, with growing
waits, before PTB sees it and a handler fails into the generic apology. Inside it, each
attempt waits its turn in the flood limiter (`app.flood_control.FloodSafeRequest`), which
also waits out a 429.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import lru_cache
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from app.wrapped_request import WrappedRequest

# PTB's own defaults (ApplicationBuilder): 5 s to connect, read and write, 1 s for a free
# connection in the pool; file uploads get 20 s.
log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
# Waits before each new attempt of a reply that met a 5xx or a network error: about five
# seconds in all, while the person waits (unprompted messages have the courier's own).
REPLY_RETRY_DELAYS = (0.1, 0.2, 0.4, 0.8, 1.6, 2.0)
DEFAULT_POOL_TIMEOUT = 1.0
_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` that keeps one aiohttp session with up to `pool_size` connections."""

    def __init__(
        self,
        pool_size: int = 256,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds it to a long poll's own timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (PTB calls this when the bot initialises)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # Bot API sets none: skip the jar's work
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        """Send one request; return the HTTP status and body for PTB to interpret.

        aiohttp has no write timeout of its own: a write that stalls is caught by the read
        timeout, which starts once the request is sent.
        """
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = _timeout(
            _given(pool_timeout, self._pool_timeout),
            _given(connect_timeout, self._connect_timeout),
            _given(read_timeout, self._read_timeout),
        )
        try:
            body = _body(request_data)
            headers = _FORM_HEADERS if isinstance(body, bytes) else None
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts subclass it
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # Some aiohttp errors quote the URL, which holds the token: keep it out.
            detail = _TOKEN_IN_URL.sub("/bot<token>/", str(error))
            raise NetworkError(f"aiohttp.{type(error).__name__}: {detail}") from error


class RetryingRequest(WrappedRequest):
    """A `BaseRequest` that tries a request again after a 5xx answer or a network error.

    A timeout or a dropped connection after Telegram did the work (the classic lost reply)
    makes a retried sendMessage arrive twice: one extra copy of an answer, where giving up
    would show the person an apology and no answer at all. Edits and button answers are
    harmless to repeat (PTB's "not modified" and "query too old" are tolerated by the
    handlers).
    """

    def __init__(self, inner: BaseRequest, delays: tuple[float, ...] = REPLY_RETRY_DELAYS) -> None:
        super().__init__(inner)
        self._delays = delays

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
        """Send the request, again after each 5xx or network error while retries last."""
        name = url.rsplit("/", 1)[-1]  # the Bot API method: the URL before it holds the token
        for delay in (*self._delays, None):
            try:
                status, body = await self.inner.do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            except NetworkError as error:  # TimedOut included
                if delay is None:
                    raise
                problem = type(error).__name__
            else:
                if status < 500 or delay is None:
                    return status, body
                problem = f"HTTP {status}"
            log.warning("Bot API %s failed (%s): trying again in %.1f s", name, problem, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """The timeout a call asked for, or this transport's default when it asked for none."""
    return default if isinstance(value, DefaultValue) else value


@lru_cache(maxsize=64)
def _timeout(
    pool: float | None, connect: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for one request (a frozen value, so one per combination).

    aiohttp's `connect` covers waiting for a pooled connection and opening it.
    """
    return aiohttp.ClientTimeout(
        total=None,
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """Form fields, as multipart when the request uploads files (as PTB's httpx one does).

    Without files the fields go URL-encoded as bytes: handing aiohttp a dict makes it build
    a FormData and a multipart writer for every request, a tenth of a tap's CPU here.
    """
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return urlencode(fields).encode()
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *mime = part
        form.add_field(name, content, filename=filename, content_type=mime[0] if mime else None)
    return form
