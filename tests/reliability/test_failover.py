"""Failover: two bot processes on one PostgreSQL database; kill the leader, lose nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from bot.config import Settings
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import bot_running, delivered_reminders, eventually, seed_patients
from tests.reliability.test_crash import bot_process, send_times

PATIENTS = 20


async def _log_says(log: Path, words: str) -> bool:
    text = await asyncio.to_thread(lambda: log.read_text() if log.exists() else "")
    return words in text


async def test_standby_takes_over_when_the_leader_dies(
    simulator: BotApiSimulator, postgres_database_url: str, tmp_path: Path
) -> None:
    simulator.rate_limits = RateLimits(global_per_second=30, per_chat_per_second=1)
    settings = Settings(
        telegram_bot_token=simulator.token,
        telegram_api_base_url=simulator.base_url,
        database_url=postgres_database_url,
        leader_retry_seconds=1.0,
        _env_file=None,
    )
    async with bot_running(settings) as app:  # a database with patients due soon
        patients = await seed_patients(app, simulator, PATIENTS, due_in_seconds=14)

    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"
    with bot_process(settings, leader_log) as leader:
        await eventually(lambda: _log_says(leader_log, "leader:"), 30, "the first to lead")
        with bot_process(settings, standby_log) as standby:
            await eventually(lambda: _log_says(standby_log, "standby:"), 30, "the standby")
            assert "leader:" not in standby_log.read_text()

            os.kill(leader.pid, signal.SIGKILL)
            leader.wait(timeout=10)
            killed = time.monotonic()
            await eventually(lambda: _log_says(standby_log, "leader:"), 30, "the takeover")
            takeover = time.monotonic() - killed
            await simulator.wait_for(
                lambda: all(delivered_reminders(simulator, patients).values()),
                timeout=40,
                what="every reminder from the new leader",
            )
            standby.send_signal(signal.SIGTERM)
            standby.wait(timeout=20)

    print(f"failover: standby led {takeover:.1f} s after the leader was killed")
    assert takeover < 30
    times = send_times(simulator)
    assert sorted(times) == sorted(patients)
    assert all(len(sent) == 1 for sent in times.values())  # none lost, none doubled
