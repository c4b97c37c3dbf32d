"""One leader per database: only the leader polls Telegram and runs the scheduler.

Leadership is a PostgreSQL session-level advisory lock, held on a dedicated connection for
as long as the process lives. If the leader dies, the server drops its connection and the
lock with it, and a standby that keeps trying takes over within its retry interval. SQLite
serves one process only, so there the lock is granted at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.db.database import async_url

log = logging.getLogger(__name__)

# An arbitrary key shared by every bonebot process ("bonebot" in ASCII); advisory locks
# are scoped to one database, so bots on different databases do not collide.
LOCK_KEY = 0x626F6E65626F74


class Leadership:
    """Acquire, watch and release the leader lock."""

    def __init__(self, url: str | URL, retry_seconds: float = 2.0) -> None:
        self._url = async_url(url)
        self._retry = retry_seconds
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._watch: asyncio.Task[None] | None = None

    @property
    def needs_lock(self) -> bool:
        """Only PostgreSQL is shared by several processes."""
        return self._url.get_backend_name() == "postgresql"

    async def acquire(self) -> None:
        """Wait until this process is the leader (at once on SQLite)."""
        if not self.needs_lock:
            return
        self._engine = create_async_engine(self._url, poolclass=NullPool)
        announced = False
        while True:
            try:
                if await self._try_lock():
                    log.info("leader: this process polls Telegram and runs the scheduler")
                    return
            except OSError as error:  # database not reachable yet: keep trying
                log.warning("leader lock: database unreachable (%s)", type(error).__name__)
            if not announced:
                log.info("standby: another process leads; retrying every %.0f s", self._retry)
                announced = True
            await asyncio.sleep(self._retry)

    async def _try_lock(self) -> bool:
        assert self._engine is not None
        connection = await self._engine.connect()
        granted = await connection.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
        )
        await connection.commit()  # session-level lock: it outlives the transaction
        if granted:
            self._connection = connection
            return True
        await connection.close()
        return False

    def watch(self, on_lost: Callable[[], None], every_seconds: float = 5.0) -> None:
        """Check the lock's connection now and then; call `on_lost` if it is gone."""
        if self._connection is not None:
            self._watch = asyncio.create_task(self._watch_loop(on_lost, every_seconds))

    async def _watch_loop(self, on_lost: Callable[[], None], every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            try:
                assert self._connection is not None
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
            except Exception:  # any failure means the lock may be gone: stop leading
                log.critical("leader lock lost: stopping so a standby can take over")
                on_lost()
                return

    async def release(self) -> None:
        """Give up leadership (closing the connection releases the lock)."""
        if self._watch is not None:
            self._watch.cancel()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
