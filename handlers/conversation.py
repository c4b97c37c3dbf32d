"""What the bot keeps about one person between their updates: PTB's user_data, typed.

`app.application` registers `Conversation` through `ContextTypes(user_data=...)`, so every
handler reads named, typed fields instead of string keys. It lives in memory only: after a
restart every field is back to its default, and each conversation copes with that (the
database holds everything that must last).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.bone_markers import Marker, Reading
from bot.domain.regimen_draft import RegimenDraft
from ui.keyboards.bone import DatePurpose


class TypedAnswer(StrEnum):
    """A bone-calendar question, other than a date, that takes a typed answer."""

    T_SCORE = "t"
    T_SCORE_CHECK = "c"  # "is that right?" about a doubtful T-score (typing answers it anew)
    AGE = "a"
    BODY = "b"  # height and weight, after the age
    CALCIUM_TARGET = "p"
    VITAMIN_D_TARGET = "v"
    PILL_COUNT = "q"
    MEAL_TIME = "m"  # a calcium reminder's time (the meal times picked are in calcium_times)
    EXERCISE_TIME = "e"  # the exercise nudge's time (record_id: its weekday)
    MARKER_VALUE = "l"  # a lab result's number and unit, as printed (`MarkerDraft`)
    MARKER_UNIT = "u"  # the unit of a number typed alone (buttons; typing answers anew)
    MARKER_CHECK = "k"  # "is that right?" about a doubtful result (typing answers it anew)


@dataclass(frozen=True)
class ScanDraft:
    """A scan result being typed in: its date and the T-scores so far, site by site; or a
    recorded scan being corrected (`scan_id`), holding every site, one of them asked again."""

    profile_id: int
    scanned_on: date
    values: tuple[float | None, ...] = ()
    scan_id: int | None = None  # the recorded scan being corrected
    edited: int | None = None  # with scan_id: the site corrected (only it is checked)
    retype: int | None = None  # a site asked again (Type it again, or the one corrected)
    confirmed: frozenset[int] = frozenset()  # sites whose doubtful value was confirmed

    @property
    def site(self) -> int:
        """Return the index of the site asked next."""
        return self.retype if self.retype is not None else len(self.values)

    def with_value(self, value: float | None) -> ScanDraft:
        """Return the draft with the site asked next answered (a value asked again is not
        confirmed any more)."""
        if self.retype is None:
            return replace(self, values=(*self.values, value))
        values = list(self.values)
        values[self.retype] = value
        return replace(
            self, values=tuple(values), retype=None, confirmed=self.confirmed - {self.retype}
        )


@dataclass(frozen=True)
class MarkerDraft:
    """A lab result being typed in: the test and the sample's date; or a recorded result
    whose value is typed again (`result_id`). `number` is a number typed without its unit,
    `reading` a result waiting for "is that right?"."""

    marker: Marker
    measured_on: date
    result_id: int | None = None
    number: str | None = None
    reading: Reading | None = None


@dataclass(frozen=True)
class PendingInput:
    """What a typed answer from this person would answer, and the question's message."""

    purpose: DatePurpose | TypedAnswer
    record_id: int  # the record the date is for (VITAMIN_D_TARGET: the calcium target typed)
    message_id: int
    question: str
    until: datetime
    draft: ScanDraft | None = None
    marker: MarkerDraft | None = None


@dataclass(frozen=True)
class TakenTimeInput:
    """A "When did you take it?" question waiting for a typed time."""

    event_id: int
    message_id: int
    until: datetime


@dataclass(frozen=True)
class AlertNoteInput:
    """A clinician's "Resolve with a note" waiting for the typed note."""

    alert_id: int
    message_id: int  # the alert's message, edited once the note is saved
    text: str  # the alert's text as shown, to add the resolution to
    until: datetime


@dataclass
class Conversation:
    """One person's open questions; every field None (or empty) when nothing is open."""

    # Registration (handlers.registration): the regimen so far and the message asking.
    draft: RegimenDraft | None = None
    question_message_id: int | None = None
    # Check-ins (handlers.checkins): the note prompt's message; the weekday being set up.
    note_message_id: int | None = None
    settings_day: int | None = None
    # The bone calendar (handlers.bone): the question a typed answer would answer; the meal
    # times picked so far in the calcium set-up.
    bone_input: PendingInput | None = None
    calcium_times: tuple[time, ...] = field(default=())
    # Dose answers (handlers.doses): the take-time question a typed time would answer.
    taken_time_input: TakenTimeInput | None = None
    # Care-team alerts (handlers.care_team): the alert a typed note would resolve.
    alert_note_input: AlertNoteInput | None = None

    def clear(self) -> None:
        """Forget everything (the person's data was erased)."""
        fresh = Conversation()
        for each in fields(self):
            setattr(self, each.name, getattr(fresh, each.name))
