"""The Bot API as data (api.json): find it, look methods up, and check parameters like Telegram."""

from __future__ import annotations

import functools
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import QUERY_TOO_OLD, bad_request
from simulator.payload import UploadedFile

SPEC_ENV_VAR = "BONEBOT_API_SPEC"
# The copy the project carries as package data (source and licence in its README.md).
PACKAGED_SPEC = Path(__file__).with_name("telegram_bot_api_spec") / "api.json"

# Telegram answers a missing required parameter with these texts instead of the generic one.
_MISSING_REASONS = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": QUERY_TOO_OLD,
    "file_id": "invalid file_id",
    **{
        kind: f"there is no {kind.replace('_', ' ')} in the request"
        for kind in ("document", "photo", "audio", "video", "voice", "animation", "sticker")
    },
}

# Human names Telegram uses in "can't parse ... JSON object" errors.
_JSON_NAMES = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "caption entities",
    "commands": "commands",
    "scope": "BotCommandScope",
    "allowed_updates": "allowed updates",
    "reply_parameters": "reply parameters",
    "link_preview_options": "link preview options",
    "menu_button": "menu button",
}

# Where PTB legitimately sends something narrower than the spec: fractional long-poll timeouts.
_TYPE_OVERRIDES = {("getupdates", "timeout"): ("Float",)}

_INTEGER_RE = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class SpecNotFoundError(FileNotFoundError):
    """Raised when BONEBOT_API_SPEC names no file, or the packaged api.json is missing."""


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method as the spec describes it."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method: its canonical name and parameters."""

    name: str
    fields: tuple[FieldSpec, ...]


def find_spec_path(packaged: Path = PACKAGED_SPEC) -> Path:
    """Return BONEBOT_API_SPEC when set (a newer description), else the packaged copy."""
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        path = Path(override)
        if not path.is_file():
            raise SpecNotFoundError(f"{SPEC_ENV_VAR}={override} does not name a file")
        return path
    if not packaged.is_file():
        raise SpecNotFoundError(
            f"Bot API spec not found at {packaged}: reinstall the package, or set "
            f"{SPEC_ENV_VAR} to an api.json"
        )
    return packaged


class ApiSpec:
    """Methods and update types of the Bot API, with Telegram-like parameter checking."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("version", "unknown")
        self._methods = {
            name.lower(): MethodSpec(
                name=name,
                fields=tuple(
                    FieldSpec(
                        f["name"],
                        _TYPE_OVERRIDES.get((name.lower(), f["name"]), tuple(f["types"])),
                        bool(f["required"]),
                    )
                    for f in method.get("fields", ())
                ),
            )
            for name, method in data["methods"].items()
        }
        update_fields = data["types"]["Update"]["fields"]
        self.update_types: tuple[str, ...] = tuple(
            f["name"] for f in update_fields if f["name"] != "update_id"
        )

    @classmethod
    def load(cls, path: Path | str | None = None) -> ApiSpec:
        """Read the spec from `path`, or from wherever find_spec_path finds it (cached)."""
        spec_path = Path(path) if path is not None else find_spec_path()
        if not spec_path.is_file():
            raise SpecNotFoundError(f"Bot API spec not found at {spec_path}")
        return _load(spec_path.resolve(), spec_path.stat().st_mtime_ns)

    def method(self, name: str) -> MethodSpec | None:
        """Find a method the way Telegram does: case-insensitively."""
        return self._methods.get(name.lower())

    def check_params(self, method: MethodSpec, raw: dict[str, Any]) -> dict[str, Any]:
        """Coerce raw request values to the spec's types; drop unknown names like Telegram."""
        params: dict[str, Any] = {}
        for field in method.fields:
            value = raw.get(field.name)
            if isinstance(value, str) and value.startswith("attach://"):
                value = raw.get(value.removeprefix("attach://"))
            if value is None or value == "":
                if field.required:
                    raise bad_request(_missing_reason(field.name))
                continue
            params[field.name] = _coerce(field, value)
        return params


@functools.cache
def _load(path: Path, mtime_ns: int) -> ApiSpec:
    """Parse a spec file once per version of it; simulators only read the result."""
    return ApiSpec(json.loads(path.read_text(encoding="utf-8")))


def _missing_reason(name: str) -> str:
    """Return Telegram's wording for a missing required parameter."""
    return _MISSING_REASONS.get(name, f'parameter "{name}" is required')


def _coerce(field: FieldSpec, value: Any) -> Any:
    """Return `value` as the first of the field's types it fits, or raise 400."""
    json_error: str | None = None
    for type_name in field.types:
        ok, result = _try_type(type_name, value)
        if ok:
            return result
        if _is_json_type(type_name) and isinstance(value, str):
            json_error = f"can't parse {_JSON_NAMES.get(field.name, field.name)} JSON object"
    if json_error:
        raise bad_request(json_error)
    expected = " or ".join(field.types)
    raise bad_request(f'parameter "{field.name}" must be of type {expected}')


def _is_json_type(type_name: str) -> bool:
    """Tell whether a spec type travels as a JSON-serialised string in form posts."""
    return type_name.startswith("Array of ") or type_name not in {
        "Integer",
        "Float",
        "Boolean",
        "String",
        "InputFile",
    }


def _try_type(type_name: str, value: Any) -> tuple[bool, Any]:
    """Try one spec type; return (fits, converted value)."""
    if isinstance(value, UploadedFile):
        return type_name == "InputFile", value
    match type_name:
        case "Integer":
            return _as_int(value)
        case "Float":
            return _as_float(value)
        case "Boolean":
            return _as_bool(value)
        case "String":
            if isinstance(value, str):
                return True, value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return True, str(value)
            return False, None
        case "InputFile":
            return False, None
    decoded = value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return False, None
    if type_name.startswith("Array of "):
        return isinstance(decoded, list), decoded
    return isinstance(decoded, dict), decoded


def _as_int(value: Any) -> tuple[bool, Any]:
    """Accept ints, integral floats and their string forms."""
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int):
        return True, value
    if isinstance(value, float):
        return value.is_integer(), int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER_RE.fullmatch(text):
            return True, int(text)
        ok, number = _as_float(text)
        if ok and number.is_integer():
            return True, int(number)
    return False, None


def _as_float(value: Any) -> tuple[bool, Any]:
    """Accept finite numbers and their string forms."""
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int | float):
        return math.isfinite(value), float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return False, None
        return math.isfinite(number), number
    return False, None


def _as_bool(value: Any) -> tuple[bool, Any]:
    """Accept JSON booleans and the strings PTB and curl users send ("true", "1", ...)."""
    if isinstance(value, bool):
        return True, value
    if isinstance(value, int) and value in (0, 1):
        return True, bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True, True
        if lowered in _FALSE:
            return True, False
    return False, None
