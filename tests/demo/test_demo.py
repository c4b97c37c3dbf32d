"""The demo without a browser: its page, live stream and time controls against the real bot."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.db.models import DoseStatus
from bot.domain.catalog import get_product
from demo import Demo, DemoClock, PortUnavailable, demo_running
from simulator import BotApiSimulator
from tests.demo.fixtures import (  # noqa: F401 - fixtures
    demo_fixture,
    http_fixture,
    page_stream,
    text_of,
)
from tests.e2e.helpers import Person, dose_events, medication_of, register, settled_events
from ui import texts

ANASTROZOLE = "anastrozole-1-daily-tablet"
LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]


async def _json(response: aiohttp.ClientResponse) -> Any:
    assert response.status == 200, await response.text()
    return await response.json()


async def _run_next(http: aiohttp.ClientSession, demo: Demo) -> dict[str, Any]:
    async with http.post(f"{demo.url}/demo/api/time/next") as response:
        return await _json(response)


async def _schedule(http: aiohttp.ClientSession, demo: Demo, user_id: int) -> dict[str, Any]:
    async with http.get(f"{demo.url}/demo/api/schedule", params={"user": user_id}) as response:
        return await _json(response)


async def _registered(demo: Demo, person: Person) -> int:
    """Register anastrozole alone at 09:00 London by tapping; return the medication id."""
    await register(person, ai="Anastrozole", ai_time="09:00", bone_family=None, zone="London")
    return (await medication_of(demo.app, person.id, ANASTROZOLE)).id


async def test_the_page_and_its_files_are_served_by_the_package_and_need_no_network(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    bodies = []
    for path, kind in [
        ("/", "text/html"),
        ("/demo/static/app.js", "text/javascript"),
        ("/demo/static/style.css", "text/css"),
    ]:
        async with http.get(demo.url + path) as response:
            assert response.status == 200
            assert response.content_type == kind
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
            bodies.append(await response.text())
    html = bodies[0]
    assert 'name="viewport"' in html
    assert "Run the next scheduled job now" in html
    assert "Demo only" in html
    for body in bodies:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", body), "no CDN, no network"
    async with http.get(f"{demo.url}/demo/static/runner.py") as response:
        assert response.status == 404


async def test_the_stream_starts_with_a_snapshot_then_shows_the_chat_live(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    async with page_stream(http, demo.url, 1001, "Alice") as stream:
        snapshot = await stream.next("snapshot")
        assert snapshot["user"]["first_name"] == "Alice"
        assert snapshot["messages"] == []
        assert [c["command"] for c in snapshot["commands"]] == [n for n, _ in texts.COMMANDS]
        assert snapshot["schedule"]["ready"] is True
        assert snapshot["schedule"]["jobs"] == []

        async with http.post(
            f"{demo.url}/_sim/users/1001/text", json={"text": "/start"}
        ) as response:
            await _json(response)
        mine = await stream.next("message", lambda m: not m["from"]["is_bot"])
        assert mine["text"] == "/start"
        consent = await stream.next("message", lambda m: "Is that all right?" in text_of(m))
        labels = [b["text"] for row in consent["reply_markup"]["inline_keyboard"] for b in row]
        assert texts.CONSENT_YES in labels

    # A second tab for the same person carries on the same chat; nobody else sees it.
    async with page_stream(http, demo.url, 1001, "Someone else") as again:
        snapshot = await again.next("snapshot")
        assert (snapshot["user"]["first_name"], snapshot["user"]["started"]) == ("Alice", True)
        assert any("Is that all right?" in text_of(m) for m in snapshot["messages"])
    async with page_stream(http, demo.url, 1002, "Bob") as bob:
        assert (await bob.next("snapshot"))["messages"] == []


async def test_run_next_moves_demo_time_to_the_reminder_and_taken_edits_it(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    alice = Person(demo.sim, 1001, "Alice")
    medication_id = await _registered(demo, alice)
    name = get_product(ANASTROZOLE).name

    schedule = await _schedule(http, demo, alice.id)
    assert schedule["zone"] == "Europe/London"
    # The dose reminder (the first scan reminder, a fortnight out, is the other job).
    [job] = [job for job in schedule["jobs"] if job["id"].startswith("dose:")]
    assert job["id"] == f"dose:{medication_id}"
    assert job["what"] == f"Alice: reminder to take {name}"
    first = _aware(job["at"])
    assert first.astimezone(LONDON).time().isoformat() == "09:00:00"
    assert timedelta(0) < first - demo.clock() <= timedelta(days=1)

    async with page_stream(http, demo.url, alice.id, "Alice") as stream:
        await stream.next("snapshot")
        ran = await _run_next(http, demo)
        assert ran["ran"]["id"] == f"dose:{medication_id}"
        assert name in ran["message"]
        reminder = await stream.next("message", lambda m: "Time for your" in text_of(m))
        assert "late" not in reminder["text"]
        assert first <= demo.clock() < first + timedelta(minutes=1)

        # The page's schedule follows: tomorrow's 09:00, not 09:00 plus the jump.
        tomorrow = _next_day_at_nine(first)
        await stream.next(
            "schedule", lambda s: (f"dose:{medication_id}", tomorrow.isoformat()) in _jobs(s)
        )

        # Answering follows demo time too: the edit says it was taken at 09:00.
        alice.press("✅ Taken", reminder)
        edited = await stream.next("edited", lambda m: m["message_id"] == reminder["message_id"])
        assert "taken at 09:0" in edited["text"]

    after = await _schedule(http, demo, alice.id)
    doses = [job for job in _jobs(after) if job[0].startswith("dose:")]
    assert doses == [(f"dose:{medication_id}", tomorrow.isoformat())]
    # The other job is the first scan reminder (no scan on record), named for the page.
    [scan] = [job for job in after["jobs"] if job["id"].startswith("dxa:")]
    assert scan["what"] == "Alice: bone density scan reminder"


async def test_run_next_twice_gives_reminders_on_two_consecutive_days(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    alice = Person(demo.sim, 1001, "Alice")
    medication_id = await _registered(demo, alice)

    await _run_next(http, demo)
    first = await alice.expect("Time for your")
    alice.press("✅ Taken", first)
    await alice.expect("taken at")
    await settled_events(demo.app, medication_id, DoseStatus.TAKEN)

    ran = await _run_next(http, demo)
    assert ran["ran"]["id"] == f"dose:{medication_id}"
    second = await alice.expect("Time for your")
    assert second["message_id"] != first["message_id"]

    events = await settled_events(demo.app, medication_id, DoseStatus.TAKEN, DoseStatus.SENT)
    assert [e.status for e in events] == [DoseStatus.TAKEN, DoseStatus.SENT]
    assert events[1].local_date - events[0].local_date == timedelta(days=1)
    assert [e.due_at.astimezone(LONDON).hour for e in events] == [9, 9]
    assert not any(e.late for e in events)


async def test_unanswered_reminder_is_asked_about_once_more_before_the_next_day(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    alice = Person(demo.sim, 1001, "Alice")
    medication_id = await _registered(demo, alice)

    await _run_next(http, demo)
    await alice.expect("Time for your")
    [event] = await settled_events(demo.app, medication_id, DoseStatus.SENT)

    recheck = await _run_next(http, demo)
    assert recheck["ran"]["id"] == f"recheck:{event.id}"
    assert recheck["ran"]["what"].startswith("Alice: ask once more about")
    await alice.expect("Did you take your")
    assert demo.clock() - event.due_at >= timedelta(minutes=120)

    tomorrow = await _run_next(http, demo)
    assert tomorrow["ran"]["id"] == f"dose:{medication_id}"
    await alice.expect("Time for your")
    days = [e.local_date for e in await dose_events(demo.app, medication_id)]
    assert days == [days[0], days[0] + timedelta(days=1)]


async def test_a_job_due_by_demo_time_runs_without_waiting_for_the_wall_clock(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    alice = Person(demo.sim, 1001, "Alice")
    await _registered(demo, alice)
    [job] = [
        j for j in (await _schedule(http, demo, alice.id))["jobs"] if j["id"].startswith("dose:")
    ]

    # No button: demo time alone passes the reminder's time (the scheduler's wall clock doesn't).
    demo.timekeeper.jump_to(_aware(job["at"]) + timedelta(minutes=1))
    reminder = await alice.expect("Time for your", timeout=10)
    assert "late" not in reminder["text"]


async def test_run_next_with_nothing_scheduled_says_what_to_do(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    ran = await _run_next(http, demo)
    assert ran["ran"] is None
    assert "Nothing is scheduled yet" in ran["message"]
    assert demo.clock.offset == timedelta(0)


async def test_documents_and_photos_the_bot_sends_reach_the_page(
    demo: Demo, http: aiohttp.ClientSession
) -> None:
    async with page_stream(http, demo.url, 1001, "Alice") as stream:
        await stream.next("snapshot")
        demo.sim.send_text(1001, "/help")  # opens the chat, as any first message does
        await stream.next("message", lambda m: m["from"]["is_bot"])
        await demo.app.bot.send_document(1001, b"%PDF-1.4 demo", filename="history.pdf")
        document = (await stream.next("message", lambda m: "document" in m))["document"]
        await demo.app.bot.send_photo(1001, PNG, caption="Your week")
        photo = await stream.next("message", lambda m: "photo" in m)

    assert document["file_name"] == "history.pdf"
    async with http.get(f"{demo.url}/_sim/files/{document['file_id']}") as response:
        assert await response.read() == b"%PDF-1.4 demo"
    async with http.get(f"{demo.url}/_sim/files/{photo['photo'][-1]['file_id']}") as response:
        assert await response.read() == PNG


def test_demo_time_only_moves_forward() -> None:
    real = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    clock = DemoClock(lambda: real)
    clock.jump_to(real + timedelta(days=2))
    clock.jump_to(real + timedelta(hours=1))  # going back would replay reminders
    assert clock() == real + timedelta(days=2)


async def test_a_busy_port_is_reported_in_one_line(database_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortUnavailable, match=f"cannot serve on 127.0.0.1:{port}"):
            async with demo_running(port=port, database_url=database_url):
                pass


def test_time_controls_exist_only_in_demo_mode() -> None:
    routes = {r.resource.canonical for r in BotApiSimulator().build_app().router.routes()}
    assert not any(route.startswith("/demo") for route in routes)
    for package in ("bot", "ui", "handlers", "scheduler", "app"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "app" / "cli.py":
                continue  # `python -m bot demo` imports it only when asked for the demo
            imports_demo = re.search(r"^\s*(from|import) demo\b", path.read_text(), re.M)
            assert not imports_demo, f"{path} must not load the demo"


async def test_python_m_bot_demo_needs_no_token_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE_URL")
    }
    env.update(TMPDIR=str(scratch), PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        "--port",
        "0",
        cwd=tmp_path,  # no .env here, and none would be read
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_default_ctrl_c,  # a shell may have left Ctrl-C ignored
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(30):
            first = (await process.stdout.readline()).decode()
        match = re.search(r"open (http://127\.0\.0\.1:\d+)/", first)
        assert match, first
        async with http.get(match[1] + "/") as response:
            assert response.status == 200
        assert any(scratch.iterdir()), "the throw-away database lives in the temp folder"
        async with page_stream(http, match[1], 1001, "Alice") as stream:
            await stream.next("snapshot")
            process.send_signal(signal.SIGINT)  # with a page still open
            async with asyncio.timeout(15):
                rest, errors = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, errors.decode()
    assert "stopped" in rest.decode()
    assert not any(scratch.iterdir()), "the throw-away database is deleted"


def _default_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _jobs(schedule: dict[str, Any]) -> list[tuple[str, str]]:
    return [(job["id"], _aware(job["at"]).astimezone(UTC).isoformat()) for job in schedule["jobs"]]


def _aware(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _next_day_at_nine(first: datetime) -> datetime:
    """09:00 London on the day after `first` (23 or 25 hours later across a clock change)."""
    local = first.astimezone(LONDON) + timedelta(days=1)
    return local.replace(hour=9, minute=0, second=0, microsecond=0).astimezone(UTC)


# A 1x1 PNG, as a photo the bot could send.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e0d1a10000000049454e44ae426082"
)
