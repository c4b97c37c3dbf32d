"""Bone density scans: results typed site by site, the chart, the interval, the risk questions."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from telegram import Update

from bot.domain.bone_health import DxaResult, Site, TScoreDoubt, first_doubt
from bot.exports import charts
from bot.services.bone import dxa
from handlers.bone import about, questions
from handlers.common import Context, answer_query, edit_query_message, services, settle_query
from handlers.conversation import ScanDraft, TypedAnswer
from ui import texts
from ui.keyboards.bone import (
    BoneAction,
    BonePress,
    CheckAnswer,
    age_skip_button,
    interval_buttons,
    skip_site_button,
    t_score_check_buttons,
)

SITES = tuple(Site)  # the order T-scores are asked in: lumbar spine, total hip, femoral neck


async def send_chart(context: Context, chat_id: int, view: dxa.DxaView) -> None:
    """Send the T-score chart with the change since the previous scan as its caption."""
    points = [
        charts.TScorePoint(scan.scanned_on, scan.lumbar_spine, scan.total_hip, scan.femoral_neck)
        for scan in view.scans
    ]
    png = await asyncio.to_thread(charts.bone_density_png, points)
    caption = "\n".join(
        line for line in (texts.CHART_CAPTION, texts.dxa_change_line(view)) if line
    )
    await context.bot.send_photo(chat_id, png, caption=caption)


async def ask_site(context: Context, chat_id: int, user_id: int, draft: ScanDraft) -> None:
    """Ask for the next site's T-score (typed), or finish the result."""
    if draft.site >= len(SITES):
        await _finish_scan(context, chat_id, user_id, draft)
        return
    site = SITES[draft.site]
    if draft.scan_id is None:
        text = texts.ASK_T_SCORE.format(site=texts.SITE_NAMES[site.value])
    else:
        text = texts.ask_correct_t_score(site, draft.scanned_on, draft.values[draft.site])
    sent = await context.bot.send_message(chat_id, text, reply_markup=skip_site_button(draft.site))
    questions.remember(context, TypedAnswer.T_SCORE, draft.profile_id, sent, draft)


async def on_t_score(update: Update, context: Context, draft: ScanDraft, text: str) -> None:
    """A typed T-score for the site asked about: go on to the next site."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    value = dxa.parse_t_score(text)
    await questions.mark_answered(update, context, texts.t_score(value))
    await ask_site(context, chat.id, user.id, draft.with_value(value))


async def on_skip_site(update: Update, context: Context, site: int) -> None:
    """Not on my report: go on to the next site."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    pending = questions.pending_of(context)
    if query is None or user is None or chat is None:
        return
    if pending is None or pending.draft is None or pending.draft.site != site:
        await answer_query(query, texts.BUTTON_EXPIRED)
        return
    await questions.mark_answered(update, context, texts.NOT_ON_REPORT)
    await ask_site(context, chat.id, user.id, pending.draft.with_value(None))


def _doubt(draft: ScanDraft) -> TScoreDoubt | None:
    """Return the first T-score of the draft to ask about: any site of a new result, the
    corrected site of a recorded scan; never one already confirmed."""
    scores = dict(zip(SITES, draft.values, strict=True))
    sites = SITES if draft.edited is None else (SITES[draft.edited],)
    confirmed = {SITES[index] for index in draft.confirmed}
    return first_doubt(scores, sites=sites, confirmed=confirmed)


async def _finish_scan(context: Context, chat_id: int, user_id: int, draft: ScanDraft) -> None:
    """Ask about a T-score that looks mistyped, else save the result (at least one T-score)
    or the correction, and show the record and its chart."""
    values = dict(zip(SITES, draft.values, strict=True))
    if all(value is None for value in values.values()):
        text = texts.NO_T_SCORES if draft.scan_id is None else texts.NO_T_SCORES_LEFT
        await context.bot.send_message(chat_id, text)
        return
    doubt = _doubt(draft)
    if doubt is not None:
        flipped = None if doubt.flipped is None else texts.t_score(doubt.flipped)
        markup = t_score_check_buttons(
            SITES.index(doubt.site), texts.t_score(doubt.value), flipped
        )
        sent = await context.bot.send_message(
            chat_id, texts.doubt_text(doubt), reply_markup=markup
        )
        questions.remember(context, TypedAnswer.T_SCORE_CHECK, draft.profile_id, sent, draft)
        return
    result = DxaResult(draft.scanned_on, **{site.value: v for site, v in values.items()})
    found = services(context)
    if draft.scan_id is not None and draft.edited is not None:
        async with found.sessions() as session:
            corrected = await dxa.correct_site(
                session,
                found.planner,
                telegram_user_id=user_id,
                scan_id=draft.scan_id,
                site=SITES[draft.edited],
                value=draft.values[draft.edited],
                now=found.clock(),
            )
        await show_corrected(context, chat_id, corrected)
        return
    async with found.sessions() as session:
        saved = await dxa.record_scan(
            session,
            found.planner,
            telegram_user_id=user_id,
            profile_id=draft.profile_id,
            result=result,
            now=found.clock(),
        )
    await send_chart(context, chat_id, saved.view)
    await context.bot.send_message(chat_id, texts.scan_saved(saved.view, draft.scanned_on))


async def show_corrected(context: Context, chat_id: int, corrected: dxa.Corrected) -> None:
    """After a correction: the chart again (the values moved), then the scan and the record."""
    if corrected.view.scans:
        await send_chart(context, chat_id, corrected.view)
    await context.bot.send_message(chat_id, texts.scan_corrected(corrected))


async def on_check(update: Update, context: Context, action: BonePress) -> None:
    """Is that right? Yes as typed, the other sign, or type it again."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    pending = questions.pending_of(context)
    if query is None or user is None or chat is None:
        return
    draft = pending.draft if pending is not None else None
    doubt = _doubt(draft) if draft is not None and pending is not None else None
    if (
        draft is None
        or pending is None
        or pending.purpose is not TypedAnswer.T_SCORE_CHECK
        or doubt is None
        or SITES.index(doubt.site) != action.number
    ):
        await answer_query(query, texts.BUTTON_EXPIRED)
        return
    site = SITES.index(doubt.site)
    if action.check is CheckAnswer.RETYPE:
        await questions.mark_answered(update, context, texts.CHECK_RETYPE)
        await ask_site(context, chat.id, user.id, replace(draft, retype=site))
        return
    value = doubt.value
    if action.check is CheckAnswer.FLIP and doubt.flipped is not None:
        value = doubt.flipped
        label = texts.CHECK_FLIP.format(value=texts.t_score(value))
    else:
        label = texts.CHECK_KEEP.format(value=texts.t_score(value))
    await questions.mark_answered(update, context, label)
    answered = replace(draft, retype=site).with_value(value)
    confirmed = replace(answered, confirmed=answered.confirmed | {site})
    await _finish_scan(context, chat.id, user.id, confirmed)


async def on_typed_check(update: Update, context: Context, draft: ScanDraft, text: str) -> None:
    """A T-score typed while "is that right?" is asked: the doubtful site, typed again."""
    doubt = _doubt(draft)
    if doubt is None:
        return
    await on_t_score(update, context, replace(draft, retype=SITES.index(doubt.site)), text)


async def on_interval(update: Update, context: Context, action: BonePress) -> None:
    """Show the interval choices, or save the one chosen."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    if action.action is BoneAction.INTERVAL_CHOICES:
        await answer_query(query)
        markup = interval_buttons(dxa.INTERVAL_CHOICES)
        await context.bot.send_message(chat.id, texts.ASK_INTERVAL, reply_markup=markup)
        return
    async with found.sessions() as session:
        view = await dxa.set_interval(
            session,
            found.planner,
            telegram_user_id=user.id,
            months=action.number or 0,
            now=found.clock(),
        )
    await answer_query(query)
    saved = texts.INTERVAL_SAVED.format(months=view.interval_months)
    await edit_query_message(query, f"{saved}\n\n{texts.dxa_lines(view)}")


async def on_risk(update: Update, context: Context, action: BonePress) -> None:
    """Start the risk questions, take an answer, or skip the age."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        return
    found = services(context)
    if action.action is BoneAction.RISK_START:
        async with found.sessions() as session:
            await dxa.dxa_view(session, user.id, found.clock())  # registered?
        await answer_query(query)
        await context.bot.send_message(chat.id, texts.RISK_INTRO)
        await about.ask_first(context, chat.id)
        return
    if action.action is BoneAction.AGE_SKIPPED:
        await finish_risk(update, context, None)
        return
    async with found.sessions() as session:
        following = await dxa.answer_risk(
            session,
            telegram_user_id=user.id,
            index=action.number or 0,
            yes=bool(action.yes),
            now=found.clock(),
        )
    label = texts.RISK_YES if action.yes else texts.RISK_NO
    await settle_query(query, texts.answered_line(questions.question_of(update), label))
    if following is not None:
        await about.ask_risk(context, chat.id, following)
        return
    sent = await context.bot.send_message(chat.id, texts.ASK_AGE, reply_markup=age_skip_button())
    questions.remember(context, TypedAnswer.AGE, 0, sent)


async def finish_risk(update: Update, context: Context, age: int | None) -> None:
    """Save the age (typed, or None when skipped); height and weight come last."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    found = services(context)
    async with found.sessions() as session:
        await dxa.set_age(session, telegram_user_id=user.id, age_years=age, now=found.clock())
    await questions.mark_answered(update, context, texts.AGE_SKIP if age is None else str(age))
    await about.ask_body(context, chat.id)
