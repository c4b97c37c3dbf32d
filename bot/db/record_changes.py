"""The history of bone-health records (`bone_record_changes`), written and read per record.

A change names its scan or dose by id without a foreign key, so it outlives a deleted
record. On SQLite the id of a deleted row can be given to the next one, so a record's
history is read in pieces: each deletion closes the piece before it (a deleted record's
history), and only the piece after the last deletion belongs to the row now holding the id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    BoneRecordChange,
    BoneRecordKind,
    ClinicAgentDose,
    DxaScan,
    RecordAction,
)
from bot.domain.bone_health import DxaResult, Site

PATIENT = "patient"  # who changed it: only the patient corrects their own records


def scan_change(scan: DxaScan, after: DxaResult | None, now: datetime) -> BoneRecordChange:
    """Return the change of a scan from its values now (before the change) to `after`;
    None is its deletion."""
    change = BoneRecordChange(
        patient_id=scan.patient_id,
        record=BoneRecordKind.DXA,
        record_id=scan.id,
        action=RecordAction.DELETED if after is None else RecordAction.CHANGED,
        changed_at=now,
        changed_by=PATIENT,
        old_on=scan.scanned_on,
        new_on=None if after is None else after.scanned_on,
    )
    for site in Site:
        setattr(change, f"old_{site.value}", getattr(scan, site.value))
        setattr(change, f"new_{site.value}", None if after is None else getattr(after, site.value))
    return change


def dose_change(dose: ClinicAgentDose, *, new_on: date | None, now: datetime) -> BoneRecordChange:
    """Return the change of a clinic dose's date (before the change); None is its deletion."""
    return BoneRecordChange(
        patient_id=dose.patient_id,
        record=BoneRecordKind.CLINIC_AGENT,
        record_id=dose.id,
        medication_id=dose.medication_id,
        action=RecordAction.DELETED if new_on is None else RecordAction.CHANGED,
        changed_at=now,
        changed_by=PATIENT,
        old_on=dose.given_on,
        new_on=new_on,
    )


@dataclass(frozen=True)
class RecordHistory:
    """One kind of record's changes: those of the rows there now, and of deleted records."""

    live: dict[int, list[BoneRecordChange]] = field(default_factory=dict)  # by record id
    deleted: list[list[BoneRecordChange]] = field(default_factory=list)  # each ends deleted


def split_history(changes: Iterable[BoneRecordChange]) -> RecordHistory:
    """Cut each record id's changes (oldest first) at its deletions (see the module)."""
    pieces: dict[int, list[BoneRecordChange]] = {}
    history = RecordHistory()
    for change in changes:
        piece = pieces.setdefault(change.record_id, [])
        piece.append(change)
        if change.action == RecordAction.DELETED:
            history.deleted.append(piece)
            pieces[change.record_id] = []
    for record_id, piece in pieces.items():
        if piece:
            history.live[record_id] = piece
    history.deleted.sort(key=lambda piece: (piece[-1].changed_at, piece[-1].id))
    return history


async def record_history(
    session: AsyncSession,
    patient_id: int,
    record: BoneRecordKind,
    record_ids: Iterable[int] | None = None,
) -> RecordHistory:
    """Return a patient's changes of one kind of record (only these ids' when given)."""
    query = select(BoneRecordChange).where(
        BoneRecordChange.patient_id == patient_id, BoneRecordChange.record == record
    )
    if record_ids is not None:
        query = query.where(BoneRecordChange.record_id.in_(list(record_ids)))
    rows = await session.scalars(query.order_by(BoneRecordChange.changed_at, BoneRecordChange.id))
    return split_history(rows)
