"""`python -m bot export`: a clinic administrator's export of one patient's records to files.

Runs on the bot's server with the bot's settings; every run is recorded in the patient's
audit log (role "administrator"), which the patient sees with /privacy.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.db.database import create_bot_engine, make_sessions, upgrade_database
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
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for file in files:
        path = args.out / file.name
        path.write_bytes(file.data)
        written.append(path)
    return written


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
