"""FHIR export for clinic systems: ATC codes, PRO-CTCAE items and grades, mCODE's Condition.

The whole Bundle is read back with the fhirclient R4 models, strictly, and written out again
(``as_json`` checks every required element); the new codings, the Condition and the
references are checked on what the models read.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.condition import Condition
from fhirclient.models.medicationadministration import MedicationAdministration
from fhirclient.models.medicationstatement import MedicationStatement
from fhirclient.models.observation import Observation
from fhirclient.models.questionnaire import Questionnaire
from fhirclient.models.questionnaireresponse import QuestionnaireResponse

from bot.domain.catalog import PRODUCTS, DrugClass
from bot.domain.proctcae_grading import composite_grade
from bot.domain.symptoms import ALL_ITEMS
from bot.exports.fhir_bundle import (
    ATC,
    CHECKIN_ITEM_SYSTEM,
    PROCTCAE_GRADE_SYSTEM,
    PROCTCAE_ITEM_SYSTEM,
    PRODUCT_SYSTEM,
    SNOMED_CT,
    build_fhir_bundle,
    medication_concept,
    render_fhir_json,
)
from bot.exports.fhir_codes import MCODE_PRIMARY_CANCER_CONDITION
from bot.exports.snapshot import AnswerRow
from tests.exports.test_exports_snapshots import (
    ALENDRONATE,
    empty_snapshot,
    quarter_snapshot,
)

Json = dict[str, Any]

# WHO ATC, by the catalogue's drug name (the values expected, typed out from the sources the
# code table cites).
EXPECTED_ATC = {
    "anastrozole": "L02BG03",
    "letrozole": "L02BG04",
    "exemestane": "L02BG06",
    "alendronate": "M05BA04",
    "ibandronate": "M05BA06",
    "risedronate": "M05BA07",
    "zoledronic-acid": "M05BA08",
    "denosumab": "M05BX04",
}
ATC_PATTERN = re.compile(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}")


@pytest.fixture(scope="module")
def parsed() -> Bundle:
    """The quarter's Bundle as a clinic system reads it: from the file, with the R4 models."""
    return Bundle(json.loads(render_fhir_json(quarter_snapshot())), strict=True)


def _of(bundle: Bundle, kind: type[Any]) -> list[Any]:
    return [entry.resource for entry in bundle.entry if isinstance(entry.resource, kind)]


def _codes(concept: Any) -> dict[str, str]:
    return {coding.system: coding.code for coding in concept.coding}


def _urls(bundle: Bundle) -> dict[str, Any]:
    return {entry.fullUrl: entry.resource for entry in bundle.entry}


def test_the_whole_bundle_reads_and_writes_back_as_strict_r4(parsed: Bundle) -> None:
    original = json.loads(render_fhir_json(quarter_snapshot()))
    written = parsed.as_json()  # raises FHIRValidationError if a required element is missing
    assert len(written["entry"]) == len(original["entry"])
    assert json.loads(json.dumps(written)) == original
    kinds = {type(entry.resource).__name__ for entry in parsed.entry}
    assert {"Condition", "Observation", "MedicationStatement"} <= kinds


def test_every_catalogue_product_carries_its_atc_code_beside_snomed() -> None:
    assert set(EXPECTED_ATC) == {product.drug for product in PRODUCTS.values()}
    for key, product in PRODUCTS.items():
        codes = {c["system"]: c["code"] for c in medication_concept(key)["coding"]}
        assert codes[PRODUCT_SYSTEM] == key
        assert codes[ATC] == EXPECTED_ATC[product.drug], key
        assert ATC_PATTERN.fullmatch(codes[ATC])
        if product.drug_class is DrugClass.AROMATASE_INHIBITOR:
            assert SNOMED_CT in codes


def test_medicines_in_the_bundle_have_atc_codings(parsed: Bundle) -> None:
    resources = [*_of(parsed, MedicationStatement), *_of(parsed, MedicationAdministration)]
    assert resources
    for resource in resources:
        codes = _codes(resource.medicationCodeableConcept)
        drug = PRODUCTS[codes[PRODUCT_SYSTEM]].drug
        assert codes[ATC] == EXPECTED_ATC[drug]
        (atc,) = [c for c in resource.medicationCodeableConcept.coding if c.system == ATC]
        assert atc.display


def test_questions_carry_the_pro_ctcae_item_number_and_attribute_letter(parsed: Bundle) -> None:
    (questionnaire,) = _of(parsed, Questionnaire)
    codes = {
        item.linkId: {c.system: c.code for c in item.code}
        for item in questionnaire.item
        if item.code
    }
    assert codes["joints.frequency"][PROCTCAE_ITEM_SYSTEM] == "51A"
    assert codes["joints.severity"][PROCTCAE_ITEM_SYSTEM] == "51B"
    assert codes["joints.interference"][PROCTCAE_ITEM_SYSTEM] == "51C"
    assert codes["insomnia.severity"][PROCTCAE_ITEM_SYSTEM] == "52A"
    assert codes["hot_flashes.severity"][PROCTCAE_ITEM_SYSTEM] == "77B"
    assert codes["injection_site.presence"][PROCTCAE_ITEM_SYSTEM] == "79A"
    for item in ALL_ITEMS:
        for attribute in item.attributes:
            link = f"{item.code}.{attribute}"
            assert codes[link][CHECKIN_ITEM_SYSTEM] == item.code
            assert (PROCTCAE_ITEM_SYSTEM in codes[link]) is (not item.own_item)
            if not item.own_item:
                assert codes[link][PROCTCAE_ITEM_SYSTEM].startswith(str(item.proctcae_number))


def _answers(response: QuestionnaireResponse) -> dict[str, dict[str, int]]:
    """Return each term's scores as the response states them (ordinalValue of the coding)."""
    terms: dict[str, dict[str, int]] = {}
    for item in response.item or []:
        coding = item.answer[0].valueCoding
        if coding is None or not coding.extension:
            continue
        code, attribute = item.linkId.split(".")
        terms.setdefault(code, {})[attribute] = int(coding.extension[0].valueDecimal)
    return terms


def test_each_graded_term_has_its_composite_grade_derived_from_the_response(
    parsed: Bundle,
) -> None:
    urls = _urls(parsed)
    grades = [o for o in _of(parsed, Observation) if PROCTCAE_GRADE_SYSTEM in _codes(o.code)]
    assert grades
    numbers = {item.proctcae_number: item for item in ALL_ITEMS if not item.own_item}
    for grade in grades:
        assert grade.category[0].coding[0].code == "survey"
        assert 0 <= grade.valueInteger <= 3
        (source,) = grade.derivedFrom
        response = urls[source.reference]
        assert isinstance(response, QuestionnaireResponse)
        assert grade.subject.reference == response.subject.reference
        assert grade.effectiveDateTime.as_json() == response.authored.as_json()
        item = numbers[int(_codes(grade.code)[PROCTCAE_GRADE_SYSTEM])]
        scores = _answers(response)[item.code]
        # Attributes not asked after a 0 count as 0 (PRO-CTCAE branching; see the note).
        full = {attribute.value: scores.get(attribute.value, 0) for attribute in item.attributes}
        expected = composite_grade(
            frequency=full.get("frequency"),
            severity=full.get("severity"),
            interference=full.get("interference"),
        )
        assert grade.valueInteger == expected
        assert grade.status == ("final" if response.status == "completed" else "preliminary")
    # Week three: aching joints occasionally, moderate, somewhat: composite grade 2.
    week_three = _of(parsed, QuestionnaireResponse)[3]
    joints = [
        g
        for g in grades
        if g.derivedFrom[0].reference == _url_of(parsed, week_three)
        and _codes(g.code)[PROCTCAE_GRADE_SYSTEM] == "51"
    ]
    assert [g.valueInteger for g in joints] == [2]


def _url_of(bundle: Bundle, resource: Any) -> str:
    (url,) = [entry.fullUrl for entry in bundle.entry if entry.resource is resource]
    return str(url)


def test_presence_and_own_items_have_no_grade(parsed: Bundle) -> None:
    graded = {
        _codes(o.code)[PROCTCAE_GRADE_SYSTEM]
        for o in _of(parsed, Observation)
        if PROCTCAE_GRADE_SYSTEM in _codes(o.code)
    }
    assert "79" not in graded  # injection site: a yes/no item
    assert graded <= {str(i.proctcae_number) for i in ALL_ITEMS if not i.own_item}


def test_a_term_ended_by_a_later_0_says_what_was_counted_as_0() -> None:
    snapshot = quarter_snapshot()
    checkins = list(snapshot.checkins)
    first = checkins[0]
    at = first.started_at + timedelta(minutes=1)
    kept = tuple(a for a in first.answers if a.item_code != "joints")
    joints = (AnswerRow("joints", "frequency", 3, at), AnswerRow("joints", "severity", 0, at))
    checkins[0] = replace(first, answers=(*kept, *joints))
    bundle = Bundle(build_fhir_bundle(replace(snapshot, checkins=tuple(checkins))), strict=True)
    response_url = _url_of(bundle, _of(bundle, QuestionnaireResponse)[0])
    (grade,) = [
        o
        for o in _of(bundle, Observation)
        if PROCTCAE_GRADE_SYSTEM in _codes(o.code)
        and _codes(o.code)[PROCTCAE_GRADE_SYSTEM] == "51"
        and o.derivedFrom[0].reference == response_url
    ]
    assert grade.valueInteger == 1  # frequently, none, (not at all): table grade 1
    assert grade.note[0].text == "Not asked after an answer of 0, counted as 0: interference."


def test_the_breast_cancer_is_an_mcode_primary_cancer_condition(parsed: Bundle) -> None:
    (condition,) = _of(parsed, Condition)
    assert condition.meta.profile == [MCODE_PRIMARY_CANCER_CONDITION]
    assert _codes(condition.code) == {SNOMED_CT: "254837009"}
    assert condition.code.coding[0].display == "Malignant neoplasm of breast"
    assert condition.category[0].coding[0].code == "problem-list-item"
    patient_url = parsed.entry[0].fullUrl
    assert condition.subject.reference == patient_url
    assert condition.asserter.reference == patient_url
    # Only what the bot knows: no stage, side, onset, clinical or verification status.
    for unknown in (
        "stage",
        "bodySite",
        "onsetDateTime",
        "recordedDate",
        "clinicalStatus",
        "verificationStatus",
        "extension",
    ):
        assert getattr(condition, unknown) is None, unknown


def test_the_aromatase_inhibitor_references_the_condition(parsed: Bundle) -> None:
    urls = _urls(parsed)
    (condition_url,) = [url for url, r in urls.items() if isinstance(r, Condition)]
    referencing = 0
    for resource in [*_of(parsed, MedicationStatement), *_of(parsed, MedicationAdministration)]:
        key = _codes(resource.medicationCodeableConcept)[PRODUCT_SYSTEM]
        if PRODUCTS[key].drug_class is DrugClass.AROMATASE_INHIBITOR:
            assert [r.reference for r in resource.reasonReference] == [condition_url]
            assert isinstance(urls[condition_url], Condition)
            referencing += 1
        else:
            assert resource.reasonReference is None
    assert referencing > 3  # both statements and the doses of both inhibitors


def test_every_reference_of_the_new_resources_resolves(parsed: Bundle) -> None:
    urls = _urls(parsed)
    for resource in [*_of(parsed, Condition), *_of(parsed, Observation)]:
        for reference in [resource.subject, *(getattr(resource, "derivedFrom", None) or [])]:
            assert reference.reference in urls
    for resource in _of(parsed, MedicationStatement):
        for reference in resource.reasonReference or []:
            assert reference.reference in urls


def test_no_inhibitor_no_condition_and_no_checkins_no_grades() -> None:
    snapshot = quarter_snapshot()
    bone_only = replace(
        snapshot,
        medications=tuple(m for m in snapshot.medications if m.product_key == ALENDRONATE),
        doses=tuple(d for d in snapshot.doses if d.product_key == ALENDRONATE),
    )
    bundle = Bundle(build_fhir_bundle(bone_only), strict=True)
    assert not _of(bundle, Condition)
    for statement in _of(bundle, MedicationStatement):
        assert statement.reasonReference is None
    empty = Bundle(build_fhir_bundle(empty_snapshot()), strict=True)
    assert not _of(empty, Condition)
    assert not _of(empty, Observation)


# Every PRO-CTCAE question of the catalogue and its code: NCI item number and attribute letter,
# as the ProAE scoring macro's variable list names them (PROCTCAE_51C_SCL: aching joints
# interference).
EXPECTED_QUESTION_CODES = {
    "swallowing.severity": "2A",
    "heartburn.frequency": "11A",
    "heartburn.severity": "11B",
    "muscles.frequency": "50A",
    "muscles.severity": "50B",
    "muscles.interference": "50C",
    "joints.frequency": "51A",
    "joints.severity": "51B",
    "joints.interference": "51C",
    "insomnia.severity": "52A",
    "insomnia.interference": "52B",
    "fatigue.severity": "53A",
    "fatigue.interference": "53B",
    "vaginal_dryness.severity": "60A",
    "hot_flashes.frequency": "77A",
    "hot_flashes.severity": "77B",
    "injection_site.presence": "79A",
}


def test_every_pro_ctcae_question_has_the_library_code() -> None:
    bundle = Bundle(build_fhir_bundle(empty_snapshot()), strict=True)
    (questionnaire,) = _of(bundle, Questionnaire)
    got = {
        item.linkId: coding.code
        for item in questionnaire.item
        for coding in item.code or []
        if coding.system == PROCTCAE_ITEM_SYSTEM
    }
    assert got == EXPECTED_QUESTION_CODES
