"""The weekly symptom check-in: its items, their answer scales and the branching between them.

Pure domain: no Telegram, no database, no I/O. The bot informs and reminds; it never
prescribes. Handlers show one `Question` at a time as buttons, feed the tapped `Answer` back
in, and finish with a free-text note.

Item format: the NCI PRO-CTCAE item library (Version 1.0, English). Each symptom term is
asked about every attribute the library defines for it, in the library's order (frequency,
then severity, then interference), each on its 5-point scale scored 0-4, or a presence item
scored No=0 / Yes=1. Recall is "In the last 7 days". NCI's FAQ asks users to include all of
a term's attributes and its terms of use ask for content, order and scoring to be kept intact,
so the PRO-CTCAE stems and answer labels below are the library's, word for word.

Branching (PRO-CTCAE "conditional branching"): when the first attribute of a term is answered
0 ("Never" / "None"), the rest of that term is not asked and counts as 0 ("None" / "Not at
all"), as the CDISC PRO-CTCAE V1.0 supplement describes for the electronic version. This
project applies the same rule after *any* 0 (e.g. frequency "Rarely" but severity "None" skips
interference), so a well patient taps one button per term and the check-in takes under a
minute.

Items that PRO-CTCAE does not have are the project's own (``own_item=True``); each follows a
warning in the label named in its ``source``. They are asked in the same style, as presence
items, after the PRO-CTCAE items.

Verification status: the PRO-CTCAE stems, attributes and answer labels were checked against
stored third-party transcriptions of the English item library (two independent app databases
and the MII PRO-CTCAE code system); item numbers against the MII code system. They were not
checked against NCI's own PDF. Own-item wording is marked per item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType

from bot.domain.catalog import ANTIRESORPTIVES, DrugClass, LabelSource
from bot.domain.errors import BonebotError
from bot.domain.text_clean import clean_text

RECALL = "In the last 7 days"
NOTE_MAX_LENGTH = 1000
ITEM_CODE_MAX_LENGTH = 24  # item codes go into callback data (64 bytes in all)
_ITEM_CODE_PATTERN = re.compile(r"[a-z]+(?:_[a-z]+)*")


class Attribute(StrEnum):
    """Which aspect of a symptom a question asks about (PRO-CTCAE attributes)."""

    FREQUENCY = "frequency"
    SEVERITY = "severity"
    INTERFERENCE = "interference"
    PRESENCE = "presence"


@dataclass(frozen=True)
class Option:
    """One answer button: its label and the score stored for it."""

    label: str
    # None only for "Not applicable": stored, but neither scored nor graded (PRO-CTCAE and
    # CDISC treat it as missing data, not as 0).
    score: int | None


@dataclass(frozen=True)
class Scale:
    """The answer options of one attribute, in the order they are shown."""

    attribute: Attribute
    options: tuple[Option, ...]

    @property
    def scores(self) -> frozenset[int | None]:
        """Return every score a valid answer on this scale may carry."""
        return frozenset(option.score for option in self.options)

    def label_of(self, score: int | None) -> str:
        """Return the button label for a score on this scale."""
        for option in self.options:
            if option.score == score:
                return option.label
        raise ValueError(f"{score!r} is not a score on the {self.attribute} scale")


# --- PRO-CTCAE response scales ---------------------------------------------------------------
# Labels and 0-4 scoring verified against stored copies (MII PRO-CTCAE value sets, the ProAE
# R package's recoding formats, and an app database transcribing the English library).

FREQUENCY_SCALE = Scale(
    Attribute.FREQUENCY,
    (
        Option("Never", 0),
        Option("Rarely", 1),
        Option("Occasionally", 2),
        Option("Frequently", 3),
        Option("Almost constantly", 4),
    ),
)
SEVERITY_SCALE = Scale(
    Attribute.SEVERITY,
    (
        Option("None", 0),
        Option("Mild", 1),
        Option("Moderate", 2),
        Option("Severe", 3),
        Option("Very severe", 4),
    ),
)
INTERFERENCE_SCALE = Scale(
    Attribute.INTERFERENCE,
    (
        Option("Not at all", 0),
        Option("A little bit", 1),
        Option("Somewhat", 2),
        Option("Quite a bit", 3),
        Option("Very much", 4),
    ),
)
# The stored transcriptions list Yes before No; scores follow PRO-CTCAE (No=0, Yes=1).
PRESENCE_SCALE = Scale(Attribute.PRESENCE, (Option("Yes", 1), Option("No", 0)))
# PRO-CTCAE item 79 (injection site) also offers "Not applicable".
PRESENCE_OR_NOT_APPLICABLE_SCALE = Scale(
    Attribute.PRESENCE,
    (Option("Yes", 1), Option("No", 0), Option("Not applicable", None)),
)

SCALES: Mapping[Attribute, Scale] = MappingProxyType(
    {
        Attribute.FREQUENCY: FREQUENCY_SCALE,
        Attribute.SEVERITY: SEVERITY_SCALE,
        Attribute.INTERFERENCE: INTERFERENCE_SCALE,
        Attribute.PRESENCE: PRESENCE_SCALE,
    }
)

# PRO-CTCAE asks about a term's attributes in this order; branching relies on it.
_ATTRIBUTE_ORDER = (
    Attribute.FREQUENCY,
    Attribute.SEVERITY,
    Attribute.INTERFERENCE,
    Attribute.PRESENCE,
)


@dataclass(frozen=True)
class Item:
    """One symptom term of the check-in and the questions asked about it."""

    code: str  # stored in the database and in callback data: never change once published
    term: str  # the PRO-CTCAE symptom term, or the project's own name for its own items
    label: str  # short, lower-case, plain words for sentences ("aching joints")
    stems: Mapping[Attribute, str]  # one question per attribute, asked in _ATTRIBUTE_ORDER
    source: LabelSource
    own_item: bool = False  # True: not a PRO-CTCAE item; the project wrote it
    proctcae_number: int | None = None  # item number in the PRO-CTCAE library
    # Drug classes that make the item relevant; empty means every patient.
    applies_to: frozenset[DrugClass] = frozenset()
    # Scales that differ from the standard one for an attribute (e.g. "Not applicable").
    scale_overrides: Mapping[Attribute, Scale] = field(default_factory=dict)
    # About female anatomy: not asked of a patient who said he is a man (bot.domain.person).
    female_only: bool = False

    def __post_init__(self) -> None:
        """Refuse items that would break callbacks, branching or the source rule."""
        if len(self.code) > ITEM_CODE_MAX_LENGTH or not _ITEM_CODE_PATTERN.fullmatch(self.code):
            raise ValueError(f"item code {self.code!r} is not a short lower_snake_case id")
        if not self.stems:
            raise ValueError(f"item {self.code!r} asks nothing")
        if Attribute.PRESENCE in self.stems and len(self.stems) > 1:
            raise ValueError(f"item {self.code!r}: a presence item has no other attribute")
        if self.own_item == (self.proctcae_number is not None):
            raise ValueError(f"item {self.code!r}: own items have no PRO-CTCAE number, others do")
        for attribute, stem in self.stems.items():
            if not stem.startswith(("In the last 7 days, ", "Since your last check-in, ")):
                raise ValueError(f"item {self.code!r} {attribute}: the stem must give the recall")
        for attribute, scale in self.scale_overrides.items():
            if attribute not in self.stems or scale.attribute is not attribute:
                raise ValueError(f"item {self.code!r}: override for an attribute it lacks")
        # Keep the stems read-only and in PRO-CTCAE order whatever order they were given in.
        ordered = {a: self.stems[a] for a in _ATTRIBUTE_ORDER if a in self.stems}
        object.__setattr__(self, "stems", MappingProxyType(ordered))
        object.__setattr__(self, "scale_overrides", MappingProxyType(dict(self.scale_overrides)))

    def __hash__(self) -> int:
        """Hash by code: the read-only mappings are not hashable, and codes are unique."""
        return hash(self.code)

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        """Return the attributes asked about, in the order they are asked."""
        return tuple(self.stems)

    def scale(self, attribute: Attribute) -> Scale:
        """Return the answer scale for one of this item's attributes."""
        if attribute not in self.stems:
            raise KeyError(f"item {self.code!r} has no {attribute} question")
        return self.scale_overrides.get(attribute, SCALES[attribute])

    def applies(self, drug_classes: Iterable[DrugClass]) -> bool:
        """Tell whether the item belongs in the check-in of a patient on these classes."""
        return not self.applies_to or bool(self.applies_to & frozenset(drug_classes))


@dataclass(frozen=True)
class Question:
    """One screen of the check-in: a question and its answer buttons."""

    item_code: str
    attribute: Attribute
    text: str
    options: tuple[Option, ...]
    own_item: bool


@dataclass(frozen=True)
class NotePrompt:
    """The last step: an optional free-text note for the care team."""

    text: str
    max_length: int = NOTE_MAX_LENGTH


NOTE_PROMPT = NotePrompt(
    "Anything else you want your care team to know? Type it in your own words, or tap Skip."
)


@dataclass(frozen=True)
class Answer:
    """One tapped answer: which item, which attribute, and its score."""

    item_code: str
    attribute: Attribute
    score: int | None

    def __post_init__(self) -> None:
        """Accept the plain strings a database row holds, but keep the enum on the object."""
        object.__setattr__(self, "attribute", Attribute(self.attribute))
        score = self.score
        # bool is an int subclass; True must not pass as a score of 1.
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 4
        ):
            raise ValueError(f"score must be 0 to 4 or None, not {score!r}")


@dataclass(frozen=True)
class AnswerRecord:
    """An answer as it is stored: with its time and the regimen in force when it was given."""

    answer: Answer
    answered_at: datetime  # aware, normalised to UTC
    drug_classes: frozenset[DrugClass]
    product_keys: tuple[str, ...]  # catalogue keys of the medicines in force, sorted

    def __post_init__(self) -> None:
        """Refuse naive times, whose meaning depends on the server's zone."""
        if self.answered_at.tzinfo is None or self.answered_at.utcoffset() is None:
            raise ValueError("answered_at must be timezone-aware")
        object.__setattr__(self, "answered_at", self.answered_at.astimezone(UTC))
        object.__setattr__(self, "drug_classes", frozenset(map(DrugClass, self.drug_classes)))
        object.__setattr__(self, "product_keys", tuple(sorted(self.product_keys)))


class UnexpectedAnswer(BonebotError):
    """An answer that is not for the question on screen (a stale button) or not on its scale."""


class NoteTooLong(BonebotError):
    """The free-text note is longer than the care team's record takes."""


# --- Sources ----------------------------------------------------------------------------------

PROCTCAE_LIBRARY = "NCI PRO-CTCAE Item Library, Version 1.0 (English)"
# The rule that a term's remaining items are skipped after "Never"/"None" and count as 0.
BRANCHING_SOURCE = LabelSource(
    "CDISC QRS Supplement: PRO-CTCAE V1.0",
    "Assumptions on conditional branching (electronic version)",
)
# The rule that every attribute defined for a term is asked.
ALL_ATTRIBUTES_SOURCE = LabelSource("NCI PRO-CTCAE Frequently Asked Questions", "attributes")

_ORAL_BISPHOSPHONATE_GUIDES = (
    "Oral bisphosphonate Medication Guides / Patient Information "
    "(FOSAMAX, BINOSTO, ACTONEL, ATELVIA, BONIVA tablets)"
)


def _proctcae(number: int, term: str) -> LabelSource:
    return LabelSource(PROCTCAE_LIBRARY, f"Item {number}: {term}")


# --- The items --------------------------------------------------------------------------------
# PRO-CTCAE items first, in library order (the terms of use ask for the order to be kept),
# then the project's own items. Stems verified as described in the module docstring.

ALL_ITEMS: tuple[Item, ...] = (
    Item(
        code="swallowing",
        term="Difficulty swallowing",
        label="difficulty swallowing",
        stems={
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your DIFFICULTY SWALLOWING "
                "at its WORST?"
            ),
        },
        source=_proctcae(2, "Difficulty swallowing"),
        proctcae_number=2,
        # Oral bisphosphonate labels warn of oesophageal irritation.
        applies_to=frozenset({DrugClass.ORAL_BISPHOSPHONATE}),
    ),
    Item(
        code="heartburn",
        term="Heartburn",
        label="heartburn",
        stems={
            Attribute.FREQUENCY: "In the last 7 days, how OFTEN did you have HEARTBURN?",
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your HEARTBURN at its WORST?"
            ),
        },
        source=_proctcae(11, "Heartburn"),
        proctcae_number=11,
        applies_to=frozenset({DrugClass.ORAL_BISPHOSPHONATE}),
    ),
    Item(
        code="muscles",
        term="Muscle pain",
        label="aching muscles",
        stems={
            Attribute.FREQUENCY: "In the last 7 days, how OFTEN did you have ACHING MUSCLES?",
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your ACHING MUSCLES at their WORST?"
            ),
            Attribute.INTERFERENCE: (
                "In the last 7 days, how much did ACHING MUSCLES INTERFERE with your usual or "
                "daily activities?"
            ),
        },
        source=_proctcae(50, "Muscle pain"),
        proctcae_number=50,
    ),
    Item(
        code="joints",
        term="Joint pain",
        label="aching joints",
        stems={
            Attribute.FREQUENCY: (
                "In the last 7 days, how OFTEN did you have ACHING JOINTS (SUCH AS ELBOWS, "
                "KNEES, SHOULDERS)?"
            ),
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your ACHING JOINTS (SUCH AS "
                "ELBOWS, KNEES, SHOULDERS) at their WORST?"
            ),
            Attribute.INTERFERENCE: (
                "In the last 7 days, how much did ACHING JOINTS (SUCH AS ELBOWS, KNEES, "
                "SHOULDERS) INTERFERE with your usual or daily activities?"
            ),
        },
        source=_proctcae(51, "Joint pain"),
        proctcae_number=51,
    ),
    Item(
        code="insomnia",
        term="Insomnia",
        label="sleep problems",
        stems={
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your INSOMNIA (INCLUDING "
                "DIFFICULTY FALLING ASLEEP, STAYING ASLEEP, OR WAKING UP EARLY) at its WORST?"
            ),
            Attribute.INTERFERENCE: (
                "In the last 7 days, how much did INSOMNIA (INCLUDING DIFFICULTY FALLING "
                "ASLEEP, STAYING ASLEEP, OR WAKING UP EARLY) INTERFERE with your usual or daily "
                "activities?"
            ),
        },
        source=_proctcae(52, "Insomnia"),
        proctcae_number=52,
    ),
    Item(
        code="fatigue",
        term="Fatigue",
        label="tiredness",
        stems={
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your FATIGUE, TIREDNESS, OR LACK "
                "OF ENERGY at its WORST?"
            ),
            Attribute.INTERFERENCE: (
                "In the last 7 days, how much did FATIGUE, TIREDNESS, OR LACK OF ENERGY "
                "INTERFERE with your usual or daily activities?"
            ),
        },
        source=_proctcae(53, "Fatigue"),
        proctcae_number=53,
    ),
    Item(
        code="vaginal_dryness",
        term="Vaginal dryness",
        label="vaginal dryness",
        stems={
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your VAGINAL DRYNESS at its WORST?"
            ),
        },
        source=_proctcae(60, "Vaginal dryness"),
        proctcae_number=60,
        female_only=True,
    ),
    Item(
        code="hot_flashes",
        term="Hot flashes",
        label="hot flashes",
        stems={
            Attribute.FREQUENCY: "In the last 7 days, how OFTEN did you have HOT FLASHES?",
            Attribute.SEVERITY: (
                "In the last 7 days, what was the SEVERITY of your HOT FLASHES at their WORST?"
            ),
        },
        source=_proctcae(77, "Hot flashes"),
        proctcae_number=77,
    ),
    Item(
        code="injection_site",
        term="Pain and swelling at injection site",
        label="pain, swelling or redness where you had an injection",
        stems={
            # The two stored transcriptions differ only in the case of "have any".
            Attribute.PRESENCE: (
                "In the last 7 days, did you have any PAIN, SWELLING, OR REDNESS AT A SITE OF "
                "DRUG INJECTION OR IV?"
            ),
        },
        source=_proctcae(79, "Pain and swelling at injection site"),
        proctcae_number=79,
        applies_to=frozenset({DrugClass.RANKL_INHIBITOR}),
        scale_overrides={Attribute.PRESENCE: PRESENCE_OR_NOT_APPLICABLE_SCALE},
    ),
    # --- The project's own items (not PRO-CTCAE) ---
    Item(
        code="swallow_pain",
        term="Painful swallowing or chest pain (own item)",
        label="pain when swallowing or chest pain",
        stems={
            Attribute.PRESENCE: (
                "In the last 7 days, did you have any PAIN WHEN YOU SWALLOW, or CHEST PAIN "
                "(pain behind the breastbone)?"
            ),
        },
        # The warning "chest pain, new or worse heartburn, or trouble or pain when you
        # swallow" is verified for BINOSTO (see bot.domain.catalog); the others carry the same
        # warning. # not verified against stored label text for every product
        source=LabelSource(
            _ORAL_BISPHOSPHONATE_GUIDES, "What is the most important information I should know?"
        ),
        own_item=True,
        applies_to=frozenset({DrugClass.ORAL_BISPHOSPHONATE}),
    ),
    Item(
        code="jaw",
        term="Jaw or mouth problems (own item)",
        label="jaw or mouth pain, a loose tooth or a sore that won't heal",
        stems={
            Attribute.PRESENCE: (
                "In the last 7 days, did you have any PAIN IN YOUR JAW OR MOUTH, a LOOSE "
                "TOOTH, or a SORE IN YOUR MOUTH THAT IS NOT HEALING (for example after dental "
                "work)?"
            ),
        },
        # Osteonecrosis of the jaw warnings. The symptom list (jaw or mouth pain, sores that
        # do not heal, loosening of a tooth) is verified against a stored Amgen PROLIA patient
        # page (EU); the US section titles are # not verified against stored label text.
        source=LabelSource(
            "FOSAMAX and PROLIA US Prescribing Information",
            "5 Warnings and Precautions: Osteonecrosis of the Jaw",
        ),
        own_item=True,
        applies_to=ANTIRESORPTIVES,
    ),
    Item(
        code="thigh",
        term="New thigh, hip or groin pain (own item)",
        label="new thigh, hip or groin pain",
        stems={
            Attribute.PRESENCE: (
                "In the last 7 days, did you have any NEW OR UNUSUAL PAIN in your THIGH, HIP "
                "OR GROIN?"
            ),
        },
        # Atypical femoral fracture warnings. "New or unusual pain in your hip, groin, or
        # thigh" is verified against the stored PROLIA safety page (Medication Guide summary);
        # the FOSAMAX section is # not verified against stored label text.
        source=LabelSource(
            "FOSAMAX and PROLIA US Prescribing Information",
            "5 Warnings and Precautions: Atypical Femoral (Femur) Fractures",
        ),
        own_item=True,
        applies_to=ANTIRESORPTIVES,
    ),
    Item(
        code="calcium",
        term="Signs of low blood calcium (own item)",
        label="muscle cramps, or tingling around the mouth or in the fingers",
        stems={
            Attribute.PRESENCE: (
                "In the last 7 days, did you have any MUSCLE SPASMS, TWITCHES OR CRAMPS, or "
                "NUMBNESS OR TINGLING in your fingers, toes or around your mouth?"
            ),
        },
        # Hypocalcemia warnings. The symptom list is the PROLIA Medication Guide's (also in
        # bot.domain.catalog) and agrees with stored patient pages; the ZOMETA section is
        # # not verified against stored label text.
        source=LabelSource(
            "PROLIA Medication Guide; ZOMETA US Prescribing Information",
            "Low blood calcium (hypocalcemia); 5.2 Hydration and Electrolyte Monitoring",
        ),
        own_item=True,
        applies_to=frozenset({DrugClass.RANKL_INHIBITOR, DrugClass.IV_BISPHOSPHONATE}),
    ),
    Item(
        code="flu_like",
        term="Flu-like symptoms after an infusion (own item)",
        label="flu-like symptoms after an infusion",
        stems={
            Attribute.PRESENCE: (
                "In the last 7 days, did you have FLU-LIKE SYMPTOMS (such as fever, chills, or "
                "aching muscles, bones or joints) after an INFUSION of your bone medicine?"
            ),
        },
        # Acute-phase reaction in the first 3 days (see bot.domain.catalog advice).
        # not verified against stored label text
        source=LabelSource(
            "ZOMETA US Prescribing Information; RECLAST Patient Information",
            "6.1 Clinical Trials Experience; What are the possible side effects of RECLAST?",
        ),
        own_item=True,
        applies_to=frozenset({DrugClass.IV_BISPHOSPHONATE}),
        # Most weeks have no infusion; like PRO-CTCAE item 79, the patient can say so.
        scale_overrides={Attribute.PRESENCE: PRESENCE_OR_NOT_APPLICABLE_SCALE},
    ),
    Item(
        code="fall",
        term="A fall or a broken bone (own item)",
        label="a fall or a broken bone",
        stems={
            Attribute.PRESENCE: "Since your last check-in, did you have a FALL or BREAK A BONE?",
        },
        # A fracture changes the bone-protection plan. # not verified against stored text
        source=LabelSource(
            "ASCO guideline: Management of Osteoporosis in Survivors of Adult Cancers With "
            "Nonmetastatic Disease (2019)",
            "Fracture risk assessment",
        ),
        own_item=True,
    ),
)

ITEMS: Mapping[str, Item] = MappingProxyType({item.code: item for item in ALL_ITEMS})


class UnknownItem(KeyError):
    """No check-in item has this code (a stale button or a corrupted row)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown check-in item: {self.code!r}"


def get_item(code: str) -> Item:
    """Return the item with this code, or raise UnknownItem."""
    try:
        return ITEMS[code]
    except KeyError:
        raise UnknownItem(code) from None


def items_for(drug_classes: Iterable[DrugClass], *, female_items: bool = True) -> tuple[Item, ...]:
    """Return the check-in items for a patient on these drug classes, in asking order;
    without `female_items` (a man), none about female anatomy."""
    classes = frozenset(drug_classes)
    return tuple(
        item
        for item in ALL_ITEMS
        if item.applies(classes) and (female_items or not item.female_only)
    )


# --- Branching --------------------------------------------------------------------------------


def _question(item: Item, attribute: Attribute) -> Question:
    return Question(
        item_code=item.code,
        attribute=attribute,
        text=item.stems[attribute],
        options=item.scale(attribute).options,
        own_item=item.own_item,
    )


def _by_key(answers: Iterable[Answer]) -> dict[tuple[str, Attribute], int | None]:
    return {(answer.item_code, answer.attribute): answer.score for answer in answers}


def next_question(items: Sequence[Item], answers: Iterable[Answer]) -> Question | None:
    """Return the next question to ask, or None when only the note is left.

    Within a term: frequency, then severity, then interference; an answer of 0 (or "Not
    applicable") ends the term (PRO-CTCAE conditional branching, extended to any 0).
    """
    given = _by_key(answers)
    for item in items:
        for attribute in item.attributes:
            key = (item.code, attribute)
            if key not in given:
                return _question(item, attribute)
            if not given[key]:  # 0 or None: the rest of the term is skipped
                break
    return None


@dataclass(frozen=True)
class Progress:
    """Where the question on screen stands: "Question {number} of {total}"."""

    number: int  # its position: the questions answered so far, plus one
    total: int  # the most questions the check-in can ask, given the answers so far
    exact: bool  # True when no answer can shorten the check-in any more


def progress(
    items: Sequence[Item],
    answers: Iterable[Answer],
    *,
    trailing: int = 0,
    trailing_answered: int = 0,
) -> Progress:
    """Number the next question and count the questions of the whole check-in.

    `trailing` questions come after the items (the service's own stop question), of which
    `trailing_answered` are answered. Branching makes the length uncertain (a 0 ends its
    term early), so the rule is the one that never moves a number backwards by surprise:

    * `number` is every answer given so far plus one: it goes up by one per question;
    * `total` is the most the check-in can still ask: the answers given, every question not
      yet asked of a term that has not ended, and the trailing questions. An answer above 0
      keeps it, a 0 lowers it; nothing raises it, so it never grows under the patient;
    * `exact` says the total is certain: no term left has more than one question to go
      (a 0 could then end nothing early). Until then it is a maximum ("of up to 21").
    """
    given = list(answers)
    by_key = _by_key(given)
    terms_left = most_left = 0
    for item in items:
        left = 0
        for index, attribute in enumerate(item.attributes):
            key = (item.code, attribute)
            if key not in by_key:
                left = len(item.attributes) - index
                break
            if not by_key[key]:  # 0 or None: the rest of the term is skipped
                break
        if left:
            terms_left += 1
            most_left += left
    answered = len(given) + trailing_answered
    return Progress(
        number=answered + 1,
        total=answered + most_left + trailing - trailing_answered,
        exact=most_left == terms_left,
    )


def branched_scores(answers: Iterable[Answer]) -> dict[tuple[str, Attribute], int]:
    """Return every score, adding 0 for each attribute skipped after a 0.

    The CDISC PRO-CTCAE supplement scores items not asked because of conditional branching
    as 0 ("None" / "Not at all"). "Not applicable" answers are left out: they are missing
    data, not 0. Answers to items no longer in the catalogue are kept as given.
    """
    given = _by_key(answers)
    scores = {key: score for key, score in given.items() if score is not None}
    for (code, attribute), score in given.items():
        item = ITEMS.get(code)
        if score != 0 or item is None:
            continue
        later = item.attributes[item.attributes.index(attribute) + 1 :]
        for skipped in later:
            scores.setdefault((code, skipped), 0)
    return scores


def validate_answer(items: Sequence[Item], answers: Sequence[Answer], answer: Answer) -> None:
    """Raise UnexpectedAnswer unless `answer` answers the question now on screen."""
    expected = next_question(items, answers)
    if expected is None:
        raise UnexpectedAnswer("every question of this check-in is already answered")
    if (answer.item_code, answer.attribute) != (expected.item_code, expected.attribute):
        raise UnexpectedAnswer(
            f"expected {expected.item_code}/{expected.attribute}, "
            f"got {answer.item_code}/{answer.attribute}"
        )
    if answer.score not in {option.score for option in expected.options}:
        raise UnexpectedAnswer(f"{answer.score!r} is not an option for {expected.item_code}")


def clean_note(text: str | None) -> str | None:
    """Return the note cleaned (`text_clean.clean_text`) and trimmed, None when empty; raise
    NoteTooLong past the limit."""
    if text is None:
        return None
    cleaned = clean_text(text).strip()
    if not cleaned:
        return None
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise NoteTooLong(f"the note has {len(cleaned)} characters; at most {NOTE_MAX_LENGTH}")
    return cleaned


@dataclass(frozen=True)
class Checkin:
    """One weekly check-in in progress: its items, the answers so far and the note."""

    items: tuple[Item, ...]
    answers: tuple[Answer, ...] = ()
    note: str | None = None
    note_given: bool = False  # True once the note was typed or skipped

    @classmethod
    def start(cls, drug_classes: Iterable[DrugClass]) -> Checkin:
        """Begin a check-in with the items for a patient on these drug classes."""
        return cls(items_for(drug_classes))

    @property
    def is_complete(self) -> bool:
        """Tell whether every question and the note step are done."""
        return self.note_given and next_question(self.items, self.answers) is None

    def next_step(self) -> Question | NotePrompt | None:
        """Return the question to show, the note prompt, or None when the check-in is done."""
        question = next_question(self.items, self.answers)
        if question is not None:
            return question
        return None if self.note_given else NOTE_PROMPT

    def answer(self, answer: Answer) -> Checkin:
        """Return the check-in with this answer added; raise UnexpectedAnswer if it is stale."""
        validate_answer(self.items, self.answers, answer)
        return Checkin(self.items, (*self.answers, answer), self.note, self.note_given)

    def with_note(self, text: str | None) -> Checkin:
        """Return the check-in with its note (None or blank to skip it)."""
        if next_question(self.items, self.answers) is not None:
            raise UnexpectedAnswer("the note comes after the last question")
        if self.note_given:
            raise UnexpectedAnswer("the note step is already done")
        return Checkin(self.items, self.answers, clean_note(text), note_given=True)
