"""Health data only in private chats: every patient's and linked person's chat is their
own private chat again

Before, /start (or accepting an invitation) in a group stored the group's id as the
person's chat, and reminders, alerts and /mydata's files went to the group. In a private
chat the chat's id is the person's Telegram id (`bot.domain.private_chats`), so a chat id
that differs from it names a group, supergroup or channel: it is set back to the person's
id. Not reversible (the group ids are not kept): the downgrade leaves the repaired ids.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE patients SET chat_id = telegram_user_id WHERE chat_id <> telegram_user_id")
    op.execute(
        "UPDATE care_links SET member_chat_id = member_telegram_user_id "
        "WHERE member_chat_id <> member_telegram_user_id"
    )


def downgrade() -> None:
    """The repaired chat ids stay: the groups they named are not kept anywhere."""
