"""Revision 0015 repairs the rows that named a group as a person's chat (SQLite and
PostgreSQL): a patient's chat and a linked person's chat become their own private chat,
whose id is their Telegram id; rows already right are left alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import bindparam, text

from bot.db.database import alembic_config, create_sync_engine, upgrade_database
from bot.db.models import UTCDateTime

WHEN = datetime(2031, 2, 1, 10, tzinfo=UTC)
PATIENTS = [  # (id, telegram_user_id, chat_id): a supergroup, a basic group, a private chat
    (1, 1001, -1001234567890),
    (2, 1002, -4012345),
    (3, 1003, 1003),
]
LINKS = [  # (id, patient_id, member_telegram_user_id, member_chat_id)
    (1, 3, 2001, -1009876543210),
    (2, 3, 2002, 2002),
]


def _insert(connection: Any, sql: str, **values: Any) -> None:
    times = [bindparam(name, type_=UTCDateTime()) for name in values if name.endswith("_at")]
    connection.execute(text(sql).bindparams(*times), values)


def test_chats_that_name_a_group_become_the_persons_own(each_database_url: str) -> None:
    command.upgrade(alembic_config(each_database_url), "0013")
    engine = create_sync_engine(each_database_url)
    try:
        with engine.begin() as connection:
            for patient_id, user_id, chat_id in PATIENTS:
                _insert(
                    connection,
                    "INSERT INTO patients (id, telegram_user_id, chat_id, timezone, consent_at, "
                    "created_at) VALUES (:id, :user, :chat, 'Europe/London', :consent_at, "
                    ":created_at)",
                    id=patient_id,
                    user=user_id,
                    chat=chat_id,
                    consent_at=WHEN,
                    created_at=WHEN,
                )
            for link_id, patient_id, member, chat_id in LINKS:
                _insert(
                    connection,
                    "INSERT INTO care_links (id, patient_id, member_telegram_user_id, "
                    "member_chat_id, role, status, member_name, patient_name, "
                    "missed_dose_alerts, red_flag_alerts, weekly_summary, sees_symptom_log, "
                    "created_at) VALUES (:id, :patient, :member, :chat, 'caregiver', "
                    "'active', 'Carol', 'Cleo', true, true, false, false, :created_at)",
                    id=link_id,
                    patient=patient_id,
                    member=member,
                    chat=chat_id,
                    created_at=WHEN,
                )
        upgrade_database(each_database_url)
        with engine.connect() as connection:
            patients = connection.execute(
                text("SELECT id, telegram_user_id, chat_id FROM patients ORDER BY id")
            ).all()
            links = connection.execute(
                text(
                    "SELECT id, member_telegram_user_id, member_chat_id FROM care_links "
                    "ORDER BY id"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in patients] == [(1, 1001, 1001), (2, 1002, 1002), (3, 1003, 1003)]
    assert [tuple(row) for row in links] == [(1, 2001, 2001), (2, 2002, 2002)]
