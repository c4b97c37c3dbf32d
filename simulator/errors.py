"""Errors the simulator answers with, shaped like the real Bot API's error replies."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raise inside a Bot API method to answer with `{"ok": false, ...}` and this status."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Render the error body exactly as Telegram does."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """Build a 400 error; Telegram prefixes every such description with "Bad Request: "."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """Build a 403 error such as "Forbidden: bot was blocked by the user"."""
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """Build the flood-control error PTB turns into `telegram.error.RetryAfter`."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def not_found() -> ApiError:
    """Build the 404 Telegram gives for unknown methods and malformed tokens."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """Build the 401 Telegram gives for a well-formed token it does not know."""
    return ApiError(401, "Unauthorized")


CHAT_NOT_FOUND = "chat not found"
BOT_BLOCKED = "bot was blocked by the user"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_SUPPORTED = "method not supported by the local simulator"


class SimulatorError(RuntimeError):
    """Raised to a test that asks the simulator for something impossible (unknown user...)."""


class UnknownObjectError(SimulatorError, LookupError):
    """Raised when a test names a user, chat, message, button, query or file that is not there."""
