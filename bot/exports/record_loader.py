"""Read a patient's whole record, every table of `RECORD_TABLES`, into plain rows (read-only).

One query a table, the patient's rows only: by `patient_id`, by the patient's own id for
`patients`, by the keyed hash of the patient's Telegram account for `code_attempts`
(`invite_codes.attempt_key`; the caller hands over its secret). No period: everything
kept is in it. Links in which the patient is someone else's caregiver or clinician are not:
they belong to that other patient (and erasure takes them with the person either way).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, Medication, Patient
from bot.domain import invite_codes
from bot.domain.errors import NotRegistered
from bot.exports.csv_files import Cell
from bot.exports.labels import flag_label, medicine_name
from bot.exports.record import (
    FLAG_LABEL,
    MEDICINE_LABEL,
    OMITTED_COLUMNS,
    RECORD_TABLES,
    RecordTable,
)


async def load_record(
    session: AsyncSession, patient_id: int, attempt_secret: bytes
) -> tuple[RecordTable, ...]:
    """Return every table of the patient's record, in `RECORD_TABLES` order, rows by id.

    Raise NotRegistered if the patient does not exist.
    """
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise NotRegistered
    user_key = invite_codes.attempt_key(attempt_secret, patient.telegram_user_id)
    owned = await session.execute(
        select(Medication.id, Medication.product_key).where(Medication.patient_id == patient_id)
    )
    medicines = {medication_id: key for medication_id, key in owned}
    tables: list[RecordTable] = []
    for name in RECORD_TABLES:
        table = Base.metadata.tables[name]
        columns = [c for c in table.columns if (name, c.name) not in OMITTED_COLUMNS]
        names = [column.name for column in columns]
        result = await session.execute(
            select(*columns).where(_owned_by(table, patient, user_key)).order_by(table.c.id)
        )
        rows = [tuple(row) for row in result]
        labels: list[str] = []
        if "product_key" in names or "medication_id" in names:
            labels.append(MEDICINE_LABEL)
        if "flag_code" in names:
            labels.append(FLAG_LABEL)
        tables.append(
            RecordTable(
                name,
                (*names, *labels),
                tuple(
                    (*row, *_labels(dict(zip(names, row, strict=True)), medicines)) for row in rows
                ),
            )
        )
    return tuple(tables)


def _owned_by(table: Table, patient: Patient, user_key: str) -> ColumnElement[bool]:
    """The rows of a table that are the patient's."""
    if table.name == Patient.__tablename__:
        return table.c.id == patient.id
    if "patient_id" in table.c:
        return table.c.patient_id == patient.id
    if "user_key" in table.c:
        return table.c.user_key == user_key
    raise ValueError(f"no rule finds the patient's rows of {table.name}")


def _labels(row: dict[str, Cell], medicines: dict[int, str]) -> list[Cell]:
    """The words for a row's codes: its medicine, its red flag (see LABEL_COLUMNS)."""
    found: list[Cell] = []
    if "product_key" in row or "medication_id" in row:
        key, medication_id = row.get("product_key"), row.get("medication_id")
        if key is None and isinstance(medication_id, int):
            key = medicines.get(medication_id)
        found.append(medicine_name(key) if isinstance(key, str) else None)
    if "flag_code" in row:
        code = row["flag_code"]
        found.append(flag_label(code) if isinstance(code, str) else None)
    return found
