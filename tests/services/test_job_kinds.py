"""Every kind of timed work is declared once (`bot.ports.JobKind`, `KIND_RULES`) and wired once
(`scheduler.planner.JOB_FUNCTIONS`): these checks keep the table whole."""

from __future__ import annotations

from apscheduler.util import obj_to_ref, ref_to_obj

from bot.db.models import Base
from bot.ports import KIND_RULES, JobKind, kind_of
from bot.services.erasure import JOB_KINDS_BY_OWNER
from scheduler.planner import IN_MEMORY, JOB_FUNCTIONS, PERSISTENT, store_of


def test_every_kind_has_a_rule_and_a_function() -> None:
    assert set(KIND_RULES) == set(JobKind)
    assert set(JOB_FUNCTIONS) == set(JobKind)


def test_persistent_jobs_name_functions_that_an_upgrade_keeps() -> None:
    """Jobs already in the store name `scheduler.jobs:run_*`; each must still resolve."""
    for kind, function in JOB_FUNCTIONS.items():
        reference = obj_to_ref(function)
        assert reference.startswith("scheduler.jobs:run_"), kind
        assert ref_to_obj(reference) is function


def test_job_ids_name_their_kind_and_their_store() -> None:
    for kind, rule in KIND_RULES.items():
        job_id = kind.job_id(42)
        assert job_id == f"{kind.value}:42"
        assert kind_of(job_id) is kind
        assert store_of(job_id) == (IN_MEMORY if rule.rebuilt_at_start else PERSISTENT)
    assert kind_of("no-such-kind:1") is None


def test_every_owner_is_a_table_erasure_reaches() -> None:
    """Erasure finds a person's jobs from their rows: each owner table must be one it reads."""
    tables = Base.metadata.tables
    for kind, rule in KIND_RULES.items():
        table = tables[rule.owner]
        assert "id" in table.c, kind
        assert rule.owner == "patients" or "patient_id" in table.c, kind
    erased = {kind for kinds in JOB_KINDS_BY_OWNER.values() for kind in kinds}
    assert erased == set(JobKind)
