"""Telegram updates in, replies out: thin handlers over the services in `bot/`."""

from handlers import (
    bone,
    caregivers,
    checkins,
    data,
    doses,
    general,
    overview,
    pauses,
    registration,
    times,
)
from handlers.common import App


def register_all(app: App) -> None:
    """Register every handler, the catch-alls last (caregivers first: /start <code>)."""
    caregivers.register(app)
    registration.register(app)
    doses.register(app)
    overview.register(app)
    pauses.register(app)
    times.register(app)
    checkins.register(app)
    bone.register(app)
    data.register(app)
    general.register(app)
