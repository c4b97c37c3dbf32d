"""An update python-telegram-bot cannot read is skipped: everyone else is answered, the log
stays small and holds nothing of its content.

Before, one such update wedged every person: PTB reads a getUpdates batch as a whole, so it
logged the whole batch (other people's messages in it) at CRITICAL, kept the offset and
fetched the same batch again at once, forever (50 MB of log in 20 s in the probe that found
it). The simulator serves the malformed update as getUpdates serves any other
(`FaultInjector.malform_updates`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest

from app.logs import LimitRepeats
from bot.config import Settings
from simulator import BotApiSimulator, Malformation, RateLimits
from tests.e2e.helpers import Person, bot_running, eventually
from tests.e2e.test_webhook import SECRET as WEBHOOK_SECRET
from tests.e2e.test_webhook import webhook_settings  # noqa: F401  (a fixture)
from tests.reliability.test_log_privacy import production_logging
from ui import texts

SECRET = "my oncologist said the scan shows a 4 cm mass, please keep this private"
OTHERS = 20


@pytest.mark.parametrize(
    ("poisoned", "how"),
    [("text", Malformation.MISSING_FIELD), ("press", Malformation.WRONG_TYPE)],
)
async def test_a_malformed_update_among_normal_ones_is_skipped_and_stalls_nobody(
    simulator: BotApiSimulator, settings: Settings, poisoned: str, how: Malformation
) -> None:
    simulator.rate_limits = RateLimits(enabled=False)
    token = settings.telegram_bot_token.get_secret_value()
    mallory = Person(simulator, 2000, "Mallory Secretname")
    others = [Person(simulator, 2001 + i, f"Person {i}") for i in range(OTHERS)]
    with production_logging(token) as (output, records):
        async with bot_running(settings):
            mallory.say("hi")  # a newcomer: the welcome with a Start button
            welcome = await mallory.expect(texts.NEWCOMER[:20])
            for person in others[: OTHERS // 2]:
                person.say("/help")
            simulator.faults.malform_updates(1, how)
            if poisoned == "text":
                mallory.say(SECRET)
            else:
                mallory.press(texts.START_BUTTON, welcome)
            [poison] = [u for u in simulator.updates.pending if u["update_id"] == _last(simulator)]
            for person in others[OTHERS // 2 :]:
                person.say("/help")
            mallory.say("/help")
            for person in [*others, mallory]:
                await person.expect("What I can do", timeout=10)

            async def confirmed() -> bool:  # the next poll's offset confirmed it
                return all(
                    u["update_id"] != poison["update_id"] for u in simulator.updates.pending
                )

            await eventually(confirmed, 5, "the malformed update confirmed")
            await asyncio.sleep(0.5)  # time for a wedged poll loop to flood the log

    written = output.getvalue()
    skipped = [text for text in records.of_the_bot() if "could not be read" in text]
    assert len(skipped) == 1, skipped  # logged once, by id and error type
    assert f"update {poison['update_id']} skipped" in skipped[0]
    assert SECRET not in written
    assert "Secretname" not in written
    assert "CRITICAL" not in written
    print(f"poison update ({poisoned}, {how}): {len(written)} bytes of log in all")
    assert len(written) < 20_000


def _poison_posts(simulator: BotApiSimulator, person: Person) -> list[bytes]:
    """Webhook posts nobody can turn into an Update, each holding the person's secret."""

    def message(**change: Any) -> dict[str, Any]:
        sent = dict(simulator.send_text(person.id, SECRET))
        sent.update(change)
        return sent

    return [
        f'{{"update_id": 900, "message": {{"text": "{SECRET}"'.encode(),  # cut short
        b"\xff\xfe" + SECRET.encode("utf-16-le"),  # not UTF-8 at all
        json.dumps([{"update_id": 901, "message": message()}]).encode(),  # not an object
        json.dumps({"update_id": 902, "message": message(chat=7)}).encode(),  # wrong type
        json.dumps({"update_id": 903, "message": message(date="yesterday")}).encode(),
        json.dumps({"update_id": 904, "message": SECRET}).encode(),  # a string, not a message
    ]


async def test_a_webhook_post_that_cannot_be_read_is_answered_logged_once_and_stalls_nobody(
    simulator: BotApiSimulator,
    webhook_settings: Settings,  # noqa: F811
) -> None:
    token = webhook_settings.telegram_bot_token.get_secret_value()
    url = f"http://127.0.0.1:{webhook_settings.webhook_port}/telegram/hook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    mallory = Person(simulator, 2000, "Mallory Secretname")
    others = [Person(simulator, 2001 + i, f"Person {i}") for i in range(OTHERS)]
    with production_logging(token) as (output, records):
        async with bot_running(webhook_settings), httpx.AsyncClient() as client:
            poison = _poison_posts(simulator, mallory)

            async def post(body: bytes) -> int:
                typed = {**headers, "Content-Type": "application/json"}
                return (await client.post(url, content=body, headers=typed)).status_code

            def update(update_id: int, person: Person) -> bytes:
                sent = simulator.send_text(person.id, "/help")
                return json.dumps({"update_id": update_id, "message": sent}).encode()

            normal = [update(1000 + i, person) for i, person in enumerate(others)]
            # The poison among the others' updates, all posted at once.
            statuses = await asyncio.gather(
                *(post(body) for body in normal[: OTHERS // 2]),
                *(post(body) for body in poison),
                *(post(body) for body in normal[OTHERS // 2 :]),
            )
            assert set(statuses) == {200}  # Telegram has nothing to send again
            assert await post(update(2000, mallory)) == 200
            for person in [*others, mallory]:
                await person.expect("What I can do", timeout=10)
            await asyncio.sleep(0.2)  # time for anything late to be logged

    written = output.getvalue()
    skipped = [text for text in records.of_the_bot() if "could not be read" in text]
    assert len(skipped) == len(poison), "\n".join(skipped)  # each once, by id and error type
    assert any("update 902 skipped" in text for text in skipped)
    assert SECRET not in written
    assert "Secretname" not in written
    assert token not in written
    assert "CRITICAL" not in written
    print(f"webhook poison: {len(poison)} posts answered 200, {len(written)} bytes of log")


def _last(simulator: BotApiSimulator) -> int:
    return max(u["update_id"] for u in simulator.updates.pending)


def test_repeated_identical_errors_are_held_back_and_counted() -> None:
    now = [0.0]
    limit = LimitRepeats(per_window=3, window_seconds=60.0, clock=lambda: now[0])

    def record(message: str, level: int = logging.ERROR, **extra: str) -> logging.LogRecord:
        made = logging.LogRecord("bot", level, __file__, 1, message, ("x",), None)
        made.__dict__.update(extra)
        return made

    passed = [limit.filter(record("poll failed: %s")) for _ in range(10)]
    assert passed == [True] * 3 + [False] * 7
    assert limit.filter(record("poll failed: %s", error_type="Other"))  # another error type
    assert limit.filter(record("another failure: %s"))  # other wording
    assert all(limit.filter(record("poll failed: %s", logging.INFO)) for _ in range(10))
    now[0] = 61.0
    again = record("poll failed: %s")
    assert limit.filter(again)
    assert again.getMessage() == "poll failed: x [7 more like this held back]"
