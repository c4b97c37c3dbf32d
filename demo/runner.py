"""Start everything the demo needs in one event loop: simulator, bot, chat page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from app.application import build_application, running
from app.logs import configure_logging
from bot.config import SettingsProblem, load_settings
from demo.server import DemoSite
from demo.timekeeper import DemoClock, Timekeeper
from handlers.common import App
from scheduler.planner import ApschedulerPlanner
from simulator import DEFAULT_TOKEN, BotApiSimulator, RateLimits

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080
PEOPLE = ((1001, "Alice", "patient"), (1002, "Bob", "caregiver"), (1003, "Dr Chen", "clinician"))


class PortUnavailable(Exception):
    """The chat page's address cannot be served (the port is taken, or the host is wrong)."""


@dataclass(frozen=True)
class Demo:
    """A running demo: where the page is, and its parts (for tests)."""

    url: str
    sim: BotApiSimulator
    app: App
    clock: DemoClock
    timekeeper: Timekeeper


@asynccontextmanager
async def demo_running(
    host: str = "127.0.0.1", port: int = 0, database_url: str | None = None
) -> AsyncIterator[Demo]:
    """Run the simulator, the real bot against it and the chat page until the block ends.

    Without `database_url` the bot uses a throw-away SQLite database, deleted afterwards.
    """
    with contextlib.ExitStack() as scratch:
        if database_url is None:
            folder = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="bonebot-")))
            database_url = f"sqlite+aiosqlite:///{folder / 'demo.sqlite3'}"
        # Bursts allow a person tapping quickly; Telegram's steady limits still apply.
        sim = BotApiSimulator(token=DEFAULT_TOKEN, rate_limits=RateLimits(per_chat_burst=20))
        site = DemoSite(sim)
        web_app = sim.build_app()
        web_app.add_routes(site.routes())
        try:
            await sim.start(host, port, app=web_app)
        except OSError as error:
            raise PortUnavailable(
                f"cannot serve on {host}:{port} ({error.strerror or error})"
            ) from None
        try:
            settings = load_settings(
                _env_file=None,  # the demo never reads a real bot's .env (token, database)
                telegram_bot_token=sim.token,
                telegram_api_base_url=sim.base_url,
                database_url=database_url,
            )
            clock = DemoClock()
            app = build_application(settings, clock)
            async with running(app, poll_timeout=2) as started:
                planner = started.bot_data.services.planner
                assert isinstance(planner, ApschedulerPlanner)
                timekeeper = Timekeeper(clock, planner)
                timekeeper.start()
                site.attach(started, timekeeper)
                try:
                    yield Demo(sim.url, sim, started, clock, timekeeper)
                finally:
                    site.close()
                    await timekeeper.stop()
        finally:
            site.close()
            await sim.stop()


async def serve(host: str, port: int, database_url: str | None) -> None:
    """Run the demo until cancelled (Ctrl-C), telling the visitor where to look."""
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # no such signal handling on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with demo_running(host, port, database_url) as demo:
        others = " or ".join(
            f"{demo.url}/?{urlencode({'user': uid, 'name': name})} ({role})"
            for uid, name, role in PEOPLE[1:]
        )
        print(
            f"bonebot demo is running: open {demo.url}/ in your browser.\n"
            f"To play another person, open another tab: {others}.\n"
            f"Database: {'DATABASE_URL' if database_url else 'a throw-away SQLite file'}. "
            "Press Ctrl-C to stop.",
            flush=True,
        )
        await stop.wait()


def main(host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> int:
    """Entry point of `python -m bot demo`: no token or set-up needed."""
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING"), DEFAULT_TOKEN)
    try:
        asyncio.run(serve(host, port, os.environ.get("DATABASE_URL") or None))
    except KeyboardInterrupt:
        pass
    except SettingsProblem as problem:
        print(f"bonebot demo: {problem}", file=sys.stderr)
        return 2
    except PortUnavailable as problem:
        print(f"bonebot demo: {problem}. Try another port, e.g. --port 8090.", file=sys.stderr)
        return 1
    print("bonebot demo stopped.", flush=True)
    return 0
