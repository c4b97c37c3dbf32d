"""Stopping denosumab is never silent, on a real database: saving a regimen that stops it or
switches away from it writes one alert per linked person who gets alerts, in the same
transaction, and plans its delivery; other changes write none, and each alert is checked again
as it goes out."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AlertKind, CareAlert, LinkRole
from bot.services import care_alerts, care_links
from bot.services.care_alerts import Deferred, OutgoingAlert
from bot.services.care_links import Permission
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ALENDRONATE_WEEKLY, ZOLEDRONIC_ACID, register
from tests.services.test_care_links import _linked

ALICE = 1001
CAROL, DR_LEE = 2001, 2002
DENOSUMAB = "denosumab-60-every-6-months-sc"


async def _alerts(session: AsyncSession) -> list[CareAlert]:
    return list(
        await session.scalars(select(CareAlert).where(CareAlert.kind == AlertKind.STOPPED_AGENT))
    )


@pytest.fixture
async def on_denosumab(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    """Alice on denosumab, with Carol (caregiver) and Dr Lee (clinician) linked."""
    await register(session, planner, ALICE, now=clock(), bone=DENOSUMAB)
    await _linked(session, clock, member=CAROL)
    await _linked(session, clock, member=DR_LEE, role=LinkRole.CLINICIAN)


@pytest.mark.usefixtures("on_denosumab")
@pytest.mark.parametrize("new_bone", [None, ZOLEDRONIC_ACID, ALENDRONATE_WEEKLY])
async def test_stopping_or_switching_tells_every_linked_person_once(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, new_bone: str | None
) -> None:
    weekly = new_bone == ALENDRONATE_WEEKLY
    schedule = {"bone_weekday": 0 if weekly else None, "bone_time": time(7, 0) if weekly else None}
    await register(session, planner, ALICE, now=clock(), bone=new_bone, **schedule)
    alerts = await _alerts(session)
    assert len(alerts) == 2  # Carol and Dr Lee
    assert {alert.flag_code for alert in alerts} == {DENOSUMAB}
    for alert in alerts:
        assert planner.jobs[f"alert:{alert.id}"] == clock()
        outgoing = await care_alerts.alert_to_send(session, alert.id, clock())
        if isinstance(outgoing, Deferred):  # the fixed clock is in the night: quiet hours
            assert outgoing.until > clock()
            outgoing = await care_alerts.alert_to_send(session, alert.id, outgoing.until)
        assert isinstance(outgoing, OutgoingAlert)
        assert outgoing.kind is AlertKind.STOPPED_AGENT
        assert outgoing.product is not None
        assert outgoing.product.key == DENOSUMAB
    # Saving the new plan again (a time zone change, say) tells nobody again.
    later = clock() + timedelta(hours=1)
    await register(session, planner, ALICE, now=later, bone=new_bone, **schedule)
    assert len(await _alerts(session)) == 2


@pytest.mark.usefixtures("on_denosumab")
async def test_keeping_denosumab_or_stopping_a_bisphosphonate_tells_nobody(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock(), bone=DENOSUMAB, zone="Europe/Paris")
    assert await _alerts(session) == []
    await register(session, planner, ALICE, now=clock(), bone=ZOLEDRONIC_ACID)
    assert len(await _alerts(session)) == 2
    await register(session, planner, ALICE, now=clock(), bone=None)  # zoledronic acid stopped
    assert len(await _alerts(session)) == 2


@pytest.mark.usefixtures("on_denosumab")
async def test_a_person_who_gets_no_alerts_is_not_told(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    links = await care_links.links_of_patient(session, ALICE)
    carol = next(link for link in links if link.member_name == "Carol")
    for permission in (Permission.MISSED_DOSES, Permission.RED_FLAGS):
        if getattr(carol, permission):
            await care_links.toggle_permission(
                session, telegram_user_id=ALICE, link_id=carol.link_id, permission=permission
            )
    await register(session, planner, ALICE, now=clock(), bone=None)
    [alert] = await _alerts(session)
    assert alert.link_id != carol.link_id
