"""Database connections lost under a running bot (PostgreSQL): it comes back, and never
sends as a leader it no longer is.

Real `python -m bot` processes against the simulator and one PostgreSQL database. The
server is told to end connections (`pg_terminate_backend`), as a restart, a network blip
or an idle-connection killer would.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bot.config import Settings
from simulator import BotApiSimulator, RateLimits
from tests.conftest import POSTGRES_URL
from tests.e2e.helpers import bot_running, delivered_reminders, eventually, seed_patients
from tests.reliability.test_crash import bot_process, send_times

PATIENTS = 200
OUTAGE = 3.0  # seconds a restarting database refuses connections
# The bound on duplicates: reminders in flight when the fault is seen. The leader learns of
# it within milliseconds (the driver reports the lock's connection closed) and asks the
# fence before every request; requests already sent may still arrive. The courier spaces
# sends 1/30 s apart and the simulator answers in about a millisecond, so one or two are
# in flight at any instant; a reminder sent but not yet recorded is recorded all the same
# (recording is not fenced: it is true), so the next leader does not send it again.
IN_FLIGHT = 3


def _settings(simulator: BotApiSimulator, database_url: str) -> Settings:
    return Settings(
        telegram_bot_token=simulator.token,
        telegram_api_base_url=simulator.base_url,
        database_url=database_url,
        leader_retry_seconds=1.0,
        _env_file=None,
    )


def _terminate(database_url: str, which: str) -> int:
    """End backends of the bot's database (`which`: "all", or "lock" for the leader lock's
    own connection); return how many were ended."""
    plain = database_url.replace("postgresql+psycopg", "postgresql")
    lock_holders = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    query = {
        "all": "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
        "lock": f"SELECT pg_terminate_backend(pid) FROM ({lock_holders}) AS holders",
    }[which]
    with psycopg.connect(plain, autocommit=True) as connection:
        return len(connection.execute(query).fetchall())


def _refuse_connections(database_url: str, refuse: bool) -> None:
    """Make the database refuse (or accept again) every new connection, as a server that
    is restarting does; with `refuse`, end those it has too."""
    name = make_url(database_url).database
    admin = make_url(POSTGRES_URL).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if refuse else "true"}')
        if refuse:
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


async def _log_says(log: Path, words: str, times: int = 1) -> bool:
    text = await asyncio.to_thread(lambda: log.read_text() if log.exists() else "")
    return text.count(words) >= times


async def _seed(simulator: BotApiSimulator, settings: Settings, due_in: float) -> list[int]:
    simulator.rate_limits = RateLimits(global_per_second=30, per_chat_per_second=1)
    async with bot_running(settings) as app:
        return await seed_patients(app, simulator, PATIENTS, due_in_seconds=due_in)


def _delivered(simulator: BotApiSimulator, patients: list[int]) -> int:
    return sum(1 for n in delivered_reminders(simulator, patients).values() if n)


def _duplicates(simulator: BotApiSimulator) -> dict[int, list[float]]:
    """When each chat that got a reminder more than once got it."""
    return {c: s for c, s in send_times(simulator).items() if len(s) > 1}


def _resumed_after(simulator: BotApiSimulator, fault_at: float) -> float:
    """Seconds from the fault to the next reminder sent (how long sending stopped)."""
    after = [t for sent in send_times(simulator).values() for t in sent if t > fault_at + 0.1]
    return min(after) - fault_at


def _check_duplicates(duplicated: dict[int, list[float]], fault_at: float) -> None:
    """A duplicate only of a reminder in flight at the fault: its first copy was sent
    before the fault was seen, and it was sent twice at most."""
    for sent in duplicated.values():
        assert len(sent) == 2, sent
        assert sent[0] <= fault_at + 0.5, "the old leader sent after the fault was seen"
    assert len(duplicated) <= IN_FLIGHT


async def test_every_connection_terminated_mid_burst_loses_no_reminder(
    simulator: BotApiSimulator, postgres_database_url: str, tmp_path: Path
) -> None:
    settings = _settings(simulator, postgres_database_url)
    patients = await _seed(simulator, settings, due_in=6)
    log = tmp_path / "bot.log"

    with bot_process(settings, log) as bot:
        await simulator.wait_for(
            lambda: _delivered(simulator, patients) >= PATIENTS // 4,
            timeout=40,
            what="a quarter of the burst",
        )
        ended = await asyncio.to_thread(_terminate, postgres_database_url, "all")
        fault_at = time.time()
        delivered_at_fault = _delivered(simulator, patients)
        assert ended >= 2, "the bot held fewer connections than expected"

        async def done() -> bool:  # polled: a process exiting is no simulator event
            return _delivered(simulator, patients) == PATIENTS or bot.poll() is not None

        await eventually(done, 60, "every reminder after the connections were terminated")
        assert bot.poll() is None, f"the bot exited with {bot.returncode}"
        assert await _log_says(log, "leader:", times=2), "it did not lead again"
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(bot.wait, 20) == 0  # the loop serves the simulator

    assert delivered_at_fault < PATIENTS, "the burst finished before the fault"
    times = send_times(simulator)
    assert sorted(times) == sorted(patients)  # none lost
    duplicated = _duplicates(simulator)
    print(
        f"lost connections: {ended} terminated after {delivered_at_fault} of {PATIENTS};"
        f" sending again {_resumed_after(simulator, fault_at):.1f} s later;"
        f" 0 lost, {len(duplicated)} doubled"
    )
    _check_duplicates(duplicated, fault_at)


async def test_the_leader_loses_its_lock_connection_mid_burst_with_a_standby_running(
    simulator: BotApiSimulator, postgres_database_url: str, tmp_path: Path
) -> None:
    settings = _settings(simulator, postgres_database_url)
    patients = await _seed(simulator, settings, due_in=20)
    leader_log, standby_log = tmp_path / "leader.log", tmp_path / "standby.log"

    with bot_process(settings, leader_log) as leader:
        await eventually(lambda: _log_says(leader_log, "leader:"), 30, "the first to lead")
        with bot_process(settings, standby_log) as standby:
            await eventually(lambda: _log_says(standby_log, "standby:"), 30, "the standby")
            await simulator.wait_for(
                lambda: _delivered(simulator, patients) >= PATIENTS // 4,
                timeout=40,
                what="a quarter of the burst",
            )
            assert await asyncio.to_thread(_terminate, postgres_database_url, "lock") == 1
            fault_at = time.time()
            delivered_at_fault = _delivered(simulator, patients)
            await simulator.wait_for(
                lambda: _delivered(simulator, patients) == PATIENTS,
                timeout=60,
                what="every reminder after the leader lost its lock",
            )
            took_over = await _log_says(standby_log, "leader:")
            still_running = [process.poll() is None for process in (leader, standby)]
            for process in (leader, standby):
                process.send_signal(signal.SIGTERM)
            stopped = [await asyncio.to_thread(process.wait, 20) for process in (leader, standby)]

    assert delivered_at_fault < PATIENTS, "the burst finished before the fault"
    times = send_times(simulator)
    assert sorted(times) == sorted(patients)  # none lost
    duplicated = _duplicates(simulator)
    print(
        f"split brain: lock connection dropped after {delivered_at_fault} of {PATIENTS};"
        f" the standby sending {_resumed_after(simulator, fault_at):.1f} s later;"
        f" {len(duplicated)} doubled"
    )
    _check_duplicates(duplicated, fault_at)
    assert took_over, "the standby did not take over"
    assert still_running == [True, True], "a process exited"
    assert stopped == [0, 0]


async def test_a_database_that_refuses_connections_for_a_while_loses_no_reminder(
    simulator: BotApiSimulator, postgres_database_url: str, tmp_path: Path
) -> None:
    settings = _settings(simulator, postgres_database_url)
    patients = await _seed(simulator, settings, due_in=6)
    log = tmp_path / "bot.log"

    with bot_process(settings, log) as bot:
        await simulator.wait_for(
            lambda: _delivered(simulator, patients) >= PATIENTS // 4,
            timeout=40,
            what="a quarter of the burst",
        )
        await asyncio.to_thread(_refuse_connections, postgres_database_url, True)
        fault_at = time.time()
        delivered_at_fault = _delivered(simulator, patients)
        await asyncio.sleep(OUTAGE)  # a server restarting
        await asyncio.to_thread(_refuse_connections, postgres_database_url, False)

        async def done() -> bool:
            return _delivered(simulator, patients) == PATIENTS or bot.poll() is not None

        await eventually(done, 60, "every reminder once the database is back")
        assert bot.poll() is None, f"the bot exited with {bot.returncode}"
        assert await _log_says(log, "database unreachable"), "the outage went unnoticed"
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(bot.wait, 20) == 0

    assert delivered_at_fault < PATIENTS, "the burst finished before the fault"
    assert sorted(send_times(simulator)) == sorted(patients)  # none lost
    duplicated = _duplicates(simulator)
    print(
        f"database away {OUTAGE:.0f} s: after {delivered_at_fault} of {PATIENTS}, sending again"
        f" {_resumed_after(simulator, fault_at):.1f} s after it went; 0 lost,"
        f" {len(duplicated)} doubled"
    )
    _check_duplicates(duplicated, fault_at)


async def test_a_database_gone_past_the_outage_limit_ends_the_process_with_status_1(
    simulator: BotApiSimulator, postgres_database_url: str, tmp_path: Path
) -> None:
    settings = _settings(simulator, postgres_database_url)
    await _seed(simulator, settings, due_in=3600)
    log = tmp_path / "bot.log"
    with bot_process(settings, log, {"DATABASE_OUTAGE_SECONDS": "2"}) as bot:
        await eventually(lambda: _log_says(log, "Application started"), 30, "the bot up")
        await asyncio.to_thread(_refuse_connections, postgres_database_url, True)
        try:
            status = await asyncio.to_thread(bot.wait, 30)
        finally:
            await asyncio.to_thread(_refuse_connections, postgres_database_url, False)
    assert status == 1  # for its supervisor to restart it (Restart=always, or on-failure)
    assert await _log_says(log, "leadership cannot be recovered")
