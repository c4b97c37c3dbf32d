"""Code tables of the FHIR export: WHO ATC, PRO-CTCAE item numbers, mCODE's breast cancer.

Kept apart from ``fhir_bundle`` (which builds the resources) so the tables can grow without
touching the builders. Every code names where it was checked; a code that could not be
checked is left out, and the medicine then carries only its other codings.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.domain.symptoms import Attribute, Item

BASE = "https://bonebot.example/fhir"
ATC = "http://www.whocc.no/atc"
SNOMED_CT = "http://snomed.info/sct"

# WHO ATC codes by the catalogue's drug name (Product.drug), so every product of a substance
# (each strength, form and schedule) gets its code. Each was checked against two stored
# copies of the WHO ATC index that agree: the Norwegian Institute of Public Health's ATC
# tree (folkehelseinstituttet/Fhi.Frontend.Demo, alle_atckoder_som_items.ts, 2025; the
# institute hosts the WHO Collaborating Centre that keeps ATC) and an English ATC listing
# (SubjectRaw/SubjectRaw, subject/data/eng/atc.md); anastrozole also against its openFDA
# substance record (unii 2Z07MYW1AZ, code_system WHO-ATC). Not checked against the WHOCC
# site itself.
ATC_CODES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # L02BG Aromatase inhibitors
        "anastrozole": ("L02BG03", "anastrozole"),  # openFDA substance; FHI tree; listing
        "letrozole": ("L02BG04", "letrozole"),  # FHI tree; listing
        "exemestane": ("L02BG06", "exemestane"),  # FHI tree; listing
        # M05BA Bisphosphonates
        "alendronate": ("M05BA04", "alendronic acid"),  # FHI tree; listing
        "ibandronate": ("M05BA06", "ibandronic acid"),  # FHI tree; listing
        "risedronate": ("M05BA07", "risedronic acid"),  # FHI tree; listing
        "zoledronic-acid": ("M05BA08", "zoledronic acid"),  # FHI tree; listing
        # M05BX Other drugs affecting bone structure and mineralization
        "denosumab": ("M05BX04", "denosumab"),  # FHI tree; listing
    }
)

# The combination products of issue 16 (not in the catalogue yet) have their own ATC codes,
# checked the same way: M05BB03 "alendronic acid and colecalciferol" (FHI tree; listing) and
# M05BB02 "risedronic acid and calcium, sequential" (listing only). They are not keyed here:
# a combination must not inherit its single substance's code, so each needs its product key.
ATC_BY_PRODUCT: Mapping[str, tuple[str, str]] = MappingProxyType({})

# SNOMED CT 254837009 "Malignant neoplasm of breast (disorder)", in mCODE's primary cancer
# value set (descendant of 363346000). Cross-checked against stored third-party FHIR
# material (a German FSH profile coding $SCT#254837009 "Malignant neoplasm of breast", an
# mCODE extraction library's list of primary cancer condition codes), not against a SNOMED
# CT release.
BREAST_CANCER = ("254837009", "Malignant neoplasm of breast")
# mCODE STU3/STU4 canonical URL of the profile, as in mCODE's own example
# Condition/primary-cancer-condition-breast (hl7.org/fhir/us/mcode).
MCODE_PRIMARY_CANCER_CONDITION = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition"
)
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"

# The project's code system keyed by the NCI PRO-CTCAE item library's numbering: a term is
# its item number ("51", aching joints); one of its questions adds the library's letter for
# the attribute, in the library's order ("51A" frequency, "51B" severity, "51C"
# interference), as the ProAE package names them (PROCTCAE_51C_SCL). NCI publishes no FHIR
# code system for PRO-CTCAE; this one is the project's own.
PROCTCAE_ITEM_SYSTEM = f"{BASE}/CodeSystem/proctcae-items"
# Observation code of a term's composite grade: the item number in a system of its own, so
# a grade is never mistaken for an answer.
PROCTCAE_GRADE_SYSTEM = f"{BASE}/CodeSystem/proctcae-composite-grade"
PROCTCAE_GRADE_METHOD = (
    "NCI PRO-CTCAE composite grading algorithm (Basch E, et al. Clin Trials 2021;18(1):104-114)"
)

_LETTERS = "ABC"


def atc_coding_of(product_key: str, drug: str) -> tuple[str, str] | None:
    """Return the ATC code and name of a catalogue product, or None when none is verified."""
    return ATC_BY_PRODUCT.get(product_key) or ATC_CODES.get(drug)


def proctcae_question_code(item: Item, attribute: Attribute) -> str | None:
    """Return the PRO-CTCAE code of one question, e.g. "51C", or None for an own item."""
    if item.proctcae_number is None:
        return None
    return f"{item.proctcae_number}{_LETTERS[item.attributes.index(attribute)]}"
