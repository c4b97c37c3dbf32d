"""Telegram updates in, replies out: thin handlers over the services in `bot/`."""

from handlers import (
    blocking,
    bone,
    care_team,
    caregivers,
    checkins,
    data,
    doses,
    general,
    overview,
    pauses,
    private_chats,
    registration,
    times,
)
from handlers.common import App


def register_all(app: App) -> None:
    """Register every handler behind the private-chat guard, which stands before them all
    (no handler runs for a group, supergroup or channel), the catch-alls last (caregivers
    first: /start <code>)."""
    private_chats.register(app)
    blocking.register(app)
    caregivers.register(app)
    care_team.register(app)
    registration.register(app)
    doses.register(app)
    overview.register(app)
    pauses.register(app)
    times.register(app)
    checkins.register(app)
    bone.register(app)
    data.register(app)
    general.register(app)
