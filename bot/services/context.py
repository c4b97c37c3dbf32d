"""Services shared by handlers and jobs: one typed object instead of string keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.domain.clock import Clock
from bot.ports import SOLE_PROCESS, Fence, ReminderPlanner


@dataclass(frozen=True)
class Services:
    """Everything a handler or job needs besides the update itself."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    planner: ReminderPlanner
    clock: Clock
    # Whether this process still leads (several processes on one PostgreSQL database).
    fence: Fence = SOLE_PROCESS


class AppState:
    """The application's `bot_data`: empty until post_init installs the services."""

    def __init__(self) -> None:
        self._services: Services | None = None

    def install(self, services: Services) -> None:
        """Attach the services once the engine and scheduler exist."""
        self._services = services

    @property
    def services(self) -> Services:
        """Return the services (post_init has always run before any update)."""
        if self._services is None:
            raise RuntimeError("application used before post_init")
        return self._services
