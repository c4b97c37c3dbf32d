"""A planner that records what the services ask for, instead of scheduling anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.ports import JobKind, ReminderPlanner


@dataclass(frozen=True)
class PlannerCall:
    """One request a service made: plan (with its time) or cancel one job."""

    action: Literal["plan", "cancel"]
    job_id: str
    run_at: datetime | None = None


class RecordingPlanner:
    """`ReminderPlanner` for service tests: keeps the jobs in force and every call made.

    `jobs` is what a real scheduler would hold now (planning again replaces, cancelling
    forgets); `calls` is the history, for tests that care about order or cancellations.
    """

    def __init__(self, existing: dict[str, datetime] | None = None) -> None:
        self.jobs: dict[str, datetime] = dict(existing or {})
        self.calls: list[PlannerCall] = []

    # --- ReminderPlanner ---------------------------------------------------------------------

    def plan(self, kind: JobKind, row_id: int, run_at: datetime) -> None:
        """Record `kind`'s job of a row at `run_at`, replacing an earlier plan of it."""
        if run_at.tzinfo is None:
            raise AssertionError(f"{kind.job_id(row_id)} planned at a naive time {run_at}")
        job_id = kind.job_id(row_id)
        self.jobs[job_id] = run_at
        self.calls.append(PlannerCall("plan", job_id, run_at))

    def cancel(self, kind: JobKind, row_id: int) -> None:
        """Forget `kind`'s job of a row, if there is one."""
        self.cancel_jobs([kind.job_id(row_id)])

    def cancel_jobs(self, job_ids: list[str]) -> None:
        """Forget these jobs if they exist."""
        for job_id in job_ids:
            self.jobs.pop(job_id, None)
            self.calls.append(PlannerCall("cancel", job_id))

    def planned_ids(self) -> set[str]:
        """Return the ids of the jobs in force."""
        return set(self.jobs)

    # --- Assert helpers ----------------------------------------------------------------------

    def planned(self, kind_or_prefix: JobKind | str) -> dict[str, datetime]:
        """Return the jobs in force of one kind (or job-id prefix), id to run time."""
        prefix = f"{kind_or_prefix}:"
        return {job_id: at for job_id, at in self.jobs.items() if job_id.startswith(prefix)}

    def run_at(self, kind: JobKind, row_id: int) -> datetime:
        """Return when a job is planned to run; fail the test when it is not planned."""
        job_id = kind.job_id(row_id)
        assert job_id in self.jobs, f"{job_id} is not planned; planned: {sorted(self.jobs)}"
        return self.jobs[job_id]

    def cancelled(self, kind_or_prefix: JobKind | str | None = None) -> list[str]:
        """Return the job ids cancelled so far (of one kind or prefix), in call order."""
        prefix = "" if kind_or_prefix is None else f"{kind_or_prefix}:"
        return [
            call.job_id
            for call in self.calls
            if call.action == "cancel" and call.job_id.startswith(prefix)
        ]

    def forget_calls(self) -> None:
        """Clear the history (the jobs in force stay), to look only at what comes next."""
        self.calls.clear()


def _implements_the_port(planner: RecordingPlanner) -> ReminderPlanner:
    return planner  # mypy checks the fake against the protocol here
