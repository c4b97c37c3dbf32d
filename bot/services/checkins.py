"""The weekly symptom check-in as a service: start, answer, note, complete, and its prompt.

No Telegram here. Items, branching and red-flag rules are the pure domain of
`bot.domain.symptoms` and `bot.domain.redflags`; this module stores answers, keeps one
check-in open per patient (so "Stop for now" and `/symptoms` resume it), judges each answer
as it is stored (a warning sign opens its red-flag episode and writes its alerts to linked
people in the same transaction, and the step carries the patient's advice), and on
completion opens the other flags' episodes and closes those no longer raised, so a flag
alerts linked people once per episode. Every call names the acting Telegram user and
refuses a check-in that is not theirs: callback data can be forged.

Answers, notes and flags are health data: nothing here logs them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by
from bot.db.models import (
    BoneHealthProfile,
    CareAlert,
    Checkin,
    CheckinAnswer,
    CheckinSchedule,
    Patient,
    RedFlagEpisode,
)
from bot.domain import redflags, symptoms
from bot.domain.catalog import DrugClass, get_product
from bot.domain.dose_times import next_occurrence
from bot.domain.errors import BonebotError
from bot.domain.person import Sex, asks_female_items
from bot.domain.symptoms import (
    Answer,
    Attribute,
    NotePrompt,
    Progress,
    Question,
    UnexpectedAnswer,
)
from bot.ports import JobKind, ReminderPlanner
from bot.services import care_alerts, holds
from bot.services.checkin_plan import checkin_schedule_of, plan_next_checkin
from bot.services.patient_rows import row_with_patient
from bot.services.regimen import active_medications, require_patient

log = logging.getLogger(__name__)


class CheckinClosed(BonebotError):
    """The check-in was already completed: its buttons no longer change anything."""


@dataclass(frozen=True)
class WantsToStopPrompt:
    """The project's own yes/no question, asked after the symptom items (not PRO-CTCAE).

    It asks whether the patient wants to stop the aromatase inhibitor, so the care team can
    hear it; a "yes" gets the adherence message (worth raising, there are options), never
    advice to stop.
    """


WANTS_TO_STOP = WantsToStopPrompt()

Step = Question | WantsToStopPrompt | NotePrompt


@dataclass(frozen=True)
class Alert:
    """What the patient must be told about a red flag, and how urgent it is."""

    message: str
    right_away: bool


@dataclass(frozen=True)
class CheckinStep:
    """Where an open check-in stands: the step to show, its number, and what the answer
    just stored raised (advice for the patient, alerts to deliver to linked people)."""

    checkin_id: int
    step: Step
    answered: int  # answers stored so far (the stop question included once answered)
    progress: Progress  # "Question {number} of {total}" for the step (questions only)
    resumed: bool = False
    advice: tuple[Alert, ...] = ()  # warning signs the last answer raised: show before the step
    care_alert_ids: tuple[int, ...] = ()  # alerts to linked people, to deliver at once


@dataclass(frozen=True)
class Reported:
    """One symptom the patient reported (any answer above 0), for the summary."""

    label: str
    answers: tuple[str, ...]  # the tapped labels, in the order asked


@dataclass(frozen=True)
class CheckinResult:
    """A completed check-in: a short summary and the messages the patient must see."""

    checkin_id: int
    reported: tuple[Reported, ...]
    alerts: tuple[Alert, ...]  # advice not already shown as the answers were given
    note_saved: bool
    care_alert_ids: tuple[int, ...] = ()  # alerts to linked people, to deliver at once
    flagged: bool = False  # any red flag this check-in, its advice shown now or earlier


# --- Loading ---------------------------------------------------------------------------------


def _product_keys(row: Checkin) -> list[str]:
    return [key for key in row.product_keys.split(",") if key]


def _drug_classes(row: Checkin) -> frozenset[DrugClass]:
    return frozenset(get_product(key).drug_class for key in _product_keys(row))


def _items(row: Checkin) -> tuple[symptoms.Item, ...]:
    female_items = asks_female_items(Sex(row.sex) if row.sex else None)
    return symptoms.items_for(_drug_classes(row), female_items=female_items)


async def _answers(session: AsyncSession, checkin_id: int) -> list[Answer]:
    rows = await session.scalars(
        select(CheckinAnswer)
        .where(CheckinAnswer.checkin_id == checkin_id)
        .order_by(CheckinAnswer.id)
    )
    return [Answer(row.item_code, Attribute(row.attribute), row.score) for row in rows]


async def _own_checkin(session: AsyncSession, telegram_user_id: int, checkin_id: int) -> Checkin:
    """Load a check-in only if the acting user owns it."""
    return await owned_by(session, Checkin, checkin_id, telegram_user_id)


async def _open_checkin(session: AsyncSession, telegram_user_id: int, checkin_id: int) -> Checkin:
    row = await _own_checkin(session, telegram_user_id, checkin_id)
    if row.completed_at is not None:
        raise CheckinClosed
    return row


def _step_of(row: Checkin, answers: list[Answer]) -> Step:
    question = symptoms.next_question(_items(row), answers)
    if question is not None:
        return question
    if row.wants_to_stop is None:
        return WANTS_TO_STOP
    return symptoms.NOTE_PROMPT


def _view(
    row: Checkin,
    answers: list[Answer],
    *,
    resumed: bool = False,
    advice: tuple[Alert, ...] = (),
    care_alert_ids: tuple[int, ...] = (),
) -> CheckinStep:
    stopped = row.wants_to_stop is not None
    # The stop question is the one question after the items; the note is not numbered.
    progress = symptoms.progress(_items(row), answers, trailing=1, trailing_answered=int(stopped))
    return CheckinStep(
        row.id,
        _step_of(row, answers),
        len(answers) + stopped,
        progress,
        resumed,
        advice,
        care_alert_ids,
    )


def _advice(flags: list[redflags.RedFlag]) -> tuple[Alert, ...]:
    return tuple(
        Alert(flag.patient_message, flag.urgency is redflags.Urgency.RIGHT_AWAY) for flag in flags
    )


async def _open_episodes(
    session: AsyncSession, row: Checkin, flags: list[redflags.RedFlag], now: datetime
) -> tuple[list[RedFlagEpisode], list[RedFlagEpisode], list[CareAlert]]:
    """Open an episode for each flag not already open, with its alerts (no commit).

    Returns the episodes open before, those opened now, and the alerts to linked people
    (through care_alerts, which writes one per person who gets red flags).
    """
    episodes = list(
        await session.scalars(
            select(RedFlagEpisode).where(
                RedFlagEpisode.patient_id == row.patient_id, RedFlagEpisode.closed_at.is_(None)
            )
        )
    )
    new = redflags.new_episodes(flags, {episode.flag_code for episode in episodes})
    opened = [
        RedFlagEpisode(
            patient_id=row.patient_id,
            checkin_id=row.id,
            flag_code=flag.code,
            opened_at=now,
            alerted_at=now,  # the advice is shown now: with the answer, or as the check-in ends
        )
        for flag in new
    ]
    session.add_all(opened)
    await session.flush()
    care = await care_alerts.add_red_flag_alerts(session, row.patient_id, opened, now)
    return episodes, opened, care


# --- The check-in ----------------------------------------------------------------------------


async def start_checkin(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> CheckinStep:
    """Resume the acting patient's open check-in, or start one for their current regimen."""
    patient = await require_patient(session, telegram_user_id)
    row = await session.scalar(
        select(Checkin)
        .where(Checkin.patient_id == patient.id, Checkin.completed_at.is_(None))
        .order_by(Checkin.started_at.desc(), Checkin.id.desc())
        .limit(1)
    )
    if row is not None:
        return _view(row, await _answers(session, row.id), resumed=True)
    keys = sorted(m.product_key for m in await active_medications(session, patient.id))
    sex = await session.scalar(
        select(BoneHealthProfile.sex).where(BoneHealthProfile.patient_id == patient.id)
    )
    row = Checkin(
        patient_id=patient.id, started_at=now, product_keys=",".join(keys), sex=sex or None
    )
    session.add(row)
    await session.commit()
    log.info("check-in %s started", row.id)
    return _view(row, [])


async def answer_question(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    checkin_id: int,
    item_code: str,
    attribute: Attribute,
    score: int | None,
    now: datetime,
) -> CheckinStep:
    """Store one answer if it answers the question on screen; raise UnexpectedAnswer if not."""
    row = await _open_checkin(session, telegram_user_id, checkin_id)
    answers = await _answers(session, row.id)
    try:
        answer = Answer(item_code, attribute, score)
    except ValueError:
        raise UnexpectedAnswer("not a valid answer") from None
    symptoms.validate_answer(_items(row), answers, answer)
    flags: list[redflags.RedFlag] = []
    if redflags.could_raise_at_once(answer):  # the usual 0 costs no query
        previous = await _previous_answers(session, row)
        flags = redflags.raised_by(answer, answers, previous, _drug_classes(row))
    session.add(
        CheckinAnswer(
            checkin_id=row.id,
            patient_id=row.patient_id,
            item_code=answer.item_code,
            attribute=answer.attribute.value,
            score=answer.score,
            answered_at=now,
        )
    )
    care: list[CareAlert] = []
    try:
        if flags:  # in the answer's own transaction: the alert is kept exactly when it is
            _, _, care = await _open_episodes(session, row, flags, now)
        for flag in flags:
            if flag.code in redflags.HOLD_CODES:  # its advice said: stop it and call
                await holds.hold_oral_bisphosphonates(session, row.patient_id, flag.code, now)
        await session.commit()
    except IntegrityError:  # the same question answered twice at once: the first stands
        await session.rollback()
        raise UnexpectedAnswer("that question was already answered") from None
    return _view(
        row,
        [*answers, answer],
        advice=_advice(flags),
        care_alert_ids=tuple(alert.id for alert in care),
    )


async def answer_wants_to_stop(
    session: AsyncSession, *, telegram_user_id: int, checkin_id: int, wants_to_stop: bool
) -> CheckinStep:
    """Store the answer to "I want to stop my aromatase inhibitor" (after the last item)."""
    row = await _open_checkin(session, telegram_user_id, checkin_id)
    answers = await _answers(session, row.id)
    if _step_of(row, answers) is not WANTS_TO_STOP:
        raise UnexpectedAnswer("that question is not the one on screen")
    row.wants_to_stop = wants_to_stop
    await session.commit()
    return _view(row, answers)


async def pause_checkin(session: AsyncSession, telegram_user_id: int, checkin_id: int) -> int:
    """Leave an open check-in for later ("Stop for now"); return how many answers it keeps."""
    row = await _open_checkin(session, telegram_user_id, checkin_id)
    answers = await _answers(session, row.id)
    return len(answers) + (row.wants_to_stop is not None)


async def open_checkin_id(session: AsyncSession, telegram_user_id: int) -> int | None:
    """Return the acting patient's open check-in, if any (for /cancel and typed notes)."""
    return await session.scalar(
        select(Checkin.id)
        .join(Patient, Patient.id == Checkin.patient_id)
        .where(Patient.telegram_user_id == telegram_user_id, Checkin.completed_at.is_(None))
        .order_by(Checkin.started_at.desc(), Checkin.id.desc())
        .limit(1)
    )


async def complete_checkin(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    checkin_id: int | None,
    note: str | None,
    now: datetime,
) -> CheckinResult:
    """Save the note (None skips it), grade the check-in, open and close red-flag episodes.

    `checkin_id` None means the acting patient's open check-in (a typed note carries no id).
    Raises UnexpectedAnswer unless the check-in is at its note step, NoteTooLong for a note
    past the limit (nothing is saved then, so a shorter one can follow).
    """
    if checkin_id is None:
        checkin_id = await open_checkin_id(session, telegram_user_id)
        if checkin_id is None:
            raise UnexpectedAnswer("no check-in is waiting for a note")
    row = await _open_checkin(session, telegram_user_id, checkin_id)
    answers = await _answers(session, row.id)
    if not isinstance(_step_of(row, answers), NotePrompt):
        raise UnexpectedAnswer("the note comes after the last question")
    row.note = symptoms.clean_note(note)
    row.completed_at = now

    previous = await _previous_answers(session, row)
    wants_to_stop = bool(row.wants_to_stop)
    flags = redflags.red_flags(answers, previous, _drug_classes(row), wants_to_stop=wants_to_stop)
    # Warning signs answered in this check-in opened their episodes then: not new here, so
    # finishing sends no second alert.
    episodes, opened, care = await _open_episodes(session, row, flags, now)
    still_open = redflags.open_episodes_after(flags)
    for episode in episodes:
        if episode.flag_code not in still_open:
            episode.closed_at = now
    await session.commit()
    log.info("check-in %s completed", row.id)

    # The patient's advice is shown every time a check-in raises the flag (only linked
    # people's alerts wait for a new episode); warning signs were shown as answered.
    advice = redflags.advice_at_the_end(flags, {episode.flag_code for episode in opened})
    return CheckinResult(
        row.id,
        _reported(row, answers),
        _advice(advice),
        row.note is not None,
        tuple(alert.id for alert in care),
        flagged=bool(flags),
    )


async def _previous_answers(session: AsyncSession, row: Checkin) -> list[Answer] | None:
    """Return the answers of the patient's last completed check-in before this one."""
    previous_id = await session.scalar(
        select(Checkin.id)
        .where(
            Checkin.patient_id == row.patient_id,
            Checkin.completed_at.is_not(None),
            Checkin.id != row.id,
        )
        .order_by(Checkin.completed_at.desc(), Checkin.id.desc())
        .limit(1)
    )
    return None if previous_id is None else await _answers(session, previous_id)


def _reported(row: Checkin, answers: list[Answer]) -> tuple[Reported, ...]:
    reported: list[Reported] = []
    for item in _items(row):
        mine = [a for a in answers if a.item_code == item.code]
        if not any(a.score for a in mine):
            continue
        labels = tuple(item.scale(a.attribute).label_of(a.score) for a in mine)
        reported.append(Reported(item.label, labels))
    return tuple(reported)


# --- The weekly prompt -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinSetting:
    """The patient's weekly prompt: weekday and local time (None: off)."""

    weekday: int
    time_of_day: time


async def checkin_setting(session: AsyncSession, telegram_user_id: int) -> CheckinSetting | None:
    """Return the acting patient's weekly prompt setting, None when it is off."""
    patient = await require_patient(session, telegram_user_id)
    row = await session.scalar(
        select(CheckinSchedule).where(CheckinSchedule.patient_id == patient.id)
    )
    return None if row is None else CheckinSetting(row.weekday, row.time_of_day)


async def set_checkin_schedule(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    weekday: int,
    time_of_day: time,
    now: datetime,
) -> datetime:
    """Save the weekly prompt's day and time and plan it; return its next local time."""
    if not 0 <= weekday <= 6:
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    patient = await require_patient(session, telegram_user_id)
    row = await session.scalar(
        select(CheckinSchedule).where(CheckinSchedule.patient_id == patient.id)
    )
    if row is None:
        row = CheckinSchedule(patient_id=patient.id)
        session.add(row)
    row.weekday, row.time_of_day, row.updated_at = weekday, time_of_day.replace(tzinfo=None), now
    await session.commit()
    run_at = await plan_next_checkin(session, planner, patient.id, now)
    assert run_at is not None
    return run_at.astimezone(ZoneInfo(patient.timezone))


async def turn_off_checkin_schedule(
    session: AsyncSession, planner: ReminderPlanner, telegram_user_id: int
) -> None:
    """Stop the weekly prompt (check-ins stay available with /symptoms)."""
    patient = await require_patient(session, telegram_user_id)
    row = await session.scalar(
        select(CheckinSchedule).where(CheckinSchedule.patient_id == patient.id)
    )
    if row is not None:
        await session.delete(row)
        await session.commit()
    planner.cancel(JobKind.CHECKIN, patient.id)


@dataclass(frozen=True)
class CheckinPrompt:
    """What the weekly prompt job found: whom to prompt, and when to prompt next."""

    chat_id: int
    reachable: bool
    next_at: datetime


async def checkin_prompt(
    session: AsyncSession, patient_id: int, now: datetime
) -> CheckinPrompt | None:
    """Return the prompt to send now and the next week's time (None: turned off or gone)."""
    loaded = await row_with_patient(session, CheckinSchedule, patient_id)
    if loaded is None:
        return None
    row, patient = loaded
    upcoming = next_occurrence(checkin_schedule_of(row), ZoneInfo(patient.timezone), now)
    return CheckinPrompt(patient.chat_id, patient.unreachable_since is None, upcoming.due_at)
