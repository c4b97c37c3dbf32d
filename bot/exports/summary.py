"""Figures derived from a snapshot that several formats show: adherence and symptom trends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.domain.symptoms import Answer, Attribute, branched_scores
from bot.exports.snapshot import CheckinRow, ExportSnapshot

# Statuses of a dose that was due but has no answer yet (see bot.db.models.DoseStatus).
UNANSWERED = frozenset({"pending", "sent"})


@dataclass(frozen=True)
class AdherenceRow:
    """Counts for one medicine over the period, as /history counts them (services.adherence)."""

    product_key: str
    due: int
    taken: int
    skipped: int
    missed: int
    unanswered: int
    late: int  # reminders that went out late
    put_off: int = 0  # doses the patient put off with Later at least once (their choice)
    made_up: int = 0  # missed doses whose make-up (the label's morning after) was taken

    @property
    def percent_taken(self) -> int:
        """Return the share of due doses confirmed taken, rounded to a whole percent."""
        return round(100 * self.taken / self.due) if self.due else 0


_FLAGS = ("late", "put off", "made up")  # tallied beside the outcomes, not outcomes themselves


def adherence_by_medicine(snapshot: ExportSnapshot) -> list[AdherenceRow]:
    """Count each medicine's doses by outcome, in regimen order then first due."""
    tallies: dict[str, Counter[str]] = {}
    for dose in sorted(snapshot.doses, key=lambda row: row.due_at):
        tally = tallies.setdefault(dose.product_key, Counter())
        if dose.makeup_for_event_id is not None:  # a make-up is not a dose due of its own
            tally["made up"] += dose.status == "taken"
            continue
        tally[dose.status] += 1
        tally["late"] += dose.late
        tally["put off"] += dose.snoozes > 0
    order = {row.product_key: index for index, row in enumerate(snapshot.medications)}
    keys = sorted(tallies, key=lambda key: order.get(key, len(order)))
    return [
        AdherenceRow(
            product_key=key,
            due=sum(n for status, n in tallies[key].items() if status not in _FLAGS),
            taken=tallies[key]["taken"],
            skipped=tallies[key]["skipped"],
            missed=tallies[key]["missed"],
            unanswered=sum(tallies[key][status] for status in UNANSWERED),
            late=tallies[key]["late"],
            put_off=tallies[key]["put off"],
            made_up=tallies[key]["made up"],
        )
        for key in keys
    ]


def checkin_scores(checkin: CheckinRow) -> dict[tuple[str, Attribute], int]:
    """Return a check-in's scores, counting items skipped after a 0 as 0 (PRO-CTCAE branching)."""
    answers = []
    for row in checkin.answers:
        try:
            answers.append(Answer(row.item_code, Attribute(row.attribute), row.score))
        except ValueError:  # an attribute or score no longer valid: leave it out of trends
            continue
    return branched_scores(answers)


def checkin_time(checkin: CheckinRow) -> datetime:
    """Return when a check-in's answers were given: its completion, else its last answer."""
    if checkin.completed_at is not None:
        return checkin.completed_at
    if checkin.answers:
        return max(answer.answered_at for answer in checkin.answers)
    return checkin.started_at


def score_series(
    snapshot: ExportSnapshot, item_code: str, attribute: Attribute
) -> list[tuple[datetime, int]]:
    """Return one item attribute's score at each check-in that asked about the item."""
    points: list[tuple[datetime, int]] = []
    for checkin in sorted(snapshot.checkins, key=checkin_time):
        score = checkin_scores(checkin).get((item_code, attribute))
        if score is not None:
            points.append((checkin_time(checkin), score))
    return points
