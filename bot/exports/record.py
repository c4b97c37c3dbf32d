"""The patient's whole record, table by table, as the /mydata archive holds it (pure data).

Every table the bot keeps about a patient is named in `RECORD_TABLES`, with what it holds in
the patient's words (the archive's README.txt shows them). Its file has the database's own
column names (stable: a rename needs a migration), every column except the few in
`OMITTED_COLUMNS`, which say why each is left out: another person's Telegram account, a
code's hash, the ids of an older version's rows. `LABEL_COLUMNS` are added at the end, so a
row reads without the catalogue: the medicine a key or a medication id stands for, the
red flag a code stands for.

`tests/exports/test_archive.py` fails when a table that belongs to a patient (a
`patient_id`, or a foreign key to such a table) is missing here, and when an omitted column
no longer exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.exports.csv_files import Cell


@dataclass(frozen=True)
class RecordTable:
    """One table of the patient's record: its columns and the patient's rows, by id."""

    name: str  # the database table
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        """Refuse rows that do not fit the columns (a file must never be ragged)."""
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.name}: {len(row)} cells for {len(self.columns)} columns")


RECORD_TABLES: Mapping[str, str] = MappingProxyType(
    {
        "patients": (
            "You: your patient number (id), your Telegram account number, your time zone, "
            "when you agreed to storing your health data and registered, since when your "
            "reminders were paused if you blocked the bot, and your alert settings (minutes "
            "before a dose not confirmed alerts your caregivers; quiet hours)."
        ),
        "medications": (
            "Every medicine of your plan, past and present: the aromatase inhibitor, the bone "
            "medicine, and calcium and vitamin D (role supplement, with dose_mg per reminder). "
            "Its schedule, whether it is active, when it started and ended."
        ),
        "dose_events": (
            "Every dose that fell due, medicines and calcium or vitamin D alike: when it was "
            "due, sent and reminded, your answer (taken, skipped with the reason, missed), the "
            "time you said you took it, how often you put it off with Later, a make-up dose "
            "and the dose it makes up for, the fasting window after a bisphosphonate, and why "
            "a calcium reminder was moved."
        ),
        "dose_answer_changes": (
            "Each correction of a dose's answer: when, by whom, and from what to what."
        ),
        "checkins": (
            "Your symptom check-ins: when started and finished, the medicines then "
            "(product_keys), whether you wanted to stop your aromatase inhibitor, your note."
        ),
        "checkin_answers": (
            "Each answer of each check-in: the question (item_code, attribute) and the score "
            "(0 is the mildest answer, such as none or never; empty is not applicable)."
        ),
        "redflag_episodes": (
            "Warning signs your check-ins raised: when each opened, when its advice went to "
            "you, when a check-in no longer raised it."
        ),
        "checkin_schedules": "When you want the weekly check-in reminder (0 is Monday).",
        "invites": (
            "The invitation links you made for a caregiver or your care team: when made, "
            "until when valid, when used or withdrawn. The code itself is never kept."
        ),
        "care_links": (
            "The people linked to you: their first name as Telegram gave it, caregiver or "
            "care team (clinician), the link's state (pending, active, ended) and what you "
            "let them receive. Nothing of their own health or account is here."
        ),
        "care_alerts": (
            "Each alert about you to a linked person (link_id: care_links.csv): why (a red "
            "flag, a dose not confirmed, an overdue clinic dose, denosumab stopped or "
            "switched), how many doses in a row it "
            "stands for, a red flag's tier, when sent, when they marked it seen (or that "
            "they checked on you), when a clinician contacted you or resolved it (with "
            "their note), and when it went on to your other clinicians."
        ),
        "access_records": (
            "Every time a caregiver or clinician looked at your records in the chat (your "
            "day in /caring, your care-team overview, your symptom chart): who (role and "
            "name), when, and what they looked at (/privacy shows it)."
        ),
        "export_records": (
            "Every export of your records: who (role and name), when, the period and the "
            "format. This archive is added once it is made (/privacy shows it)."
        ),
        "clinic_agent_plans": (
            "Bone medicines given at a clinic (infusion or injection): the last date given, "
            "the next due date, and the days reminders and checks went out about it."
        ),
        "clinic_agent_doses": "Each clinic dose you recorded as given, and the due date it met.",
        "bone_health_profiles": (
            "Your bone density (DXA) follow-up (the care team's interval, a booked scan, the "
            "last reminder), your fracture-risk answers (age, a parent's broken hip, a "
            "broken bone from a minor fall after 50, steroid tablets, smoking, 3 or more "
            "drinks a day, a fall in the last year) and what you said about yourself (sex, "
            "menopause, height in cm and weight in kg)."
        ),
        "dxa_scans": "Each DXA scan's T-scores as you typed them from the report.",
        "bone_record_changes": (
            "Each correction or deletion of a DXA scan or a clinic dose: when, by whom, and "
            "the record before and after."
        ),
        "bone_marker_results": (
            "Each bone marker (CTX, NTX, P1NP, bone alkaline phosphatase) and 25-OH vitamin D "
            "result you recorded: the test, the sample's date, the number and unit as your lab "
            "report printed them (typed_value, typed_unit) and the value in the one unit the "
            "bot keeps that test in (value, unit)."
        ),
        "bone_marker_changes": (
            "Each correction or deletion of such a result: when, by whom, and the result "
            "before and after (as printed, and in the test's own unit)."
        ),
        "care_prompts": (
            "Dental check-ups (the last, the next due, the last reminder) and the weekly "
            "exercise nudge (day, 0 is Monday, and time)."
        ),
        "treatment_reviews": (
            "When a long treatment is due a review with your care team: your oral "
            "bisphosphonate at 3 and 5 years, your aromatase inhibitor at the end of its "
            "planned length (the start, the length in years, the review last sent)."
        ),
        "calcium_plans": (
            "Your calcium and vitamin D set-up: the daily targets (empty: the usual 1200 mg "
            "and 800 IU), the calcium form, calcium from food."
        ),
        "pill_counts": (
            "Your pill counts: tablets counted and when, tablets per dose, when the refill "
            "reminder went out."
        ),
        "code_attempts": (
            "When you typed an invitation code that did not work, kept for an hour to stop "
            "guessing (even if you erase your data: it names no account, only a one-way "
            "keyed hash of it)."
        ),
    }
)

OMITTED_COLUMNS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("care_links", "member_telegram_user_id"): "the linked person's Telegram account",
        ("care_links", "member_chat_id"): "the linked person's Telegram chat",
        ("care_alerts", "message_id"): "the alert's message number in the linked person's chat",
        ("export_records", "actor_telegram_user_id"): (
            "the Telegram account of the care-team member who exported (their name and role "
            "are kept)"
        ),
        ("access_records", "actor_telegram_user_id"): (
            "the Telegram account of the person who looked (their name and role are kept)"
        ),
        ("invites", "code_hash"): "a one-way hash of the invitation code, only for checking it",
        ("code_attempts", "user_key"): (
            "a one-way keyed hash of your Telegram account, only for counting wrong codes"
        ),
        ("medications", "legacy_supplement_prompt_id"): (
            "the row's number in an older version's table, kept so old buttons still work"
        ),
        ("dose_events", "legacy_supplement_event_id"): (
            "the row's number in an older version's table, kept so old buttons still work"
        ),
    }
)

# Added at the end of a table's columns when it has the column they explain.
MEDICINE_LABEL = "medicine"  # for product_key, or for medication_id
FLAG_LABEL = "flag"  # for flag_code
LABEL_COLUMNS = (MEDICINE_LABEL, FLAG_LABEL)
