"""What the domain asks of a scheduler, without importing one (dependencies point inward)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ReminderPlanner(Protocol):
    """Timed work the services ask for; `scheduler/` implements it with APScheduler."""

    def plan_dose(self, medication_id: int, run_at: datetime) -> None:
        """Run the dose job of a medication at `run_at` (replacing any earlier plan)."""

    def cancel_dose(self, medication_id: int) -> None:
        """Forget the dose job of a medication that ended."""

    def plan_snooze(self, dose_event_id: int, run_at: datetime) -> None:
        """Send a snoozed reminder again at `run_at`."""

    def plan_recheck(self, dose_event_id: int, run_at: datetime) -> None:
        """Ask once more about an unconfirmed dose at `run_at`."""

    def plan_window_end(self, dose_event_id: int, run_at: datetime) -> None:
        """Say that the fasting/upright window is over at `run_at`."""

    def cancel_dose_event(self, dose_event_id: int) -> None:
        """Drop the snooze and recheck jobs of an answered dose."""

    def plan_checkin(self, patient_id: int, run_at: datetime) -> None:
        """Send the weekly check-in prompt of a patient at `run_at` (replacing any plan)."""

    def cancel_checkin(self, patient_id: int) -> None:
        """Forget the weekly check-in prompt of a patient who turned it off."""

    def plan_agent(self, plan_id: int, run_at: datetime) -> None:
        """Run the reminder job of a clinic-given agent's plan at `run_at`."""

    def cancel_agent(self, plan_id: int) -> None:
        """Forget the reminder job of a clinic-given agent's plan."""

    def plan_dxa(self, profile_id: int, run_at: datetime) -> None:
        """Run the bone density scan reminder job of a patient's profile at `run_at`."""

    def cancel_dxa(self, profile_id: int) -> None:
        """Forget the bone density scan reminder job of a profile."""

    def plan_dental(self, prompts_id: int, run_at: datetime) -> None:
        """Run the dental check-up reminder job of a patient at `run_at`."""

    def cancel_dental(self, prompts_id: int) -> None:
        """Forget the dental check-up reminder job of a patient."""

    def plan_exercise(self, prompts_id: int, run_at: datetime) -> None:
        """Send the weekly exercise nudge of a patient at `run_at`."""

    def cancel_exercise(self, prompts_id: int) -> None:
        """Forget the weekly exercise nudge of a patient who turned it off."""

    def plan_supplement(self, prompt_id: int, run_at: datetime) -> None:
        """Run a calcium (supplement) reminder's job at `run_at`."""

    def cancel_supplement(self, prompt_id: int) -> None:
        """Forget the job of a supplement reminder that ended."""

    def plan_supplement_snooze(self, event_id: int, run_at: datetime) -> None:
        """Send a supplement reminder again at `run_at` (Later)."""

    def cancel_supplement_snooze(self, event_id: int) -> None:
        """Drop the Later job of an answered supplement reminder."""

    def plan_refill(self, count_id: int, run_at: datetime) -> None:
        """Check at `run_at` whether a counted medicine needs a refill reminder."""

    def cancel_refill(self, count_id: int) -> None:
        """Forget the refill check of a pill count."""

    def plan_alert(self, alert_id: int, run_at: datetime) -> None:
        """Deliver an alert to a linked caregiver or clinician at `run_at`."""

    def plan_missed_check(self, dose_event_id: int, run_at: datetime) -> None:
        """Alert linked caregivers at `run_at` if the dose is still unconfirmed then."""

    def plan_summary(self, patient_id: int, run_at: datetime) -> None:
        """Send the weekly adherence summary to the patient's caregivers at `run_at`."""

    def cancel_jobs(self, job_ids: list[str]) -> None:
        """Remove these jobs if they exist (erasure of a person's data)."""

    def planned_ids(self) -> set[str]:
        """Return the ids of the jobs already planned (to rebuild only what is missing)."""
