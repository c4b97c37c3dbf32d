"""Sending unprompted messages (reminders) with Telegram's errors handled.

Flood control is honoured by waiting `retry_after`; network faults and 5xx are retried
with backoff, then deferred to a later job run; a 400 is logged and dropped (retrying it
cannot succeed); a 403 means the patient blocked the bot.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)


class RecipientUnreachable(Exception):
    """The patient blocked the bot or deleted their account."""


class DeliveryDeferred(Exception):
    """Telegram could not be reached now; the job will try again later."""


class DeliveryRejected(Exception):
    """Telegram refused the message itself (400): retrying cannot help."""


async def send_text(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send one message, retrying what can succeed later."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return await bot.send_message(chat_id, text, reply_markup=markup)
        except Forbidden as error:
            log.info("chat %s unreachable: %s", chat_id, error.message)
            raise RecipientUnreachable from error
        except RetryAfter as error:
            delay = error.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            log.warning("flood control: waiting %.1f s before chat %s", seconds, chat_id)
            await asyncio.sleep(seconds)
        except BadRequest as error:
            log.error("message to chat %s rejected: %s", chat_id, error.message)
            raise DeliveryRejected(error.message) from error
        except NetworkError as error:  # includes TimedOut and 5xx replies
            log.warning("network error to chat %s (attempt %d): %s", chat_id, attempt + 1, error)
            if attempt < len(BACKOFF_SECONDS):
                await asyncio.sleep(BACKOFF_SECONDS[attempt])
    raise DeliveryDeferred
