"""Each person's command menu follows their roles (Bot API command scopes per chat): a
caregiver sees /caring once linked, a clinician /patients, and the patient's default menu
comes back when no link is left."""

from __future__ import annotations

from bot.config import Settings
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running, eventually, register
from tests.e2e.test_caregivers import link
from ui import texts


def _menu(sim: BotApiSimulator, chat_id: int) -> list[str]:
    return [c["command"] for c in sim.commands({"type": "chat", "chat_id": chat_id})]


async def test_caregiver_and_clinician_menus_follow_their_links(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 2001, "Carol")
    doctor = Person(simulator, 2002, "Dr Lee")
    async with bot_running(settings):
        default = [c["command"] for c in simulator.commands()]
        assert "today" in default  # the default menu is the patient's
        await register(alice)
        await link(alice, carol)
        await link(alice, doctor, texts.INVITE_CLINICIAN)

        async def carol_has_hers() -> list[str]:
            return _menu(simulator, carol.id)

        carols = await eventually(carol_has_hers, what="Carol's menu")
        assert "caring" in carols
        assert "today" not in carols
        assert "patients" not in carols
        assert "start" in carols  # she can still set up reminders of her own

        async def doctor_has_his() -> list[str]:
            return _menu(simulator, doctor.id)

        doctors = await eventually(doctor_has_his, what="the clinician's menu")
        assert {"patients", "label", "responses", "export"} <= set(doctors)
        assert "caring" not in doctors  # a caregiver's view: clinicians have /patients
        assert "today" not in doctors
        assert _menu(simulator, alice.id) == []  # a patient only: the default menu

        # Alice removes Carol: Carol's own menu goes, the default is back.
        alice.say("/caregiver")
        alice.press("Carol (caregiver)", await alice.expect("Carol, caregiver"))
        alice.press("Remove Carol", await alice.expect("Tap to switch what they get"))
        alice.press(texts.REMOVE_YES, await alice.expect("Remove Carol?"))
        await carol.expect("Alice removed you as their caregiver")

        async def carols_gone() -> bool:
            return _menu(simulator, carol.id) == []

        await eventually(carols_gone, what="Carol's menu removed")
