"""A FHIR R4 (4.0.1) Bundle of a snapshot, for clinic systems that import FHIR.

The Bundle has type ``collection`` and holds, in this order:

* one ``Patient``: pseudonymous, identified only by the bot's patient number, with the IANA
  time zone in an extension (R4 has no core element for it);
* the ``Questionnaire`` of the weekly check-in: one item per check-in question, linkId
  ``<item_code>.<attribute>`` (e.g. ``joints.severity``), answer options coded with their
  PRO-CTCAE score as ``ordinalValue``, branching as ``enableWhen``; then the project's own
  ``wants_to_stop`` (boolean) and ``note`` (text) items;
* one ``MedicationStatement`` per medicine of the regimen in the period (``active``, or
  ``stopped`` once replaced);
* one ``MedicationAdministration`` per answered dose: ``completed`` for taken, ``not-done``
  with a ``statusReason`` for skipped (plus the patient's reason) and missed. Doses still
  ``pending`` or ``sent`` have no outcome yet and are left out (they are in the dose-events
  CSV): ``in-progress`` would claim a dose being given. Clinic-given doses are ``completed``;
* one ``QuestionnaireResponse`` per check-in: ``completed``, or ``in-progress`` while open or
  abandoned. It holds the answers actually given; questions skipped by branching are absent;
* one ``Observation`` per DXA site and scan, valued in ``{T-score}``: ``final``, or
  ``corrected`` with a note of the change once the patient corrected it;
* (``_mcode_and_grades``) when the period holds an aromatase inhibitor, one ``Condition``
  with the mCODE PrimaryCancerCondition profile (SNOMED CT breast cancer; no stage, side,
  dates or status, which the bot does not know), given as ``reasonReference`` by every
  statement and administration of the inhibitor; and one ``Observation`` per check-in and
  graded PRO-CTCAE term with its NCI composite grade 0-3 (``bot.domain.proctcae_grading``),
  ``derivedFrom`` the ``QuestionnaireResponse``.
* one ``Observation`` (category ``laboratory``) per bone turnover marker or 25-OH vitamin D
  result, valued in the test's own unit (UCUM), with the value as the report printed it in a
  note when the patient typed another unit; ``final`` or ``corrected`` as for the scans.

A scan, lab result or clinic dose the patient deleted is still there, as
``entered-in-error`` with the values it had and a note of the deletion (and of earlier
corrections); a corrected clinic dose carries a note of its corrections.

Codes: LOINC for the DXA T-scores and lab results where a code was verified (see
``MARKER_LOINC``); SNOMED CT substance codes for the aromatase inhibitors; WHO ATC for every
catalogue medicine, and PRO-CTCAE item numbers ("51C") on the check-in questions (tables and
their sources in ``fhir_codes``); everything else in the project's own code systems under
``https://bonebot.example/fhir/CodeSystem/`` (catalogue keys for medicines; item codes for the
check-in, and the PRO-CTCAE item numbers too, since PRO-CTCAE has no official FHIR codes).
Every medicine also carries its
catalogue key, so a reader can always match it exactly.

Identity: every ``fullUrl`` is a ``urn:uuid:`` made with uuid5 from the patient number and the
record's database id, and references point at those URNs, so exporting the same records twice
gives the same Bundle and an importer can recognise resources it has seen before. Appointments
are not exported here: an R4 ``Appointment`` needs an end time the bot does not hold.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.domain.bone_markers import RULES, Marker
from bot.domain.catalog import DrugClass
from bot.domain.proctcae_grading import composite_grade
from bot.domain.symptoms import (
    ALL_ITEMS,
    ITEMS,
    NOTE_PROMPT,
    RECALL,
    Answer,
    Attribute,
    Item,
    Scale,
    branched_scores,
)
from bot.exports import fhir_codes, labels
from bot.exports.files import ExportFile, file_name
from bot.exports.snapshot import (
    CheckinRow,
    ClinicAgentRow,
    DoseRow,
    DxaRow,
    ExportSnapshot,
    MarkerRow,
    MedicationRow,
    RecordChangeRow,
)

FHIR_MIME = "application/fhir+json"
BASE = "https://bonebot.example/fhir"
PRODUCT_SYSTEM = f"{BASE}/CodeSystem/products"
CHECKIN_ITEM_SYSTEM = f"{BASE}/CodeSystem/checkin-items"
CHECKIN_ANSWER_SYSTEM = f"{BASE}/CodeSystem/checkin-answers"
DOSE_OUTCOME_SYSTEM = f"{BASE}/CodeSystem/dose-outcomes"
SKIP_REASON_SYSTEM = f"{BASE}/CodeSystem/skip-reasons"
DXA_SITE_SYSTEM = f"{BASE}/CodeSystem/dxa-sites"
BONE_MARKER_SYSTEM = f"{BASE}/CodeSystem/bone-markers"
PATIENT_ID_SYSTEM = f"{BASE}/sid/patient-id"
EXPORT_ID_SYSTEM = f"{BASE}/sid/export"
TIME_ZONE_EXTENSION = f"{BASE}/StructureDefinition/patient-time-zone"
QUESTIONNAIRE_URL = f"{BASE}/Questionnaire/weekly-checkin"
QUESTIONNAIRE_VERSION = "1"

LOINC = "http://loinc.org"
SNOMED_CT = fhir_codes.SNOMED_CT
ATC = fhir_codes.ATC
PROCTCAE_ITEM_SYSTEM = fhir_codes.PROCTCAE_ITEM_SYSTEM
PROCTCAE_GRADE_SYSTEM = fhir_codes.PROCTCAE_GRADE_SYSTEM
UCUM = "http://unitsofmeasure.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
STATEMENT_CATEGORY = "http://terminology.hl7.org/CodeSystem/medication-statement-category"
ADMINISTRATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/medication-admin-category"

# SNOMED CT substance concepts of the aromatase inhibitors. Cross-checked against stored
# third-party FHIR examples (Swiss and German implementation guides, mCODE test data), not
# against a SNOMED CT release. # not verified against a SNOMED CT release
SNOMED_SUBSTANCES = {
    "anastrozole": ("386910003", "Anastrozole"),
    "letrozole": ("386911004", "Letrozole"),
    "exemestane": ("387017005", "Exemestane"),
}

# DXA sites: (snapshot field, own code, display, LOINC code and name or None).
# 38267-1 "DXA Lumbar spine [T-score] Bone density" and 38264-8 "DXA Hip [T-score] Bone
# density" are checked against stored LOINC term pages and the OHDSI THEMIS list of DXA
# concepts. LOINC's laterality-free T-score terms cover spine, hip, femur, radius/ulna,
# calcaneus and humerus but not the femoral neck (38263-0 "DXA Femur" is the whole femur),
# so the femoral neck carries only the project's code.
DXA_SITES: tuple[tuple[str, str, str, tuple[str, str] | None], ...] = (
    (
        "lumbar_spine",
        "lumbar-spine",
        "Lumbar spine",
        ("38267-1", "DXA Lumbar spine [T-score] Bone density"),
    ),
    ("total_hip", "total-hip", "Total hip", ("38264-8", "DXA Hip [T-score] Bone density")),
    ("femoral_neck", "femoral-neck", "Femoral neck", None),
)

# Lab results: the LOINC code (and its name, where the source printed it), or None where no
# code could be verified against a laboratory's published test page; every result also
# carries the project's own code (BONE_MARKER_SYSTEM, the Marker value).
# - 62292-8 "25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma":
#   MercyOne Dubuque test 419 (LOINC Code Information), also ARUP 0080379 and NorDx VITDT.
# - 41171-0 for serum beta-CrossLaps (CTX): ARUP 0070416 and Mayo Clinic Laboratories CTX
#   (order and result LOINC); neither prints the LOINC name, so none is given.
# - 17838-4 for serum bone alkaline phosphatase in mcg/L (a mass assay): Mayo Clinic
#   Laboratories BAP (order and result LOINC) and Warde Medical Laboratory; no name printed.
# - P1NP and urine NTX/creatinine: no laboratory page found gave a LOINC code (a method-
#   specific P1NP code appears only in third-party code), so they carry the project's code.
MARKER_LOINC: dict[Marker, tuple[str, str | None] | None] = {
    Marker.VITAMIN_D: (
        "62292-8",
        "25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma",
    ),
    Marker.CTX: ("41171-0", None),
    Marker.P1NP: None,
    Marker.BSAP: ("17838-4", None),
    Marker.NTX: None,
}

# The project's own yes/no question, as asked in ui.texts.CHECKIN_WANTS_TO_STOP.
WANTS_TO_STOP_LINK = "wants_to_stop"
WANTS_TO_STOP_TEXT = "Do you feel you want to stop taking your aromatase inhibitor?"
NOTE_LINK = "note"

NOT_DONE_STATUSES = frozenset({"skipped", "missed"})

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)

Json = dict[str, Any]


def fhir_bundle_file(snapshot: ExportSnapshot) -> ExportFile:
    """Return the Bundle as a JSON file ready to send."""
    return ExportFile(file_name(snapshot, "fhir", "json"), render_fhir_json(snapshot), FHIR_MIME)


def render_fhir_json(snapshot: ExportSnapshot) -> bytes:
    """Return the Bundle as UTF-8 JSON bytes (stable key order, so exports diff cleanly)."""
    text = json.dumps(build_fhir_bundle(snapshot), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def build_fhir_bundle(snapshot: ExportSnapshot) -> Json:
    """Return the FHIR R4 Bundle of a snapshot as a JSON-ready dict."""
    patient_id = snapshot.patient.patient_id
    patient_ref = _urn("Patient", patient_id)
    statements = {
        row.medication_id: _urn("MedicationStatement", patient_id, row.medication_id)
        for row in snapshot.medications
    }
    resources: list[tuple[str, Json]] = [(patient_ref, _patient(snapshot))]
    extra = _unknown_questions(snapshot.checkins)
    resources.append((_urn("Questionnaire", QUESTIONNAIRE_VERSION, *extra), _questionnaire(extra)))
    resources += [
        (statements[row.medication_id], _statement(snapshot, row, patient_ref))
        for row in snapshot.medications
    ]
    resources += [
        (
            _urn("MedicationAdministration", patient_id, "dose", dose.event_id),
            _dose_administration(snapshot, dose, patient_ref, statements.get(dose.medication_id)),
        )
        for dose in snapshot.doses
        if dose.status in NOT_DONE_STATUSES or dose.status == "taken"
    ]
    for given in snapshot.clinic_agents:
        key = ("clinic", given.product_key, given.given_on)
        urn = _urn("MedicationAdministration", patient_id, *key)
        resources.append((urn, _clinic_administration(snapshot, given, patient_ref)))
    for given in snapshot.deleted_clinic_agents:
        deleted_at = _deleted_at(given.changes)
        urn = _urn(
            "MedicationAdministration",
            patient_id,
            "clinic-deleted",
            given.product_key,
            given.given_on,
            deleted_at,
        )
        resources.append((urn, _clinic_administration(snapshot, given, patient_ref)))
    resources += [
        (
            _urn("QuestionnaireResponse", patient_id, checkin.checkin_id),
            _questionnaire_response(snapshot, checkin, patient_ref, extra),
        )
        for checkin in snapshot.checkins
    ]
    resources += [
        (_urn("Observation", patient_id, "dxa", scan.scanned_on, site), observation)
        for scan in snapshot.dxa
        for site, observation in _dxa_observations(snapshot, scan, patient_ref)
    ]
    resources += [
        (
            _urn("Observation", patient_id, "dxa-deleted", scan.scanned_on, site, deleted_at),
            observation,
        )
        for scan in snapshot.deleted_dxa
        if (deleted_at := _deleted_at(scan.changes))
        for site, observation in _dxa_observations(snapshot, scan, patient_ref)
    ]
    resources += [
        (
            _urn("Observation", patient_id, "marker", result.marker, result.measured_on),
            _marker_observation(snapshot, result, patient_ref),
        )
        for result in snapshot.markers
    ]
    resources += [
        (
            _urn(
                "Observation",
                patient_id,
                "marker-deleted",
                result.marker,
                result.measured_on,
                result.changes[-1].changed_at.isoformat() if result.changes else "",
            ),
            _marker_observation(snapshot, result, patient_ref),
        )
        for result in snapshot.deleted_markers
    ]
    resources += _mcode_and_grades(snapshot, patient_ref, resources)
    bundle_urn = _urn("Bundle", patient_id, snapshot.start.isoformat(), snapshot.end.isoformat())
    return {
        "resourceType": "Bundle",
        "id": _id_of(bundle_urn),
        "identifier": {"system": EXPORT_ID_SYSTEM, "value": bundle_urn},
        "type": "collection",
        "entry": [
            {"fullUrl": urn, "resource": {**resource, "id": _id_of(urn)}}
            for urn, resource in resources
        ],
    }


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(part) for part in parts))}"


def _id_of(urn: str) -> str:
    return urn.removeprefix("urn:uuid:")


def _ref(urn: str) -> Json:
    return {"reference": urn}


def _when(snapshot: ExportSnapshot, instant: datetime) -> str:
    return snapshot.local(instant).isoformat(timespec="seconds")


def _coding(system: str, code: str, display: str | None = None) -> Json:
    return {"system": system, "code": code, **({"display": display} if display else {})}


# --- Patient and medicines -----------------------------------------------------------------


def _patient(snapshot: ExportSnapshot) -> Json:
    return {
        "resourceType": "Patient",
        "extension": [{"url": TIME_ZONE_EXTENSION, "valueCode": snapshot.patient.timezone}],
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": str(snapshot.patient.patient_id)}],
        "active": True,
    }


def medication_concept(product_key: str) -> Json:
    """Return the CodeableConcept of a medicine: catalogue key, and SNOMED CT where known."""
    product = labels.product_of(product_key)
    codings = [_coding(PRODUCT_SYSTEM, product_key, labels.medicine_title(product_key))]
    if product is not None and product.drug in SNOMED_SUBSTANCES:
        code, display = SNOMED_SUBSTANCES[product.drug]
        codings.append(_coding(SNOMED_CT, code, display))
    atc = fhir_codes.atc_coding_of(product_key, product.drug) if product is not None else None
    if atc is not None:
        codings.append(_coding(ATC, *atc))
    return {"coding": codings, "text": labels.medicine_title(product_key)}


def _statement(snapshot: ExportSnapshot, row: MedicationRow, patient_ref: str) -> Json:
    period = {"start": _when(snapshot, row.started_at)}
    if row.ended_at is not None:
        period["end"] = _when(snapshot, row.ended_at)
    in_force = row.active and row.ended_at is None
    return {
        "resourceType": "MedicationStatement",
        "status": "active" if in_force else "stopped",
        "category": {"coding": [_coding(STATEMENT_CATEGORY, "patientspecified")]},
        "medicationCodeableConcept": medication_concept(row.product_key),
        "subject": _ref(patient_ref),
        "effectivePeriod": period,
        "dateAsserted": _when(snapshot, row.started_at),
        "informationSource": _ref(patient_ref),
        "dosage": [{"text": labels.schedule_text(row)}],
    }


def _dose_administration(
    snapshot: ExportSnapshot, dose: DoseRow, patient_ref: str, statement_ref: str | None
) -> Json:
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "status": "completed" if dose.status == "taken" else "not-done",
    }
    if dose.status in NOT_DONE_STATUSES:
        reasons = [
            {
                "coding": [
                    _coding(DOSE_OUTCOME_SYSTEM, dose.status, labels.STATUS_LABELS[dose.status])
                ]
            }
        ]
        if dose.skip_reason:
            label = labels.SKIP_REASON_LABELS.get(dose.skip_reason)
            reasons.append({"coding": [_coding(SKIP_REASON_SYSTEM, dose.skip_reason, label)]})
        resource["statusReason"] = reasons
    resource |= {
        "category": {"coding": [_coding(ADMINISTRATION_CATEGORY, "community")]},
        "medicationCodeableConcept": medication_concept(dose.product_key),
        "subject": _ref(patient_ref),
    }
    if statement_ref is not None:
        resource["supportingInformation"] = [_ref(statement_ref)]
    # Taken: when the patient says they took it; not done: when it was due.
    taken = dose.taken_at or dose.answered_at
    effective = taken if dose.status == "taken" and taken else dose.due_at
    resource["effectiveDateTime"] = _when(snapshot, effective)
    notes = [f"Due {_when(snapshot, dose.due_at)}."]
    if dose.late:
        notes.append("The reminder went out late.")
    for change in dose.changes:
        notes.append(
            f"Answer changed by the {change.changed_by} on {_when(snapshot, change.changed_at)}: "
            f"was {change.old_status}, now {change.new_status}."
        )
    if dose.makeup_for_event_id is not None:
        notes.append(
            f"Make-up dose for dose event {dose.makeup_for_event_id}, as the label allows."
        )
    if dose.snoozes:
        times = "once" if dose.snoozes == 1 else f"{dose.snoozes} times"
        notes.append(f"Put off with Later {times}.")
    resource["note"] = [{"text": " ".join(notes)}]
    return resource


def _clinic_administration(
    snapshot: ExportSnapshot, given: ClinicAgentRow, patient_ref: str
) -> Json:
    deleted = any(change.deleted for change in given.changes)
    resource: Json = {
        "resourceType": "MedicationAdministration",
        # A dose the patient deleted was recorded in error (R4: entered-in-error).
        "status": "entered-in-error" if deleted else "completed",
        "category": {"coding": [_coding(ADMINISTRATION_CATEGORY, "outpatient")]},
        "medicationCodeableConcept": medication_concept(given.product_key),
        "subject": _ref(patient_ref),
        "effectiveDateTime": given.given_on.isoformat(),
    }
    if given.changes:
        resource["note"] = [{"text": _changes_note(snapshot, given.changes, scan=False)}]
    return resource


def _deleted_at(changes: tuple[RecordChangeRow, ...]) -> str:
    """Return when a deleted record was deleted (its last change), for its identity."""
    return changes[-1].changed_at.isoformat() if changes else ""


def _changes_note(
    snapshot: ExportSnapshot, changes: Iterable[RecordChangeRow], *, scan: bool
) -> str:
    """Say who changed a record, when, and from what to what (a deletion too)."""
    return " ".join(
        f"{'Deleted' if change.deleted else 'Corrected'} by the {change.changed_by} on "
        f"{_when(snapshot, change.changed_at)}: "
        f"{', '.join(labels.change_parts(change, scan=scan))}."
        for change in changes
    )


# --- The check-in --------------------------------------------------------------------------


def link_id(item_code: str, attribute: str) -> str:
    """Return the Questionnaire linkId of one check-in question, e.g. "joints.severity"."""
    return f"{item_code}.{attribute}"


def answer_code(attribute: str, score: int | None) -> str:
    """Return the own code of an answer, e.g. "severity-2"; None is "Not applicable"."""
    return "not-applicable" if score is None else f"{attribute}-{score}"


def _answer_coding(attribute: str, option_score: int | None, label: str) -> Json:
    coding: Json = {}
    if option_score is not None:
        # PRO-CTCAE scores the option 0-4 (presence No=0, Yes=1); "Not applicable" has none.
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option_score}]
    return coding | _coding(CHECKIN_ANSWER_SYSTEM, answer_code(attribute, option_score), label)


def _unknown_questions(checkins: Iterable[CheckinRow]) -> tuple[str, ...]:
    """Return linkIds of answers whose item or attribute the catalogue no longer has."""
    unknown = {
        link_id(answer.item_code, answer.attribute)
        for checkin in checkins
        for answer in checkin.answers
        if answer.item_code not in ITEMS
        or answer.attribute not in ITEMS[answer.item_code].attributes
    }
    return tuple(sorted(unknown))


def _question(item: Item, attribute: Attribute) -> Json:
    scale: Scale = item.scale(attribute)
    question: Json = {
        "linkId": link_id(item.code, attribute),
        "code": [
            _coding(CHECKIN_ITEM_SYSTEM, item.code, item.term),
            *_proctcae_codes(item, attribute),
        ],
        "text": item.stems[attribute],
        "type": "choice",
    }
    earlier = item.attributes[: item.attributes.index(attribute)]
    if earlier:
        # PRO-CTCAE conditional branching: asked only if no earlier attribute was answered 0.
        question["enableWhen"] = [
            {
                "question": link_id(item.code, before),
                "operator": "!=",
                "answerCoding": _coding(CHECKIN_ANSWER_SYSTEM, answer_code(before, 0)),
            }
            for before in earlier
        ]
        if len(earlier) > 1:
            question["enableBehavior"] = "all"
    question["answerOption"] = [
        {"valueCoding": _answer_coding(attribute, option.score, option.label)}
        for option in scale.options
    ]
    return question


def _questionnaire(unknown: tuple[str, ...]) -> Json:
    items = [_question(item, attribute) for item in ALL_ITEMS for attribute in item.attributes]
    # Answers to questions since retired stay readable as plain scores.
    items += [{"linkId": link, "text": link, "type": "integer"} for link in unknown]
    items += [
        {"linkId": WANTS_TO_STOP_LINK, "text": WANTS_TO_STOP_TEXT, "type": "boolean"},
        {"linkId": NOTE_LINK, "text": NOTE_PROMPT.text, "type": "text"},
    ]
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "BonebotWeeklyCheckin",
        "title": "bonebot weekly symptom check-in",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            f"PRO-CTCAE items (NCI PRO-CTCAE Item Library v1.0, English; recall "
            f"'{RECALL}') and the project's own items. A term's remaining attributes are "
            "not asked after an answer of 0 and count as 0."
        ),
        "item": items,
    }


def _questionnaire_response(
    snapshot: ExportSnapshot, checkin: CheckinRow, patient_ref: str, unknown: tuple[str, ...]
) -> Json:
    order = {
        link_id(item.code, attribute): index
        for index, (item, attribute) in enumerate(
            (item, attribute) for item in ALL_ITEMS for attribute in item.attributes
        )
    }
    order |= {link: len(order) + index for index, link in enumerate(unknown)}
    answers = sorted(checkin.answers, key=lambda a: order[link_id(a.item_code, a.attribute)])
    items: list[Json] = []
    for answer in answers:
        link = link_id(answer.item_code, answer.attribute)
        if link in unknown:
            value: Json = {"valueInteger": answer.score} if answer.score is not None else {}
        else:
            label = labels.answer_label(answer.item_code, answer.attribute, answer.score)
            value = {"valueCoding": _answer_coding(answer.attribute, answer.score, label)}
        if value:
            items.append({"linkId": link, "answer": [value]})
    if checkin.wants_to_stop is not None:
        items.append(
            {"linkId": WANTS_TO_STOP_LINK, "answer": [{"valueBoolean": checkin.wants_to_stop}]}
        )
    if checkin.note:
        items.append({"linkId": NOTE_LINK, "answer": [{"valueString": checkin.note}]})
    last_answer = max((a.answered_at for a in checkin.answers), default=checkin.started_at)
    resource: Json = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}",
        "status": "completed" if checkin.completed_at is not None else "in-progress",
        "subject": _ref(patient_ref),
        "authored": _when(snapshot, checkin.completed_at or last_answer),
        "author": _ref(patient_ref),
        "source": _ref(patient_ref),
    }
    if items:
        resource["item"] = items
    return resource


# --- Bone density --------------------------------------------------------------------------


def _dxa_observations(
    snapshot: ExportSnapshot, scan: DxaRow, patient_ref: str
) -> Iterable[tuple[str, Json]]:
    """Yield each site's own code and its T-score Observation, for the sites the scan has.

    A site whose value or date the patient corrected is ``corrected`` with a note of the
    change; every site of a deleted scan is ``entered-in-error`` (R4 Observation.status).
    """
    deleted = any(change.deleted for change in scan.changes)
    for field, code, display, loinc in DXA_SITES:
        value: float | None = getattr(scan, field)
        if value is None:
            continue
        codings = [_coding(LOINC, *loinc)] if loinc is not None else []
        codings.append(_coding(DXA_SITE_SYSTEM, code, f"DXA {display} T-score"))
        changes = [
            change for change in scan.changes if {"date", field} & labels.changed_fields(change)
        ]
        status = "entered-in-error" if deleted else "corrected" if changes else "final"
        observation: Json = {
            "resourceType": "Observation",
            "status": status,
            "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "imaging", "Imaging")]}],
            "code": {"coding": codings, "text": f"DXA {display} T-score"},
            "subject": _ref(patient_ref),
            "effectiveDateTime": scan.scanned_on.isoformat(),
            "valueQuantity": {
                "value": value,
                "unit": "T-score",
                "system": UCUM,
                "code": "{T-score}",
            },
        }
        if changes:
            observation["note"] = [{"text": _changes_note(snapshot, changes, scan=True)}]
        yield code, observation


# --- mCODE and PRO-CTCAE grades --------------------------------------------------------------


def _proctcae_codes(item: Item, attribute: Attribute) -> list[Json]:
    """Return the PRO-CTCAE coding of a question ("51C"), none for the project's own items."""
    code = fhir_codes.proctcae_question_code(item, attribute)
    if code is None:
        return []
    return [_coding(PROCTCAE_ITEM_SYSTEM, code, f"{item.term}: {attribute}")]


def _is_aromatase_inhibitor(product_key: str) -> bool:
    product = labels.product_of(product_key)
    return product is not None and product.drug_class is DrugClass.AROMATASE_INHIBITOR


def _product_key_of(resource: Json) -> str | None:
    concept = resource.get("medicationCodeableConcept", {})
    keys = [c["code"] for c in concept.get("coding", []) if c["system"] == PRODUCT_SYSTEM]
    return keys[0] if keys else None


def _mcode_and_grades(
    snapshot: ExportSnapshot, patient_ref: str, resources: list[tuple[str, Json]]
) -> list[tuple[str, Json]]:
    """Return the breast cancer Condition and the check-ins' composite grades.

    The Condition is there when the period holds an aromatase inhibitor; every statement and
    administration of one then gives it as its reason (mCODE: a cancer-related medication
    references the PrimaryCancerCondition).
    """
    added: list[tuple[str, Json]] = []
    if any(_is_aromatase_inhibitor(row.product_key) for row in snapshot.medications):
        condition_urn = _urn("Condition", snapshot.patient.patient_id, "primary-breast-cancer")
        added.append((condition_urn, _breast_cancer_condition(patient_ref)))
        for _, resource in resources:
            key = _product_key_of(resource)
            if key is not None and _is_aromatase_inhibitor(key):
                resource["reasonReference"] = [_ref(condition_urn)]
    for checkin in snapshot.checkins:
        response_ref = _urn(
            "QuestionnaireResponse", snapshot.patient.patient_id, checkin.checkin_id
        )
        for item, observation in _grade_observations(snapshot, checkin, patient_ref, response_ref):
            urn = _urn(
                "Observation", snapshot.patient.patient_id, "grade", checkin.checkin_id, item
            )
            added.append((urn, observation))
    return added


def _breast_cancer_condition(patient_ref: str) -> Json:
    """Return the mCODE PrimaryCancerCondition, saying only what the bot knows.

    The bot knows that the patient registered an aromatase inhibitor, which is given for
    hormone-receptor-positive breast cancer: no stage, side, histology, onset or clinical
    status, so none is stated (the record is the patient's, so the patient is the asserter).
    Without a clinicalStatus a problem-list-item meets R4's con-3 only as a best-practice
    guideline (a validator warns); a status the bot does not know would be worse.
    """
    code, display = fhir_codes.BREAST_CANCER
    return {
        "resourceType": "Condition",
        "meta": {"profile": [fhir_codes.MCODE_PRIMARY_CANCER_CONDITION]},
        "category": [
            {
                "coding": [
                    _coding(
                        fhir_codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"
                    )
                ]
            }
        ],
        "code": {
            "coding": [_coding(SNOMED_CT, code, display)],
            "text": "Hormone-receptor-positive breast cancer",
        },
        "subject": _ref(patient_ref),
        "asserter": _ref(patient_ref),
        "note": [
            {
                "text": (
                    "Known only from the patient's registration of an aromatase inhibitor "
                    "for hormone-receptor-positive breast cancer. Stage, side, histology, "
                    "onset and clinical status are not known to bonebot."
                )
            }
        ],
    }


def _grade_observations(
    snapshot: ExportSnapshot, checkin: CheckinRow, patient_ref: str, response_ref: str
) -> Iterable[tuple[str, Json]]:
    """Yield each graded PRO-CTCAE term's code and its composite grade Observation."""
    known = [
        Answer(a.item_code, Attribute(a.attribute), a.score)
        for a in checkin.answers
        if a.item_code in ITEMS and a.attribute in ITEMS[a.item_code].attributes
    ]
    given = {(a.item_code, a.attribute) for a in known}
    scores = branched_scores(known)
    last_answer = max((a.answered_at for a in checkin.answers), default=checkin.started_at)
    for item in ALL_ITEMS:
        if item.proctcae_number is None or Attribute.PRESENCE in item.attributes:
            continue  # own items and yes/no items have no composite grade
        by_attribute = {a.value: scores.get((item.code, a)) for a in item.attributes}
        grade = composite_grade(
            frequency=by_attribute.get("frequency"),
            severity=by_attribute.get("severity"),
            interference=by_attribute.get("interference"),
            attributes=frozenset(by_attribute),
        )
        if grade is None:
            continue
        number = str(item.proctcae_number)
        observation: Json = {
            "resourceType": "Observation",
            "status": "final" if checkin.completed_at is not None else "preliminary",
            "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "survey", "Survey")]}],
            "code": {
                "coding": [_coding(PROCTCAE_GRADE_SYSTEM, number, f"{item.term} composite grade")],
                "text": f"PRO-CTCAE composite grade: {item.term}",
            },
            "subject": _ref(patient_ref),
            "effectiveDateTime": _when(snapshot, checkin.completed_at or last_answer),
            "valueInteger": grade,
            "method": {"text": fhir_codes.PROCTCAE_GRADE_METHOD},
            "derivedFrom": [_ref(response_ref)],
        }
        first = item.attributes[0]
        unasked = [a for a in item.attributes if (item.code, a) not in given]
        if unasked and scores.get((item.code, first)) != 0:
            # bonebot ends a term after any 0, not only after the first attribute's.
            observation["note"] = [
                {
                    "text": (
                        f"Not asked after an answer of 0, counted as 0: "
                        f"{', '.join(a.value for a in unasked)}."
                    )
                }
            ]
        yield item.code, observation


# --- Lab results ---------------------------------------------------------------------------


def _marker_observation(snapshot: ExportSnapshot, result: MarkerRow, patient_ref: str) -> Json:
    """Return a lab result's Observation, in the test's own unit (UCUM).

    A result the patient corrected is ``corrected`` with a note of the change; a deleted one
    ``entered-in-error`` with the value it had (R4 Observation.status). The value as the
    report printed it is noted when it was typed in another unit.
    """
    marker = Marker(result.marker)
    rule = RULES[marker]
    display = labels.marker_label(result.marker)
    codings = []
    if (loinc := MARKER_LOINC[marker]) is not None:
        codings.append(_coding(LOINC, *loinc))
    codings.append(_coding(BONE_MARKER_SYSTEM, marker.value, display))
    deleted = any(change.deleted for change in result.changes)
    status = "entered-in-error" if deleted else "corrected" if result.changes else "final"
    notes = []
    if result.typed_unit and result.typed_unit != rule.unit.label:
        notes.append(f"As printed on the report: {result.typed_value} {result.typed_unit}.")
    notes += [
        f"{'Deleted' if change.deleted else 'Corrected'} by the {change.changed_by} on "
        f"{_when(snapshot, change.changed_at)}: "
        f"{', '.join(labels.marker_change_parts(change))}."
        for change in result.changes
    ]
    observation: Json = {
        "resourceType": "Observation",
        "status": status,
        "category": [{"coding": [_coding(OBSERVATION_CATEGORY, "laboratory", "Laboratory")]}],
        "code": {"coding": codings, "text": display},
        "subject": _ref(patient_ref),
        "effectiveDateTime": result.measured_on.isoformat(),
        "valueQuantity": {
            "value": result.value,
            "unit": rule.unit.label,
            "system": UCUM,
            "code": rule.ucum,
        },
    }
    if notes:
        observation["note"] = [{"text": " ".join(notes)}]
    return observation
