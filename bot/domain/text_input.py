"""Dates and names a patient gives by tapping or typing: strict parsing, no guessing (pure).

Typed dates are read only in unambiguous shapes: ISO ``2026-05-14`` and day-month-year with
the month's name (``14 May 2026``, ``14 may``, ``May 14, 2026``). Numeric day/month orders
differ between countries (05/06 is May or June), so ``05/06/2026`` is refused and the patient
is asked again with an example.

Typed names (a medicine, a city, a country) are compared folded: case, accents and
punctuation ignored (``España`` is ``espana``), and a near spelling is only ever offered
back as a choice, never taken on its own.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from bot.domain.bone_health import add_months

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = {name.lower(): index for index, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].lower(): index for name, index in list(_MONTHS.items())})
_MONTHS["sept"] = 9
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = {name.lower(): index for index, name in enumerate(WEEKDAY_NAMES)}
_WEEKDAYS.update({name[:3]: index for name, index in list(_WEEKDAYS.items())})
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_MAX_TEXT = 40
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DAY_MONTH = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>[a-z]{3,9})\.?(?:\s+(?P<y>\d{4}))?"
)
_MONTH_DAY = re.compile(
    r"(?P<m>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?"
)


class InvalidDateText(ValueError):
    """Text that is not a date we can read without guessing, or a date out of range."""


def parse_date(text: str, *, earliest: date, latest: date) -> date:
    """Read a typed date within [earliest, latest]; a date without a year is the latest such.

    "14 May" means the most recent 14 May not after `latest` (usually today), because the
    patient is telling us about something that already happened.
    """
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    if not cleaned or len(cleaned) > _MAX_TEXT:
        raise InvalidDateText(text)
    found = _ISO.fullmatch(cleaned) or _DAY_MONTH.fullmatch(cleaned)
    found = found or _MONTH_DAY.fullmatch(cleaned)
    if found is None:
        raise InvalidDateText(text)
    raw_month = found["m"]
    month = int(raw_month) if raw_month.isdigit() else _MONTHS.get(raw_month)
    if month is None:
        raise InvalidDateText(text)
    day = int(found["d"])
    year = int(found["y"]) if found["y"] else None
    try:
        if year is not None:
            value = date(year, month, day)
        else:
            value = date(latest.year, month, day)
            if value > latest:
                value = date(latest.year - 1, month, day)
    except ValueError as error:  # 31 April, 29 February of a common year
        raise InvalidDateText(text) from error
    if not earliest <= value <= latest:
        raise InvalidDateText(text)
    return value


def recent_months(today: date, count: int) -> list[date]:
    """Return the first days of this month and the `count - 1` before it, newest first."""
    first = today.replace(day=1)
    return [add_months(first, -offset) for offset in range(count)]


def month_days(month: date, *, earliest: date, latest: date) -> list[date]:
    """Return the days of a month that fall within [earliest, latest], in order."""
    first = month.replace(day=1)
    following = add_months(first, 1)
    days = [date.fromordinal(n) for n in range(first.toordinal(), following.toordinal())]
    return [day for day in days if earliest <= day <= latest]


def compact(value: date) -> str:
    """Return a date as eight digits for callback data (no separators: 20260514)."""
    return value.strftime("%Y%m%d")


def from_compact(text: str) -> date:
    """Read eight digits back into a date; raise InvalidDateText for anything else."""
    if not re.fullmatch(r"\d{8}", text):
        raise InvalidDateText(text)
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as error:
        raise InvalidDateText(text) from error


MAX_NAME_TEXT = 60  # longer than any medicine, city or country name worth reading
# A near spelling must match this well (difflib's ratio): "femera" for "femara" (0.83)
# and "germny" for "germany" (0.92) pass; "hello" for "helsinki" (0.46) does not. It is
# only ever offered back to confirm, so a near miss costs one tap, not a wrong answer.
NEAR_SPELLING = 0.8
_NOT_A_LETTER = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Return text as names are compared: lower case, no accents, words split by one space.

    >>> fold("  España! ")
    'espana'
    >>> fold("Côte d'Ivoire")
    'cote d ivoire'
    """
    decomposed = unicodedata.normalize("NFKD", text[: 4 * MAX_NAME_TEXT])
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_A_LETTER.sub(" ", letters.casefold()).split())


def near_spelling(word: str, names: Iterable[str]) -> str | None:
    """Return the known name closest to a folded word, if one is close enough to offer."""
    if len(word) < 4:  # too short to tell a typo from another word
        return None
    found = difflib.get_close_matches(word, list(names), n=1, cutoff=NEAR_SPELLING)
    return found[0] if found else None


def parse_weekday(text: str) -> int | None:
    """Return the weekday a patient typed (0 is Monday: "monday", "Mon", "thurs"), or None."""
    folded = fold(text)
    found = _WEEKDAYS.get(folded)
    return found if found is not None else _WEEKDAYS.get(folded.removesuffix("s"))


def parse_day_of_month(text: str) -> int | None:
    """Return a day of the month typed as a number ("15", "15th", "the 1st"), or None."""
    cleaned = " ".join(text.lower().split())
    found = re.fullmatch(r"(?:the )?([0-9]{1,2})(?:st|nd|rd|th)?\.?", cleaned)
    day = int(found[1]) if found else 0
    return day if 1 <= day <= 31 else None
