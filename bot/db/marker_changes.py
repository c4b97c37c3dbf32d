"""The history of lab results (`bone_marker_changes`), read per result as
`bot.db.record_changes` reads that of scans and clinic doses: a change names its result by id
without a foreign key, and each deletion closes the piece of history before it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BoneMarkerChange, RecordAction


def split_history(
    changes: Iterable[BoneMarkerChange],
) -> tuple[dict[int, list[BoneMarkerChange]], list[list[BoneMarkerChange]]]:
    """Cut each result id's changes (oldest first) at its deletions: the changes of the rows
    there now, by id, and those of deleted results (ids of deleted rows can come back on
    SQLite, as `bot.db.record_changes` explains)."""
    pieces: dict[int, list[BoneMarkerChange]] = {}
    deleted: list[list[BoneMarkerChange]] = []
    for change in changes:
        piece = pieces.setdefault(change.record_id, [])
        piece.append(change)
        if change.action == RecordAction.DELETED:
            deleted.append(piece)
            pieces[change.record_id] = []
    live = {record_id: piece for record_id, piece in pieces.items() if piece}
    deleted.sort(key=lambda piece: (piece[-1].changed_at, piece[-1].id))
    return live, deleted


async def history(
    session: AsyncSession, patient_id: int, record_ids: Iterable[int] | None = None
) -> tuple[dict[int, list[BoneMarkerChange]], list[list[BoneMarkerChange]]]:
    """Return a patient's result changes (only these ids' when given), split as above."""
    query = select(BoneMarkerChange).where(BoneMarkerChange.patient_id == patient_id)
    if record_ids is not None:
        query = query.where(BoneMarkerChange.record_id.in_(list(record_ids)))
    rows = await session.scalars(query.order_by(BoneMarkerChange.changed_at, BoneMarkerChange.id))
    return split_history(rows)
