"""The courier's own sendMessage against the simulator: each Bot API answer handled as
python-telegram-bot would (it skips PTB's objects, not PTB's answer handling)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from app.flood_control import FloodLimiter
from app.telegram_transport import AiohttpRequest
from scheduler import delivery
from scheduler.delivery import (
    Courier,
    DeliveryDeferred,
    DeliveryRejected,
    RecipientUnreachable,
    markup_json,
)
from simulator import BotApiSimulator, RateLimits
from ui.keyboards.doses import dose_buttons, supplement_buttons

PATIENT = 5001


def _fast_turns() -> delivery.Turns:
    """The flood limiter far above the simulator's limits."""
    return FloodLimiter(1000.0, 1000, 1000.0, 1000).unprompted()


@pytest.fixture
async def courier(simulator: BotApiSimulator) -> AsyncIterator[Courier]:
    """A courier on the bot's transport, paced far above the simulator's limits."""
    simulator.add_user(PATIENT, "Ada", started=True)
    transport = AiohttpRequest(pool_size=4)
    await transport.initialize()
    try:
        yield Courier(transport, f"{simulator.base_url}{simulator.token}", _fast_turns())
    finally:
        await transport.shutdown()


async def test_a_message_arrives_with_its_buttons_and_its_id_comes_back(
    courier: Courier, simulator: BotApiSimulator
) -> None:
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("✅ Taken", callback_data="d:t:1")]])
    message_id = await courier.send_text(PATIENT, "Time for your letrozole", buttons)
    [message] = simulator.bot_messages(PATIENT)
    assert message["message_id"] == message_id
    assert message["text"] == "Time for your letrozole"
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "d:t:1"


async def test_flood_control_is_waited_out_then_the_message_goes(
    courier: Courier, simulator: BotApiSimulator
) -> None:
    simulator.rate_limits = RateLimits(per_chat_per_second=1, per_chat_burst=1)
    await courier.send_text(PATIENT, "first")
    started = time.monotonic()
    await courier.send_text(PATIENT, "second")
    assert time.monotonic() - started >= 0.9  # Telegram said retry_after 1
    assert [c.error_code for c in simulator.calls("sendMessage")] == [None, 429, None]
    assert [m["text"] for m in simulator.bot_messages(PATIENT)] == ["first", "second"]


async def test_a_blocked_patient_is_unreachable(
    courier: Courier, simulator: BotApiSimulator
) -> None:
    simulator.block(PATIENT)
    with pytest.raises(RecipientUnreachable):
        await courier.send_text(PATIENT, "Time for your letrozole")


async def test_a_refused_message_is_not_retried(
    courier: Courier, simulator: BotApiSimulator
) -> None:
    with pytest.raises(DeliveryRejected, match=r"(?i)chat not found"):
        await courier.send_text(999_999, "Time for your letrozole")
    assert len(simulator.calls("sendMessage")) == 1


async def test_nothing_goes_to_a_group_supergroup_or_channel(
    courier: Courier, simulator: BotApiSimulator
) -> None:
    simulator.add_group(-1001234567890, "Family", members=[PATIENT])
    simulator.add_bot_to_group(-1001234567890, by=PATIENT)
    for chat_id in (-1001234567890, -4012345, 0):
        delivered = await courier.deliver(chat_id, "Time for your letrozole")
        assert delivered.outcome is delivery.Outcome.REJECTED
    assert simulator.calls("sendMessage") == []


async def test_server_errors_are_retried_then_deferred(
    courier: Courier, simulator: BotApiSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_SECONDS", (0.0, 0.0, 0.0, 0.0))
    simulator.faults.script("error", method="sendMessage", count=2, status=502)
    message_id = await courier.send_text(PATIENT, "after two bad gateways")
    assert [m["message_id"] for m in simulator.bot_messages(PATIENT)] == [message_id]

    simulator.faults.script("error", method="sendMessage", count=delivery.MAX_ATTEMPTS)
    with pytest.raises(DeliveryDeferred):
        await courier.send_text(PATIENT, "Telegram is down")
    assert len(simulator.bot_messages(PATIENT)) == 1


def test_keyboards_are_written_as_python_telegram_bot_writes_them() -> None:
    web = InlineKeyboardButton("Open", web_app=WebAppInfo("https://example.org/app"))
    keyboards = [
        dose_buttons(42),
        supplement_buttons(7),
        InlineKeyboardMarkup([[InlineKeyboardButton("Site", url="https://example.org")]]),
        InlineKeyboardMarkup([[InlineKeyboardButton("Copy", copy_text=CopyTextButton("x"))]]),
        InlineKeyboardMarkup([[web, InlineKeyboardButton("Pay", pay=True)]]),
        InlineKeyboardMarkup([[InlineKeyboardButton("New", api_kwargs={"future_field": 1})]]),
    ]
    for keyboard in keyboards:
        assert json.loads(markup_json(keyboard)) == keyboard.to_dict()
