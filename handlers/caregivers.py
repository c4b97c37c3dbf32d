"""Caregivers and care-team members in the chat: /caregiver, /caring, invitations, alerts.

The patient invites with a single-use link, the invited person accepts, the patient
confirms; both are told at each step. The patient manages each link (what it receives,
remove); a linked person can leave. Alerts carry an "I've seen this" button, and the patient
hears when an alert about them was seen. Every press is re-checked by the services.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.db.models import LinkRole
from bot.domain import invite_codes
from bot.domain.errors import NotRegistered, NotYourRecord
from bot.services import care_links, care_summary, care_today, symptom_history
from handlers import care_team
from handlers.checkins import send_symptom_history
from handlers.common import (
    App,
    Context,
    answer_query,
    edit_query_message,
    for_registered,
    notify,
    parse_press,
    services,
    settle_query,
    unit_of_work,
)
from handlers.menus import refresh_menu
from ui import texts
from ui.keyboards.care import (
    QUIET_CHOICES,
    CareAction,
    care_menu_buttons,
    caring_buttons,
    confirm_link_buttons,
    invite_answer_buttons,
    leave_confirm_buttons,
    link_detail_buttons,
    parse_care_action,
    remove_confirm_buttons,
    settings_buttons,
)


def _menu_text(views: list[care_links.LinkView]) -> str:
    if not views:
        return texts.CARE_MENU_EMPTY
    lines = [texts.CARE_MENU_HEAD, ""]
    for view in views:
        waiting = " (waiting for your OK)" if view.status == "pending" else ""
        lines.append(f"• {view.member_name}, {texts.role_name(view.role)}{waiting}")
    return "\n".join([*lines, "", texts.CARE_MENU_HINT])


# --- Commands ----------------------------------------------------------------------------------


async def caregiver_command(update: Update, context: Context) -> None:
    """/caregiver: who is linked, invite someone, alert settings."""
    loaded = await for_registered(
        update,
        context,
        lambda session, user_id, _now: care_links.links_of_patient(session, user_id),
    )
    if loaded is not None:
        message, views = loaded
        await message.reply_text(_menu_text(views), reply_markup=care_menu_buttons(views))


async def caring_command(update: Update, context: Context) -> None:
    """/caring: each person the user helps, with their day, a chart button and Leave."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    found = services(context)
    async with found.sessions() as session:
        days = await care_today.caring_days(session, user.id, found.clock())
        links = await care_links.cared_for(session, user.id)
    if not links:
        await message.reply_text(texts.CARING_EMPTY)
        return
    # A clinician's patients are in /patients; here they only have their Leave button.
    teams = [link.patient_name for link in links if link.role is LinkRole.CLINICIAN]
    text = texts.caring_view(days, teams)
    await message.reply_text(text, reply_markup=caring_buttons(links))


async def start_with_code(update: Update, context: Context) -> None:
    """/start <code> (from a t.me invitation link): show what accepting means."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    code = (context.args or [""])[0]
    found = services(context)
    try:
        async with found.sessions() as session:
            invitation = await care_links.check_invite(
                session,
                user.id,
                code,
                found.clock(),
                attempt_secret=found.settings.code_attempt_secret,
            )
    except care_links.TooManyAttempts:
        await message.reply_text(texts.TOO_MANY_ATTEMPTS)
        return
    except care_links.InvalidCode:
        await message.reply_text(texts.INVALID_CODE)
        return
    except care_links.OwnCode:
        await message.reply_text(texts.OWN_CODE)
        return
    except care_links.AlreadyLinked:
        await message.reply_text(texts.ALREADY_LINKED)
        return
    role = invitation.role
    intro = texts.INVITE_INTRO.format(
        inviter=invitation.inviter_name or texts.INVITER_UNKNOWN,
        role=texts.role_name(role),
        receives=texts.ROLE_RECEIVES[role.value],
    )
    await message.reply_text(intro, reply_markup=invite_answer_buttons(code))


# --- Buttons -----------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    """Route a care button; malformed or forged data gets a kind refusal."""
    pressed = await parse_press(update, parse_care_action)
    if pressed is None:
        return
    query, _user, action = pressed
    try:
        await _handle(update, context, action)
    except NotRegistered:
        await answer_query(query, texts.NOT_REGISTERED)
    except NotYourRecord:
        await answer_query(query, texts.NOT_LINKED_ANY_MORE)


async def _handle(update: Update, context: Context, action: CareAction) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None
    assert user is not None
    found = services(context)
    now = found.clock()
    match action.action:
        case "cg:i" | "cg:k":
            role = LinkRole.CAREGIVER if action.action == "cg:i" else LinkRole.CLINICIAN
            async with found.sessions() as session:
                code = await care_links.create_invite(
                    session, user.id, role, now, inviter_name=user.first_name
                )
            await answer_query(query)
            link = invite_codes.deep_link(context.bot.username, code)
            await notify(
                context.bot,
                user.id,
                texts.INVITE_CREATED.format(role=texts.role_name(role), link=link, code=code),
            )
        case "cg:b":
            async with found.sessions() as session:
                views = await care_links.links_of_patient(session, user.id)
            await settle_query(query, _menu_text(views), care_menu_buttons(views))
        case "cg:m":
            async with found.sessions() as session:
                view = await care_links.link_of_patient(session, user.id, action.record_id or 0)
            await answer_query(query)
            await _show_link(query, view)
        case "cg:t":
            async with found.sessions() as session:
                view = await care_links.toggle_permission(
                    session,
                    telegram_user_id=user.id,
                    link_id=action.record_id or 0,
                    permission=action.permission or "",
                )
                if view.weekly_summary:
                    await care_summary.plan_weekly_summary(
                        session, found.planner, view.patient_id, now
                    )
            await answer_query(query, texts.SETTINGS_SAVED)
            await _show_link(query, view)
        case "cg:x":
            async with found.sessions() as session:
                view = await care_links.link_of_patient(session, user.id, action.record_id or 0)
            await settle_query(
                query,
                texts.REMOVE_CONFIRM.format(name=view.member_name),
                remove_confirm_buttons(view.link_id),
            )
        case "cg:X":
            async with found.sessions() as session:
                view = await care_links.unlink(
                    session, telegram_user_id=user.id, link_id=action.record_id or 0, now=now
                )
            await settle_query(query, texts.REMOVED_PATIENT.format(name=view.member_name))
            await refresh_menu(context, view.member_chat_id)
            await notify(
                context.bot,
                view.member_chat_id,
                texts.REMOVED_MEMBER.format(
                    patient=view.patient_name or "The person you helped",
                    role=texts.role_name(view.role),
                ),
            )
        case "cg:s" | "cg:d" | "cg:q":
            await _settings(update, context, action)
        case "lk:y" | "lk:n":
            await _confirm(update, context, action)
        case "iv:a":
            await _accept(update, context, action.value or "")
        case "iv:n":
            await settle_query(query, texts.INVITE_DECLINED)
        case "cr:l":
            async with found.sessions() as session:
                view = await care_links.member_link(session, user.id, action.record_id or 0)
            await settle_query(
                query,
                texts.LEAVE_CONFIRM.format(patient=view.patient_name),
                leave_confirm_buttons(view.link_id),
            )
        case "cr:L":
            async with found.sessions() as session:
                view = await care_links.leave(
                    session, telegram_user_id=user.id, link_id=action.record_id or 0, now=now
                )
            await settle_query(query, texts.LEFT_MEMBER.format(patient=view.patient_name))
            await refresh_menu(context, view.member_chat_id)
            await notify(
                context.bot, view.patient_chat_id, texts.LEFT_PATIENT.format(name=view.member_name)
            )
        case "cr:b":
            async with found.sessions() as session:
                views = await care_links.cared_for(session, user.id)
            await settle_query(query, texts.CARING_HINT, caring_buttons(views))
        case "cr:h":
            async with found.sessions() as session:
                history = await symptom_history.linked_history(
                    session, user.id, action.record_id or 0, now
                )
            await answer_query(query)
            await send_symptom_history(context, user.id, history)
        case "al":
            await care_team.on_alert_action(update, context, action)
        case _:
            await answer_query(query, texts.NOT_YOURS)


async def _show_link(query: CallbackQuery, view: care_links.LinkView) -> None:
    text = texts.LINK_DETAIL.format(name=view.member_name, role=texts.role_name(view.role))
    await edit_query_message(query, text, link_detail_buttons(view))


async def _settings(update: Update, context: Context, action: CareAction) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None
    assert user is not None

    async def change(session: AsyncSession) -> care_links.AlertSettings | None:
        if action.action == "cg:d":
            minutes = int(action.value or "0")
            try:
                await care_links.set_missed_dose_delay(session, user.id, minutes or None)
            except ValueError:  # not a delay offered: a forged press
                return None
        elif action.action == "cg:q":
            hours = QUIET_CHOICES.get(action.value or "")
            start, end = hours if hours else (None, None)
            await care_links.set_quiet_hours(session, user.id, start, end)
        return await care_links.alert_settings(session, user.id)

    settings = await unit_of_work(context, change)
    if settings is None:
        await answer_query(query, texts.NOT_YOURS)
        return
    text = texts.SETTINGS_VIEW.format(
        delay=texts.minutes_phrase(settings.missed_dose_alert_minutes),
        quiet=texts.quiet_phrase(settings.quiet_hours_start, settings.quiet_hours_end),
    )
    notice = None if action.action == "cg:s" else texts.SETTINGS_SAVED
    await settle_query(query, text, settings_buttons(), notice=notice)


async def _accept(update: Update, context: Context, code: str) -> None:
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None
    assert user is not None
    found = services(context)
    try:
        async with found.sessions() as session:
            view = await care_links.accept_invite(
                session,
                telegram_user_id=user.id,
                chat_id=chat.id if chat else user.id,
                name=user.first_name,
                code=code,
                now=found.clock(),
                attempt_secret=found.settings.code_attempt_secret,
            )
    except care_links.TooManyAttempts:
        await settle_query(query, texts.TOO_MANY_ATTEMPTS)
        return
    except care_links.InvalidCode:
        await settle_query(query, texts.INVALID_CODE)
        return
    except (care_links.OwnCode, care_links.AlreadyLinked):
        await settle_query(query, texts.ALREADY_LINKED)
        return
    await settle_query(query, texts.INVITE_ACCEPTED)
    await notify(
        context.bot,
        view.patient_chat_id,
        texts.CONFIRM_REQUEST.format(name=view.member_name, role=texts.role_name(view.role)),
        confirm_link_buttons(view.link_id),
    )


async def _confirm(update: Update, context: Context, action: CareAction) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None
    assert user is not None
    found = services(context)
    async with found.sessions() as session:
        if action.action == "lk:y":
            view = await care_links.confirm_link(
                session,
                telegram_user_id=user.id,
                link_id=action.record_id or 0,
                name=user.first_name,
                now=found.clock(),
            )
        else:
            view = await care_links.refuse_link(
                session, telegram_user_id=user.id, link_id=action.record_id or 0, now=found.clock()
            )
    await answer_query(query)
    role = texts.role_name(view.role)
    if action.action == "lk:y":
        await edit_query_message(
            query, texts.LINKED_PATIENT.format(name=view.member_name, role=role)
        )
        linked = texts.LINKED_CLINICIAN if view.role is LinkRole.CLINICIAN else texts.LINKED_MEMBER
        await notify(
            context.bot, view.member_chat_id, linked.format(patient=view.patient_name, role=role)
        )
        await refresh_menu(context, view.member_chat_id)
    else:
        await edit_query_message(query, texts.REFUSED_PATIENT.format(name=view.member_name))
        await notify(context.bot, view.member_chat_id, texts.REFUSED_MEMBER)


def register(app: App) -> None:
    """Add the caregiver commands and buttons (before registration, for /start <code>)."""
    app.add_handler(CommandHandler("start", start_with_code, has_args=True))
    app.add_handler(CommandHandler("caregiver", caregiver_command))
    app.add_handler(CommandHandler("caring", caring_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(?:cg|lk|iv|cr|al):"))
