"""The /calendar file: upcoming clinic appointments as an iCalendar (.ics, RFC 5545) document.

Pure domain: no Telegram, no database, no I/O. Each appointment is an all-day event on its
due date, because the patient books the exact time with the clinic; the reminders make sure
there is time to book. UIDs are hashes of a stable seed, so re-importing the file updates the
same events instead of duplicating them, and the seed (which may name a patient) never appears
in the file.

Reminders are display alarms at 09:00 local time: one day before for every appointment, and
also seven days before for infusions, injections and DXA scans, which need a slot booked. For
an all-day event a trigger is measured from local midnight at the start of the due day, so
``-PT15H`` is 09:00 the day before (as Apple Calendar's "1 day before (9 AM)" does) and a
plain ``-P1D`` would wake the patient at midnight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from icalendar import Alarm, Calendar, Event

from bot.domain.catalog import Product

CALENDAR_NAME = "Bone protection"
DEFAULT_PRODUCT_ID = "-//bonebot//bone-protection calendar//EN"
UID_DOMAIN = "bonebot"

DAY_BEFORE_TRIGGER = -timedelta(hours=15)  # 09:00 the day before
WEEK_BEFORE_TRIGGER = -timedelta(days=6, hours=15)  # 09:00 seven days before


class AppointmentKind(StrEnum):
    """What the patient has to book; also the event's CATEGORIES value."""

    INFUSION = "infusion"
    INJECTION = "injection"
    DXA_SCAN = "dxa_scan"
    DENTAL_CHECK = "dental_check"


# Clinic slots for these fill up; a week's notice leaves time to book one.
_NEEDS_BOOKING = frozenset(
    {AppointmentKind.INFUSION, AppointmentKind.INJECTION, AppointmentKind.DXA_SCAN}
)


@dataclass(frozen=True)
class Appointment:
    """One due date to put in the patient's calendar."""

    kind: AppointmentKind
    title: str  # e.g. "Zoledronic acid infusion due"
    due_on: date  # an all-day due date (the patient books the exact time with the clinic)
    note: str = ""  # one or two plain lines for the event description
    uid_seed: str = ""  # stable identity, e.g. f"patient-12:clinic-agent-3:2027-05-01"

    def __post_init__(self) -> None:
        """Reject appointments that would make an empty or wrongly timed event."""
        try:
            kind = AppointmentKind(self.kind)
        except ValueError:
            raise ValueError(f"unknown appointment kind {self.kind!r}") from None
        # Accept the plain string a database row holds, but keep the enum on the object.
        object.__setattr__(self, "kind", kind)
        if not self.title.strip():
            raise ValueError("an appointment needs a title")
        # datetime is a date subclass; a time of day would turn the all-day event into a slot.
        if isinstance(self.due_on, datetime) or not isinstance(self.due_on, date):
            raise ValueError(f"due_on must be a date, not {self.due_on!r}")

    @property
    def uid(self) -> str:
        """Return the event UID: a hash of the seed, so re-imports update, never duplicate."""
        seed = self.uid_seed or f"{self.kind}|{self.due_on.isoformat()}|{self.title}"
        # 128 bits of SHA-256 is ample, and keeps the UID line short enough not to be folded.
        return f"{hashlib.sha256(seed.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def calendar_ics(
    appointments: Sequence[Appointment],
    *,
    generated_at: datetime,
    product_id: str = DEFAULT_PRODUCT_ID,
) -> bytes:
    """Render the appointments as all-day events with reminders, as .ics bytes (CRLF lines)."""
    if generated_at.utcoffset() is None:
        raise ValueError("generated_at must be an aware datetime")
    stamp = generated_at.astimezone(UTC)

    calendar = Calendar()
    calendar.add("PRODID", product_id)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", CALENDAR_NAME)
    calendar.add("NAME", CALENDAR_NAME)  # RFC 7986's name for what X-WR-CALNAME says

    ordered = sorted(appointments, key=lambda a: (a.due_on, a.kind, a.title, a.uid))
    seen: set[str] = set()
    for appointment in ordered:
        if appointment.uid in seen:
            # Calendar apps merge events that share a UID, so one would silently vanish.
            raise ValueError(f"two appointments share the identity of {appointment.title!r}")
        seen.add(appointment.uid)
        calendar.add_component(_event(appointment, stamp))
    ical: bytes = calendar.to_ical()  # icalendar leaves Component.to_ical unannotated
    return ical


def _event(appointment: Appointment, stamp: datetime) -> Event:
    event = Event()
    event.add("UID", appointment.uid)
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", appointment.due_on)
    event.add("DTEND", appointment.due_on + timedelta(days=1))  # DTEND of a date is exclusive
    event.add("SUMMARY", appointment.title)
    if appointment.note.strip():
        event.add("DESCRIPTION", appointment.note.strip())
    event.add("CATEGORIES", [str(appointment.kind)])
    event.add("TRANSP", "TRANSPARENT")  # a due date does not make the patient busy all day
    if appointment.kind in _NEEDS_BOOKING:
        event.add_component(_alarm(f"In 7 days: {appointment.title}", WEEK_BEFORE_TRIGGER))
    event.add_component(_alarm(f"Tomorrow: {appointment.title}", DAY_BEFORE_TRIGGER))
    return event


def _alarm(text: str, trigger: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("DESCRIPTION", text)  # RFC 5545 requires it on a DISPLAY alarm
    alarm.add("TRIGGER", trigger)
    return alarm


def agent_kind(product: Product) -> AppointmentKind:
    """Return whether a clinic-given agent comes as an infusion or an injection (its form)."""
    if "infusion" in product.form:
        return AppointmentKind.INFUSION
    return AppointmentKind.INJECTION
