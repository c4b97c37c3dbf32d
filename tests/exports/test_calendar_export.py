"""Calendar export: .ics bytes parsed back with icalendar, field by field."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.exports.ics import (
    DAY_BEFORE_TRIGGER,
    DEFAULT_PRODUCT_ID,
    WEEK_BEFORE_TRIGGER,
    Appointment,
    AppointmentKind,
    calendar_ics,
)

GENERATED_AT = datetime(2027, 4, 1, 10, 15, tzinfo=ZoneInfo("Europe/Berlin"))
INFUSION = Appointment(
    AppointmentKind.INFUSION,
    "Zoledronic acid infusion due",
    date(2027, 5, 1),
    note="Book a slot with the infusion clinic.\nDrink two glasses of water before.",
    uid_seed="patient-12:clinic-agent-3:2027-05-01",
)
INJECTION = Appointment(
    AppointmentKind.INJECTION,
    "Denosumab injection due",
    date(2027, 10, 28),
    uid_seed="patient-12:clinic-agent-4:2027-10-28",
)
DXA = Appointment(
    AppointmentKind.DXA_SCAN,
    "Bone density (DXA) scan due",
    date(2028, 3, 1),
    note="Ask for the same scanner as last time.",
    uid_seed="patient-12:dxa:2028-03-01",
)
DENTAL = Appointment(
    AppointmentKind.DENTAL_CHECK,
    "Dental check-up due",
    date(2027, 4, 20),
    note="Tell your dentist which bone medicine you take.",
    uid_seed="patient-12:dental:2027-04-20",
)
ALL = [INFUSION, INJECTION, DXA, DENTAL]


def parse(ics: bytes) -> Calendar:
    """Parse .ics bytes back, strictly: exactly one calendar."""
    return Calendar.from_ical(ics)


def events_of(ics: bytes) -> list[Event]:
    """Return the calendar's events in file order."""
    return list(parse(ics).walk("VEVENT"))


def event_for(ics: bytes, summary: str) -> Event:
    """Return the one event with this summary."""
    (event,) = [event for event in events_of(ics) if str(event["SUMMARY"]) == summary]
    return event


def triggers(event: Event) -> list[timedelta]:
    """Return the event's alarm triggers, earliest reminder first."""
    return sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))


def test_calendar_header() -> None:
    calendar = parse(calendar_ics(ALL, generated_at=GENERATED_AT))

    assert str(calendar["PRODID"]) == DEFAULT_PRODUCT_ID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Bone protection"


def test_product_id_can_be_chosen() -> None:
    ics = calendar_ics(ALL, generated_at=GENERATED_AT, product_id="-//clinic//test//EN")

    assert str(parse(ics)["PRODID"]) == "-//clinic//test//EN"


def test_events_are_all_day_and_end_the_next_day() -> None:
    for event in events_of(calendar_ics(ALL, generated_at=GENERATED_AT)):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        assert type(start) is date
        assert type(end) is date
        assert end - start == timedelta(days=1)
        assert event["DTSTART"].params["VALUE"] == "DATE"


def test_each_field_round_trips() -> None:
    event = event_for(calendar_ics(ALL, generated_at=GENERATED_AT), INFUSION.title)

    assert event.decoded("DTSTART") == date(2027, 5, 1)
    assert event.decoded("DTEND") == date(2027, 5, 2)
    assert str(event["DESCRIPTION"]) == INFUSION.note
    assert event["CATEGORIES"].cats == ["infusion"]
    assert event.decoded("DTSTAMP") == datetime(2027, 4, 1, 8, 15, tzinfo=UTC)
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)


def test_categories_name_the_kind() -> None:
    ics = calendar_ics(ALL, generated_at=GENERATED_AT)

    for appointment in ALL:
        categories = event_for(ics, appointment.title)["CATEGORIES"].cats
        assert categories == [appointment.kind.value]


def test_dtstamp_is_written_in_utc() -> None:
    ics = calendar_ics([INFUSION], generated_at=GENERATED_AT)

    assert b"DTSTAMP:20270401T081500Z\r\n" in ics


def test_an_appointment_without_a_note_has_no_description() -> None:
    event = event_for(calendar_ics(ALL, generated_at=GENERATED_AT), INJECTION.title)

    assert "DESCRIPTION" not in event


def test_events_are_sorted_by_date() -> None:
    events = events_of(calendar_ics(ALL, generated_at=GENERATED_AT))

    assert [event.decoded("DTSTART") for event in events] == sorted(a.due_on for a in ALL)
    assert str(events[0]["SUMMARY"]) == DENTAL.title


def test_uids_are_stable_across_calls_and_distinct_per_appointment() -> None:
    first = [str(e["UID"]) for e in events_of(calendar_ics(ALL, generated_at=GENERATED_AT))]
    later = GENERATED_AT + timedelta(days=30)
    again = [str(e["UID"]) for e in events_of(calendar_ics(ALL[::-1], generated_at=later))]

    assert first == again
    assert len(set(first)) == len(ALL)
    for uid in first:
        assert re.fullmatch(r"[0-9a-f]{32}@bonebot", uid)


def test_uid_follows_the_seed_not_the_wording() -> None:
    renamed = Appointment(INFUSION.kind, "Infusion", INFUSION.due_on, uid_seed=INFUSION.uid_seed)

    assert renamed.uid == INFUSION.uid


def test_appointments_without_a_seed_still_get_stable_distinct_uids() -> None:
    one = Appointment(AppointmentKind.DENTAL_CHECK, "Dental check-up due", date(2027, 4, 20))
    two = Appointment(AppointmentKind.DENTAL_CHECK, "Dental check-up due", date(2027, 10, 20))

    assert one.uid == Appointment(one.kind, one.title, one.due_on).uid
    assert one.uid != two.uid


def test_no_seed_text_leaks_into_the_file() -> None:
    ics = calendar_ics(ALL, generated_at=GENERATED_AT)

    unfolded = ics.replace(b"\r\n ", b"")
    for appointment in ALL:
        assert appointment.uid_seed.encode() not in unfolded
    assert b"patient-12" not in unfolded


def test_shared_identity_is_rejected() -> None:
    twin = Appointment(INFUSION.kind, "Another infusion", date(2027, 6, 1), uid_seed="same")
    other = Appointment(INFUSION.kind, "And another", date(2027, 7, 1), uid_seed="same")

    with pytest.raises(ValueError, match="share the identity"):
        calendar_ics([twin, other], generated_at=GENERATED_AT)


def test_lines_end_in_crlf() -> None:
    ics = calendar_ics(ALL, generated_at=GENERATED_AT)

    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert ics.count(b"\n") == ics.count(b"\r\n")
    assert b"\r\r" not in ics
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # RFC 5545 folding


@pytest.mark.parametrize("appointment", [INFUSION, INJECTION, DXA])
def test_bookable_appointments_remind_a_week_and_a_day_before(appointment: Appointment) -> None:
    event = event_for(calendar_ics(ALL, generated_at=GENERATED_AT), appointment.title)

    assert triggers(event) == [WEEK_BEFORE_TRIGGER, DAY_BEFORE_TRIGGER]


def test_dental_checks_remind_only_the_day_before() -> None:
    event = event_for(calendar_ics(ALL, generated_at=GENERATED_AT), DENTAL.title)

    assert triggers(event) == [DAY_BEFORE_TRIGGER]


def test_reminders_fire_at_nine_in_the_morning_seven_days_and_one_day_before() -> None:
    # Triggers of an all-day event count back from local midnight starting the due day.
    midnight = datetime(2027, 5, 1)  # noqa: DTZ001 - a floating local time, as in the file
    assert midnight + WEEK_BEFORE_TRIGGER == datetime(2027, 4, 24, 9)  # noqa: DTZ001
    assert midnight + DAY_BEFORE_TRIGGER == datetime(2027, 4, 30, 9)  # noqa: DTZ001


def test_alarms_are_display_alarms_with_text() -> None:
    for event in events_of(calendar_ics(ALL, generated_at=GENERATED_AT)):
        for alarm in event.walk("VALARM"):
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert str(event["SUMMARY"]) in str(alarm["DESCRIPTION"])


def test_empty_calendar_is_valid() -> None:
    ics = calendar_ics([], generated_at=GENERATED_AT)
    calendar = parse(ics)

    assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == DEFAULT_PRODUCT_ID
    assert list(calendar.walk("VEVENT")) == []


def test_naive_generated_at_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar_ics(ALL, generated_at=datetime(2027, 4, 1, 10, 15))  # noqa: DTZ001


def test_text_is_escaped_and_survives_the_round_trip() -> None:
    tricky = Appointment(
        AppointmentKind.DXA_SCAN,
        "DXA scan; bring letter, ID",
        date(2027, 9, 9),
        note="Line one, with comma; and semicolon\nLine two: café ✓",
    )
    event = event_for(calendar_ics([tricky], generated_at=GENERATED_AT), tricky.title)

    assert str(event["DESCRIPTION"]) == tricky.note


def test_appointment_takes_a_plain_string_kind() -> None:
    appointment = Appointment("dxa_scan", "DXA scan due", date(2027, 9, 9))  # type: ignore[arg-type]

    assert appointment.kind is AppointmentKind.DXA_SCAN


@pytest.mark.parametrize(
    ("kind", "title", "due_on"),
    [
        ("x_ray", "X-ray due", date(2027, 9, 9)),
        (AppointmentKind.DXA_SCAN, "   ", date(2027, 9, 9)),
        (AppointmentKind.DXA_SCAN, "DXA scan due", datetime(2027, 9, 9, 9, tzinfo=UTC)),
    ],
    ids=["unknown kind", "blank title", "datetime due"],
)
def test_invalid_appointments_are_rejected(kind: str, title: str, due_on: date) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        Appointment(kind, title, due_on)  # type: ignore[arg-type]


def test_appointment_is_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        INFUSION.title = "changed"  # type: ignore[misc]
