"""Lab results from /bone: bone turnover markers and 25-OH vitamin D, by buttons for the test,
the date and the unit, the value typed as printed; a doubtful value asked about; a recorded
result opened, its value typed again, its date changed (`handlers.bone.dates`) or deleted.

Every result id in these buttons is checked against the acting patient by the service; a
test or unit index is checked against the tables of `bot.domain.bone_markers`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

from telegram import Update

from bot.domain.bone_markers import (
    RULES,
    MissingUnit,
    Reading,
    UnknownUnit,
    UnreadableValue,
    doubt_of,
    parse_reading,
    reading_with_unit,
)
from bot.domain.errors import NotYourRecord
from bot.exports import charts
from bot.services.bone import markers
from handlers.bone import questions
from handlers.common import Context, answer_query, services, settle_query
from handlers.conversation import MarkerDraft, TypedAnswer
from ui import texts
from ui.keyboards.bone import (
    BonePress,
    DatePurpose,
    MarkerStep,
    date_picker,
    delete_result_buttons,
    marker_check_buttons,
    marker_choice_buttons,
    result_buttons,
    result_list_buttons,
    unit_buttons,
)


def chart_png(view: markers.MarkersView, span: tuple[date, date] | None = None) -> bytes:
    """Draw the results, one panel per test on record (in the test's own unit)."""
    series = [
        charts.MarkerSeries(
            texts.MARKER_NAMES[marker],
            RULES[marker].unit.label,
            tuple((entry.measured_on, entry.reading.value) for entry in view.of(marker)),
        )
        for marker in RULES
        if view.of(marker)
    ]
    return charts.bone_markers_png(series, span=span)


async def send_chart(
    context: Context, chat_id: int, view: markers.MarkersView, span: tuple[date, date] | None
) -> None:
    """Send the results chart (nothing when none is on record)."""
    if not view.results:
        return
    png = await asyncio.to_thread(chart_png, view, span)
    await context.bot.send_photo(chat_id, png, caption=texts.MARKER_CHART_CAPTION)


async def on_marker(update: Update, context: Context, action: BonePress) -> None:
    """A step of the lab results (see `MarkerStep`)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    step = action.marker_step
    if query is None or user is None or chat is None or step is None:
        return
    found = services(context)
    match step:
        case MarkerStep.ADD:
            async with found.sessions() as session:
                await markers.markers_view(session, user.id, found.clock())  # registered?
            await answer_query(query)
            markup = marker_choice_buttons(texts.marker_buttons())
            await context.bot.send_message(chat.id, texts.ASK_MARKER, reply_markup=markup)
        case MarkerStep.CHOOSE:
            await _choose(update, context, action.number or 0)
        case MarkerStep.UNIT | MarkerStep.CHECK_KEEP | MarkerStep.CHECK_RETYPE:
            await _on_pending(update, context, action)
        case MarkerStep.LIST:
            await _on_list(update, context)
        case _:
            await _on_result(update, context, step, action.record_id)


async def _choose(update: Update, context: Context, index: int) -> None:
    """A test tapped: its date picker (Today, Yesterday, months), the test shown above it."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    marker = markers.marker_at(index)
    found = services(context)
    async with found.sessions() as session:
        view = await markers.markers_view(session, user.id, found.clock())
    earliest, latest = markers.result_date_range(view.today)
    await settle_query(
        query, texts.answered_line(questions.question_of(update), texts.MARKER_NAMES[marker])
    )
    purpose = DatePurpose.MARKER_TAKEN
    markup = date_picker(purpose, index, view.today, earliest, latest)
    sent = await context.bot.send_message(
        chat.id, texts.ask_marker_date(marker), reply_markup=markup
    )
    questions.remember(context, purpose, index, sent)


async def ask_value(
    context: Context, chat_id: int, draft: MarkerDraft, now: Reading | None = None
) -> None:
    """Ask for the result typed as printed (a correction says what it is `now`)."""
    sent = await context.bot.send_message(
        chat_id, texts.ask_marker_value(draft.marker, draft.measured_on, now)
    )
    questions.remember(context, TypedAnswer.MARKER_VALUE, draft.result_id or 0, sent, marker=draft)


async def on_date(
    update: Update, context: Context, purpose: DatePurpose, record_id: int, day: date
) -> None:
    """A lab result's date tapped or typed: ask its value (new), or move it (recorded)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if purpose is DatePurpose.MARKER_TAKEN:
        marker = markers.marker_at(record_id)
        await questions.mark_answered(update, context, texts.long_date(day))
        await ask_value(context, chat.id, MarkerDraft(marker, day))
        return
    found = services(context)
    async with found.sessions() as session:
        saved = await markers.correct_result(
            session,
            telegram_user_id=user.id,
            result_id=record_id,
            measured_on=day,
            now=found.clock(),
        )
    await questions.mark_answered(update, context, texts.long_date(day))
    await _show_saved(context, chat.id, saved, corrected=True)


async def on_typed(update: Update, context: Context, draft: MarkerDraft, text: str) -> None:
    """A result typed (or typed again): read it, ask the unit or about a doubt, or save it."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    try:
        reading = parse_reading(draft.marker, text)
    except MissingUnit as missing:
        await questions.mark_answered(update, context, missing.number)
        asked = replace(draft, number=missing.number, reading=None)
        markup = unit_buttons(texts.marker_unit_labels(draft.marker))
        sent = await context.bot.send_message(
            chat.id, texts.ask_marker_unit(missing.number), reply_markup=markup
        )
        record_id = draft.result_id or 0
        questions.remember(context, TypedAnswer.MARKER_UNIT, record_id, sent, marker=asked)
        return
    except UnknownUnit as unknown:
        await message.reply_text(texts.unknown_marker_unit(draft.marker, unknown.not_convertible))
        return
    except UnreadableValue:
        await message.reply_text(texts.bad_marker_value(draft.marker))
        return
    await questions.mark_answered(update, context, reading.as_printed)
    await _finish(context, chat.id, user.id, replace(draft, reading=reading), confirmed=False)


async def _finish(
    context: Context, chat_id: int, user_id: int, draft: MarkerDraft, *, confirmed: bool
) -> None:
    """Ask about a doubtful result (unless confirmed), else save it or the correction."""
    reading = draft.reading
    if reading is None:
        return
    doubt = None if confirmed else doubt_of(reading)
    if doubt is not None:
        markup = marker_check_buttons(reading.as_printed)
        sent = await context.bot.send_message(
            chat_id, texts.marker_doubt_text(doubt), reply_markup=markup
        )
        record_id = draft.result_id or 0
        questions.remember(context, TypedAnswer.MARKER_CHECK, record_id, sent, marker=draft)
        return
    found = services(context)
    async with found.sessions() as session:
        if draft.result_id is None:
            saved = await markers.record_result(
                session,
                telegram_user_id=user_id,
                reading=reading,
                measured_on=draft.measured_on,
                now=found.clock(),
            )
        else:
            saved = await markers.correct_result(
                session,
                telegram_user_id=user_id,
                result_id=draft.result_id,
                reading=reading,
                now=found.clock(),
            )
    await _show_saved(context, chat_id, saved, corrected=draft.result_id is not None)


async def _show_saved(
    context: Context, chat_id: int, saved: markers.Saved, *, corrected: bool
) -> None:
    """The chart again (the values moved), then the result and the results on record."""
    await send_chart(context, chat_id, saved.view, None)
    text = texts.result_corrected(saved) if corrected else texts.marker_saved(saved)
    await context.bot.send_message(chat_id, text)


async def _on_pending(update: Update, context: Context, action: BonePress) -> None:
    """A unit tapped for a number typed alone, or the answer to "is that right?"."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    pending = questions.pending_of(context)
    if query is None or user is None or chat is None:
        return
    draft = pending.marker if pending is not None else None
    step = action.marker_step
    expected = {
        MarkerStep.UNIT: TypedAnswer.MARKER_UNIT,
        MarkerStep.CHECK_KEEP: TypedAnswer.MARKER_CHECK,
        MarkerStep.CHECK_RETYPE: TypedAnswer.MARKER_CHECK,
    }
    if (
        pending is None
        or draft is None
        or step is None
        or pending.purpose is not expected[step]
        or (query.message is not None and query.message.message_id != pending.message_id)
    ):
        await answer_query(query, texts.BUTTON_EXPIRED)
        return
    if step is MarkerStep.UNIT:
        if draft.number is None:
            await answer_query(query, texts.BUTTON_EXPIRED)
            return
        try:
            reading = reading_with_unit(draft.marker, draft.number, action.number or 0)
        except UnknownUnit as forged:
            raise NotYourRecord from forged
        await questions.mark_answered(update, context, reading.unit.label)
        answered = replace(draft, number=None, reading=reading)
        await _finish(context, chat.id, user.id, answered, confirmed=False)
        return
    if step is MarkerStep.CHECK_RETYPE or draft.reading is None:
        await questions.mark_answered(update, context, texts.CHECK_RETYPE)
        await ask_value(context, chat.id, replace(draft, reading=None))
        return
    await questions.mark_answered(
        update, context, texts.CHECK_KEEP.format(value=draft.reading.as_printed)
    )
    await _finish(context, chat.id, user.id, draft, confirmed=True)


async def _on_list(update: Update, context: Context) -> None:
    """The recorded results, newest first, one button each."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        entries = await markers.result_list(session, user.id, found.clock())
    if not entries:
        await answer_query(query, texts.NO_RESULTS)
        return
    await answer_query(query)
    markup = result_list_buttons(
        [(entry.result_id, texts.result_label(entry)) for entry in entries]
    )
    await context.bot.send_message(chat.id, texts.RESULTS_HEAD, reply_markup=markup)


async def _on_result(update: Update, context: Context, step: MarkerStep, result_id: int) -> None:
    """A step on one recorded result: open it, type its value again, delete it (after asking)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        entry = await markers.own_result(session, user.id, result_id, found.clock())
        gone = None
        if step is MarkerStep.DELETE_YES:
            gone = await markers.delete_result(
                session, telegram_user_id=user.id, result_id=result_id, now=found.clock()
            )
    if gone is not None:
        await settle_query(query, texts.result_deleted(entry, gone.view))
        return
    if step is MarkerStep.DELETE:
        await settle_query(query, texts.ask_delete_result(entry), delete_result_buttons(result_id))
        return
    if step is MarkerStep.VALUE:
        await answer_query(query)
        draft = MarkerDraft(entry.marker, entry.measured_on, result_id=result_id)
        await ask_value(context, chat.id, draft, entry.reading)
        return
    text = texts.result_page(entry)
    if step is MarkerStep.KEEP:
        text = f"{texts.RECORD_KEPT}\n\n{text}"
    await settle_query(query, text, result_buttons(result_id))
