"""Leader terms: which process may claim and send when several share one PostgreSQL database.

The leader lock itself is a session-level advisory lock (`app.leadership`). It cannot tell
a leader that its connection is gone, so the lock alone would leave a window in which an
old leader still sends while a new one has begun. The `leader_term` row closes it:

- each process that takes the lock begins a new term (`take_office`: epoch + 1);
- every claim of due doses confirms its term in its own transaction (`confirm_term`,
  holding the row with FOR SHARE until the claim commits), so a claim after a successor
  began fails, and a successor reads every claim committed before its term began;
- the leader renews a lease every second or so (`renew_term`) and sends only while its
  last renewal is younger than the lease; a successor whose predecessor may still be alive
  waits until that predecessor's lease has run out (`Term.wait_seconds`) before it claims
  or sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import LeaderTerm
from bot.ports import NotLeader

_ROW = 1
# Declarative types __table__ as any FromClause; a class mapped to a table has a Table.
_TERM = cast(Table, LeaderTerm.__table__)


@dataclass(frozen=True)
class Term:
    """A term just begun: its epoch, and how long the previous holder's lease still runs."""

    epoch: int
    wait_seconds: float  # 0 when the last holder released its term, or was this process


async def take_office(connection: AsyncConnection, holder: str, lease_seconds: float) -> Term:
    """Begin a new term (only while holding the leader lock) and commit it."""
    lease = timedelta(seconds=lease_seconds)
    row = (
        await connection.execute(
            select(_TERM.c.holder, _TERM.c.lease_until, func.now().label("now"))
            .where(_TERM.c.id == _ROW)
            .with_for_update()
        )
    ).one()
    wait = 0.0
    if row.holder != holder and row.lease_until is not None:
        wait = max(0.0, (row.lease_until - row.now).total_seconds())
    epoch = await connection.scalar(
        update(_TERM)
        .where(_TERM.c.id == _ROW)
        .values(epoch=_TERM.c.epoch + 1, holder=holder, lease_until=func.now() + lease)
        .returning(_TERM.c.epoch)
    )
    await connection.commit()
    assert epoch is not None  # the migration creates the row
    return Term(int(epoch), wait)


async def renew_term(connection: AsyncConnection, epoch: int, lease_seconds: float) -> bool:
    """Extend this term's lease and commit; False if another term has begun."""
    renewed = await connection.scalar(
        update(_TERM)
        .where(_TERM.c.id == _ROW, _TERM.c.epoch == epoch)
        .values(lease_until=func.now() + timedelta(seconds=lease_seconds))
        .returning(_TERM.c.epoch)
    )
    await connection.commit()
    return renewed is not None


async def end_term(connection: AsyncConnection, epoch: int) -> None:
    """Give the lease up (a clean stop): a successor need not wait for it to run out."""
    await connection.execute(
        update(_TERM).where(_TERM.c.id == _ROW, _TERM.c.epoch == epoch).values(lease_until=None)
    )
    await connection.commit()


async def confirm_term(session: AsyncSession, epoch: int) -> None:
    """Raise NotLeader unless `epoch` is still the current term; call last before a claim
    commits (the row stays share-locked until then, so no term begins in between)."""
    current = await session.scalar(
        select(LeaderTerm.epoch).where(LeaderTerm.id == _ROW).with_for_update(read=True)
    )
    if current != epoch:
        raise NotLeader(f"term {epoch} is over (now {current})")
