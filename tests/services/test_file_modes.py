"""The files that hold health data are readable by the bot's user only (mode 0600).

Before: the SQLite database, its job store and the files `python -m bot export` wrote were
created with the process's umask (0644 with the usual 022): anyone on the machine could read
them. Now each is created 0600 (and one found looser is tightened when opened), whatever
the umask; SQLite gives its -wal and -shm files the database's own mode.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app import export_cli
from bot.config import Settings
from bot.db.database import (
    create_bot_engine,
    create_sync_engine,
    job_store_url,
    make_sessions,
    upgrade_database,
)
from tests.fakes.planner import RecordingPlanner
from tests.services.conftest import START
from tests.services.people import register

TOKEN = "7000000001:AAHsimulatedBotTokenForLocalTests000000"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(folder: Path) -> dict[str, int]:
    """The mode of every file in a folder, by name."""
    return {path.name: mode(path) for path in folder.iterdir()}


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask, which leaves new files readable by everyone."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


async def test_the_database_its_journal_and_the_job_store_are_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bonebot.sqlite3'}"
    upgrade_database(url)  # the first start: Alembic creates the file
    engine = create_bot_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("SELECT count(*) FROM patients"))
            found = modes(tmp_path)  # with the journal files open
    finally:
        await engine.dispose()
    assert found == dict.fromkeys(
        ["bonebot.sqlite3", "bonebot.sqlite3-wal", "bonebot.sqlite3-shm"], 0o600
    )
    jobs = create_sync_engine(job_store_url(url), derived_data=True)
    try:
        with jobs.begin() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
    finally:
        jobs.dispose()
    assert modes(tmp_path)["bonebot.jobs.sqlite3"] == 0o600
    assert set(modes(tmp_path).values()) == {0o600}


async def test_a_database_left_readable_by_others_is_tightened_when_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bonebot.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    path.chmod(0o644)
    engine = create_bot_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert mode(path) == 0o600


async def _a_patient(url: str) -> int:
    engine = create_bot_engine(url)
    try:
        async with make_sessions(engine)() as session:
            patient = await register(session, RecordingPlanner(), 1001, now=START)
            return patient.id
    finally:
        await engine.dispose()


def test_exported_files_are_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bonebot.sqlite3'}"
    upgrade_database(url)
    patient_id = asyncio.run(_a_patient(url))
    out = tmp_path / "exports"
    settings = Settings(telegram_bot_token=TOKEN, database_url=url, _env_file=None)
    args = argparse.Namespace(
        patient=patient_id, format="all", first=date(2031, 6, 1), last=date(2031, 6, 30), out=out
    )
    assert export_cli.run(settings, args) == 0
    written = list(out.iterdir())
    assert len(written) == 8  # the PDF, six CSV files, the FHIR bundle
    assert {mode(p) for p in written} == {0o600}
    assert mode(out) == 0o700  # a folder it made is the bot user's too
    # Written again over a file someone made readable: tightened before anything is written.
    written[0].chmod(0o644)
    assert export_cli.run(settings, args) == 0
    assert {mode(p) for p in out.iterdir()} == {0o600}
