"""The PRO-CTCAE composite grade: every combination of the published table, and its rules."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.proctcae_grading import COMBINATIONS, composite_grade

# (frequency, severity, interference, composite grade), None where the term has no such
# attribute: the table of the ProAE scoring macro (DueckLab/ProAE-SAS, PROCTCAE_scores.sas,
# its ``____comp_tab``) in the macro's own order, for Basch et al., Clin Trials 2021.
# fmt: off
TABLE: tuple[tuple[int | None, int | None, int | None, int], ...] = (
    (0, 0, 0, 0), (1, 0, 0, 0), (1, 0, 1, 1), (1, 0, 2, 1),
    (1, 0, 3, 2), (1, 0, 4, 2), (1, 1, 0, 1), (1, 1, 1, 1),
    (1, 1, 2, 1), (1, 1, 3, 2), (1, 1, 4, 2), (1, 2, 0, 1),
    (1, 2, 1, 2), (1, 2, 2, 2), (1, 2, 3, 2), (1, 2, 4, 3),
    (1, 3, 0, 2), (1, 3, 1, 2), (1, 3, 2, 2), (1, 3, 3, 3),
    (1, 3, 4, 3), (1, 4, 0, 2), (1, 4, 1, 2), (1, 4, 2, 3),
    (1, 4, 3, 3), (1, 4, 4, 3), (2, 0, 0, 0), (2, 0, 1, 1),
    (2, 0, 2, 1), (2, 0, 3, 2), (2, 0, 4, 2), (2, 1, 0, 1),
    (2, 1, 1, 1), (2, 1, 2, 1), (2, 1, 3, 2), (2, 1, 4, 2),
    (2, 2, 0, 2), (2, 2, 1, 2), (2, 2, 2, 2), (2, 2, 3, 3),
    (2, 2, 4, 3), (2, 3, 0, 2), (2, 3, 1, 2), (2, 3, 2, 2),
    (2, 3, 3, 3), (2, 3, 4, 3), (2, 4, 0, 2), (2, 4, 1, 2),
    (2, 4, 2, 3), (2, 4, 3, 3), (2, 4, 4, 3), (3, 0, 0, 1),
    (3, 0, 1, 1), (3, 0, 2, 1), (3, 0, 3, 2), (3, 0, 4, 2),
    (3, 1, 0, 1), (3, 1, 1, 1), (3, 1, 2, 1), (3, 1, 3, 2),
    (3, 1, 4, 2), (3, 2, 0, 2), (3, 2, 1, 2), (3, 2, 2, 2),
    (3, 2, 3, 3), (3, 2, 4, 3), (3, 3, 0, 2), (3, 3, 1, 2),
    (3, 3, 2, 3), (3, 3, 3, 3), (3, 3, 4, 3), (3, 4, 0, 2),
    (3, 4, 1, 2), (3, 4, 2, 3), (3, 4, 3, 3), (3, 4, 4, 3),
    (4, 0, 0, 1), (4, 0, 1, 1), (4, 0, 2, 1), (4, 0, 3, 2),
    (4, 0, 4, 2), (4, 1, 0, 1), (4, 1, 1, 1), (4, 1, 2, 2),
    (4, 1, 3, 2), (4, 1, 4, 3), (4, 2, 0, 2), (4, 2, 1, 2),
    (4, 2, 2, 2), (4, 2, 3, 3), (4, 2, 4, 3), (4, 3, 0, 2),
    (4, 3, 1, 2), (4, 3, 2, 3), (4, 3, 3, 3), (4, 3, 4, 3),
    (4, 4, 0, 2), (4, 4, 1, 2), (4, 4, 2, 3), (4, 4, 3, 3),
    (4, 4, 4, 3), (0, 0, None, 0), (1, 0, None, 1), (1, 1, None, 1),
    (1, 2, None, 1), (1, 3, None, 2), (1, 4, None, 2), (2, 0, None, 1),
    (2, 1, None, 1), (2, 2, None, 2), (2, 3, None, 2), (2, 4, None, 2),
    (3, 0, None, 1), (3, 1, None, 1), (3, 2, None, 2), (3, 3, None, 3),
    (3, 4, None, 3), (4, 0, None, 1), (4, 1, None, 1), (4, 2, None, 2),
    (4, 3, None, 3), (4, 4, None, 3), (None, 0, 0, 0), (None, 1, 0, 1),
    (None, 1, 1, 1), (None, 1, 2, 1), (None, 1, 3, 2), (None, 1, 4, 2),
    (None, 2, 0, 1), (None, 2, 1, 1), (None, 2, 2, 2), (None, 2, 3, 2),
    (None, 2, 4, 3), (None, 3, 0, 1), (None, 3, 1, 2), (None, 3, 2, 2),
    (None, 3, 3, 3), (None, 3, 4, 3), (None, 4, 0, 2), (None, 4, 1, 2),
    (None, 4, 2, 2), (None, 4, 3, 3), (None, 4, 4, 3), (0, None, 0, 0),
    (1, None, 0, 1), (1, None, 1, 1), (1, None, 2, 1), (1, None, 3, 2),
    (1, None, 4, 2), (2, None, 0, 1), (2, None, 1, 1), (2, None, 2, 1),
    (2, None, 3, 2), (2, None, 4, 2), (3, None, 0, 1), (3, None, 1, 1),
    (3, None, 2, 2), (3, None, 3, 3), (3, None, 4, 3), (4, None, 0, 1),
    (4, None, 1, 1), (4, None, 2, 2), (4, None, 3, 3), (4, None, 4, 3),
    (0, None, None, 0), (1, None, None, 1), (2, None, None, 1), (3, None, None, 2),
    (4, None, None, 3), (None, 0, None, 0), (None, 1, None, 1), (None, 2, None, 2),
    (None, 3, None, 3), (None, 4, None, 3), (None, None, 0, 0), (None, None, 1, 1),
    (None, None, 2, 1), (None, None, 3, 2), (None, None, 4, 2),
)
# fmt: on

ATTRIBUTES = ("frequency", "severity", "interference")


def test_the_table_has_the_papers_179_combinations() -> None:
    assert len(TABLE) == len({row[:3] for row in TABLE}) == COMBINATIONS == 179


@pytest.mark.parametrize(("frequency", "severity", "interference", "grade"), TABLE)
def test_every_combination_of_the_table(
    frequency: int | None, severity: int | None, interference: int | None, grade: int
) -> None:
    got = composite_grade(frequency=frequency, severity=severity, interference=interference)
    assert got == grade


def test_grades_never_fall_as_a_score_rises() -> None:
    graded = {row[:3]: row[3] for row in TABLE}
    for key, grade in graded.items():
        for index in range(3):
            score = key[index]
            if score is None or score == 4:
                continue
            higher = (*key[:index], score + 1, *key[index + 1 :])
            if higher in graded:
                assert graded[higher] >= grade, (key, higher)


def test_the_first_attribute_0_grades_the_term_0_whatever_was_not_asked() -> None:
    everything = frozenset(ATTRIBUTES)
    assert composite_grade(frequency=0, attributes=everything) == 0
    assert composite_grade(severity=0, attributes=frozenset({"severity", "interference"})) == 0
    assert composite_grade(frequency=0, severity=3, attributes=everything) == 0


def test_a_term_with_an_attribute_unanswered_has_no_grade() -> None:
    everything = frozenset(ATTRIBUTES)
    assert composite_grade(frequency=2, severity=2, attributes=everything) is None
    assert composite_grade(attributes=frozenset({"severity"})) is None
    assert composite_grade() is None


def test_scores_outside_0_to_4_are_refused() -> None:
    with pytest.raises(ValueError, match="frequency"):
        composite_grade(frequency=5)
    with pytest.raises(ValueError, match="severity"):
        composite_grade(severity=True)
    with pytest.raises(ValueError, match="attributes"):
        composite_grade(severity=1, attributes=frozenset({"presence"}))


def test_every_score_combination_of_a_three_attribute_term_is_graded_0_to_3() -> None:
    for frequency, severity, interference in itertools.product(range(1, 5), range(5), range(5)):
        grade = composite_grade(frequency=frequency, severity=severity, interference=interference)
        assert grade in {0, 1, 2, 3}
