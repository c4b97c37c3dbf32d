"""The demo's chat page and its small API, served beside the simulator's Bot API.

Routes (same server as the simulator, whose `/_sim/...` control API the page also uses to
send texts and press buttons, and `/_sim/files/{file_id}` to show what the bot sent):

- ``GET  /`` the chat page; ``GET /demo/static/{name}`` its script and style sheet
- ``POST /demo/api/people`` {id, name} make sure a simulated person exists (a tab plays one)
- ``GET  /demo/api/stream?user=ID`` server-sent events for that person's chat: ``snapshot``
  first (messages, commands, schedule), then ``message``, ``edited``, ``deleted``,
  ``answer`` (a button's toast), ``action`` (typing), ``commands`` and ``schedule``
- ``GET  /demo/api/schedule?user=ID`` demo time and the jobs scheduled next
- ``POST /demo/api/time/next`` jump demo time to the next job and run it (demo only)
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from demo.schedule import PlannedJob, describe_jobs, zone_of
from demo.timekeeper import Timekeeper
from handlers.common import App
from simulator import BotApiSimulator, SimEvent
from simulator.events import (
    API_CALL,
    CALLBACK_ANSWER,
    CHAT_ACTION,
    DELETED,
    EDITED,
    MESSAGE,
)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
STATIC_FILES = {
    "app.js": "text/javascript",
    "style.css": "text/css",
}
# Everything the page loads comes from this server: it must work offline.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
# Simulator events the page shows, and the names the stream gives them.
STREAMED = {
    MESSAGE: "message",
    EDITED: "edited",
    DELETED: "deleted",
    CALLBACK_ANSWER: "answer",
    CHAT_ACTION: "action",
}
SCHEDULE_SHOWN = 8
KEEP_ALIVE_SECONDS = 15.0
MAX_USER_ID = 2**40
_SCHEDULE = object()  # queue marker: the schedule or demo time changed
_CLOSE = object()  # queue marker: the server is stopping


@dataclass(frozen=True)
class RunningBot:
    """The parts of the running bot the page needs, known once it has started."""

    app: App
    timekeeper: Timekeeper


class DemoSite:
    """The chat page, its live stream and the demo's time controls."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim
        self.bot: RunningBot | None = None
        self._streams: set[asyncio.Queue[object]] = set()
        self._run_lock = asyncio.Lock()

    def attach(self, app: App, timekeeper: Timekeeper) -> None:
        """Connect the running bot (the server starts first: the bot needs it to poll)."""
        self.bot = RunningBot(app, timekeeper)
        timekeeper.add_listener(self._schedule_changed)
        self._schedule_changed()

    def close(self) -> None:
        """End every open stream, so the server can stop at once."""
        for queue in list(self._streams):
            queue.put_nowait(_CLOSE)

    def routes(self) -> list[web.RouteDef]:
        """The page's routes, to add to the simulator's aiohttp application."""
        return [
            web.get("/", self.page),
            web.get("/demo/static/{name}", self.static),
            web.post("/demo/api/people", self.person),
            web.get("/demo/api/stream", self.stream),
            web.get("/demo/api/schedule", self.schedule),
            web.post("/demo/api/time/next", self.run_next),
        ]

    # --- page -----------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        """Serve the chat page."""
        html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        return web.Response(text=html, content_type="text/html", headers=SECURITY_HEADERS)

    async def static(self, request: web.Request) -> web.Response:
        """Serve the page's script and style sheet (nothing else from the package)."""
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(
            text=(STATIC_DIR / name).read_text(encoding="utf-8"),
            content_type=STATIC_FILES[name],
            headers=SECURITY_HEADERS,
        )

    # --- people ---------------------------------------------------------------------------------

    async def person(self, request: web.Request) -> web.Response:
        """Create the person a tab plays, unless they exist (their chat then carries on)."""
        try:
            body = await request.json()
            user_id = int(body["id"])
        except (ValueError, TypeError, KeyError):
            return _error(400, "Send {id, name} with a whole-number id.")
        if not 0 < user_id < MAX_USER_ID:
            return _error(400, "The id must be a positive whole number.")
        name = " ".join(str(body.get("name") or "").split())[:64] or f"Person {user_id}"
        user = self.sim.state.users.get(user_id)
        if user is None:
            user = self.sim.add_user(user_id, name)
        return web.json_response(user.to_json())

    def _user_id(self, request: web.Request) -> int:
        try:
            user_id = int(request.query["user"])
        except (KeyError, ValueError):
            raise web.HTTPBadRequest(text="user=ID is needed") from None
        if user_id not in self.sim.state.users:
            raise web.HTTPNotFound(text="no such person: POST /demo/api/people first")
        return user_id

    def _name_of(self, chat_id: int) -> str:
        user = self.sim.state.users.get(chat_id)
        return user.first_name if user else f"Person {chat_id}"

    # --- schedule and time ----------------------------------------------------------------------

    async def schedule_of(self, user_id: int) -> dict[str, Any]:
        """Demo time, the person's time zone and the jobs scheduled next, for the page."""
        if self.bot is None:
            return {"ready": False, "now": None, "offset_seconds": 0, "zone": None, "jobs": []}
        timekeeper = self.bot.timekeeper
        sessions = self.bot.app.bot_data.services.sessions
        jobs = await describe_jobs(sessions, timekeeper.upcoming(SCHEDULE_SHOWN), self._name_of)
        return {
            "ready": True,
            "now": timekeeper.clock().isoformat(),
            "offset_seconds": timekeeper.clock.offset.total_seconds(),
            "zone": await zone_of(sessions, user_id),
            "jobs": [job.to_json() for job in jobs],
        }

    async def schedule(self, request: web.Request) -> web.Response:
        """Return demo time and what is scheduled next."""
        return web.json_response(await self.schedule_of(self._user_id(request)))

    async def run_next(self, request: web.Request) -> web.Response:
        """Jump demo time to the next scheduled job and run it now (demo mode only)."""
        if self.bot is None:
            return _error(503, "The bot is still starting. Try again in a moment.")
        timekeeper = self.bot.timekeeper
        async with self._run_lock:  # two tabs pressing at once run two jobs, one after another
            upcoming = timekeeper.upcoming(1)
            if not upcoming:
                return web.json_response(
                    {
                        "ran": None,
                        "message": "Nothing is scheduled yet. Register a medicine first: "
                        "tap Start, or send /start.",
                    }
                )
            sessions = self.bot.app.bot_data.services.sessions
            [job] = await describe_jobs(sessions, upcoming, self._name_of)
            await timekeeper.run_next()
        return web.json_response({"ran": job.to_json(), "message": _ran_message(job)})

    def _schedule_changed(self) -> None:
        for queue in list(self._streams):
            queue.put_nowait(_SCHEDULE)

    # --- live stream ----------------------------------------------------------------------------

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """Stream one person's chat as server-sent events, starting with a snapshot."""
        user_id = self._user_id(request)
        queue: asyncio.Queue[object] = asyncio.Queue()

        def on_event(event: SimEvent) -> None:
            mine = event.chat_id == user_id and event.kind in STREAMED
            if mine or _changes_commands(event):
                queue.put_nowait(event)

        response = web.StreamResponse(
            headers={
                **SECURITY_HEADERS,
                "Content-Type": "text/event-stream",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        self._streams.add(queue)
        remove_listener = self.sim.add_listener(on_event)
        try:
            snapshot = await self._snapshot(user_id)
            await _send(response, "snapshot", snapshot)
            await self._pump(response, queue, user_id, snapshot["seq"])
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the tab closed, or the server is stopping
        finally:
            remove_listener()
            self._streams.discard(queue)
        return response

    async def _snapshot(self, user_id: int) -> dict[str, Any]:
        chat = self.sim.state.chat(user_id)
        return {
            "seq": self.sim.events.last_seq,
            "user": self.sim.user(user_id).to_json(),
            "bot": self.sim.state.bot.to_api(),
            "messages": list(chat.messages.values()) if chat else [],
            "commands": self.sim.commands(),
            "schedule": await self.schedule_of(user_id),
        }

    async def _pump(
        self, response: web.StreamResponse, queue: asyncio.Queue[object], user_id: int, seq: int
    ) -> None:
        """Forward queued events in order; send one schedule for a burst of job changes."""
        while True:
            try:
                async with asyncio.timeout(KEEP_ALIVE_SECONDS):
                    item = await queue.get()
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            schedule_changed = False
            while True:
                if item is _CLOSE:
                    return
                if item is _SCHEDULE:
                    schedule_changed = True
                elif isinstance(item, SimEvent) and item.seq > seq:
                    if item.kind == API_CALL:
                        await _send(response, "commands", self.sim.commands())
                    else:
                        await _send(response, STREAMED[item.kind], item.data)
                if queue.empty():
                    break
                item = queue.get_nowait()
            if schedule_changed:
                await _send(response, "schedule", await self.schedule_of(user_id))


def _changes_commands(event: SimEvent) -> bool:
    method = str(event.data.get("method", "")).lower()
    return event.kind == API_CALL and method in ("setmycommands", "deletemycommands")


def _ran_message(job: PlannedJob) -> str:
    zone = ZoneInfo(job.zone)
    when = job.at.astimezone(zone).strftime("%a %d %b, %H:%M")
    place = job.zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"Done: {job.what} (planned for {when}, {place} time)."


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _send(response: web.StreamResponse, event: str, data: object) -> None:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    await response.write(f"event: {event}\ndata: {payload}\n\n".encode())
