"""Records out and data erased: /export, /patients, /privacy, /mydata, /deletemydata.

Thin: each step asks `bot.services.exports`, `bot.services.clinician` or
`bot.services.erasure`, which check that the acting user may see what they ask for; the
files go out as Telegram documents (/mydata's as one ZIP file).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.db.models import LinkRole
from bot.domain.errors import ArchiveTooLarge, NotRegistered, NotYourRecord
from bot.services import care_access, care_links, clinician, erasure
from bot.services import exports as export_service
from bot.services.exports import ExportFormat, ExportRequest
from bot.services.regimen import find_patient
from handlers.common import (
    App,
    Context,
    answer_query,
    conversation_of,
    edit_query_message,
    for_registered,
    notify,
    parse_press,
    services,
)
from handlers.menus import refresh_menu
from ui import texts
from ui.keyboards.data import (
    erase_buttons,
    format_buttons,
    parse_data_action,
    period_buttons,
    whose_buttons,
)


async def export_command(update: Update, context: Context) -> None:
    """/export: whose records (own or a linked patient's), then period, then format."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    async with services(context).sessions() as session:
        own = await find_patient(session, user.id) is not None
        patients = [
            view
            for view in await care_links.cared_for(session, user.id)
            if view.role is LinkRole.CLINICIAN
        ]
    if not own and not patients:
        await message.reply_text(texts.EXPORT_NOTHING)
    elif own and not patients:
        await message.reply_text(texts.EXPORT_PERIOD, reply_markup=period_buttons(0))
    else:
        await message.reply_text(texts.EXPORT_WHOSE, reply_markup=whose_buttons(own, patients))


async def _send_files(
    context: Context, chat_id: int, request: ExportRequest, export_format: ExportFormat
) -> int:
    found = services(context)
    async with found.sessions() as session:
        files = await export_service.run_export(session, request, export_format, found.clock())
    for file in files:
        await context.bot.send_document(chat_id, file.data, filename=file.name)
    return len(files)


async def on_button(update: Update, context: Context) -> None:
    """Take a press on an export or erasure button."""
    pressed = await parse_press(update, parse_data_action)
    if pressed is None:
        return
    query, user, action = pressed
    found = services(context)
    try:
        if action.step == "erase":
            await _erase(update, context, action.confirmed)
            return
        # Check access at every step, not only the last: a forged id gets nothing.
        async with found.sessions() as session:
            days = action.days if action.days is not None else 30
            if action.link_id == 0:
                request = await export_service.own_request(session, user.id, days, found.clock())
            else:
                request = await export_service.clinician_request(
                    session, user.id, action.link_id, days, found.clock()
                )
    except (NotRegistered, NotYourRecord):
        await answer_query(query, texts.NOT_YOURS)
        return
    await answer_query(query)
    if action.step == "pick":
        await edit_query_message(query, texts.EXPORT_PERIOD, period_buttons(action.link_id))
    elif action.step == "period":
        await edit_query_message(
            query, texts.EXPORT_FORMAT, format_buttons(action.link_id, action.days or 0)
        )
    elif action.export_format is not None:
        await edit_query_message(query, texts.EXPORT_PREPARING)
        count = await _send_files(context, user.id, request, action.export_format)
        done = texts.EXPORT_DONE.format(count=count)
        if action.link_id:
            done += "\n" + texts.EXPORT_AUDITED
        await context.bot.send_message(user.id, done)


async def patients_command(update: Update, context: Context) -> None:
    """/patients: each patient who linked the clinician, with red flags and adherence."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    found = services(context)
    async with found.sessions() as session:
        glances = await clinician.patients_overview(session, user.id, found.clock())
    if not glances:
        await message.reply_text(texts.PATIENTS_NONE)
        return
    parts = [texts.PATIENTS_HEAD.format(days=clinician.ADHERENCE_DAYS)]
    for glance in glances:
        flags = [f"{flag.topic} (since {flag.opened_on:%-d %b})" for flag in glance.open_flags]
        rates = [(rate.product.name, rate.taken, rate.due) for rate in glance.adherence]
        last = f"{glance.last_checkin_on:%-d %b %Y}" if glance.last_checkin_on else "none yet"
        who = f"{glance.number}. {texts.patient_label(glance.name, glance.clinic_label)}"
        parts.append(texts.glance_line(who, flags, rates, last, glance.on_hold))
    parts.append(texts.PATIENTS_HINT)
    await message.reply_text("\n\n".join(parts))


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy: who is linked and what they get, and the exports of the patient's records."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    parts = [texts.PRIVACY_HEAD]
    async with services(context).sessions() as session:
        try:
            mine = await care_links.links_of_patient(session, user.id)
            exports = await export_service.export_log(session, user.id)
            views = await care_access.access_log(session, user.id)
        except NotRegistered:
            mine, exports, views = None, [], []
        helping = await care_links.cared_for(session, user.id)
    if mine is not None:
        lines = [
            f"• {view.member_name}, {texts.role_name(view.role)}: "
            + ", ".join(
                label.lower()
                for column, label in texts.PERMISSION_LABELS.items()
                if getattr(view, column)
            )
            for view in mine
        ]
        parts.append("\n".join(lines) if lines else texts.PRIVACY_LINKS_NONE)
        if exports:
            audit = [
                texts.export_line(
                    f"{entry.at:%Y-%m-%d %H:%M} UTC",
                    entry.actor_role.value,
                    entry.actor_name,
                    entry.export_format.value,
                    entry.start.date(),
                    entry.end.date(),
                )
                for entry in exports
            ]
            parts.append("\n".join([texts.PRIVACY_EXPORTS_HEAD, *audit]))
        else:
            parts.append(texts.PRIVACY_EXPORTS_NONE)
        looked = [
            texts.access_line(
                f"{entry.at:%Y-%m-%d %H:%M} UTC",
                texts.role_name(entry.actor_role),
                entry.actor_name,
                entry.what.value,
            )
            for entry in views
        ]
        parts.append(
            "\n".join([texts.PRIVACY_VIEWS_HEAD, *looked]) if looked else texts.PRIVACY_VIEWS_NONE
        )
    if helping:
        names = [f"• {v.patient_name}, as {texts.role_name(v.role)}" for v in helping]
        parts.append("\n".join([texts.PRIVACY_MEMBER_HEAD, *names]))
    parts += [texts.PRIVACY_CODES, texts.PRIVACY_FOOT]
    await message.reply_text("\n\n".join(parts))


async def mydata_command(update: Update, context: Context) -> None:
    """/mydata: everything held about the patient, as one ZIP file (one document)."""
    secret = services(context).settings.code_attempt_secret
    try:
        loaded = await for_registered(
            update,
            context,
            lambda session, user_id, now: export_service.own_archive(
                session, user_id, now, attempt_secret=secret
            ),
            not_registered=texts.MYDATA_NOT_PATIENT,
        )
    except ArchiveTooLarge as error:
        if update.effective_message is not None:
            too_large = texts.mydata_too_large(error.size_bytes, error.limit_bytes)
            await update.effective_message.reply_text(too_large)
        return
    if loaded is None:
        return
    message, archive = loaded
    await message.reply_document(archive.data, filename=archive.name, caption=texts.MYDATA_CAPTION)


async def deletemydata_command(update: Update, context: Context) -> None:
    """/deletemydata: ask for confirmation first."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.DELETE_CONFIRM, reply_markup=erase_buttons())


async def _erase(update: Update, context: Context, confirmed: bool) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None
    assert user is not None
    await answer_query(query)
    if not confirmed:
        await edit_query_message(query, texts.DELETE_KEPT)
        return
    found = services(context)
    async with found.sessions() as session:
        done = await erasure.erase_person(session, found.planner, user.id)
    conversation_of(context).clear()  # nothing of theirs stays in memory either
    await edit_query_message(query, texts.DELETE_DONE)
    await refresh_menu(context, user.id)  # no roles left: the default menu again
    for notice in done.notices:
        await notify(
            context.bot, notice.chat_id, texts.ERASED_NOTICE.format(name=notice.name or "Someone")
        )
        await refresh_menu(context, notice.chat_id)  # their link to this person ended


def register(app: App) -> None:
    """Add the export, privacy and erasure commands and buttons."""
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("patients", patients_command))
    app.add_handler(CommandHandler("privacy", privacy_command))
    app.add_handler(CommandHandler("mydata", mydata_command))
    app.add_handler(CommandHandler("deletemydata", deletemydata_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(?:x|del):"))
