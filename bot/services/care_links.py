"""Linking caregivers and clinicians to a patient, with the patient's consent at each step.

The patient invites (`create_invite`: a single-use code that expires in 24 hours), the
invited person accepts (`accept_invite`), the patient confirms (`confirm_link`); the patient
can unlink anyone and a linked person can leave at any time. Every call names the acting
Telegram user and refuses records that are not theirs: ids in callback data can be forged.
Failed code attempts are counted per person (by a keyed hash of their Telegram account, which
outlasts their erasure) and, past the limit, codes are not looked at.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareLink, CodeAttempt, Invite, LinkRole, LinkStatus, Patient
from bot.domain import invite_codes
from bot.domain.errors import BonebotError, NotYourRecord
from bot.domain.private_chats import private_chat_of
from bot.domain.text_clean import clean_text
from bot.services.regimen import require_patient

log = logging.getLogger(__name__)

NAME_MAX_LENGTH = 64
MISSED_DOSE_DELAYS = (30, 60, 120, 240)  # minutes a patient can choose (or off)


class InvalidCode(BonebotError):
    """The code is unknown, used, revoked or expired (the reply does not say which)."""


class TooManyAttempts(BonebotError):
    """Too many wrong codes lately: codes are not checked until the window passes."""


class OwnCode(BonebotError):
    """A patient opened their own invitation."""


class AlreadyLinked(BonebotError):
    """The invited person is already linked to (or waiting for) this patient."""


class Permission:
    """What a patient can allow a linked person, as stored column names."""

    MISSED_DOSES = "missed_dose_alerts"
    RED_FLAGS = "red_flag_alerts"
    WEEKLY_SUMMARY = "weekly_summary"
    SYMPTOM_LOG = "sees_symptom_log"
    ALL = (MISSED_DOSES, RED_FLAGS, WEEKLY_SUMMARY, SYMPTOM_LOG)


@dataclass(frozen=True)
class LinkView:
    """A link as the two people see it; carries no ORM state."""

    link_id: int
    patient_id: int
    role: LinkRole
    status: LinkStatus
    member_name: str
    patient_name: str
    member_chat_id: int
    patient_chat_id: int
    missed_dose_alerts: bool
    red_flag_alerts: bool
    weekly_summary: bool
    sees_symptom_log: bool


@dataclass(frozen=True)
class AlertSettings:
    """The patient's caregiver-alert settings."""

    missed_dose_alert_minutes: int | None
    quiet_hours_start: time | None
    quiet_hours_end: time | None


def clean_name(name: str | None) -> str:
    """Return a display name safe to store and show: clean (`text_clean.clean_text`, on one
    line), printable, trimmed, bounded."""
    one_line = clean_text(name or "", multiline=False)
    printable = "".join(ch for ch in one_line if ch.isprintable()).strip()
    return printable[:NAME_MAX_LENGTH] or "Someone"


def _view(link: CareLink, patient: Patient) -> LinkView:
    return LinkView(
        link_id=link.id,
        patient_id=patient.id,
        role=LinkRole(link.role),
        status=LinkStatus(link.status),
        member_name=link.member_name,
        patient_name=link.patient_name,
        member_chat_id=link.member_chat_id,
        patient_chat_id=patient.chat_id,
        missed_dose_alerts=link.missed_dose_alerts,
        red_flag_alerts=link.red_flag_alerts,
        weekly_summary=link.weekly_summary,
        sees_symptom_log=link.sees_symptom_log,
    )


# --- Invitations -------------------------------------------------------------------------------


async def create_invite(
    session: AsyncSession,
    telegram_user_id: int,
    role: LinkRole,
    now: datetime,
    inviter_name: str | None = None,
) -> str:
    """Create a single-use invitation for the acting patient; return the code (shown once).

    `inviter_name` (the patient's first name as Telegram gives it) is what the invited
    person is shown: who invites them."""
    patient = await require_patient(session, telegram_user_id)
    code = invite_codes.new_code()
    session.add(
        Invite(
            patient_id=patient.id,
            role=role.value,
            inviter_name=clean_name(inviter_name) if inviter_name else "",
            code_hash=invite_codes.code_hash(code),
            created_at=now,
            expires_at=now + invite_codes.INVITE_LIFETIME,
        )
    )
    await session.commit()
    log.info("invite created for patient %s (%s)", patient.id, role.value)
    return code


async def _failed_attempts(session: AsyncSession, user_key: str, now: datetime) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(CodeAttempt)
            .where(
                CodeAttempt.user_key == user_key,
                CodeAttempt.attempted_at > now - invite_codes.ATTEMPT_WINDOW,
            )
        )
        or 0
    )


async def _record_failure(session: AsyncSession, user_key: str, now: datetime) -> None:
    # Old attempts are only ever counted inside the window: drop them as we go.
    await session.execute(
        delete(CodeAttempt).where(CodeAttempt.attempted_at <= now - invite_codes.ATTEMPT_WINDOW)
    )
    session.add(CodeAttempt(user_key=user_key, attempted_at=now))
    await session.commit()
    log.info("failed invitation code attempt")


async def _usable_invite(
    session: AsyncSession, telegram_user_id: int, code: str, now: datetime, attempt_secret: bytes
) -> tuple[Invite, Patient]:
    """Return the invite a code opens, counting a failure when it opens nothing."""
    user_key = invite_codes.attempt_key(attempt_secret, telegram_user_id)
    if await _failed_attempts(session, user_key, now) >= invite_codes.MAX_FAILED_ATTEMPTS:
        raise TooManyAttempts
    found = None
    if invite_codes.looks_like_code(code):
        found = (
            await session.execute(
                select(Invite, Patient)
                .join(Patient, Patient.id == Invite.patient_id)
                .where(Invite.code_hash == invite_codes.code_hash(code))
            )
        ).first()
    if found is None:
        await _record_failure(session, user_key, now)
        raise InvalidCode
    invite, patient = found
    if invite.used_at is not None or invite.revoked_at is not None or invite.expires_at <= now:
        await _record_failure(session, user_key, now)
        raise InvalidCode
    if patient.telegram_user_id == telegram_user_id:
        raise OwnCode
    return invite, patient


async def _current_link(
    session: AsyncSession, patient_id: int, member_user_id: int
) -> CareLink | None:
    return await session.scalar(
        select(CareLink).where(
            CareLink.patient_id == patient_id,
            CareLink.member_telegram_user_id == member_user_id,
            CareLink.status != LinkStatus.ENDED,
        )
    )


@dataclass(frozen=True)
class InviteView:
    """What an invitation is, as the invited person sees it before accepting."""

    role: LinkRole
    inviter_name: str  # "" for invitations made before names were kept


async def check_invite(
    session: AsyncSession,
    telegram_user_id: int,
    code: str,
    now: datetime,
    *,
    attempt_secret: bytes,
) -> InviteView:
    """Return what a code invites to (role, who invites) before the person accepts, or raise.

    `attempt_secret` (`Settings.code_attempt_secret`) keys the count of failed codes.
    """
    invite, patient = await _usable_invite(session, telegram_user_id, code, now, attempt_secret)
    if await _current_link(session, patient.id, telegram_user_id) is not None:
        raise AlreadyLinked
    return InviteView(LinkRole(invite.role), invite.inviter_name)


async def accept_invite(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    name: str | None,
    code: str,
    now: datetime,
    attempt_secret: bytes,
) -> LinkView:
    """Use up the code and create a link waiting for the patient's confirmation.

    `chat_id` must be the person's private chat (NotAPrivateChat otherwise): alerts go there.
    `attempt_secret` keys the count of failed codes, as for `check_invite`.
    """
    chat_id = private_chat_of(telegram_user_id, chat_id)
    invite, patient = await _usable_invite(session, telegram_user_id, code, now, attempt_secret)
    if await _current_link(session, patient.id, telegram_user_id) is not None:
        raise AlreadyLinked
    role = LinkRole(invite.role)
    # Claim the code only if it is still unused, in the same statement that marks it used:
    # two people accepting it at once both passed the checks above, and the row lock
    # (PostgreSQL) or write lock (SQLite) lets one claim through; the other finds it used.
    claimed = await session.execute(
        update(Invite)
        .where(
            Invite.id == invite.id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        await session.rollback()
        raise InvalidCode
    link = CareLink(
        patient_id=patient.id,
        member_telegram_user_id=telegram_user_id,
        member_chat_id=chat_id,
        role=role.value,
        status=LinkStatus.PENDING,
        member_name=clean_name(name),
        patient_name=invite.inviter_name,
        # Defaults follow the role: clinicians follow the symptom log, not every dose.
        missed_dose_alerts=role is LinkRole.CAREGIVER,
        red_flag_alerts=True,
        weekly_summary=False,
        sees_symptom_log=role is LinkRole.CLINICIAN,
        created_at=now,
    )
    session.add(link)
    await session.commit()
    log.info("invite accepted: link %s waits for patient %s", link.id, patient.id)
    return _view(link, patient)


# --- The patient's side ------------------------------------------------------------------------


async def _patients_link(
    session: AsyncSession, telegram_user_id: int, link_id: int
) -> tuple[CareLink, Patient]:
    found = (
        await session.execute(
            select(CareLink, Patient)
            .join(Patient, Patient.id == CareLink.patient_id)
            .where(CareLink.id == link_id, Patient.telegram_user_id == telegram_user_id)
        )
    ).first()
    if found is None:
        raise NotYourRecord
    return found[0], found[1]


async def confirm_link(
    session: AsyncSession, *, telegram_user_id: int, link_id: int, name: str | None, now: datetime
) -> LinkView:
    """Confirm a waiting link (the acting user must be its patient)."""
    link, patient = await _patients_link(session, telegram_user_id, link_id)
    if link.status != LinkStatus.PENDING:
        raise NotYourRecord
    link.status = LinkStatus.ACTIVE
    link.patient_name = clean_name(name)
    link.confirmed_at = now
    await session.commit()
    log.info("link %s confirmed", link.id)
    return _view(link, patient)


async def refuse_link(
    session: AsyncSession, *, telegram_user_id: int, link_id: int, now: datetime
) -> LinkView:
    """Refuse a waiting link: it ends before it began."""
    link, patient = await _patients_link(session, telegram_user_id, link_id)
    if link.status != LinkStatus.PENDING:
        raise NotYourRecord
    link.status, link.ended_at = LinkStatus.ENDED, now
    await session.commit()
    return _view(link, patient)


async def links_of_patient(session: AsyncSession, telegram_user_id: int) -> list[LinkView]:
    """Return the acting patient's waiting and active links, oldest first."""
    patient = await require_patient(session, telegram_user_id)
    rows = await session.scalars(
        select(CareLink)
        .where(CareLink.patient_id == patient.id, CareLink.status != LinkStatus.ENDED)
        .order_by(CareLink.id)
    )
    return [_view(row, patient) for row in rows]


async def link_of_patient(session: AsyncSession, telegram_user_id: int, link_id: int) -> LinkView:
    """Return one current link of the acting patient."""
    link, patient = await _patients_link(session, telegram_user_id, link_id)
    if link.status == LinkStatus.ENDED:
        raise NotYourRecord
    return _view(link, patient)


async def unlink(
    session: AsyncSession, *, telegram_user_id: int, link_id: int, now: datetime
) -> LinkView:
    """End a link from the patient's side; alerts stop at once."""
    link, patient = await _patients_link(session, telegram_user_id, link_id)
    if link.status == LinkStatus.ENDED:
        raise NotYourRecord
    link.status, link.ended_at = LinkStatus.ENDED, now
    await session.commit()
    log.info("link %s ended by the patient", link.id)
    return _view(link, patient)


async def toggle_permission(
    session: AsyncSession, *, telegram_user_id: int, link_id: int, permission: str
) -> LinkView:
    """Switch one thing the patient lets a linked person receive or see."""
    if permission not in Permission.ALL:
        raise NotYourRecord
    link, patient = await _patients_link(session, telegram_user_id, link_id)
    if link.status == LinkStatus.ENDED:
        raise NotYourRecord
    setattr(link, permission, not getattr(link, permission))
    await session.commit()
    return _view(link, patient)


async def alert_settings(session: AsyncSession, telegram_user_id: int) -> AlertSettings:
    """Return the acting patient's missed-dose delay and quiet hours."""
    patient = await require_patient(session, telegram_user_id)
    return AlertSettings(
        patient.missed_dose_alert_minutes, patient.quiet_hours_start, patient.quiet_hours_end
    )


async def set_missed_dose_delay(
    session: AsyncSession, telegram_user_id: int, minutes: int | None
) -> None:
    """Set how long after a dose's time an unconfirmed dose alerts caregivers (None: off)."""
    if minutes is not None and minutes not in MISSED_DOSE_DELAYS:
        raise ValueError("not an offered delay")
    patient = await require_patient(session, telegram_user_id)
    patient.missed_dose_alert_minutes = minutes
    await session.commit()


async def set_quiet_hours(
    session: AsyncSession, telegram_user_id: int, start: time | None, end: time | None
) -> None:
    """Set the local hours when missed-dose alerts wait (both None: no quiet hours)."""
    if (start is None) != (end is None):
        raise ValueError("quiet hours need a start and an end")
    patient = await require_patient(session, telegram_user_id)
    patient.quiet_hours_start, patient.quiet_hours_end = start, end
    await session.commit()


# --- The linked person's side ------------------------------------------------------------------


async def cared_for(session: AsyncSession, telegram_user_id: int) -> list[LinkView]:
    """Return the active links in which the acting user is the caregiver or clinician."""
    rows = await session.execute(
        select(CareLink, Patient)
        .join(Patient, Patient.id == CareLink.patient_id)
        .where(
            CareLink.member_telegram_user_id == telegram_user_id,
            CareLink.status == LinkStatus.ACTIVE,
        )
        .order_by(CareLink.id)
    )
    return [_view(link, patient) for link, patient in rows]


async def member_link(session: AsyncSession, telegram_user_id: int, link_id: int) -> LinkView:
    """Return an active link only to the person linked by it."""
    found = (
        await session.execute(
            select(CareLink, Patient)
            .join(Patient, Patient.id == CareLink.patient_id)
            .where(
                CareLink.id == link_id,
                CareLink.member_telegram_user_id == telegram_user_id,
                CareLink.status == LinkStatus.ACTIVE,
            )
        )
    ).first()
    if found is None:
        raise NotYourRecord
    return _view(found[0], found[1])


async def leave(
    session: AsyncSession, *, telegram_user_id: int, link_id: int, now: datetime
) -> LinkView:
    """End a link from the linked person's side."""
    link = await session.scalar(
        select(CareLink).where(
            CareLink.id == link_id,
            CareLink.member_telegram_user_id == telegram_user_id,
            CareLink.status != LinkStatus.ENDED,
        )
    )
    if link is None:
        raise NotYourRecord
    patient = await session.get(Patient, link.patient_id)
    assert patient is not None
    link.status, link.ended_at = LinkStatus.ENDED, now
    await session.commit()
    log.info("link %s ended by the linked person", link.id)
    return _view(link, patient)
