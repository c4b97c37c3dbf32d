"""FHIR export: a strict R4 Bundle with resolvable references, valid statuses and our codes."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fhirclient.models.bundle import Bundle

from bot.domain.symptoms import ALL_ITEMS
from bot.exports.fhir_bundle import (
    ATC,
    CHECKIN_ANSWER_SYSTEM,
    CHECKIN_ITEM_SYSTEM,
    DXA_SITE_SYSTEM,
    LOINC,
    PROCTCAE_GRADE_SYSTEM,
    PRODUCT_SYSTEM,
    QUESTIONNAIRE_URL,
    SNOMED_CT,
    build_fhir_bundle,
    fhir_bundle_file,
    render_fhir_json,
)
from bot.exports.snapshot import AnswerRow
from tests.exports.test_exports_snapshots import (
    ALENDRONATE,
    LETROZOLE,
    UNICODE_NOTE,
    empty_snapshot,
    quarter_snapshot,
)

# R4 (4.0.1) required value sets.
MEDICATION_STATEMENT_STATUSES = {
    "active",
    "completed",
    "entered-in-error",
    "intended",
    "stopped",
    "on-hold",
    "unknown",
    "not-taken",
}
ADMINISTRATION_STATUSES = {
    "in-progress",
    "not-done",
    "on-hold",
    "completed",
    "entered-in-error",
    "stopped",
    "unknown",
}
RESPONSE_STATUSES = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
OBSERVATION_STATUSES = {
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
}

Json = dict[str, Any]


@pytest.fixture(scope="module")
def bundle() -> Json:
    """The quarter's Bundle, as a receiving system would read it from the file."""
    return json.loads(render_fhir_json(quarter_snapshot()))


def _resources(bundle: Json, kind: str) -> list[Json]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node["reference"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _codes(concept: Json) -> dict[str, str]:
    return {coding["system"]: coding["code"] for coding in concept["coding"]}


def test_bundle_parses_strictly_as_r4(bundle: Json) -> None:
    parsed = Bundle(bundle, strict=True)
    assert parsed.type == "collection"
    assert len(parsed.entry) == len(bundle["entry"])
    assert Bundle(build_fhir_bundle(empty_snapshot()), strict=True).type == "collection"


def test_the_file_is_utf8_json_with_the_fhir_media_type() -> None:
    file = fhir_bundle_file(quarter_snapshot())
    assert file.name == "bonebot-patient-42-20250101-20250331-fhir.json"
    assert file.mime == "application/fhir+json"
    assert UNICODE_NOTE in file.data.decode("utf-8")  # not \u-escaped


def test_resources_in_the_bundle(bundle: Json) -> None:
    snapshot = quarter_snapshot()
    kinds = Counter(entry["resource"]["resourceType"] for entry in bundle["entry"])
    answered = [d for d in snapshot.doses if d.status in {"taken", "skipped", "missed"}]
    grades = [
        o for o in _resources(bundle, "Observation") if PROCTCAE_GRADE_SYSTEM in _codes(o["code"])
    ]
    assert kinds == {
        "Patient": 1,
        "Condition": 1,  # the breast cancer (mCODE), for the aromatase inhibitor
        "Questionnaire": 1,
        "MedicationStatement": 3,
        "MedicationAdministration": len(answered) + 1,  # and one clinic-given infusion
        "QuestionnaireResponse": 13,
        "Observation": 5 + len(grades),  # DXA: three sites, then two (no femoral neck)
    }


def test_full_urls_are_deterministic_uuids(bundle: Json) -> None:
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    for entry in bundle["entry"]:
        value = entry["fullUrl"].removeprefix("urn:uuid:")
        assert uuid.UUID(value).version == 5
        assert entry["resource"]["id"] == value
    assert render_fhir_json(quarter_snapshot()) == render_fhir_json(quarter_snapshot())
    other = replace(quarter_snapshot(), patient=replace(quarter_snapshot().patient, patient_id=43))
    other_urls = {entry["fullUrl"] for entry in build_fhir_bundle(other)["entry"]}
    # Only the Questionnaire, the same for every patient, is shared.
    assert len(set(urls) & other_urls) == 1


def test_every_reference_resolves_inside_the_bundle(bundle: Json) -> None:
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    references = list(_references(bundle["entry"]))
    assert references
    assert set(references) <= urls
    patient_url = bundle["entry"][0]["fullUrl"]
    for entry in bundle["entry"][2:]:
        resource = entry["resource"]
        if resource["resourceType"] != "Questionnaire":
            assert resource["subject"] == {"reference": patient_url}


def test_patient_is_pseudonymous(bundle: Json) -> None:
    (patient,) = _resources(bundle, "Patient")
    assert "name" not in patient
    assert patient["identifier"][0]["value"] == "42"
    assert patient["extension"][0]["valueCode"] == "Europe/Berlin"


def test_medication_statements_code_the_catalogue_and_snomed(bundle: Json) -> None:
    statements = _resources(bundle, "MedicationStatement")
    assert {s["status"] for s in statements} <= MEDICATION_STATEMENT_STATUSES
    by_key = {_codes(s["medicationCodeableConcept"])[PRODUCT_SYSTEM]: s for s in statements}
    assert by_key["anastrozole-1-daily-tablet"]["status"] == "stopped"
    assert by_key["anastrozole-1-daily-tablet"]["effectivePeriod"] == {
        "start": "2024-10-01T12:00:00+02:00",
        "end": "2025-01-15T09:00:00+01:00",
    }
    letrozole = by_key[LETROZOLE]
    assert letrozole["status"] == "active"
    assert _codes(letrozole["medicationCodeableConcept"])[SNOMED_CT] == "386911004"
    assert letrozole["dosage"][0]["text"] == "daily at 08:00"
    assert _codes(by_key["anastrozole-1-daily-tablet"]["medicationCodeableConcept"])[
        SNOMED_CT
    ] == ("386910003")
    # Bone agents carry the catalogue key and their WHO ATC code (no SNOMED CT).
    assert set(_codes(by_key[ALENDRONATE]["medicationCodeableConcept"])) == {PRODUCT_SYSTEM, ATC}


def test_administrations_record_outcomes(bundle: Json) -> None:
    snapshot = quarter_snapshot()
    administrations = _resources(bundle, "MedicationAdministration")
    assert {a["status"] for a in administrations} <= ADMINISTRATION_STATUSES
    statuses = Counter(a["status"] for a in administrations)
    outcomes = Counter(d.status for d in snapshot.doses)
    assert statuses["completed"] == outcomes["taken"] + 1  # + the clinic infusion
    assert statuses["not-done"] == outcomes["skipped"] + outcomes["missed"]
    assert "in-progress" not in statuses  # pending and sent doses are left out
    reasons: Counter[str] = Counter()
    for administration in administrations:
        if administration["status"] == "not-done":
            reasons.update(c["coding"][0]["code"] for c in administration["statusReason"])
        else:
            assert "statusReason" not in administration
    assert reasons["skipped"] == outcomes["skipped"] == reasons["side_effects"]
    assert reasons["missed"] == outcomes["missed"]
    first = administrations[0]
    assert first["effectiveDateTime"] == "2025-01-01T08:12:02+01:00"  # confirmed taken
    assert first["note"][0]["text"] == "Due 2025-01-01T08:00:00+01:00."
    clinic = administrations[-1]
    assert clinic["effectiveDateTime"] == "2023-07-03"
    assert clinic["category"]["coding"][0]["code"] == "outpatient"


def test_questionnaire_describes_every_question(bundle: Json) -> None:
    (questionnaire,) = _resources(bundle, "Questionnaire")
    items = {item["linkId"]: item for item in questionnaire["item"]}
    expected = {f"{i.code}.{a}" for i in ALL_ITEMS for a in i.attributes}
    assert expected | {"wants_to_stop", "note"} == set(items)
    joints = items["joints.interference"]
    assert joints["code"][0] == {
        "system": CHECKIN_ITEM_SYSTEM,
        "code": "joints",
        "display": "Joint pain",
    }
    assert joints["enableBehavior"] == "all"
    assert [w["question"] for w in joints["enableWhen"]] == ["joints.frequency", "joints.severity"]
    options = [option["valueCoding"] for option in joints["answerOption"]]
    assert [o["code"] for o in options] == [f"interference-{n}" for n in range(5)]
    assert [o["extension"][0]["valueDecimal"] for o in options] == [0, 1, 2, 3, 4]
    assert options[3]["display"] == "Quite a bit"
    na = items["injection_site.presence"]["answerOption"][-1]["valueCoding"]
    assert na == {
        "system": CHECKIN_ANSWER_SYSTEM,
        "code": "not-applicable",
        "display": "Not applicable",
    }


def test_responses_answer_the_questionnaire(bundle: Json) -> None:
    (questionnaire,) = _resources(bundle, "Questionnaire")
    options = {
        item["linkId"]: [o["valueCoding"] for o in item.get("answerOption", [])]
        for item in questionnaire["item"]
    }
    responses = _resources(bundle, "QuestionnaireResponse")
    assert {r["status"] for r in responses} <= RESPONSE_STATUSES
    assert [r["status"] for r in responses].count("in-progress") == 1
    for response in responses:
        assert response["questionnaire"] == f"{QUESTIONNAIRE_URL}|1"
        for item in response["item"]:
            assert item["linkId"] in options
            value = item["answer"][0]
            if "valueCoding" in value:
                assert value["valueCoding"] in options[item["linkId"]]
    week_three = responses[3]["item"]
    joints = [i for i in week_three if i["linkId"].startswith("joints.")]
    assert [i["answer"][0]["valueCoding"]["code"] for i in joints] == [
        "frequency-2",
        "severity-2",
        "interference-2",
    ]
    assert {"linkId": "wants_to_stop", "answer": [{"valueBoolean": True}]} in responses[6]["item"]
    notes = [i for i in responses[5]["item"] if i["linkId"] == "note"]
    assert notes == [{"linkId": "note", "answer": [{"valueString": UNICODE_NOTE}]}]
    assert responses[0]["authored"].endswith("+01:00")


def test_dxa_observations_use_loinc_where_it_has_a_code(bundle: Json) -> None:
    observations = _resources(bundle, "Observation")
    assert {o["status"] for o in observations} <= OBSERVATION_STATUSES
    codes = [_codes(o["code"]) for o in observations[:3]]
    assert codes == [
        {LOINC: "38267-1", DXA_SITE_SYSTEM: "lumbar-spine"},
        {LOINC: "38264-8", DXA_SITE_SYSTEM: "total-hip"},
        {DXA_SITE_SYSTEM: "femoral-neck"},
    ]
    latest_spine = observations[3]
    assert latest_spine["effectiveDateTime"] == "2024-09-20"
    assert latest_spine["valueQuantity"] == {
        "value": -2.1,
        "unit": "T-score",
        "system": "http://unitsofmeasure.org",
        "code": "{T-score}",
    }
    assert observations[0]["category"][0]["coding"][0]["code"] == "imaging"


def test_answers_to_retired_questions_stay_readable() -> None:
    snapshot = quarter_snapshot()
    checkins = list(snapshot.checkins)
    retired = AnswerRow("old_item", "severity", 3, checkins[0].started_at)
    checkins[0] = replace(checkins[0], answers=(*checkins[0].answers, retired))
    bundle = build_fhir_bundle(replace(snapshot, checkins=tuple(checkins)))
    Bundle(bundle, strict=True)
    (questionnaire,) = _resources(bundle, "Questionnaire")
    assert {"linkId": "old_item.severity", "text": "old_item.severity", "type": "integer"} in (
        questionnaire["item"]
    )
    response = _resources(bundle, "QuestionnaireResponse")[0]
    assert {"linkId": "old_item.severity", "answer": [{"valueInteger": 3}]} in response["item"]
