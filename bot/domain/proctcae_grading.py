"""The NCI PRO-CTCAE composite grade: one grade (0-3) per symptom term from its answers.

Pure domain: no I/O. The algorithm is Basch E, et al., "Composite grading algorithm for the
National Cancer Institute's Patient-Reported Outcomes version of the Common Terminology
Criteria for Adverse Events (PRO-CTCAE)", Clin Trials 2021;18(1):104-114 (doi
10.1177/1740774520975120): every one of the 179 possible combinations of a term's frequency,
severity and interference scores (each 0-4) maps to a composite grade from 0 to 3.

Source of the table below: the paper's own table was not among the stored sources, so it is
transcribed from the composite grading table of the PRO-CTCAE scoring macro written by the
paper's senior author's group (Langlais BT, Dueck AC: ``PROCTCAE_scores``, repository
``DueckLab/ProAE-SAS``, file ``SAS/Scoring/PROCTCAE_scores.sas``, commit 1cd8706c64a7; the
CRAN package ProAE's ``toxScores`` uses the same table and cites the paper). The macro's
table has exactly the paper's 179 combinations. Its rules, kept here:

* a term's first attribute (frequency if it has one, else severity, else interference)
  answered 0 grades the term 0: the other attributes are not asked (conditional branching);
* a term needs a score for every attribute it has; with one missing there is no grade;
* yes/no (presence) items have no composite grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Grade = int  # 0-3

# Three attributes (frequency, severity, interference), frequency 1-4: one 5x5 block per
# frequency, rows severity 0-4, columns interference 0-4.
_FREQUENCY_SEVERITY_INTERFERENCE: Mapping[int, tuple[tuple[int, ...], ...]] = MappingProxyType(
    {
        1: ((0, 1, 1, 2, 2), (1, 1, 1, 2, 2), (1, 2, 2, 2, 3), (2, 2, 2, 3, 3), (2, 2, 3, 3, 3)),
        2: ((0, 1, 1, 2, 2), (1, 1, 1, 2, 2), (2, 2, 2, 3, 3), (2, 2, 2, 3, 3), (2, 2, 3, 3, 3)),
        3: ((1, 1, 1, 2, 2), (1, 1, 1, 2, 2), (2, 2, 2, 3, 3), (2, 2, 3, 3, 3), (2, 2, 3, 3, 3)),
        4: ((1, 1, 1, 2, 2), (1, 1, 2, 2, 3), (2, 2, 2, 3, 3), (2, 2, 3, 3, 3), (2, 2, 3, 3, 3)),
    }
)
# Two attributes: rows the first attribute 1-4, columns the second 0-4.
_FREQUENCY_SEVERITY = ((1, 1, 1, 2, 2), (1, 1, 2, 2, 2), (1, 1, 2, 3, 3), (1, 1, 2, 3, 3))
_SEVERITY_INTERFERENCE = ((1, 1, 1, 2, 2), (1, 1, 2, 2, 3), (1, 2, 2, 3, 3), (2, 2, 2, 3, 3))
_FREQUENCY_INTERFERENCE = ((1, 1, 1, 2, 2), (1, 1, 1, 2, 2), (1, 1, 2, 3, 3), (1, 1, 2, 3, 3))
# One attribute: the score 0-4.
_FREQUENCY_ONLY = (0, 1, 1, 2, 3)
_SEVERITY_ONLY = (0, 1, 2, 3, 3)
_INTERFERENCE_ONLY = (0, 1, 1, 2, 2)

COMBINATIONS = 179  # the paper's count: 101 + 3 x 21 + 3 x 5


def _score(value: int | None, name: str) -> int | None:
    # bool is an int subclass; True must not pass as a score of 1.
    if value is not None and (isinstance(value, bool) or not 0 <= value <= 4):
        raise ValueError(f"{name} must be a PRO-CTCAE score 0-4 or None, not {value!r}")
    return value


def composite_grade(
    *,
    frequency: int | None = None,
    severity: int | None = None,
    interference: int | None = None,
    attributes: frozenset[str] | None = None,
) -> Grade | None:
    """Return the composite grade (0-3) of one term's scores, or None if it cannot be graded.

    `attributes` names the attributes the term has ("frequency", "severity",
    "interference"); by default, those given a score. A term with an attribute unanswered
    has no grade, unless its first attribute was answered 0 (then it is 0).
    """
    scores = {
        "frequency": _score(frequency, "frequency"),
        "severity": _score(severity, "severity"),
        "interference": _score(interference, "interference"),
    }
    has = attributes if attributes is not None else {k for k, v in scores.items() if v is not None}
    unknown = set(has) - set(scores)
    if unknown:
        raise ValueError(f"no PRO-CTCAE composite grade for attributes {sorted(unknown)}")
    order = [name for name in ("frequency", "severity", "interference") if name in has]
    if not order:
        return None
    if scores[order[0]] == 0:
        return 0  # the first attribute 0: the term is graded 0 (conditional branching)
    values = [scores[name] for name in order]
    if any(value is None for value in values):
        return None
    given = [value for value in values if value is not None]
    match order:
        case ["frequency", "severity", "interference"]:
            return _FREQUENCY_SEVERITY_INTERFERENCE[given[0]][given[1]][given[2]]
        case ["frequency", "severity"]:
            return _FREQUENCY_SEVERITY[given[0] - 1][given[1]]
        case ["severity", "interference"]:
            return _SEVERITY_INTERFERENCE[given[0] - 1][given[1]]
        case ["frequency", "interference"]:
            return _FREQUENCY_INTERFERENCE[given[0] - 1][given[1]]
        case ["frequency"]:
            return _FREQUENCY_ONLY[given[0]]
        case ["severity"]:
            return _SEVERITY_ONLY[given[0]]
        case _:
            return _INTERFERENCE_ONLY[given[0]]
