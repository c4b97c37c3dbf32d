"""HTTP front of the simulated Bot API: tokens, faults, parameter checks and the call log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from simulator import events as ev
from simulator.errors import NOT_SUPPORTED, ApiError, bad_request, not_found, unauthorized
from simulator.faults import Fault, FaultKind
from simulator.payload import UploadedFile, read_params
from simulator.state import ApiCall

if TYPE_CHECKING:
    from simulator.simulator import BotApiSimulator

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"(\d{1,20}):[A-Za-z0-9_-]{30,}")
BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)
UNLOGGED_METHODS = frozenset({"getupdates"})


class BotApiService:
    """Serve /bot<token>/<method> and /file/bot<token>/<path> for one simulator."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim
        self.closing = asyncio.Event()

    def routes(self) -> list[web.RouteDef]:
        """Routes to add to the application."""
        return [
            web.route("*", "/bot{token}/{method}", self.handle_method),
            web.get("/file/bot{token}/{path:.+}", self.handle_file),
        ]

    def authorize(self, token: str) -> int:
        """Return the token's bot id, or raise 404 (malformed) / 401 (unknown) like Telegram."""
        match = TOKEN_RE.fullmatch(token)
        if match is None:
            raise not_found()
        if self.sim.tokens is not None and token not in self.sim.tokens:
            raise unauthorized()
        return int(match.group(1))

    async def handle_method(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API call."""
        name = request.match_info["method"]
        try:
            bot_id = self.authorize(request.match_info["token"])
        except ApiError as error:
            return _error_response(error)
        spec = self.sim.spec.method(name)
        method = spec.name if spec else name
        fault = self.sim.faults.decide(method)
        if fault is not None and fault.kind is not FaultKind.LOST_REPLY:
            response = await self._apply_fault(request, method, fault)
            if response is not None:
                return response
        self.sim.state.bot.id = bot_id
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            if spec is None:
                raise not_found()
            params = self.sim.spec.check_params(spec, params)
            if not self.sim.api.supports(method):
                log.warning("Bot API method %s is not supported by the simulator", method)
                raise bad_request(NOT_SUPPORTED)
            result = await self.sim.api.call(method, params)
        except ApiError as error:
            self._record(method, params, error=error)
            return _error_response(error)
        self._record(method, params, result=result, fault=fault)
        if fault is not None and fault.kind is FaultKind.LOST_REPLY:
            _drop(request)  # the work is done, but the answer never arrives
        return web.json_response({"ok": True, "result": result})

    async def _apply_fault(
        self, request: web.Request, method: str, fault: Fault
    ) -> web.StreamResponse | None:
        """Carry out an injected fault; None means go on handling the request."""
        log.info("Injecting fault %s into %s", fault.kind, method)
        if fault.kind is FaultKind.DELAY:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(fault.delay):
                    await self.closing.wait()
            if not self.closing.is_set():
                return None
            fault = Fault(FaultKind.DROP)
        if fault.kind is FaultKind.DROP:
            self._record(method, {}, error=ApiError(0, "connection dropped"), fault=fault)
            _drop(request)
            return web.Response()
        error = ApiError(fault.status, _fault_description(fault.status))
        self._record(method, {}, error=error, fault=fault)
        if fault.status == 502:
            return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
        return _error_response(error)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve a file download by the path getFile returned."""
        try:
            self.authorize(request.match_info["token"])
        except ApiError as error:
            return _error_response(error)
        stored = self.sim.state.files.by_path(request.match_info["path"])
        if stored is None:
            return _error_response(not_found())
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        *,
        result: Any = None,
        error: ApiError | None = None,
        fault: Fault | None = None,
    ) -> None:
        """Log the call for tests and listeners (getUpdates is left out as noise)."""
        if method.lower() in UNLOGGED_METHODS and fault is None:
            return
        call = ApiCall(
            seq=len(self.sim.state.calls) + 1,
            method=method,
            params={k: _loggable(v) for k, v in params.items()},
            ok=error is None,
            result=result,
            error_code=error.error_code if error and error.error_code else None,
            description=error.description if error else None,
            fault=fault.to_json() if fault else None,
        )
        self.sim.state.calls.append(call)
        chat_id = params.get("chat_id")
        self.sim.events.publish(
            ev.API_CALL, chat_id if isinstance(chat_id, int) else None, call.to_json()
        )


def _loggable(value: Any) -> Any:
    return value.describe() if isinstance(value, UploadedFile) else value


def _fault_description(status: int) -> str:
    return {500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "Injected fault")


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.error_code)


def _drop(request: web.Request) -> None:
    """Close the connection so the client gets no answer at all."""
    if request.transport is not None:
        request.transport.close()
