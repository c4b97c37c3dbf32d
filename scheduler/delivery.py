"""The one outbound path for everything the bot sends unprompted (reminders, follow-ups).

Paced below Telegram's limits (about 30 messages a second overall and one a second per
chat; both configurable) by the bot's one flood limiter (`app.flood_control`), which hands
unprompted messages evenly spaced turns behind every reply, so a peak minute drains at the
limit without flood errors and people answering are not held up by it. A 429 pauses every
send, replies included, for its `retry_after`; network
faults and 5xx replies are retried with backoff, then deferred to a later job run; a 400
is logged and dropped (retrying it cannot succeed); a 403 means the patient blocked the bot.

python-telegram-bot's AIORateLimiter was not used: it has no per-chat limit for private
chats, does not retry by default and has no priority between replies and reminders.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import BaseRequest, RequestData

from bot.ports import SOLE_PROCESS, Fence, NotLeader

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)


class RecipientUnreachable(Exception):
    """The patient blocked the bot or deleted their account."""


class DeliveryDeferred(Exception):
    """Telegram could not be reached now; the job will try again later."""


class DeliveryRejected(Exception):
    """Telegram refused the message itself (400): retrying cannot help."""


class Turns(Protocol):
    """Send turns under Telegram's limits: the bot's one flood limiter, at the priority of
    unprompted messages (`app.flood_control`; replies go first)."""

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until this chat, then the bot as a whole, may receive an unprompted message."""

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (Telegram said retry_after)."""


def _seconds(delay: int | float | timedelta) -> float:
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


class Outcome(Enum):
    """What became of one unprompted message."""

    SENT = "sent"
    # Telegram or the network asked us to wait, or this process stopped leading (the
    # leader rebuilds its jobs from the tables): try again later
    DEFERRED = "deferred"
    UNREACHABLE = "unreachable"  # the person blocked the bot (or left the chat)
    REJECTED = "rejected"  # Telegram refused this message (logged): sending it again won't help


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send, with the sent message's id when there is one."""

    outcome: Outcome
    message_id: int | None = None


class Courier:
    """Sends one message at a time through the pacer, retrying what can succeed later.

    It speaks sendMessage through the bot's transport itself, with PTB's own answer handling
    (`BaseRequest.post` raises the same RetryAfter, Forbidden, BadRequest and NetworkError as
    `Bot.send_message`), but without building and parsing PTB's objects for each message:
    those took half the CPU of a reminder, which bounds how fast a peak drains on one core.
    Nothing unprompted needs more of the sent message than its id.

    Every request first asks the fence whether this process still leads: a leader whose
    lock is gone sends nothing more, not even a retry.
    """

    def __init__(
        self, transport: BaseRequest, base_url: str, pacer: Turns, fence: Fence = SOLE_PROCESS
    ) -> None:
        self.transport = transport
        self.pacer = pacer
        self.fence = fence
        self._send_url = f"{base_url}/sendMessage"  # holds the token: never log it
        self._delete_url = f"{base_url}/deleteMessage"

    async def send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> int:
        """Send a message and return its id; raise RecipientUnreachable, DeliveryRejected,
        DeliveryDeferred or NotLeader.

        A group, supergroup or channel (a negative id) is refused before any request: what
        goes out unprompted is health data, for the person's private chat only.
        """
        if chat_id <= 0:
            log.error("message to chat %s refused: not a private chat", chat_id)
            raise DeliveryRejected("not a private chat")
        fields = {"chat_id": str(chat_id), "text": text}
        if markup is not None:
            fields["reply_markup"] = markup_json(markup)
        for attempt in range(MAX_ATTEMPTS):
            await self.pacer.wait_turn(chat_id)
            self.fence.check()  # after the wait, right before the request: nothing in between
            try:
                sent = await self.transport.post(self._send_url, FormFields(fields))
            except Forbidden as error:
                log.info("chat %s unreachable: %s", chat_id, error.message)
                raise RecipientUnreachable from error
            except RetryAfter as error:
                seconds = _seconds(error.retry_after)
                log.warning("flood control: pausing sends for %.1f s", seconds)
                self.pacer.pause(seconds)
            except BadRequest as error:
                log.error("message to chat %s rejected: %s", chat_id, error.message)
                raise DeliveryRejected(error.message) from error
            except NetworkError as error:  # includes TimedOut and 5xx replies
                log.warning(
                    "network error to chat %s (attempt %d): %s",
                    chat_id,
                    attempt + 1,
                    type(error).__name__,
                )
                if attempt < len(BACKOFF_SECONDS):
                    await asyncio.sleep(BACKOFF_SECONDS[attempt])
            else:
                return _message_id(sent)
        raise DeliveryDeferred

    async def withdraw(self, chat_id: int, message_id: int) -> bool:
        """Delete a message the bot sent earlier (best effort: False when it could not)."""
        if chat_id <= 0:
            return False
        fields = {"chat_id": str(chat_id), "message_id": str(message_id)}
        await self.pacer.wait_turn(chat_id)
        try:
            self.fence.check()
            await self.transport.post(self._delete_url, FormFields(fields))
        except (NotLeader, TelegramError) as error:
            log.info("message %s in chat %s not withdrawn: %s", message_id, chat_id, error)
            return False
        return True

    async def deliver(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> Delivery:
        """Send a message and say what became of it: the one path every job sends by."""
        try:
            message_id = await self.send_text(chat_id, text, markup)
        except DeliveryDeferred:
            return Delivery(Outcome.DEFERRED)
        except NotLeader:
            log.debug("message to chat %s not sent: this process no longer leads", chat_id)
            return Delivery(Outcome.DEFERRED)
        except RecipientUnreachable:
            return Delivery(Outcome.UNREACHABLE)
        except DeliveryRejected:
            return Delivery(Outcome.REJECTED)
        return Delivery(Outcome.SENT, message_id)


def markup_json(markup: InlineKeyboardMarkup) -> str:
    """The keyboard as Bot API JSON, as `to_dict` would give it.

    `to_dict` walks every attribute of every object generically, a tenth of a reminder's
    CPU; reminder buttons hold plain labels and callback data, read here directly. Any
    richer button (a nested object, extra API fields) takes `to_dict`'s path.
    """
    rows: list[list[dict[str, object]]] = []
    for row in markup.inline_keyboard:
        buttons: list[dict[str, object]] = []
        for button in row:
            if type(button) is not InlineKeyboardButton or button.api_kwargs:
                return json.dumps(markup.to_dict())
            fields: dict[str, object] = {}
            for name in _BUTTON_FIELDS:
                value = getattr(button, name)
                if value is None:
                    continue
                if not isinstance(value, str | bool | int):
                    return json.dumps(markup.to_dict())
                fields[name] = value
            buttons.append(fields)
        rows.append(buttons)
    if markup.api_kwargs:
        return json.dumps(markup.to_dict())
    return json.dumps({"inline_keyboard": rows})


_BUTTON_FIELDS = tuple(InlineKeyboardButton.__slots__)


def _message_id(sent: object) -> int:
    """The id of the message Bot API reports sent."""
    if not isinstance(sent, dict) or not isinstance(sent.get("message_id"), int):
        raise DeliveryRejected("Bot API answered sendMessage without a message")
    return int(sent["message_id"])


# PTB marks RequestData @final; subclassing it anyway skips its per-parameter objects, and
# only the bot's transport (app.telegram_transport._body) reads the result (json_parameters,
# and multipart_data: empty).
class FormFields(RequestData):  # type: ignore[misc]
    """Fields of one request, already strings, for a caller that builds them itself.

    The courier sends every reminder through `BaseRequest.post` with these, keeping PTB's
    handling of the answer while skipping PTB's per-parameter objects (see Courier).
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self._fields = fields

    @property
    def json_parameters(self) -> dict[str, str]:
        """The fields as given (every value is already a string)."""
        return self._fields
