"""Health data only in private chats: every patient's and linked person's chat is their own
private chat again; failed invitation codes counted by a keyed hash of the Telegram account

Chats. Before, /start (or accepting an invitation) in a group stored the group's id as the
person's chat, and reminders, alerts and /mydata's files went to the group. In a private
chat the chat's id is the person's Telegram id (`bot.domain.private_chats`), so a chat id
that differs from it names a group, supergroup or channel: it is set back to the person's
id. Not reversible (the group ids are not kept): the downgrade leaves the repaired ids.

Failed codes. `code_attempts.telegram_user_id` becomes `user_key`, the HMAC-SHA256 of the
Telegram id under a secret derived from the bot's token (`bot.domain.invite_codes`), so
the count outlasts the person's erasure and names no account. The migration cannot compute
it (the token is not the database's), so the attempts already counted, at most the last
hour's, are dropped: a limit in progress starts afresh once, at the upgrade.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE patients SET chat_id = telegram_user_id WHERE chat_id <> telegram_user_id")
    op.execute(
        "UPDATE care_links SET member_chat_id = member_telegram_user_id "
        "WHERE member_chat_id <> member_telegram_user_id"
    )
    op.execute("DELETE FROM code_attempts")
    with op.batch_alter_table("code_attempts") as batch:
        batch.drop_index("ix_code_attempts_user_at")
        batch.drop_column("telegram_user_id")
        batch.add_column(sa.Column("user_key", sa.String(length=64), nullable=False))
        batch.create_index("ix_code_attempts_key_at", ["user_key", "attempted_at"], unique=False)


def downgrade() -> None:
    """Attempts keyed by a hash cannot name their account again: they are dropped. The
    repaired chat ids stay: the groups they named are not kept anywhere."""
    op.execute("DELETE FROM code_attempts")
    with op.batch_alter_table("code_attempts") as batch:
        batch.drop_index("ix_code_attempts_key_at")
        batch.drop_column("user_key")
        batch.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=False))
        batch.create_index(
            "ix_code_attempts_user_at", ["telegram_user_id", "attempted_at"], unique=False
        )
