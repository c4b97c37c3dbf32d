"""What the bone calendar asked and is waiting for: one open question per person.

Buttons work without any conversation state (the database holds everything); only a typed
answer needs to know what was asked, so the question stores a small `PendingInput` in the
person's `Conversation.bone_input`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from telegram import Message, Update

from handlers.common import (
    Context,
    conversation_of,
    edit_message,
    edit_query_message,
    services,
    settle_query,
)
from handlers.conversation import MarkerDraft, PendingInput, ScanDraft, TypedAnswer
from ui import texts
from ui.keyboards.bone import DatePurpose

# A question left unanswered this long stops taking typed answers (the text is then stray).
INPUT_TTL = timedelta(minutes=30)


def remember(
    context: Context,
    purpose: DatePurpose | TypedAnswer,
    record_id: int,
    message: Message,
    draft: ScanDraft | None = None,
    *,
    marker: MarkerDraft | None = None,
) -> None:
    """Store what typed text would answer (one open question per person)."""
    question = message.text or ""
    remember_id(context, purpose, record_id, message.message_id, question, draft, marker=marker)


def remember_id(
    context: Context,
    purpose: DatePurpose | TypedAnswer,
    record_id: int,
    message_id: int,
    question: str,
    draft: ScanDraft | None = None,
    *,
    marker: MarkerDraft | None = None,
) -> None:
    """Store what typed text would answer, for a question already edited into a message."""
    until = services(context).clock() + INPUT_TTL
    conversation_of(context).bone_input = PendingInput(
        purpose, record_id, message_id, question, until, draft, marker
    )


def reword(context: Context, question: str) -> None:
    """Keep the open question's new wording (its message was edited in place)."""
    state = conversation_of(context)
    if state.bone_input is not None:
        state.bone_input = replace(state.bone_input, question=question)


def forget_if(context: Context, purpose: DatePurpose | TypedAnswer) -> None:
    """Drop the open question if it is this one (it was answered with a button)."""
    pending = pending_of(context)
    if pending is not None and pending.purpose is purpose:
        forget(context)


def pending_of(context: Context) -> PendingInput | None:
    """Return the open question, if any."""
    return conversation_of(context).bone_input


def forget(context: Context) -> PendingInput | None:
    """Drop the open question and return it."""
    state = conversation_of(context)
    pending, state.bone_input = state.bone_input, None
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
