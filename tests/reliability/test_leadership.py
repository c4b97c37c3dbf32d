"""The leader lock and its fence on PostgreSQL, in one process: terms, leases, losses."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from app.leadership import Leadership
from bot.db.database import async_url, upgrade_database
from bot.ports import NotLeader
from bot.services.leadership import end_term, renew_term, take_office


@pytest.fixture
def database(postgres_database_url: str) -> str:
    """A fresh PostgreSQL database with the schema."""
    upgrade_database(postgres_database_url)
    return postgres_database_url


def _end_lock_connection(url: str) -> int:
    plain = url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(plain, autocommit=True) as connection:
        ended = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND database ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    return len(ended)


async def test_terms_follow_each_other_and_a_successor_waits_out_a_live_lease(
    database: str,
) -> None:
    engine = create_async_engine(async_url(database))
    try:
        async with engine.connect() as connection:
            first = await take_office(connection, "a", 3.0)
            assert (first.epoch, first.wait_seconds) == (1, 0.0)  # nobody led before
            second = await take_office(connection, "b", 3.0)  # a's lease still runs
            assert second.epoch == 2
            assert 2.5 < second.wait_seconds <= 3.0
            again = await take_office(connection, "b", 3.0)  # b after b: it knows it stopped
            assert (again.epoch, again.wait_seconds) == (3, 0.0)
            assert await renew_term(connection, 3, 3.0)
            assert not await renew_term(connection, 2, 3.0)  # an ended term renews nothing
            await end_term(connection, 3)  # a clean stop gives the lease up
            after_clean_stop = await take_office(connection, "c", 3.0)
            assert (after_clean_stop.epoch, after_clean_stop.wait_seconds) == (4, 0.0)
    finally:
        await engine.dispose()


async def test_a_leader_whose_connection_is_terminated_stops_at_once_and_leads_again(
    database: str,
) -> None:
    leader = Leadership(database, retry_seconds=0.2, lease_seconds=3.0)
    await leader.acquire()
    try:
        leader.check()
        epoch = leader.epoch
        assert epoch is not None
        assert await asyncio.to_thread(_end_lock_connection, database) == 1
        ended = time.monotonic()
        await asyncio.wait_for(leader.lost(), 2.0)
        noticed = time.monotonic() - ended
        with pytest.raises(NotLeader):
            leader.check()
        await leader.acquire(again=True)
        leader.check()
        assert leader.epoch == epoch + 1
    finally:
        await leader.release()
    print(f"leadership: a terminated lock connection noticed in {noticed * 1000:.0f} ms")
    assert noticed < 0.5


async def test_a_leader_whose_lease_is_not_renewed_stops_before_a_successor_sends(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stuck(self: Leadership, epoch: int) -> None:  # the renewals never come back
        await asyncio.Event().wait()

    renewing = Leadership._keep
    monkeypatch.setattr(Leadership, "_keep", stuck)
    lease = 1.0
    old = Leadership(database, retry_seconds=0.1, lease_seconds=lease)
    await old.acquire()
    started = time.monotonic()
    old.check()
    while True:  # the old leader sends only while its lease lasts
        try:
            old.check()
        except NotLeader:
            break
        await asyncio.sleep(0.01)
    stopped = time.monotonic()
    assert lease - 0.1 <= stopped - started < lease + 0.2
    await old.lost()  # its connection closed: the lock is free

    monkeypatch.setattr(Leadership, "_keep", renewing)
    successor = Leadership(database, retry_seconds=0.1, lease_seconds=lease)
    try:
        await successor.acquire()
        # It began only once the old lease ran out (granted at the old one's take-office,
        # a moment before `started`).
        assert time.monotonic() >= started + lease - 0.1
        successor.check()
    finally:
        await successor.release()
        await old.release()
