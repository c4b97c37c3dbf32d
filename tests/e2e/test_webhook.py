"""Webhook mode: updates posted to the bot's own server, refused without the secret."""

from __future__ import annotations

import socket

import httpx
import pytest

from bot.config import Settings, SettingsProblem, load_settings
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running

SECRET = "s3cret_Token-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    port = free_port()
    return settings.model_copy(
        update={
            # Telegram posts to the public https address; a TLS proxy forwards to the listener.
            "webhook_url": "https://bot.example.test/telegram/hook",
            "webhook_secret": settings.telegram_bot_token.__class__(SECRET),
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
        }
    )


async def test_updates_with_the_secret_are_handled_and_others_refused(
    simulator: BotApiSimulator, webhook_settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(webhook_settings), httpx.AsyncClient() as client:
        [registered] = simulator.calls("setWebhook")
        assert registered.params["url"] == webhook_settings.webhook_url
        assert registered.params["secret_token"] == SECRET

        url = f"http://127.0.0.1:{webhook_settings.webhook_port}/telegram/hook"
        forged = {"update_id": 1, "message": simulator.send_text(alice.id, "/help")}
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            refused = await client.post(url, json=forged, headers=headers)
            assert refused.status_code == 403

        update = {"update_id": 2, "message": simulator.send_text(alice.id, "/help")}
        accepted = await client.post(
            url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert accepted.status_code == 200
        await alice.expect("What I can do")
        # Only the accepted update was answered.
        helps = [m for m in simulator.bot_messages(alice.id) if "What I can do" in m["text"]]
        assert len(helps) == 1


def test_webhook_without_secret_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAH" + "x" * 32)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with pytest.raises(SettingsProblem, match="WEBHOOK_SECRET is required"):
        load_settings(_env_file=None)
