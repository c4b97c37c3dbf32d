"""Corrections from /bone: a recorded scan opened, a site's T-score typed again or the scan
deleted; a clinic agent's recorded dates listed, one opened or deleted. Dates are changed
through the date picker (`handlers.bone.dates`), typed T-scores through `handlers.bone.dxa`.

Every id in these buttons is checked against the acting patient by the service.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.bone_health import Site
from bot.services.bone import clinic_agents, dxa
from handlers.bone.dxa import ask_site
from handlers.common import Context, answer_query, services, settle_query
from handlers.conversation import ScanDraft
from ui import texts
from ui.keyboards.bone import (
    BonePress,
    DoseStep,
    ScanStep,
    delete_dose_buttons,
    delete_scan_buttons,
    dose_buttons,
    dose_list_buttons,
    scan_buttons,
    scan_list_buttons,
)


async def on_scans(update: Update, context: Context) -> None:
    """The recorded scans, newest first, one button each."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        entries = await dxa.scan_list(session, user.id, found.clock())
    if not entries:
        await answer_query(query, texts.NO_SCANS)
        return
    await answer_query(query)
    markup = scan_list_buttons(
        [(entry.scan_id, texts.scan_label(entry.result)) for entry in entries]
    )
    await context.bot.send_message(chat.id, texts.SCANS_HEAD, reply_markup=markup)


async def on_scan(update: Update, context: Context, action: BonePress) -> None:
    """A step on one recorded scan: open it, correct a site, delete it (after asking)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    step, scan_id = action.scan_step, action.record_id
    if step is ScanStep.DELETE_YES:
        async with found.sessions() as session:
            entry = await dxa.own_scan(session, user.id, scan_id, found.clock())
            gone = await dxa.delete_scan(
                session,
                found.planner,
                telegram_user_id=user.id,
                scan_id=scan_id,
                now=found.clock(),
            )
        await settle_query(query, texts.scan_deleted(entry.result.scanned_on, gone.view))
        return
    async with found.sessions() as session:
        entry = await dxa.own_scan(session, user.id, scan_id, found.clock())
        profile_id = (await dxa.dxa_view(session, user.id, found.clock())).profile_id
    if step is ScanStep.DELETE:
        markup = delete_scan_buttons(scan_id)
        await settle_query(query, texts.ask_delete_scan(entry), markup)
        return
    if step is ScanStep.SITE and action.number is not None:
        await answer_query(query)
        result = entry.result
        values = tuple(getattr(result, site.value) for site in Site)
        draft = ScanDraft(
            profile_id,
            result.scanned_on,
            values,
            scan_id=scan_id,
            edited=action.number,
            retype=action.number,
        )
        await ask_site(context, chat.id, user.id, draft)
        return
    # Open it (the list becomes the scan), or keep it (back to the scan).
    text = texts.scan_page(entry)
    markup = scan_buttons(scan_id, texts.site_button_labels(entry.result))
    if step is ScanStep.KEEP:
        await settle_query(query, f"{texts.RECORD_KEPT}\n\n{text}", markup)
        return
    await settle_query(query, text, markup)


async def on_dose(update: Update, context: Context, action: BonePress) -> None:
    """A step on clinic doses: a plan's dates, one dose, delete it (after asking)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    found = services(context)
    step, record_id = action.dose_step, action.record_id
    if step is DoseStep.LIST:
        async with found.sessions() as session:
            listed = await clinic_agents.dose_list(session, user.id, record_id, found.clock())
        if not listed.doses:
            await answer_query(query, texts.NO_DOSES)
            return
        markup = dose_list_buttons([(dose.dose_id, dose.given_on) for dose in listed.doses])
        await answer_query(query)
        chat = update.effective_chat
        if chat is not None:
            await context.bot.send_message(
                chat.id, texts.doses_head(listed.view), reply_markup=markup
            )
        return
    if step is DoseStep.DELETE_YES:
        async with found.sessions() as session:
            dose = await clinic_agents.own_dose(session, user.id, record_id, found.clock())
            recorded = await clinic_agents.delete_dose(
                session,
                found.planner,
                telegram_user_id=user.id,
                dose_id=record_id,
                now=found.clock(),
            )
        await settle_query(query, texts.dose_deleted(recorded.view, dose.given_on))
        return
    async with found.sessions() as session:
        dose = await clinic_agents.own_dose(session, user.id, record_id, found.clock())
    if step is DoseStep.DELETE:
        await settle_query(query, texts.ask_delete_dose(dose), delete_dose_buttons(record_id))
        return
    text = texts.dose_page(dose)
    if step is DoseStep.KEEP:
        text = f"{texts.RECORD_KEPT}\n\n{text}"
    await settle_query(query, text, dose_buttons(record_id))
