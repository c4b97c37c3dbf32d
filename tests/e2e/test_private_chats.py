"""Health data stays in private chats: in a group, supergroup or channel the bot says once,
with a button to open its private chat, that it works there, and does nothing else.

Before: `/start` in a group registered the group as the patient's chat (reminders went to
the group) and `/mydata` there posted the patient's records for everyone to read. Now one
guard, registered ahead of every handler, stops every update that is not from a person in
their private chat: nothing is read or stored, no file or answer goes to the group.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from telegram.ext import TypeHandler

from app.application import build_application
from bot.config import Settings
from bot.db.models import Base, Patient
from handlers.private_chats import GUARD_GROUP
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running, register, services_of
from ui import texts

FAMILY = -1001234567890  # a supergroup
CLUB = -4012345  # a basic group
NEWS = -1009876543210  # a channel
BOT_LINK = "https://t.me/bonebot_sim_bot"


def notices(sim: BotApiSimulator, chat_id: int) -> list[dict[str, Any]]:
    """The bot's messages in a group chat."""
    return sim.bot_messages(chat_id)


def is_the_notice(message: dict[str, Any]) -> bool:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [b for row in rows for b in row]
    return message["text"] == texts.PRIVATE_CHAT_ONLY and buttons == [
        {"text": texts.OPEN_PRIVATE_CHAT, "url": BOT_LINK}
    ]


async def answered(person: Person) -> None:
    """Wait until the bot has handled everything this person did before (one person's
    updates are handled in order): /help in their private chat, and its reply."""
    person.say("/help")
    await person.expect("What I can do")


async def test_in_groups_and_channels_the_bot_only_points_to_its_private_chat(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    simulator.add_group(FAMILY, "Family", members=[alice.id, bob.id])
    simulator.add_group(CLUB, "Book club", chat_type="group", members=[bob.id])
    simulator.add_group(NEWS, "Clinic news", chat_type="channel", members=[alice.id])
    async with bot_running(settings) as app:
        await register(alice)
        async with services_of(app).sessions() as session:
            before = await _row_counts(session)

        # Added to a group: it says, once, that it works in a private chat.
        simulator.add_bot_to_group(FAMILY, by=alice.id)
        notice = await simulator.wait_for_message(FAMILY, is_the_notice)
        for command in ("/start", "/mydata", "/today", "/symptoms", "/caregiver", "/privacy"):
            simulator.send_text(alice.id, command, chat_id=FAMILY)
        simulator.send_text(bob.id, "/start@bonebot_sim_bot", chat_id=FAMILY)
        simulator.send_text(bob.id, "my knees ache", chat_id=FAMILY, reply_to=notice["message_id"])
        simulator.send_text(alice.id, "/deletemydata", chat_id=FAMILY)
        presses = [
            simulator.press_button(
                person.id, notice["message_id"], data, forge=True, chat_id=FAMILY
            )
            for person in (alice, bob)
            for data in ("del:y", "reg:start", "x:f:0:30:all", "d:t:1", "cg:i")
        ]
        for query_id in presses:  # every press is answered (the spinner stops), in a toast
            answer = await simulator.wait_for_callback_answer(query_id)
            assert answer["text"] == texts.PRIVATE_CHAT_ONLY_SHORT
        await answered(alice)
        await answered(bob)

        # A basic group and a channel get the notice once each as well.
        simulator.add_bot_to_group(CLUB, by=bob.id)
        simulator.send_text(bob.id, "/start", chat_id=CLUB)
        simulator.add_bot_to_group(NEWS, by=alice.id)
        simulator.post_to_channel(NEWS, "/start")
        simulator.post_to_channel(NEWS, "/mydata")
        await simulator.wait_for_message(CLUB, is_the_notice, after=0)
        await simulator.wait_for_message(NEWS, is_the_notice, after=0)
        await answered(bob)

        # Removed and added again: a new arrival, told again.
        simulator.remove_bot_from_group(FAMILY, by=bob.id)
        simulator.add_bot_to_group(FAMILY, by=alice.id)
        await simulator.wait_for(lambda: len(notices(simulator, FAMILY)) == 2, what="again")
        await answered(alice)
        await answered(bob)

        assert [len(notices(simulator, chat)) for chat in (FAMILY, CLUB, NEWS)] == [2, 1, 1]
        assert all(
            is_the_notice(m) for chat in (FAMILY, CLUB, NEWS) for m in notices(simulator, chat)
        )
        groups = (FAMILY, CLUB, NEWS)
        for call in simulator.calls():
            chat_id = call.params.get("chat_id")
            if call.method == "sendMessage" and int(chat_id or 0) in groups:
                assert call.params["text"] == texts.PRIVATE_CHAT_ONLY
            else:
                assert int(chat_id or 0) not in groups, call
        assert simulator.calls("sendDocument") == simulator.calls("sendPhoto") == []
        # Nothing was read into or written to the database for any of it.
        async with services_of(app).sessions() as session:
            assert await _row_counts(session) == before
            [patient] = list(await session.scalars(select(Patient)))
            assert (patient.telegram_user_id, patient.chat_id) == (alice.id, alice.id)
        # Alice's private chat heard nothing of the group's commands.
        private = [m["text"] for m in simulator.bot_messages(alice.id) if "text" in m]
        assert not any("Erase everything?" in text or "Your privacy" in text for text in private)


async def test_one_guard_stands_before_every_handler(settings: Settings) -> None:
    app = build_application(settings)
    groups = sorted(app.handlers)
    assert groups[0] == GUARD_GROUP
    [guard] = app.handlers[GUARD_GROUP]
    assert isinstance(guard, TypeHandler)
    assert all(group > GUARD_GROUP for group in groups[1:])
    assert sum(len(app.handlers[group]) for group in groups[1:]) > 10


async def _row_counts(session: Any) -> dict[str, int]:
    return {
        table.name: await session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }
