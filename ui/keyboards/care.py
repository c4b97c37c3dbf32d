"""Buttons for linking caregivers and clinicians, and the strict parser of their data.

Callback data is written by the client and can be forged: the parser accepts only fixed
shapes (a prefix, an action letter, digits for ids, a 22-character code), and every id is
re-checked against the acting user by `bot.services.care_links` and `bot.services.care_alerts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db.models import AlertKind, LinkRole
from bot.services.care_alerts import AlertStep
from bot.services.care_links import MISSED_DOSE_DELAYS, LinkView, Permission
from ui import texts
from ui.keyboards.doses import MAX_ROW_ID

# cg: the patient's menu; lk: confirm a link; iv: answer an invitation; cr: the caregiver's
# list; al: acknowledge an alert (al:<id>, the first buttons' shape) or act on it
# (al:<step>:<id>, a `care_alerts.AlertStep` letter, or n: resolve with a note).
_CARE_DATA = re.compile(
    r"^(?:"
    r"cg:(?P<cg>[ikbs])"
    r"|cg:(?P<cg_id_action>[mxXt]):(?P<cg_id>[0-9]{1,10})(?::(?P<perm>md|rf|ws|sl))?"
    r"|cg:d:(?P<delay>[0-9]{1,3})"
    r"|cg:q:(?P<quiet>[nabc])"
    r"|lk:(?P<lk>[yn]):(?P<lk_id>[0-9]{1,10})"
    r"|iv:a:(?P<code>[A-Za-z0-9_-]{22})"
    r"|iv:n"
    r"|cr:(?P<cr>[lLh]):(?P<cr_id>[0-9]{1,10})"
    r"|cr:b"
    r"|al:(?P<alert_id>[0-9]{1,10})"
    r"|al:(?P<step>[scmprn]):(?P<step_id>[0-9]{1,10})"
    r")$"
)
PERMISSION_CODES = {
    "md": Permission.MISSED_DOSES,
    "rf": Permission.RED_FLAGS,
    "ws": Permission.WEEKLY_SUMMARY,
    "sl": Permission.SYMPTOM_LOG,
}
QUIET_CHOICES: dict[str, tuple[time, time] | None] = {
    "a": (time(22, 0), time(7, 0)),
    "b": (time(21, 0), time(8, 0)),
    "c": (time(23, 0), time(6, 0)),
    "n": None,
}


@dataclass(frozen=True)
class CareAction:
    """A parsed press on a care button: what, and the id or value it names."""

    action: str  # e.g. "cg:i", "cg:m", "lk:y", "iv:a", "al"
    record_id: int | None = None
    permission: str | None = None
    value: str | None = None


def parse_care_action(data: str | None) -> CareAction | None:
    """Return the care action in callback data, or None if it is malformed."""
    match = _CARE_DATA.fullmatch(data or "")
    if match is None:
        return None
    groups = match.groupdict()
    record_id = next(
        (
            int(groups[key])
            for key in ("cg_id", "lk_id", "cr_id", "alert_id", "step_id")
            if groups[key]
        ),
        None,
    )
    if record_id is not None and record_id > MAX_ROW_ID:
        return None
    if groups["cg"]:
        return CareAction(f"cg:{groups['cg']}")
    if groups["cg_id_action"]:
        action = groups["cg_id_action"]
        permission = PERMISSION_CODES.get(groups["perm"] or "")
        if (action == "t") != (permission is not None):
            return None
        return CareAction(f"cg:{action}", record_id, permission)
    if groups["delay"] is not None:
        return CareAction("cg:d", value=groups["delay"])
    if groups["quiet"]:
        return CareAction("cg:q", value=groups["quiet"])
    if groups["lk"]:
        return CareAction(f"lk:{groups['lk']}", record_id)
    if groups["code"]:
        return CareAction("iv:a", value=groups["code"])
    if groups["cr"]:
        return CareAction(f"cr:{groups['cr']}", record_id)
    if groups["alert_id"]:
        return CareAction("al", record_id, value=AlertStep.SEEN.value)
    if groups["step"]:
        return CareAction("al", record_id, value=groups["step"])
    return CareAction(data or "")  # iv:n, cr:b


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def care_menu_buttons(links: list[LinkView]) -> InlineKeyboardMarkup:
    """One button per linked person, then invite and settings buttons."""
    rows = [
        [_button(f"{link.member_name} ({texts.role_name(link.role)})", f"cg:m:{link.link_id}")]
        for link in links
    ]
    rows += [
        [_button(texts.INVITE_CAREGIVER, "cg:i")],
        [_button(texts.INVITE_CLINICIAN, "cg:k")],
        [_button(texts.ALERT_SETTINGS, "cg:s")],
    ]
    return InlineKeyboardMarkup(rows)


def link_detail_buttons(link: LinkView) -> InlineKeyboardMarkup:
    """A switch per permission, then Remove and Back."""
    rows = []
    for code, column in PERMISSION_CODES.items():
        mark = "✅" if getattr(link, column) else "⬜"
        label = f"{mark} {texts.PERMISSION_LABELS[column]}"
        rows.append([_button(label, f"cg:t:{link.link_id}:{code}")])
    rows.append([_button(texts.REMOVE.format(name=link.member_name), f"cg:x:{link.link_id}")])
    rows.append([_button(texts.BACK, "cg:b")])
    return InlineKeyboardMarkup(rows)


def remove_confirm_buttons(link_id: int) -> InlineKeyboardMarkup:
    """Yes, remove / Keep."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.REMOVE_YES, f"cg:X:{link_id}")],
            [_button(texts.KEEP_LINK, f"cg:m:{link_id}")],
        ]
    )


def settings_buttons() -> InlineKeyboardMarkup:
    """Delays for the unconfirmed-dose message, then quiet-hour choices."""
    delays = [
        _button(texts.minutes_phrase(minutes), f"cg:d:{minutes}") for minutes in MISSED_DOSE_DELAYS
    ]
    rows = [delays[:2], delays[2:], [_button("Off", "cg:d:0")]]
    quiet = [
        _button(texts.quiet_phrase(*hours) if hours else "No quiet hours", f"cg:q:{code}")
        for code, hours in QUIET_CHOICES.items()
    ]
    rows += [[button] for button in quiet]
    rows.append([_button(texts.BACK, "cg:b")])
    return InlineKeyboardMarkup(rows)


def invite_answer_buttons(code: str) -> InlineKeyboardMarkup:
    """Accept (carrying the code: the only proof of the invitation) / No thanks."""
    return InlineKeyboardMarkup(
        [[_button(texts.INVITE_ACCEPT, f"iv:a:{code}")], [_button(texts.INVITE_DECLINE, "iv:n")]]
    )


def confirm_link_buttons(link_id: int) -> InlineKeyboardMarkup:
    """The patient's Yes, link them / No."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.LINK_CONFIRM_YES, f"lk:y:{link_id}")],
            [_button(texts.LINK_CONFIRM_NO, f"lk:n:{link_id}")],
        ]
    )


def caring_buttons(links: list[LinkView]) -> InlineKeyboardMarkup:
    """Per person helped: their symptom chart (if they allow it), and Leave."""
    rows = []
    for link in links:
        if link.sees_symptom_log:
            label = texts.SYMPTOM_LOG_BUTTON.format(name=link.patient_name)
            rows.append([_button(label, f"cr:h:{link.link_id}")])
        rows.append([_button(f"Leave {link.patient_name}", f"cr:l:{link.link_id}")])
    return InlineKeyboardMarkup(rows)


def leave_confirm_buttons(link_id: int) -> InlineKeyboardMarkup:
    """Yes, leave / Back."""
    return InlineKeyboardMarkup(
        [[_button(texts.LEAVE_YES, f"cr:L:{link_id}")], [_button(texts.BACK, "cr:b")]]
    )


def acknowledge_button(alert_id: int) -> InlineKeyboardMarkup:
    """The alert's "I've seen this"."""
    return InlineKeyboardMarkup([[_button(texts.ALERT_SEEN, f"al:{alert_id}")]])


NOTE = "n"  # "Resolve with a note": asks for the note, then resolves (AlertStep.RESOLVED)


def alert_buttons(
    alert_id: int,
    kind: AlertKind,
    role: LinkRole,
    *,
    seen: bool = False,
    contacted: bool = False,
    resolved: bool = False,
) -> InlineKeyboardMarkup | None:
    """The buttons of an alert in the state it is in (None: nothing left to do).

    A caregiver: a red flag's "I've seen this"; a dose's "I've checked on them" and "Mute
    this kind for today". A clinician: seen, patient contacted, resolved (with a note)."""
    if role is LinkRole.CLINICIAN and kind is AlertKind.RED_FLAG:
        if resolved:
            return None
        first: list[InlineKeyboardButton] = []
        if not seen:
            first.append(_button(texts.ALERT_MARK_SEEN, f"al:s:{alert_id}"))
        if not contacted:
            first.append(_button(texts.ALERT_CONTACTED, f"al:p:{alert_id}"))
        rows = [first] if first else []
        rows.append(
            [
                _button(texts.ALERT_RESOLVED, f"al:r:{alert_id}"),
                _button(texts.ALERT_NOTE, f"al:{NOTE}:{alert_id}"),
            ]
        )
        return InlineKeyboardMarkup(rows)
    if kind is AlertKind.RED_FLAG:
        return None if seen else acknowledge_button(alert_id)
    if seen:
        return None
    checked = texts.ALERT_MARK_SEEN if role is LinkRole.CLINICIAN else texts.ALERT_CHECKED
    rows = [[_button(checked, f"al:c:{alert_id}")]]
    if kind is AlertKind.MISSED_DOSE:
        rows.append([_button(texts.ALERT_MUTE, f"al:m:{alert_id}")])
    return InlineKeyboardMarkup(rows)
