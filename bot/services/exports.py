"""Exports as a service: who may export whose data, for which period, and the audit log.

A patient exports their own data; a clinician exports the data of a patient who linked them
as a clinician (a caregiver cannot export). Only the patient themself gets the archive of
everything (/mydata, `own_archive`): the formats anyone else may ask for are
`OFFERED_FORMATS`. Every export is recorded (who, whose data, when, which period and format)
before the files are handed out, and the patient sees the record in /privacy. Rendering runs
in a worker thread: a PDF with charts takes a moment of CPU.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ExportRecord, LinkRole, Patient
from bot.domain.dose_times import local_instant
from bot.domain.errors import NotRegistered, NotYourRecord
from bot.exports.archive import build_archive
from bot.exports.csv_files import write_csv_files
from bot.exports.fhir_bundle import fhir_bundle_file
from bot.exports.files import ExportFile
from bot.exports.loader import load_snapshot
from bot.exports.pdf_report import pdf_report_file
from bot.exports.record_loader import load_record
from bot.exports.snapshot import ExportSnapshot
from bot.services import care_links
from bot.services.regimen import require_patient

log = logging.getLogger(__name__)

# Periods offered on buttons, in days back from now (0: everything since registration).
PERIOD_DAYS = (30, 90, 365, 0)


class ExportFormat(StrEnum):
    """What an export contains."""

    CSV = "csv"
    PDF = "pdf"
    FHIR = "fhir"
    ALL = "all"
    ARCHIVE = "archive"  # /mydata: one ZIP file of everything kept, for the patient only


# What /export's buttons and the command line offer; the archive is not among them.
OFFERED_FORMATS = (ExportFormat.PDF, ExportFormat.CSV, ExportFormat.FHIR, ExportFormat.ALL)


class ActorRole(StrEnum):
    """Who ran an export, as the audit log records it."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class ExportRequest:
    """A permitted export: whose data, by whom, and the period (half-open, UTC)."""

    patient_id: int
    actor_telegram_user_id: int | None
    actor_role: ActorRole
    actor_name: str
    start: datetime
    end: datetime


def build_files(snapshot: ExportSnapshot, export_format: ExportFormat) -> list[ExportFile]:
    """Render the files of one format (or all of them) from a snapshot (CPU-bound)."""
    if export_format not in OFFERED_FORMATS:
        raise ValueError(f"{export_format.value} is not an export format")
    files: list[ExportFile] = []
    if export_format in (ExportFormat.PDF, ExportFormat.ALL):
        files.append(pdf_report_file(snapshot))
    if export_format in (ExportFormat.CSV, ExportFormat.ALL):
        files += write_csv_files(snapshot)
    if export_format in (ExportFormat.FHIR, ExportFormat.ALL):
        files.append(fhir_bundle_file(snapshot))
    return files


def _period(patient: Patient, days: int, now: datetime) -> tuple[datetime, datetime]:
    start = patient.created_at if days == 0 else now - timedelta(days=days)
    return min(start, now - timedelta(seconds=1)), now + timedelta(seconds=1)


async def own_request(
    session: AsyncSession, telegram_user_id: int, days: int, now: datetime
) -> ExportRequest:
    """Permit a patient's export of their own data over the last `days` (0: all)."""
    patient = await require_patient(session, telegram_user_id)
    start, end = _period(patient, days, now)
    return ExportRequest(patient.id, telegram_user_id, ActorRole.PATIENT, "", start, end)


async def clinician_request(
    session: AsyncSession, telegram_user_id: int, link_id: int, days: int, now: datetime
) -> ExportRequest:
    """Permit a clinician's export of a linked patient's data (never a caregiver's)."""
    view = await care_links.member_link(session, telegram_user_id, link_id)
    if view.role is not LinkRole.CLINICIAN:
        raise NotYourRecord
    patient = await session.get(Patient, view.patient_id)
    if patient is None:
        raise NotYourRecord
    start, end = _period(patient, days, now)
    return ExportRequest(
        patient.id, telegram_user_id, ActorRole.CLINICIAN, view.member_name, start, end
    )


def local_day_period(zone: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """Return the UTC period from the start of `first` to the end of `last`, local days."""
    if last < first:
        raise ValueError("the period ends before it starts")
    start = local_instant(first, time(0), zone)
    end = local_instant(last + timedelta(days=1), time(0), zone)
    return start, end


async def administrator_request(
    session: AsyncSession, patient_id: int, first: date, last: date
) -> ExportRequest:
    """Permit the command-line export (the administrator runs it on the server)."""
    patient = await session.get(Patient, patient_id)
    if patient is None:
        raise NotRegistered
    start, end = local_day_period(ZoneInfo(patient.timezone), first, last)
    return ExportRequest(patient.id, None, ActorRole.ADMINISTRATOR, "", start, end)


async def run_export(
    session: AsyncSession, request: ExportRequest, export_format: ExportFormat, now: datetime
) -> list[ExportFile]:
    """Record the export in the audit log, then load and render the files."""
    if export_format not in OFFERED_FORMATS:  # the archive is /mydata's, the patient's own
        raise NotYourRecord
    snapshot = await load_snapshot(session, request.patient_id, request.start, request.end)
    await _audit(session, request, export_format, now)
    return await asyncio.to_thread(build_files, snapshot, export_format)


async def own_archive(
    session: AsyncSession, telegram_user_id: int, now: datetime, *, attempt_secret: bytes
) -> ExportFile:
    """Build the acting patient's whole record as one ZIP file and record it (/mydata).

    The patient's own records only, looked up from the acting Telegram user (never from an
    id the caller passes). Built before it is recorded, so an archive too large to send
    (ArchiveTooLarge) leaves no audit line for a file nobody received. `attempt_secret`
    (`Settings.code_attempt_secret`) finds their failed invitation codes.
    """
    request = await own_request(session, telegram_user_id, 0, now)
    snapshot = await load_snapshot(session, request.patient_id, request.start, request.end)
    tables = await load_record(session, request.patient_id, attempt_secret)
    await session.commit()  # end the read before the CPU-bound build
    archive = await asyncio.to_thread(build_archive, snapshot, tables, now)
    await _audit(session, request, ExportFormat.ARCHIVE, now)
    return archive


async def _audit(
    session: AsyncSession, request: ExportRequest, export_format: ExportFormat, now: datetime
) -> None:
    """Write the export's line in the patient's audit log and commit it."""
    session.add(
        ExportRecord(
            patient_id=request.patient_id,
            actor_telegram_user_id=request.actor_telegram_user_id,
            actor_role=request.actor_role.value,
            actor_name=request.actor_name,
            export_format=export_format.value,
            range_start=request.start,
            range_end=request.end,
            created_at=now,
        )
    )
    await session.commit()
    log.info(
        "export %s of patient %s by a %s",
        export_format.value,
        request.patient_id,
        request.actor_role.value,
    )


@dataclass(frozen=True)
class ExportEntry:
    """One line of the audit log as the patient sees it."""

    at: datetime
    actor_role: ActorRole
    actor_name: str
    export_format: ExportFormat
    start: datetime
    end: datetime


async def export_log(
    session: AsyncSession, telegram_user_id: int, limit: int = 20
) -> list[ExportEntry]:
    """Return the latest exports of the acting patient's data, newest first."""
    patient = await require_patient(session, telegram_user_id)
    rows = await session.scalars(
        select(ExportRecord)
        .where(ExportRecord.patient_id == patient.id)
        .order_by(ExportRecord.created_at.desc(), ExportRecord.id.desc())
        .limit(limit)
    )
    return [
        ExportEntry(
            row.created_at,
            ActorRole(row.actor_role),
            row.actor_name,
            ExportFormat(row.export_format),
            row.range_start,
            row.range_end,
        )
        for row in rows
    ]
