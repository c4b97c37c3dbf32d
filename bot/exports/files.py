"""One exported file as a handler sends it: a name, its bytes and a media type."""

from __future__ import annotations

from dataclasses import dataclass

from bot.exports.snapshot import ExportSnapshot


@dataclass(frozen=True)
class ExportFile:
    """A file ready to send as a Telegram document."""

    name: str
    data: bytes
    mime: str


def file_name(snapshot: ExportSnapshot, part: str, extension: str) -> str:
    """Name a file after the patient number and the local period, so downloads sort."""
    first, last = snapshot.first_day, snapshot.last_day
    return (
        f"bonebot-patient-{snapshot.patient.patient_id}-{first:%Y%m%d}-{last:%Y%m%d}"
        f"-{part}.{extension}"
    )
