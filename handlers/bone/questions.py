"""What the bone calendar asked and is waiting for: one open question per person.

Buttons work without any conversation state (the database holds everything); only a typed
answer needs to know what was asked, so the question stores a small `PendingInput` in the
person's user_data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from telegram import Message, Update

from handlers.common import (
    Context,
    edit_message,
    edit_query_message,
    services,
    settle_query,
    user_data,
)
from ui import texts
from ui.keyboards.bone import DatePurpose

PENDING = "bone_input"
# A question left unanswered this long stops taking typed answers (the text is then stray).
INPUT_TTL = timedelta(minutes=30)


class TypedAnswer(StrEnum):
    """A question, other than a date, that takes a typed answer."""

    T_SCORE = "t"
    AGE = "a"
    CALCIUM_TARGET = "p"
    VITAMIN_D_TARGET = "v"
    PILL_COUNT = "q"


@dataclass(frozen=True)
class ScanDraft:
    """A scan result being typed in: its date and the T-scores so far, site by site."""

    profile_id: int
    scanned_on: date
    values: tuple[float | None, ...] = ()

    @property
    def site(self) -> int:
        """Return the index of the site asked next."""
        return len(self.values)


@dataclass(frozen=True)
class PendingInput:
    """What a typed answer from this person would answer, and the question's message."""

    purpose: DatePurpose | TypedAnswer
    record_id: int  # the record the date is for (VITAMIN_D_TARGET: the calcium target typed)
    message_id: int
    question: str
    until: datetime
    draft: ScanDraft | None = None


def remember(
    context: Context,
    purpose: DatePurpose | TypedAnswer,
    record_id: int,
    message: Message,
    draft: ScanDraft | None = None,
) -> None:
    """Store what typed text would answer (one open question per person)."""
    until = services(context).clock() + INPUT_TTL
    user_data(context)[PENDING] = PendingInput(
        purpose, record_id, message.message_id, message.text or "", until, draft
    )


def pending_of(context: Context) -> PendingInput | None:
    """Return the open question, if any."""
    pending: PendingInput | None = user_data(context).get(PENDING)
    return pending


def forget(context: Context) -> PendingInput | None:
    """Drop the open question and return it."""
    pending: PendingInput | None = user_data(context).pop(PENDING, None)
    return pending


def question_of(update: Update) -> str:
    """Return the text of the message whose button was pressed."""
    query = update.callback_query
    return getattr(query.message if query else None, "text", None) or ""


async def answered(update: Update, label: str) -> None:
    """Show the pressed question with its answer, without buttons."""
    query = update.callback_query
    if query is not None:
        await edit_query_message(query, texts.answered_line(question_of(update), label))


async def mark_answered(update: Update, context: Context, label: str) -> None:
    """Close the open question (pressed or typed) by showing the answer under it."""
    pending = forget(context)
    query, chat = update.callback_query, update.effective_chat
    if query is not None:
        await settle_query(query, texts.answered_line(question_of(update), label))
    elif pending is not None and chat is not None:
        answer = texts.answered_line(pending.question, label)
        await edit_message(context.bot, chat.id, pending.message_id, answer)
