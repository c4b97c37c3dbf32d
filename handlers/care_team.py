"""What linked people do with alerts, and the clinician's commands: /label, /responses.

An alert's buttons (`ui.keyboards.care.alert_buttons`) follow its state: a caregiver marks a
red flag seen, or a dose alert "checked on them", or mutes dose alerts for the patient's day;
a clinician marks seen, patient contacted, resolved (with a typed note if they like). Every
press is re-checked by `bot.services.care_alerts`: only the person the alert went to, while
their link is active.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.db.models import AlertKind
from bot.domain.errors import NotYourRecord
from bot.services import care_alerts, clinician
from handlers.common import (
    App,
    Context,
    answer_query,
    conversation_of,
    edit_message,
    edit_query_message,
    notify,
    services,
    unit_of_work,
)
from handlers.conversation import AlertNoteInput
from ui import texts
from ui.keyboards.care import NOTE, CareAction, alert_buttons

NOTE_TTL = timedelta(minutes=15)  # a typed note answers "Resolve with a note" this long


def _marked(text: str, seen: care_alerts.Acknowledgement) -> str:
    """The alert's text with what this press added (once: a repeat adds nothing)."""
    if not seen.changed:
        return text
    match seen.step:
        case care_alerts.AlertStep.SEEN if seen.role == "clinician":
            mark = "\n\n" + texts.ALERT_MARK_SEEN
        case care_alerts.AlertStep.SEEN:
            mark = texts.ALERT_SEEN_MARK
        case care_alerts.AlertStep.CHECKED:
            mark = texts.ALERT_CHECKED_MARK
        case care_alerts.AlertStep.MUTE:
            mark = texts.ALERT_MUTED_MARK
        case care_alerts.AlertStep.CONTACTED:
            mark = "\n\n" + texts.ALERT_CONTACTED
        case care_alerts.AlertStep.RESOLVED:
            mark = "\n\n" + texts.ALERT_RESOLVED + (f": {seen.note}" if seen.note else "")
    return text + mark


async def on_alert_action(update: Update, context: Context, action: CareAction) -> None:
    """A press on an alert's button (NotYourRecord for a forged or stale one)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None
    assert user is not None
    alert_id = action.record_id or 0
    found = services(context)
    if action.value == NOTE:
        still_open = await unit_of_work(
            context, lambda session: care_alerts.may_resolve(session, user.id, alert_id)
        )
        if not still_open:
            await answer_query(query, texts.ALERT_ALREADY)
            return
        message_id = query.message.message_id if query.message else 0
        shown = getattr(query.message, "text", None) or ""
        conversation_of(context).alert_note_input = AlertNoteInput(
            alert_id, message_id, shown, found.clock() + NOTE_TTL
        )
        await answer_query(query)
        await notify(context.bot, user.id, texts.ASK_NOTE)
        return
    step = care_alerts.AlertStep(action.value or care_alerts.AlertStep.SEEN.value)
    seen = await unit_of_work(
        context,
        lambda session: care_alerts.answer_alert(session, user.id, alert_id, step, found.clock()),
    )
    await answer_query(query, None if seen.changed else texts.ALERT_ALREADY)
    if seen.changed:
        text = getattr(query.message, "text", None) or ""
        markup = alert_buttons(
            alert_id,
            seen.kind,
            seen.role,
            seen=seen.seen or step is care_alerts.AlertStep.MUTE,
            contacted=seen.contacted,
            resolved=seen.resolved,
        )
        await edit_query_message(query, _marked(text, seen), markup)
    if seen.first and seen.kind is AlertKind.RED_FLAG:
        await notify(
            context.bot,
            seen.patient_chat_id,
            texts.ALERT_SEEN_PATIENT.format(name=seen.member_name),
        )


class AwaitingAlertNote(filters.UpdateFilter):
    """Let typed text through only while this clinician was asked for an alert's note."""

    def __init__(self, app: App) -> None:
        super().__init__(name="AwaitingAlertNote")
        self._app = app

    def filter(self, update: Update) -> bool:
        """Tell whether the sender has a "Resolve with a note" question open."""
        user = update.effective_user
        state = self._app.user_data.get(user.id) if user is not None else None
        return state is not None and state.alert_note_input is not None


async def on_typed_note(update: Update, context: Context) -> None:
    """The typed note: the alert is resolved with it, and its message shows so."""
    message, user = update.effective_message, update.effective_user
    conversation = conversation_of(context)
    pending = conversation.alert_note_input
    if message is None or user is None or pending is None:
        return
    conversation.alert_note_input = None
    found = services(context)
    if found.clock() > pending.until:
        await message.reply_text(texts.UNKNOWN_TEXT)
        return
    try:
        seen = await unit_of_work(
            context,
            lambda session: care_alerts.answer_alert(
                session,
                user.id,
                pending.alert_id,
                care_alerts.AlertStep.RESOLVED,
                found.clock(),
                note=message.text or "",
            ),
        )
    except NotYourRecord:
        await message.reply_text(texts.NOT_LINKED_ANY_MORE)
        return
    await message.reply_text(texts.NOTE_SAVED if seen.changed else texts.ALERT_ALREADY)
    if seen.changed:
        await edit_message(
            context.bot,
            user.id,
            pending.message_id,
            _marked(pending.text, seen),
            None,
        )


async def label_command(update: Update, context: Context) -> None:
    """/label <number> [label]: the clinician's own label for a patient of /patients."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    args = context.args or []
    if not args or not args[0].isdigit() or len(args[0]) > 4:
        await message.reply_text(texts.LABEL_USAGE)
        return
    number, label = int(args[0]), " ".join(args[1:])
    try:
        done = await unit_of_work(
            context, lambda session: clinician.set_label(session, user.id, number, label)
        )
    except NotYourRecord:
        await message.reply_text(texts.LABEL_NO_SUCH.format(number=number))
        return
    name = done.patient_name or "The patient"
    if done.label is None:
        await message.reply_text(texts.LABEL_CLEARED.format(name=name))
    else:
        await message.reply_text(texts.LABEL_SET.format(name=name, label=done.label))


async def responses_command(update: Update, context: Context) -> None:
    """/responses: per tier, how fast the clinician's red-flag alerts were answered."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    found = services(context)
    figures = await unit_of_work(
        context,
        lambda session: clinician.response_figures(session, user.id, found.clock()),
    )
    await message.reply_text(texts.responses_view(figures, clinician.RESPONSE_DAYS))


def register(app: App) -> None:
    """Add the clinician's commands and the typed alert note (before the catch-alls)."""
    app.add_handler(CommandHandler("label", label_command))
    app.add_handler(CommandHandler("responses", responses_command))
    awaiting = AwaitingAlertNote(app)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & awaiting, on_typed_note))
