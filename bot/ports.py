"""What the domain asks of a scheduler, without importing one (dependencies point inward)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol


class JobKind(StrEnum):
    """Every kind of timed work the services ask for; the value is the job id's prefix.

    A job's id is `{kind}:{row id}` (`JobKind.DOSE.job_id(7)` is "dose:7"): one job per
    row and kind, so planning again replaces the earlier plan, and erasure finds a
    person's jobs from their rows' ids. `KIND_RULES` says which row and which store.
    """

    DOSE = "dose"  # a medication's next due dose (the dose batcher opens and sends it)
    SNOOZE = "snooze"  # a snoozed reminder, sent again
    RECHECK = "recheck"  # "did you take it?" once, for an unconfirmed dose
    WINDOW = "window"  # the end of a bisphosphonate's fasting and upright wait
    MISSED = "missed"  # caregivers' alert if a dose is still unconfirmed
    CHECKIN = "checkin"  # the weekly symptom check-in prompt
    SUMMARY = "summary"  # the weekly adherence summary to caregivers
    ALERT = "alert"  # one alert to one linked caregiver or clinician
    AGENT = "agent"  # a clinic-given agent's (injection, infusion) reminder of the day
    DXA = "dxa"  # the bone density scan reminder
    DENTAL = "dental"  # the dental check-up reminder
    REVIEW = "review"  # a long treatment's review with the care team
    EXERCISE = "exercise"  # the weekly exercise nudge
    REFILL = "refill"  # the check whether a counted medicine needs a refill reminder
    MAKEUP = "makeup"  # the make-up dose of a missed one, the morning after (label rule)
    ESCALATE = "escalate"  # an urgent alert nobody acknowledged: the other clinicians, the patient

    def job_id(self, row_id: int) -> str:
        """Return the id of this kind's job for one row."""
        return f"{self.value}:{row_id}"


@dataclass(frozen=True)
class KindRule:
    """Where one kind of job belongs: the row it works on, and how it survives a restart."""

    # The table whose row id the job carries: erasing the row removes the job.
    owner: str
    # True: kept only in memory and rebuilt from the tables at every start (the dose path,
    # planned and dropped at every reminder and press); False: kept in the job store.
    rebuilt_at_start: bool


KIND_RULES: Final[Mapping[JobKind, KindRule]] = {
    JobKind.DOSE: KindRule("medications", rebuilt_at_start=True),
    JobKind.SNOOZE: KindRule("dose_events", rebuilt_at_start=True),
    JobKind.RECHECK: KindRule("dose_events", rebuilt_at_start=True),
    JobKind.WINDOW: KindRule("dose_events", rebuilt_at_start=True),
    JobKind.MISSED: KindRule("dose_events", rebuilt_at_start=True),
    JobKind.CHECKIN: KindRule("patients", rebuilt_at_start=False),
    JobKind.SUMMARY: KindRule("patients", rebuilt_at_start=False),
    JobKind.ALERT: KindRule("care_alerts", rebuilt_at_start=False),
    JobKind.AGENT: KindRule("clinic_agent_plans", rebuilt_at_start=False),
    JobKind.DXA: KindRule("bone_health_profiles", rebuilt_at_start=False),
    JobKind.DENTAL: KindRule("care_prompts", rebuilt_at_start=False),
    JobKind.REVIEW: KindRule("treatment_reviews", rebuilt_at_start=False),
    JobKind.EXERCISE: KindRule("care_prompts", rebuilt_at_start=False),
    JobKind.REFILL: KindRule("pill_counts", rebuilt_at_start=False),
    JobKind.MAKEUP: KindRule("dose_events", rebuilt_at_start=True),
    JobKind.ESCALATE: KindRule("care_alerts", rebuilt_at_start=False),
}


# Prefixes of kinds earlier versions stored and this one no longer plans: calcium and
# vitamin D reminders (`supplement:{prompt}`, `supsnooze:{event}`) are dose jobs since
# revision 0011. Start-up deletes such jobs from the store; their functions stay importable
# (`scheduler.jobs:run_supplement_job`, `run_supplement_snooze_job`) and hand over to the
# dose path, so a job read before it is deleted still does the right thing.
RETIRED_PREFIXES: Final = ("supplement", "supsnooze")


def kind_of(job_id: str) -> JobKind | None:
    """Return the kind a job id names (None for an id no kind makes)."""
    prefix = job_id.partition(":")[0]
    return JobKind(prefix) if prefix in JobKind._value2member_map_ else None


class ReminderPlanner(Protocol):
    """Timed work the services ask for; `scheduler/` implements it with APScheduler."""

    def plan(self, kind: JobKind, row_id: int, run_at: datetime) -> None:
        """Run the `kind` job of a row at `run_at`, replacing any earlier plan of it."""

    def cancel(self, kind: JobKind, row_id: int) -> None:
        """Forget the `kind` job of a row, if there is one."""

    def cancel_jobs(self, job_ids: list[str]) -> None:
        """Remove these jobs if they exist (erasure of a person's data)."""

    def planned_ids(self) -> set[str]:
        """Return the ids of the jobs already planned (to rebuild only what is missing)."""


class NotLeader(Exception):
    """This process no longer leads: it must not claim, plan or send anything more."""


class Fence(Protocol):
    """Leadership as the services and the outbound path see it (`app.leadership` keeps it).

    Several processes may share one PostgreSQL database; only the leader sends. A leader
    whose lock is gone is fenced twice: every send asks `check` first, and every claim of
    due doses confirms `epoch`, the leader term it was granted, in its own transaction.
    """

    @property
    def epoch(self) -> int | None:
        """The term this process leads in (None where one process serves: SQLite)."""

    def check(self) -> None:
        """Raise NotLeader unless this process still leads (called before every send)."""

    def revoke(self) -> None:
        """Stop leading at once: a claim found that another process's term has begun."""


class SoleProcess:
    """The fence of a database only one process uses (SQLite): it always leads."""

    epoch: int | None = None

    def check(self) -> None:
        """One process: always the leader."""

    def revoke(self) -> None:
        """Nothing can take over: nothing to stop."""


SOLE_PROCESS: Final = SoleProcess()
