"""Check and normalise reply_markup the way Telegram does (inline and reply keyboards)."""

from __future__ import annotations

from typing import Any

from simulator.errors import ApiError, bad_request

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http://", "https://", "tg://")


def check_reply_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Validate a reply_markup object; unknown shapes are ignored like the real server does."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        rows = _rows(markup["inline_keyboard"], "inline keyboard")
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in rows]}
    if "keyboard" in markup:
        rows = _rows(markup["keyboard"], "keyboard")
        return {**markup, "keyboard": [[_keyboard_button(b) for b in row] for row in rows]}
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return dict(markup)
    return None


def inline_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """List the inline buttons of a message, row by row."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


def _rows(value: Any, what: str) -> list[list[Any]]:
    """Insist on an array of arrays, as the keyboard fields are typed."""
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise bad_request(f"can't parse {what}: expected an Array of Array of buttons")
    return value


def _field_error(what: str, field: str, kind: str) -> ApiError:
    return bad_request(f'can\'t parse {what} button: Field "{field}" must be of type {kind}')


def _inline_button(button: Any) -> dict[str, Any]:
    """Validate one inline button: text, exactly a known action, callback_data of 1-64 bytes."""
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: expected an Object")
    if not isinstance(button.get("text"), str):
        raise _field_error("inline keyboard", "text", "String")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    if not any(action in button for action in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _field_error("inline keyboard", "callback_data", "String")
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(_URL_SCHEMES):
        raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _keyboard_button(button: Any) -> dict[str, Any]:
    """Accept a reply-keyboard button given as a string or as a KeyboardButton object."""
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _field_error("keyboard", "text", "String")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    return dict(button)
