"""Benchmarks of the delivery path and the bot at scale: figures printed, never asserted.

    .venv/bin/python -m benchmarks.run all              # every benchmark, default sizes
    .venv/bin/python -m benchmarks.run peak --patients 3000
    .venv/bin/python -m benchmarks.run headroom --patients 5000
    .venv/bin/python -m benchmarks.run interaction --users 200 [--postgres URL]
    .venv/bin/python -m benchmarks.run scale --patients 100000

Peak, headroom and interaction run the simulator in its own process, and interaction runs
the simulated people in a third (benchmarks.people), so the bot has a core to itself; scale
runs the simulator in the bot's process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr
from sqlalchemy import insert, select, update

from app.application import build_application, running
from bot.config import Settings
from bot.db.models import Medication, MedicationRole, Patient
from bot.ports import JobKind
from handlers.common import App
from simulator import DEFAULT_TOKEN, BotApiSimulator, RateLimits

ZONE = "Europe/London"
PRODUCT = "anastrozole-1-daily-tablet"
REMINDER = "Time for your"
# A person reads a question and picks one of four or five big buttons: a few seconds. The
# README also gives a run at 1 s a tap (--think 1), which loads the bot about 3 times more.
THINK_SECONDS = 3.0


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def simulator_process(port: int) -> Iterator[str]:
    """Run the Bot API simulator as its own process; yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/_sim/state", timeout=1).is_success:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def settings_for(base: str, database_url: str, per_second: float, per_chat: float) -> Settings:
    """Settings for a benchmark bot."""
    # pydantic-settings takes `_env_file` in __init__, but mypy sees only the signature
    # dataclass_transform derives from the fields.
    return Settings(  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(DEFAULT_TOKEN),
        telegram_api_base_url=f"{base}/bot",
        database_url=database_url,
        send_per_second=per_second,
        send_per_chat_per_second=per_chat,
        log_level="WARNING",
        _env_file=None,
    )


@contextlib.asynccontextmanager
async def bot(settings: Settings) -> AsyncIterator[App]:
    """Run the real bot application until the block ends."""
    app = build_application(settings)
    async with running(app, poll_timeout=1) as started:
        yield started


async def insert_patients(app: App, first_user: int, count: int, at: wall_time) -> list[int]:
    """Bulk-insert registered patients with one daily medicine each; return medication ids."""
    sessions = app.bot_data.services.sessions
    now = datetime.now(UTC)
    async with sessions() as session:
        for start in range(0, count, 5000):
            users = range(first_user + start, first_user + min(count, start + 5000))
            await session.execute(
                insert(Patient),
                [
                    {
                        "telegram_user_id": user,
                        "chat_id": user,
                        "timezone": ZONE,
                        "consent_at": now,
                        "created_at": now,
                    }
                    for user in users
                ],
            )
        pairs = await session.execute(select(Patient.telegram_user_id, Patient.id))
        ids = {user: patient_id for user, patient_id in pairs}
        rows = [
            {
                "patient_id": ids[user],
                "role": MedicationRole.AROMATASE_INHIBITOR,
                "product_key": PRODUCT,
                "frequency": "daily",
                "time_of_day": at,
                "active": True,
                "started_at": now,
            }
            for user in range(first_user, first_user + count)
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Medication), rows[start : start + 5000])
        await session.commit()
        return list(await session.scalars(select(Medication.id).order_by(Medication.id)))


async def make_all_due(app: App, medication_ids: list[int], lead: float) -> datetime:
    """Move every dose to the same second `lead` seconds ahead and plan the jobs there."""
    due = (datetime.now(UTC) + timedelta(seconds=lead)).replace(microsecond=0)
    local = due.astimezone(ZoneInfo(ZONE)).time()
    services = app.bot_data.services
    async with services.sessions() as session:
        await session.execute(update(Medication).values(time_of_day=local))
        await session.commit()
    for medication_id in medication_ids:
        services.planner.plan(JobKind.DOSE, medication_id, due)
    return due


async def add_users(client: httpx.AsyncClient, base: str, first: int, count: int) -> None:
    """Create simulator users who have started the bot, a few hundred requests at a time."""
    for start in range(first, first + count, 200):
        await asyncio.gather(
            *(
                client.post(
                    f"{base}/_sim/users", json={"id": uid, "first_name": "P", "started": True}
                )
                for uid in range(start, min(first + count, start + 200))
            )
        )


async def reminder_calls(
    client: httpx.AsyncClient, base: str, after: int = 0
) -> list[dict[str, Any]]:
    """The sendMessage calls the simulator received after seq `after` (outcome and time)."""
    reply = await client.get(
        f"{base}/_sim/sent", params={"method": "sendMessage", "after": after}, timeout=60
    )
    return list(reply.json()["calls"])


async def delivery_run(count: int, limited: bool, label: str) -> None:
    """Seed `count` patients due in the same second and measure how the burst drains."""
    port = free_port()
    with simulator_process(port) as base, tempfile.TemporaryDirectory() as folder:
        async with httpx.AsyncClient(timeout=30) as client:
            limits = {"enabled": limited, "global_per_second": 30, "per_chat_per_second": 1}
            await client.post(f"{base}/_sim/rate_limits", json=limits)
            await add_users(client, base, 1_000_000, count)
            per_second = 30.0 if limited else 1_000_000.0
            settings = settings_for(base, f"sqlite:///{folder}/bench.sqlite3", per_second, 1.0)
            async with bot(settings) as app:
                medications = await insert_patients(app, 1_000_000, count, wall_time(23, 59))
                cpu_before = time.process_time()
                due = await make_all_due(app, medications, lead=5 + count * 0.002)
                deadline = time.monotonic() + 60 + count / 20
                calls: list[dict[str, Any]] = []
                # Only the calls since the last look: this runs in the bot's process, and
                # re-reading thousands of calls every second would take the bot's CPU.
                while time.monotonic() < deadline:
                    calls += await reminder_calls(client, base, calls[-1]["seq"] if calls else 0)
                    if sum(1 for c in calls if c["ok"]) >= count:
                        break
                    await asyncio.sleep(1)
                cpu = time.process_time() - cpu_before
        report_delivery(label, count, calls, due, limited, cpu)


def report_delivery(
    label: str, count: int, calls: list[dict[str, Any]], due: datetime, limited: bool, cpu: float
) -> None:
    """Print the figures of one delivery run."""
    sent = sorted(
        (c["time"], int(c["params"]["chat_id"]))
        for c in calls
        if c["ok"] and REMINDER in str(c["params"].get("text"))
    )
    floods = sum(1 for c in calls if c["error_code"] == 429)
    chats = [chat for _, chat in sent]
    lost, duplicated = count - len(set(chats)), len(chats) - len(set(chats))
    lateness = [t - due.timestamp() for t, _ in sent]
    span = sent[-1][0] - sent[0][0] if len(sent) > 1 else 0.0
    rate = (len(sent) - 1) / span if span else float("nan")
    print(f"\n== {label}: {count} patients due in the same second ==")
    if limited:
        print(f"send rate            {rate:8.1f} msg/s = {rate / 30:.2f} of the 30/s limit")
    else:
        print(f"send rate            {rate:8.1f} msg/s (limits off)")
    print(f"bot CPU during burst {cpu:8.1f} s for {span:.1f} s of sending")
    if lateness:
        median = statistics.median(lateness)
        print(
            f"lateness             first {lateness[0]:.2f} s, median {median:.2f} s, "
            f"last {lateness[-1]:.2f} s"
        )
    print(f"flood errors (429)   {floods}")
    print(f"lost / duplicated    {lost} / {duplicated}")


async def interaction(task: str, users: int, database_url: str, label: str, think: float) -> None:
    """Simulated people (another process) use the bot at once; time each answer.

    `taken`: everyone presses Taken on a reminder in the same instant. `checkin`: everyone
    opens a symptom check-in within the same few seconds and answers it, taking `think` s
    (+-50%) to read each question and tap.
    """
    first = 2_000_000 if task == "taken" else 4_000_000
    port = free_port()
    with simulator_process(port) as base:
        async with httpx.AsyncClient(timeout=30) as client:
            await client.post(f"{base}/_sim/rate_limits", json={"enabled": False})
            await add_users(client, base, first, users)
        settings = settings_for(base, database_url, 1_000_000.0, 1000.0)
        async with bot(settings) as app:
            medications = await insert_patients(app, first, users, wall_time(23, 59))
            if task == "taken":
                await make_all_due(app, medications, lead=3)
            cpu_before = time.process_time()
            figures = await play_people(base, first, users, task, think)
            cpu = time.process_time() - cpu_before
    latencies = sorted(figures["latencies"])
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    if task == "taken":
        print(f"\n== interaction ({label}): {users} users press Taken at once ==")
    else:
        print(
            f"\n== interaction ({label}): {users} users do a check-in at once, "
            f"~{think:g} s per tap =="
        )
    elapsed = figures["elapsed"]
    print(
        f"answers              {len(latencies)} in {elapsed:.1f} s "
        f"({len(latencies) / elapsed:.0f}/s); bot CPU {cpu * 1000 / len(latencies):.1f} ms each"
    )
    print(
        f"update to reply      p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms"
    )


async def play_people(
    base: str, first: int, count: int, task: str, think: float
) -> dict[str, Any]:
    """Run benchmarks.people in its own process; return the figures it prints."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.people",
        task,
        f"--base={base}",
        f"--first={first}",
        f"--count={count}",
        f"--think={think}",
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"benchmarks.people failed with exit code {process.returncode}")
    return dict(json.loads(output))


async def scale(patients: int) -> None:
    """Start the bot on a database of many patients: time to ready, memory, size."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        async with BotApiSimulator(rate_limits=RateLimits(enabled=False)) as sim:
            settings = settings_for(sim.url, url, 30.0, 1.0)
            async with bot(settings) as app:
                await insert_patients(app, 3_000_000, patients, wall_time(23, 59))
            for label in ("first start after the import", "restart"):
                started = time.monotonic()
                async with bot(settings):
                    ready = time.monotonic() - started
                    rss = _rss_mb()
                print(f"\n== scale: {patients} registered patients, {label} ==")
                print(f"start to ready       {ready:.1f} s")
                print(f"resident memory      {rss:.0f} MB now, {_peak_mb():.0f} MB peak")
        sizes = _folder_size(Path(folder))
        print(f"database size        {sizes / 1e6:.0f} MB (with the job store)")


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir())


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("which", choices=["peak", "headroom", "interaction", "scale", "all"])
    parser.add_argument("--patients", type=int)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--think",
        type=float,
        default=THINK_SECONDS,
        help="seconds a person takes to read and tap, +-50%% (check-in)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL"),
        help="PostgreSQL URL for the interaction benchmark (an empty database)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    if args.which in ("peak", "all"):
        asyncio.run(delivery_run(args.patients or 3000, True, "peak minute, limits on"))
    if args.which in ("headroom", "all"):
        asyncio.run(delivery_run(args.patients or 5000, False, "headroom, limits off"))
    if args.which in ("interaction", "all"):
        for task in ("taken", "checkin"):
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/bench.sqlite3"
                asyncio.run(interaction(task, args.users, url, "SQLite", args.think))
            if args.postgres:
                asyncio.run(interaction(task, args.users, args.postgres, "PostgreSQL", args.think))
    if args.which in ("scale", "all"):
        asyncio.run(scale(args.patients or 100_000))


if __name__ == "__main__":
    main()
