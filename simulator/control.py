"""The /_sim control API: play users and inspect the simulator over HTTP (JSON).

For tests whose bot runs in another process, and for the demo chat page. Bodies and answers
are JSON; errors are {"error": "..."} with 400 (bad input), 404 (unknown user, chat, file or
query), 408 (a wait timed out) or 409 (the action is impossible, e.g. a blocked user writes).
See the package docstring for the route list.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.web_request import FileField

from simulator.errors import SimulatorError, UnknownObjectError
from simulator.faults import FaultConfig
from simulator.limits import RateLimits

if TYPE_CHECKING:
    from simulator.simulator import BotApiSimulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_WAIT_SECONDS = 60.0


def control_routes(sim: BotApiSimulator) -> list[web.RouteDef]:
    """Routes of the control API for one simulator."""
    api = _ControlApi(sim)
    table: list[tuple[str, str, Handler]] = [
        ("GET", "/_sim/state", api.state),
        ("GET", "/_sim/users", api.list_users),
        ("POST", "/_sim/users", api.add_user),
        ("POST", "/_sim/users/{user_id}/text", api.text),
        ("POST", "/_sim/users/{user_id}/edit", api.edit),
        ("POST", "/_sim/users/{user_id}/press", api.press),
        ("POST", "/_sim/users/{user_id}/document", api.document),
        ("POST", "/_sim/users/{user_id}/photo", api.photo),
        ("POST", "/_sim/users/{user_id}/block", api.block),
        ("POST", "/_sim/users/{user_id}/unblock", api.unblock),
        ("GET", "/_sim/groups", api.list_groups),
        ("POST", "/_sim/groups", api.add_group),
        ("POST", "/_sim/groups/{chat_id}/add_bot", api.add_bot),
        ("POST", "/_sim/groups/{chat_id}/remove_bot", api.remove_bot),
        ("POST", "/_sim/groups/{chat_id}/post", api.post),
        ("GET", "/_sim/chats/{chat_id}", api.chat),
        ("GET", "/_sim/chats/{chat_id}/messages", api.messages),
        ("GET", "/_sim/chats/{chat_id}/wait", api.wait_message),
        ("GET", "/_sim/sent", api.sent),
        ("GET", "/_sim/callbacks/{query_id}", api.callback),
        ("GET", "/_sim/events", api.events),
        ("GET", "/_sim/files/{file_id}", api.file),
        ("GET", "/_sim/commands", api.commands),
        ("GET", "/_sim/updates", api.updates),
        ("GET", "/_sim/faults", api.faults),
        ("POST", "/_sim/faults", api.set_faults),
        ("GET", "/_sim/rate_limits", api.rate_limits),
        ("POST", "/_sim/rate_limits", api.set_rate_limits),
    ]
    return [web.route(method, path, _guard(handler)) for method, path, handler in table]


def _guard(handler: Handler) -> Handler:
    """Map simulator and input errors to JSON error answers."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except KeyError as exc:
            return _error(400, f"missing field {exc}")
        except UnknownObjectError as exc:
            return _error(404, str(exc))
        except SimulatorError as exc:
            return _error(409, str(exc))
        except (ValueError, TypeError) as exc:
            return _error(400, str(exc) or type(exc).__name__)

    return guarded


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    """Read a JSON object body (an empty body is an empty object)."""
    if not request.body_exists:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("JSON object expected")
    return body


def _int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ValueError(f"{name} must be an integer") from None


def _float_query(request: web.Request, name: str, default: float) -> float:
    return min(float(request.query.get(name, default)), MAX_WAIT_SECONDS)


class _ControlApi:
    """Handlers; each delegates to the simulator's Python API."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim

    async def state(self, request: web.Request) -> web.Response:
        sim = self.sim
        return web.json_response(
            {
                "bot": sim.state.bot.get_me(),
                "base_url": sim.base_url,
                "users": [u.to_json() for u in sim.state.users.values()],
                "chats": [c.to_json() for c in sim.state.chats.values()],
                "groups": [g.to_json() for g in sim.state.groups.values()],
                "webhook": dataclasses.asdict(sim.state.webhook),
                "pending_updates": len(sim.updates.pending),
                "rate_limits": dataclasses.asdict(sim.rate_limits),
                "faults": sim.faults.config.to_json(),
                "last_seq": sim.events.last_seq,
            }
        )

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response([u.to_json() for u in self.sim.state.users.values()])

    async def add_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user = self.sim.add_user(
            int(body["id"]),
            body.get("first_name", "Test"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "en"),
            started=bool(body.get("started", False)),
        )
        return web.json_response(user.to_json(), status=201)

    def _last_action(self, chat_id: int) -> dict[str, Any]:
        """The seq and time (Unix seconds) of the user's action just published in a chat."""
        seq = self.sim.chat(chat_id).last_user_seq
        events = self.sim.events.chat_history(chat_id, seq - 1)
        return {"seq": seq, "time": events[0].time if events else None}

    def _sent(self, chat_id: int, message: dict[str, Any]) -> web.Response:
        return web.json_response({"message": message, **self._last_action(chat_id)})

    async def text(self, request: web.Request) -> web.Response:
        user_id, body = _int(request, "user_id"), await _body(request)
        chat_id = int(body.get("chat_id", user_id))
        message = self.sim.send_text(
            user_id, str(body["text"]), reply_to=body.get("reply_to"), chat_id=chat_id
        )
        return self._sent(chat_id, message)

    async def edit(self, request: web.Request) -> web.Response:
        user_id, body = _int(request, "user_id"), await _body(request)
        chat_id = int(body.get("chat_id", user_id))
        message = self.sim.edit_text(
            user_id, int(body["message_id"]), str(body["text"]), chat_id=chat_id
        )
        return self._sent(chat_id, message)

    async def press(self, request: web.Request) -> web.Response:
        user_id, body = _int(request, "user_id"), await _body(request)
        chat_id = int(body.get("chat_id", user_id))
        query_id = self.sim.press_button(
            user_id,
            int(body["message_id"]),
            body.get("callback_data"),
            text=body.get("button_text"),
            forge=bool(body.get("forge", False)),
            chat_id=chat_id,
        )
        return web.json_response({"callback_query_id": query_id, **self._last_action(chat_id)})

    async def list_groups(self, request: web.Request) -> web.Response:
        return web.json_response([g.to_json() for g in self.sim.state.groups.values()])

    async def add_group(self, request: web.Request) -> web.Response:
        body = await _body(request)
        group = self.sim.add_group(
            int(body["id"]),
            str(body["title"]),
            chat_type=str(body.get("type", "supergroup")),
            members=[int(member) for member in body.get("members", [])],
            username=body.get("username"),
        )
        return web.json_response(group.to_json(), status=201)

    async def add_bot(self, request: web.Request) -> web.Response:
        chat_id, body = _int(request, "chat_id"), await _body(request)
        self.sim.add_bot_to_group(chat_id, int(body["by"]))
        return web.json_response(self.sim.group(chat_id).to_json())

    async def remove_bot(self, request: web.Request) -> web.Response:
        chat_id, body = _int(request, "chat_id"), await _body(request)
        self.sim.remove_bot_from_group(chat_id, int(body["by"]))
        return web.json_response(self.sim.group(chat_id).to_json())

    async def post(self, request: web.Request) -> web.Response:
        chat_id, body = _int(request, "chat_id"), await _body(request)
        return self._sent(chat_id, self.sim.post_to_channel(chat_id, str(body["text"])))

    async def _upload(self, request: web.Request, field: str) -> tuple[bytes, dict[str, Any]]:
        """Read a file from multipart (`field` part) or JSON ({"content_base64": ...})."""
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = form.get(field)
            if not isinstance(part, FileField):
                raise ValueError(f"multipart field {field!r} with a file expected")
            info = {k: str(v) for k, v in form.items() if k != field}
            info.setdefault("filename", part.filename)
            info.setdefault("mime_type", part.content_type)
            return part.file.read(), info
        body = await _body(request)
        return base64.b64decode(body["content_base64"], validate=True), body

    async def document(self, request: web.Request) -> web.Response:
        user_id = _int(request, "user_id")
        content, info = await self._upload(request, "document")
        message = self.sim.send_document(
            user_id,
            str(info.get("filename") or "file"),
            content,
            info.get("mime_type"),
            caption=info.get("caption"),
        )
        return self._sent(user_id, message)

    async def photo(self, request: web.Request) -> web.Response:
        user_id = _int(request, "user_id")
        content, info = await self._upload(request, "photo")
        message = self.sim.send_photo(user_id, content, caption=info.get("caption"))
        return self._sent(user_id, message)

    async def block(self, request: web.Request) -> web.Response:
        user_id = _int(request, "user_id")
        self.sim.block(user_id)
        return web.json_response(self.sim.user(user_id).to_json())

    async def unblock(self, request: web.Request) -> web.Response:
        user_id = _int(request, "user_id")
        self.sim.unblock(user_id)
        return web.json_response(self.sim.user(user_id).to_json())

    async def chat(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.chat(_int(request, "chat_id")).to_json())

    async def messages(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.messages(_int(request, "chat_id")))

    async def wait_message(self, request: web.Request) -> web.Response:
        """Wait for a bot message; query: after, timeout, contains, regex."""
        chat_id = _int(request, "chat_id")
        after = int(request.query["after"]) if "after" in request.query else None
        contains = request.query.get("contains")
        pattern = re.compile(request.query["regex"]) if "regex" in request.query else None

        def matches(message: dict[str, Any]) -> bool:
            text = message.get("text") or message.get("caption") or ""
            return (contains is None or contains in text) and (
                pattern is None or pattern.search(text) is not None
            )

        try:
            event = await self.sim.wait_for_message_event(
                chat_id, matches, _float_query(request, "timeout", 5.0), after=after
            )
        except TimeoutError as exc:
            return _error(408, str(exc))
        return web.json_response(
            {
                "message": event.data,
                "seq": self.sim.events.last_seq,
                "message_seq": event.seq,
                "time": event.time,
            }
        )

    async def sent(self, request: web.Request) -> web.Response:
        after = int(request.query.get("after", 0))
        calls = self.sim.calls(request.query.get("method"))
        return web.json_response({"calls": [c.to_json() for c in calls if c.seq > after]})

    async def callback(self, request: web.Request) -> web.Response:
        record = self.sim.callback_query(request.match_info["query_id"])
        return web.json_response(record.to_json())

    async def events(self, request: web.Request) -> web.Response:
        """Long-poll events; query: after (seq), timeout (seconds, 0 = do not wait)."""
        after = int(request.query.get("after", 0))
        events = await self.sim.events.wait_for_events(
            after, _float_query(request, "timeout", 0.0)
        )
        return web.json_response(
            {"events": [e.to_json() for e in events], "last_seq": self.sim.events.last_seq}
        )

    async def file(self, request: web.Request) -> web.Response:
        stored = self.sim.state.files.get(request.match_info["file_id"])
        if stored is None:
            return _error(404, "no such file")
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def commands(self, request: web.Request) -> web.Response:
        return web.json_response(
            [
                {"scope": scope, "language_code": language, "commands": commands}
                for (scope, language), commands in self.sim.state.commands.items()
            ]
        )

    async def updates(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.updates.pending)

    def _faults_json(self) -> dict[str, Any]:
        return {
            "config": self.sim.faults.config.to_json(),
            "scripted": [{**f.to_json(), "method": f.method} for f in self.sim.faults.scripted],
            "malform_updates": [str(how) for how in self.sim.faults.malformations],
        }

    async def faults(self, request: web.Request) -> web.Response:
        return web.json_response(self._faults_json())

    async def set_faults(self, request: web.Request) -> web.Response:
        """Body: FaultConfig fields to change, "clear": true, "script": [{kind, method, ...}],
        "malform_updates": {count?, how?}."""
        body = await _body(request)
        if body.get("clear"):
            self.sim.faults.clear()
        special = ("clear", "script", "malform_updates")
        changes = {k: v for k, v in body.items() if k not in special}
        if changes:
            merged = {**self.sim.faults.config.to_json(), **changes}
            self.sim.faults.configure(FaultConfig.from_json(merged))
        for item in body.get("script", []):
            self.sim.faults.script(
                item["kind"],
                method=item.get("method"),
                count=int(item.get("count", 1)),
                status=int(item.get("status", 500)),
                delay=float(item.get("delay", 0.0)),
            )
        if "malform_updates" in body:
            malform = body["malform_updates"]
            self.sim.faults.malform_updates(
                int(malform.get("count", 1)), malform.get("how", "missing_field")
            )
        return web.json_response(self._faults_json())

    async def rate_limits(self, request: web.Request) -> web.Response:
        return web.json_response(dataclasses.asdict(self.sim.rate_limits))

    async def set_rate_limits(self, request: web.Request) -> web.Response:
        body = await _body(request)
        fields = {f.name for f in dataclasses.fields(RateLimits)}
        unknown = set(body) - fields
        if unknown:
            raise ValueError(f"unknown rate limit fields: {sorted(unknown)}")
        self.sim.rate_limits = dataclasses.replace(self.sim.rate_limits, **body)
        return web.json_response(dataclasses.asdict(self.sim.rate_limits))
