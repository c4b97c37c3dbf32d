"""`python -m bot export`: a clinic administrator's export of one patient's records to files.

Runs on the bot's server with the bot's settings; every run is recorded in the patient's
audit log (role "administrator"), which the patient sees with /privacy. The files are
written readable by the bot's user only (0600), in a folder made 0700 if it is new.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.db.database import (
    PRIVATE_FILE_MODE,
    create_bot_engine,
    make_sessions,
    upgrade_database,
)
from bot.domain.clock import utc_now
from bot.domain.errors import NotRegistered
from bot.services import exports
from bot.services.exports import OFFERED_FORMATS, ExportFormat


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the export options to the main command line."""
    parser.add_argument("--patient", type=int, help="export: the patient number")
    parser.add_argument(
        "--format",
        choices=[f.value for f in OFFERED_FORMATS],
        default="all",
        help="export: format",
    )
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="export: YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="export: YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=Path("."), help="export: folder for files")


async def _export(settings: Settings, args: argparse.Namespace) -> list[Path]:
    engine = create_bot_engine(settings.database_url)
    try:
        async with make_sessions(engine)() as session:
            request = await exports.administrator_request(
                session, args.patient, args.first, args.last
            )
            files = await exports.run_export(
                session, request, ExportFormat(args.format), utc_now()
            )
    finally:
        await engine.dispose()
    args.out.mkdir(mode=0o700, parents=True, exist_ok=True)  # an existing one is left as is
    written = []
    for file in files:
        path = args.out / file.name
        write_private(path, file.data)
        written.append(path)
    return written


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by the bot's user only (0600), whatever the umask: an existing
    file is made so before anything is written into it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        out.write(data)


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Export to files; print each path; say in one line what is wrong otherwise."""
    if args.patient is None or args.first is None or args.last is None:
        print("bonebot export: --patient, --from and --to are required", file=sys.stderr)
        return 2
    upgrade_database(settings.database_url)
    try:
        written = asyncio.run(_export(settings, args))
    except NotRegistered:
        print(f"bonebot export: there is no patient {args.patient}", file=sys.stderr)
        return 1
    except ValueError as problem:
        print(f"bonebot export: {problem}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
