"""Read Bot API parameters from a request: query string, url-encoded or multipart form, JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from simulator.errors import bad_request


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart upload, held in memory like the real server's temp file."""

    filename: str | None
    content: bytes
    content_type: str | None

    def describe(self) -> dict[str, Any]:
        """Summarise the upload for call logs without dumping its bytes."""
        return {
            "filename": self.filename,
            "size": len(self.content),
            "mime_type": self.content_type,
        }


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge every place Telegram accepts parameters from into one dict; later wins."""
    params: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        params.update(await _read_json(request))
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            params[name] = _form_value(value)
    return params


async def _read_json(request: web.Request) -> dict[str, Any]:
    """Decode a JSON body, which must be an object of parameters."""
    try:
        body = json.loads(await request.text())
    except ValueError as exc:
        raise bad_request("can't parse JSON encoded request") from exc
    if not isinstance(body, dict):
        raise bad_request("JSON object expected as request body")
    return body


def _form_value(value: Any) -> Any:
    """Turn aiohttp's form values into plain strings or in-memory uploads."""
    if isinstance(value, FileField):
        content = value.file.read()
        return UploadedFile(value.filename or None, content, value.content_type or None)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
