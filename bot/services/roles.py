"""Which roles a person has in the bot: patient, caregiver, clinician (any mix).

The command menu follows them (`handlers.menus`): each person sees the commands of the
roles they hold, through Bot API command scopes per chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareLink, LinkRole, LinkStatus, Patient


@dataclass(frozen=True)
class Roles:
    """The roles one Telegram user holds now."""

    patient: bool = False
    caregiver: bool = False
    clinician: bool = False

    @property
    def patient_only(self) -> bool:
        """Tell whether the default menu (the patient's) is the right one."""
        return not (self.caregiver or self.clinician)


async def roles_of(session: AsyncSession, chat_id: int) -> Roles:
    """Return the roles of the person in a private chat (chat id = user id)."""
    patient = await session.scalar(select(Patient.id).where(Patient.chat_id == chat_id))
    links = set(
        await session.scalars(
            select(CareLink.role).where(
                CareLink.member_chat_id == chat_id, CareLink.status == LinkStatus.ACTIVE
            )
        )
    )
    return Roles(
        patient=patient is not None,
        caregiver=LinkRole.CAREGIVER in links,
        clinician=LinkRole.CLINICIAN in links,
    )
