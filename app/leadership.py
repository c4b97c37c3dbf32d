"""One leader per database: only the leader polls Telegram, runs the scheduler and sends.

Leadership is a PostgreSQL session-level advisory lock, held on a dedicated connection. If
the leader dies, the server drops its connection and the lock with it, and a standby that
keeps trying takes over within its retry interval. SQLite serves one process only, so
there the lock is granted at once and never lost.

A leader whose lock is gone while it lives on (its connection was terminated, the network
blipped, the server restarted) must stop at once: `Leadership` is the fence every send
asks (`check`) and every claim of due doses confirms (`epoch`, in
`bot.services.leadership`). It learns of the loss three ways: the driver reports the lock
connection closed (within milliseconds of a terminated backend), the lease renewal every
`lease / 3` seconds fails or finds another term, or the last renewal grows older than the
lease (a stuck connection, a blocked event loop). It then stops sending, and
`app.application` steps down and contends again: the same process leads again as soon as
it can, so one process alone survives a database blip.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.db.database import async_url, is_disconnect
from bot.ports import NotLeader
from bot.services.leadership import end_term, renew_term, take_office

log = logging.getLogger(__name__)

# An arbitrary key shared by every bonebot process ("bonebot" in ASCII); advisory locks
# are scoped to one database, so bots on different databases do not collide.
LOCK_KEY = 0x626F6E65626F74
# The server's keepalive probes on the lock's connection: a leader that vanished without
# closing it (a cut cable) frees the lock in about 10 + 3 x 5 seconds, not the kernel's
# two hours.
_KEEPALIVES = {
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "5",
    "tcp_keepalives_count": "3",
}
# Waits between attempts while the database cannot be reached: they double up to the last.
UNREACHABLE_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


class DatabaseUnreachable(Exception):
    """The database stayed unreachable longer than the outage limit: exit for a restart."""


class Leadership:
    """Acquire, keep and lose the leader lock; the fence every send and claim asks."""

    def __init__(
        self,
        url: str | URL,
        retry_seconds: float = 2.0,
        lease_seconds: float = 3.0,
        outage_limit_seconds: float = 300.0,
    ) -> None:
        self._url = async_url(url)
        self._retry = retry_seconds
        self._lease = lease_seconds
        self._outage_limit = outage_limit_seconds
        # Who holds a term, in the leader_term row: unique even for a restarted process.
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:200]
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._epoch: int | None = None
        self._leading = not self.needs_lock
        self._renewed_at = 0.0  # monotonic time the last successful renewal was sent
        self._lost = asyncio.Event()
        self._released = False

    @property
    def needs_lock(self) -> bool:
        """Only PostgreSQL is shared by several processes."""
        return self._url.get_backend_name() == "postgresql"

    # --- the fence (bot.ports.Fence) ----------------------------------------------------------

    @property
    def epoch(self) -> int | None:
        """The term this process leads in; None on SQLite, where no claim needs confirming."""
        return self._epoch if self.needs_lock else None

    def check(self) -> None:
        """Raise NotLeader unless this process leads and renewed its lease in time."""
        if not self.needs_lock:
            return
        if self._leading and time.monotonic() - self._renewed_at > self._lease:
            self._lose("its lease was not renewed in time")
        if not self._leading:
            raise NotLeader("this process no longer leads")

    def revoke(self) -> None:
        """Stop leading at once: a claim found another process's term."""
        self._lose("another process's term has begun")

    def _lose(self, why: str) -> None:
        if self._released or not self.needs_lock:
            return
        if self._leading:
            log.critical("leader lock lost (%s): sending stopped, contending again", why)
        self._leading = False
        self._lost.set()

    # --- acquiring and keeping the lock ---------------------------------------------------------

    async def acquire(
        self, before_term: Callable[[], Awaitable[None]] | None = None, *, again: bool = False
    ) -> None:
        """Wait until this process leads: at once on SQLite; on PostgreSQL as a standby
        while another process leads, retrying with growing waits while the database cannot
        be reached (DatabaseUnreachable after the outage limit).

        `before_term` runs once the lock is held and before the term begins (the
        migrations, which create the term's table). A successor whose predecessor may still
        be alive waits until that one's lease has run out before it returns. A leader that
        lost the lock contends `again` only after one retry interval: a standby, whose
        connection did not just fail, gets the first chance to take over.
        """
        if not self.needs_lock:
            if before_term is not None:
                await before_term()
            return
        if again:
            await asyncio.sleep(self._retry)
        if self._engine is None:
            self._engine = create_async_engine(
                self._url, poolclass=NullPool, connect_args={"server_settings": _KEEPALIVES}
            )
        announced = False
        failures = 0
        unreachable_since: float | None = None
        while True:
            try:
                wait = await self._try_lock(before_term)
            except Exception as error:
                if not _unreachable(error):
                    raise
                now = time.monotonic()
                unreachable_since = unreachable_since if unreachable_since is not None else now
                if now - unreachable_since > self._outage_limit:
                    raise DatabaseUnreachable(
                        f"no database for {now - unreachable_since:.0f} s"
                    ) from error
                delay = UNREACHABLE_DELAYS[min(failures, len(UNREACHABLE_DELAYS) - 1)]
                failures += 1
                log.warning(
                    "leader lock: database unreachable (%s); again in %.1f s",
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            failures, unreachable_since = 0, None
            if wait is not None and await self._begin(wait):
                return
            if wait is None and not announced:
                log.info("standby: another process leads; retrying every %.0f s", self._retry)
                announced = True
            await asyncio.sleep(self._retry)

    async def _try_lock(self, before_term: Callable[[], Awaitable[None]] | None) -> float | None:
        """Try the lock once; when granted, begin a term and return how long to wait for
        the previous holder's lease (None: another process holds the lock)."""
        assert self._engine is not None
        connection = await self._engine.connect()
        try:
            granted = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            )
            await connection.commit()  # session-level lock: it outlives the transaction
            if not granted:
                await connection.close()
                return None
            if before_term is not None:
                await before_term()
            self._lost = asyncio.Event()
            started = time.monotonic()
            term = await take_office(connection, self.holder, self._lease)
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None

            def closed(_: object) -> None:  # asyncpg calls this once the socket is gone
                if self._connection is connection:  # not one this process closed itself
                    self._lose("its connection closed")

            raw.add_termination_listener(closed)
        except BaseException:
            with contextlib.suppress(Exception):
                await connection.close()
            raise
        self._connection, self._epoch, self._renewed_at = connection, term.epoch, started
        self._keeper = asyncio.create_task(self._keep(term.epoch), name="leader-lease")
        return term.wait_seconds

    async def _begin(self, wait: float) -> bool:
        """Lead once the predecessor's lease has run out; False if the lock went meanwhile."""
        if wait > 0:
            log.info("leader lock taken: waiting %.1f s for the last leader's lease", wait)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._lost.wait()
        if self._lost.is_set():
            await self._drop_connection()
            return False
        self._leading = True
        log.info(
            "leader: this process polls Telegram and runs the scheduler (term %d)", self._epoch
        )
        return True

    async def _keep(self, epoch: int) -> None:
        """Renew the lease every third of it; any failure means the lock may be gone."""
        every = self._lease / 3
        while True:
            await asyncio.sleep(every)
            started = time.monotonic()
            try:
                assert self._connection is not None
                async with asyncio.timeout(every):
                    renewed = await renew_term(self._connection, epoch, self._lease)
            except Exception as error:
                self._lose(f"its connection failed: {type(error).__name__}")
                return
            if not renewed:
                self._lose("another process's term has begun")
                return
            self._renewed_at = started

    async def lost(self) -> None:
        """Return once this process has lost the lead, its lock connection closed (on
        SQLite: never)."""
        if not self.needs_lock:
            await asyncio.Event().wait()
        await self._lost.wait()
        await self._drop_connection()

    async def _drop_connection(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            self._keeper = None
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2.0):
                    await connection.close()

    async def release(self) -> None:
        """Give up leadership: end the term's lease, then close the lock's connection."""
        self._released = True
        self._leading = False
        if self._keeper is not None:
            self._keeper.cancel()
            self._keeper = None
        if self._connection is not None and self._epoch is not None:
            with contextlib.suppress(Exception):  # a lost connection has no lease to give up
                async with asyncio.timeout(2.0):
                    await end_term(self._connection, self._epoch)
        await self._drop_connection()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


def _unreachable(error: BaseException) -> bool:
    """A connection refused, lost or not yet accepted (the server starting up, or out of
    connections: asyncpg's connection errors reach SQLAlchemy unclassified)."""
    return is_disconnect(error) or type(error) is DBAPIError
