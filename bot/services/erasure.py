"""Erase everything held about a person: their patient record, links and jobs.

Deleting the patient row cascades (foreign keys with ON DELETE CASCADE, enforced on SQLite
too) to medications, dose events, check-ins and answers, red-flag episodes, invitations,
links, alerts and the export audit log. Links in which the person is the caregiver or
clinician of someone else are deleted too, and everyone linked is told. Every scheduled job
names the row it works on (`dose:{medication id}` and so on), so the jobs of erased rows are
found from the ids and removed: nothing is left to fire.

The audit entries of exports this person made *as a clinician* stay with the patients whose
data they exported: those records belong to those patients. Failed invitation codes stay for
the rest of their hour: they hold no Telegram account, only a keyed hash of it
(`bot.domain.invite_codes`), and erasing them would let a guesser start again at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Base,
    CareAlert,
    CareLink,
    LinkStatus,
    Patient,
)
from bot.ports import KIND_RULES, JobKind, ReminderPlanner
from bot.services.regimen import find_patient

log = logging.getLogger(__name__)

# Every table some kind of job belongs to (`KIND_RULES`), and the kinds whose jobs carry its
# row ids: a new kind declared in `bot.ports` is erased with its row, with no edit here.
_TABLES: dict[str, type[Base]] = {
    mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers
}
JOB_KINDS_BY_OWNER: dict[type[Base], tuple[JobKind, ...]] = {
    _TABLES[owner]: tuple(kind for kind, rule in KIND_RULES.items() if rule.owner == owner)
    for owner in dict.fromkeys(rule.owner for rule in KIND_RULES.values())
}


@dataclass(frozen=True)
class Notice:
    """Someone to tell that a link ended because the other person erased their data."""

    chat_id: int
    name: str  # the erased person's name as the other side knew it


@dataclass(frozen=True)
class Erasure:
    """What erasure did: whether there was a patient record, and whom to tell."""

    had_patient_record: bool
    links_removed: int
    jobs_removed: int
    notices: tuple[Notice, ...] = field(default_factory=tuple)


async def _ids(session: AsyncSession, model: type[Base], patient_id: int) -> list[int]:
    table = model.__table__
    column = table.c.id if model is Patient else table.c.patient_id
    return list(await session.scalars(select(table.c.id).where(column == patient_id)))


async def erase_person(
    session: AsyncSession, planner: ReminderPlanner, telegram_user_id: int
) -> Erasure:
    """Delete the acting user's patient record, their links both ways, and their jobs."""
    notices: list[Notice] = []
    as_member = list(
        await session.execute(
            select(CareLink, Patient)
            .join(Patient, Patient.id == CareLink.patient_id)
            .where(CareLink.member_telegram_user_id == telegram_user_id)
        )
    )
    for link, linked_patient in as_member:
        if link.status != LinkStatus.ENDED:
            notices.append(Notice(linked_patient.chat_id, link.member_name))
    removed_links = len(as_member)
    member_link_ids = [link.id for link, _ in as_member]
    # Alerts to this person about others go with their links (and their planned deliveries).
    job_ids = [
        JobKind.ALERT.job_id(alert_id)
        for alert_id in await session.scalars(
            select(CareAlert.id).where(CareAlert.link_id.in_(member_link_ids))
        )
    ]
    await session.execute(
        delete(CareLink).where(CareLink.member_telegram_user_id == telegram_user_id)
    )

    patient = await find_patient(session, telegram_user_id)
    if patient is not None:
        for link in await session.scalars(
            select(CareLink).where(CareLink.patient_id == patient.id)
        ):
            removed_links += 1
            if link.status != LinkStatus.ENDED:
                notices.append(Notice(link.member_chat_id, link.patient_name))
        for model, kinds in JOB_KINDS_BY_OWNER.items():
            for row_id in await _ids(session, model, patient.id):
                job_ids += [kind.job_id(row_id) for kind in kinds]
        await session.delete(patient)
    await session.commit()

    existing = planner.planned_ids()
    doomed = [job_id for job_id in job_ids if job_id in existing]
    planner.cancel_jobs(doomed)
    log.info("erased a person: %d links, %d jobs", removed_links, len(doomed))
    return Erasure(patient is not None, removed_links, len(doomed), tuple(notices))
