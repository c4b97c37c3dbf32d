"""Red-flag rules for the weekly check-in, and the episode rule that keeps alerts few.

Pure domain: no Telegram, no database, no I/O. A red flag tells the patient, in plain words,
whom to contact and how soon, and tells linked care-team members and caregivers at once. The
bot never advises stopping the aromatase inhibitor; the only "stop" it relays is the oral
bisphosphonate labels' own instruction for chest pain, swallowing trouble or new heartburn.

Rules, in the order they are checked (one flag per code per check-in):

* ``upper_gi`` (oral bisphosphonate in the regimen): pain when swallowing or chest pain; any
  difficulty swallowing (severity 1 or more); heartburn that is new or worse than at the last
  check-in (no earlier heartburn answer counts as none). The labels say to stop the tablet and
  call the doctor for "chest pain, new or worse heartburn, or trouble or pain when you
  swallow".
* ``jaw``: jaw or mouth pain, a loose tooth or a sore that will not heal (possible
  osteonecrosis of the jaw).
* ``thigh``: new thigh, hip or groin pain (possible atypical femoral fracture).
* ``calcium``: muscle spasms or cramps, tingling around the mouth or in fingers or toes
  (possible low blood calcium).
* ``fall``: a fall or a broken bone since the last check-in.
* ``bone_pain`` (a bisphosphonate or denosumab in the regimen): severe or very severe aching
  muscles or joints. The bisphosphonate labels' Musculoskeletal Pain warning ("severe and
  occasionally incapacitating bone, joint, and/or muscle pain") and the PROLIA Medication
  Guide's "severe bone, joint, or muscle pain": the prescriber weighs the medicine, so the
  patient is told to tell the care team, never to stop.
* ``adherence``: severe or very severe joint pain, or the patient says they want to stop the
  aromatase inhibitor: worth raising with the care team, there are options.
* ``severe:<item>``: any severity answer of 3-4 ("Severe", "Very severe") or interference
  answer of 3-4 ("Quite a bit", "Very much"). Frequency alone does not count: every term here
  with a frequency item also has a severity item, and "Frequently" (e.g. hot flashes on an
  aromatase inhibitor) says how often, not how bad, so it would add alerts without action.
* ``rise:<item>``: a frequency, severity or interference score 2 or more points above the same
  item and attribute at the last check-in, counting items skipped after a 0 as 0 (PRO-CTCAE
  conditional branching). Needs a previous check-in.

A specific flag (the first seven) covers its items: no ``severe:`` or ``rise:`` flag is raised
for them as well, and a ``severe:`` flag covers the ``rise:`` flag of its item, so one
problem gives one message and one alert.

At once: the five warning signs the labels name (``upper_gi``, ``jaw``, ``thigh``,
``calcium``, ``fall``; `AT_ONCE_CODES`) are judged on each answer as it is given
(`raised_by`), so the patient reads the advice, and linked people get the alert, even if the
check-in stops there ("Stop for now") or is never finished. Each is raised by a single answer
and no later answer takes it back, so the moment of that answer is the moment to say it. The
other flags wait for the end of the check-in: ``severe:`` and ``rise:`` are covered by the
specific flags of the same items, and ``adherence`` hears the stop question last.

Episodes (alert burden: about a third of weekly surveys alerted in large trials): a flag
alerts linked people only when its code is not already open. A code is open from the answer
(warning signs) or the completed check-in (the others) that raised it until a completed
check-in without it, which closes the episode; the next time it appears it alerts again. The
patient's own advice is not rationed: it is shown every time a check-in raises the flag.

Thresholds (3+ for "severe", 2+ points for a rise) follow the alert rules of PRO symptom
monitoring trials (Basch et al.) and were set from knowledge, not verified against stored
text; a clinician should confirm them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.catalog import ANTIRESORPTIVES, DrugClass, LabelSource
from bot.domain.symptoms import ITEMS, Answer, Attribute, branched_scores

SEVERE_SCORE = 3  # "Severe" / "Quite a bit" and above
RISE_POINTS = 2
GRADED_ATTRIBUTES = frozenset({Attribute.SEVERITY, Attribute.INTERFERENCE})
RISE_ATTRIBUTES = frozenset({Attribute.FREQUENCY, Attribute.SEVERITY, Attribute.INTERFERENCE})


class Urgency(StrEnum):
    """How soon the patient should act; handlers may order and style messages by it."""

    SOON = "soon"  # tell the care team in the next few days
    RIGHT_AWAY = "right_away"  # call now; the message says when urgent care is needed


@dataclass(frozen=True)
class RedFlag:
    """One reason to alert the care team, with what to tell the patient."""

    code: str  # the episode key: one alert per code until an episode closes
    item_codes: tuple[str, ...]  # the check-in items that raised it (may be empty)
    urgency: Urgency
    reason: str  # for the care team: what was answered
    patient_message: str  # plain, short, says whom to contact
    source: LabelSource  # the label or guideline the message follows


# --- Sources ----------------------------------------------------------------------------------

_ORAL_BISPHOSPHONATE_GUIDES = (
    "Oral bisphosphonate Medication Guides / Patient Information "
    "(FOSAMAX, BINOSTO, ACTONEL, ATELVIA, BONIVA tablets)"
)
# Verified for BINOSTO (bot.domain.catalog); every oral bisphosphonate guide has this warning.
UPPER_GI_SOURCE = LabelSource(
    _ORAL_BISPHOSPHONATE_GUIDES, "What is the most important information I should know?"
)
# not verified against stored label text (section titles); symptom wording agrees with stored
# PROLIA patient pages.
JAW_SOURCE = LabelSource(
    "FOSAMAX and PROLIA US Prescribing Information",
    "5 Warnings and Precautions: Osteonecrosis of the Jaw",
)
THIGH_SOURCE = LabelSource(
    "FOSAMAX and PROLIA US Prescribing Information",
    "5 Warnings and Precautions: Atypical Femoral (Femur) Fractures",
)
# Same wording as bot.domain.catalog's PROLIA low-calcium advice.
CALCIUM_SOURCE = LabelSource(
    "PROLIA (denosumab) injection, Medication Guide",
    "What is the most important information I should know?",
)
# not verified against stored text
FALL_SOURCE = LabelSource(
    "ASCO guideline: Management of Osteoporosis in Survivors of Adult Cancers With "
    "Nonmetastatic Disease (2019)",
    "Fracture risk assessment",
)
# The FDA's 2008 alert on bisphosphonates (stored copies agree): "severe and sometimes
# incapacitating bone, joint, and/or muscle (musculoskeletal) pain", in each bisphosphonate's
# prescribing information (5 Warnings and Precautions: Musculoskeletal Pain); the PROLIA
# Medication Guide lists severe bone, joint or muscle pain among its serious side effects.
# not verified against stored label text (the section titles and the Prolia wording)
BONE_PAIN_SOURCE = LabelSource(
    "Bisphosphonate US Prescribing Information (FOSAMAX, ACTONEL, BONIVA, RECLAST, ZOMETA); "
    "PROLIA (denosumab) injection, Medication Guide",
    "5 Warnings and Precautions: Musculoskeletal Pain; What are the possible side effects?",
)
# Joint pain (arthralgia) is listed in each aromatase inhibitor label; "there are options" is
# the project's wording for the care team's role. # not verified against stored label text
ADHERENCE_SOURCE = LabelSource(
    "ARIMIDEX, FEMARA and AROMASIN US Prescribing Information",
    "6 Adverse Reactions (arthralgia)",
)
# not verified against stored text
SEVERE_SOURCE = LabelSource(
    "NCI PRO-CTCAE Item Library, Version 1.0 (English); alert rule after Basch et al., "
    "J Clin Oncol 2016",
    "Response scales: Severe / Very severe, Quite a bit / Very much",
)
RISE_SOURCE = LabelSource(
    "Basch et al., J Clin Oncol 2016 (symptom monitoring alerts)",
    "Worsening by 2 or more points since the previous report",
)

# --- Patient messages (English, plain, short) --------------------------------------------------

EMERGENCY_LINE = "In an emergency, call your local emergency number."

UPPER_GI_MESSAGE = (
    "Please stop taking the bone medicine you take by mouth and call your doctor right away. "
    "Its label says to do this for chest pain, new or worse heartburn, or trouble or pain "
    "swallowing. This is about the bone medicine only, not your aromatase inhibitor. If chest "
    "pain is severe, call your local emergency number."
)
JAW_MESSAGE = (
    "Pain in the jaw or mouth, a loose tooth or a sore that won't heal can be a sign of a rare "
    "jaw bone problem linked to bone medicines. Please tell your care team and your dentist "
    "soon."
)
THIGH_MESSAGE = (
    "New or unusual pain in the thigh, hip or groin can be an early sign of a rare thigh bone "
    "break linked to bone medicines. Please tell your care team soon. If you can't put weight "
    "on your leg, get urgent care today."
)
CALCIUM_MESSAGE = (
    "Muscle spasms, twitches or cramps, or numbness or tingling in your fingers, toes or "
    "around your mouth, can be signs of low blood calcium. Please call your care team right "
    f"away. {EMERGENCY_LINE}"
)
FALL_MESSAGE = (
    "Please tell your care team about your fall or broken bone today. If you have bad pain or "
    "swelling, or can't put weight on an arm or leg, get urgent care now. "
    f"{EMERGENCY_LINE}"
)
BONE_PAIN_MESSAGE = (
    "Severe bone, joint or muscle pain can be a side effect of bone medicines like yours. "
    "Please tell your care team soon, so they can look at your bone medicine with you."
)
ADHERENCE_MESSAGE = (
    "Side effects like joint pain are worth raising with your care team: there are options "
    "that may help. Please talk it through with them."
)
SEVERE_MESSAGE = (
    "Your answers show your {label} bothered you a lot this week. Please let your care team "
    "know soon. They may be able to help."
)
RISE_MESSAGE = (
    "Your answers show your {label} got worse since your last check-in. Please let your care "
    "team know soon. They may be able to help."
)


# --- Grading ----------------------------------------------------------------------------------


def is_severe(answer: Answer) -> bool:
    """Tell whether one answer is at the severe level (3-4 on severity or interference)."""
    return (
        answer.attribute in GRADED_ATTRIBUTES
        and answer.score is not None
        and answer.score >= SEVERE_SCORE
    )


def _said_yes(answers: Sequence[Answer], item_code: str) -> bool:
    return any(a.item_code == item_code and a.score == 1 for a in answers)


def _score(answers: Sequence[Answer], item_code: str, attribute: Attribute) -> int | None:
    for answer in answers:
        if (answer.item_code, answer.attribute) == (item_code, attribute):
            return answer.score
    return None


def _describe(answer: Answer) -> str:
    item = ITEMS.get(answer.item_code)
    if item is None or answer.attribute not in item.stems:
        return f"{answer.attribute} {answer.score}"
    label = item.scale(answer.attribute).label_of(answer.score)
    return f"{answer.attribute} {label} ({answer.score})"


def _term(item_code: str) -> str:
    item = ITEMS.get(item_code)
    return item.term if item is not None else item_code


def _label(item_code: str) -> str:
    item = ITEMS.get(item_code)
    return item.label if item is not None else item_code.replace("_", " ")


def adherence_concern(answers: Iterable[Answer], wants_to_stop: bool) -> bool:
    """Tell whether joint pain is severe or the patient wants to stop the aromatase inhibitor."""
    return wants_to_stop or any(
        a.item_code == "joints" and a.attribute is Attribute.SEVERITY and is_severe(a)
        for a in answers
    )


# --- Specific rules ---------------------------------------------------------------------------


def _upper_gi(
    current: Sequence[Answer], previous: Sequence[Answer] | None, classes: frozenset[DrugClass]
) -> RedFlag | None:
    """Flag chest pain, swallowing trouble or new/worse heartburn on an oral bisphosphonate."""
    if DrugClass.ORAL_BISPHOSPHONATE not in classes:
        return None
    reasons: list[str] = []
    items: list[str] = []
    if _said_yes(current, "swallow_pain"):
        reasons.append("pain when swallowing or chest pain")
        items.append("swallow_pain")
    for answer in current:
        if answer.item_code == "swallowing" and answer.score:  # any trouble swallowing
            reasons.append(f"difficulty swallowing, {_describe(answer)}")
            items.append("swallowing")
    before = branched_scores(previous or ())
    for attribute in (Attribute.FREQUENCY, Attribute.SEVERITY):
        now = _score(current, "heartburn", attribute)
        earlier = before.get(("heartburn", attribute), 0)
        if now is not None and now > earlier:
            reasons.append(f"heartburn new or worse: {attribute} {earlier} -> {now}")
            if "heartburn" not in items:
                items.append("heartburn")
    if not reasons:
        return None
    return RedFlag(
        code="upper_gi",
        item_codes=tuple(items),
        urgency=Urgency.RIGHT_AWAY,
        reason="On an oral bisphosphonate: " + "; ".join(reasons) + ".",
        patient_message=UPPER_GI_MESSAGE,
        source=UPPER_GI_SOURCE,
    )


def _yes_flag(
    current: Sequence[Answer],
    item_code: str,
    code: str,
    urgency: Urgency,
    reason: str,
    message: str,
    source: LabelSource,
) -> RedFlag | None:
    if not _said_yes(current, item_code):
        return None
    return RedFlag(code, (item_code,), urgency, reason, message, source)


# The check-in items whose severity can be the labels' bone, joint or muscle pain.
BONE_PAIN_ITEMS = ("muscles", "joints")


def _bone_pain(current: Sequence[Answer], classes: frozenset[DrugClass]) -> RedFlag | None:
    """Flag severe aching muscles or joints on a bisphosphonate or denosumab."""
    if not classes & ANTIRESORPTIVES:
        return None
    severe = [
        a
        for a in current
        if a.item_code in BONE_PAIN_ITEMS and a.attribute is Attribute.SEVERITY and is_severe(a)
    ]
    if not severe:
        return None
    return RedFlag(
        code="bone_pain",
        item_codes=tuple(dict.fromkeys(a.item_code for a in severe)),
        urgency=Urgency.SOON,
        reason="On a bisphosphonate or denosumab: "
        + "; ".join(f"{_term(a.item_code)}, {_describe(a)}" for a in severe)
        + ".",
        patient_message=BONE_PAIN_MESSAGE,
        source=BONE_PAIN_SOURCE,
    )


def _adherence(current: Sequence[Answer], wants_to_stop: bool) -> RedFlag | None:
    if not adherence_concern(current, wants_to_stop):
        return None
    reasons: list[str] = []
    items: tuple[str, ...] = ()
    severe_joints = [
        a for a in current if a.item_code == "joints" and a.attribute is Attribute.SEVERITY
    ]
    if severe_joints and is_severe(severe_joints[0]):
        reasons.append(f"aching joints, {_describe(severe_joints[0])}")
        items = ("joints",)
    if wants_to_stop:
        reasons.append("says they want to stop the aromatase inhibitor")
    return RedFlag(
        code="adherence",
        item_codes=items,
        urgency=Urgency.SOON,
        reason="Aromatase inhibitor adherence at risk: " + "; ".join(reasons) + ".",
        patient_message=ADHERENCE_MESSAGE,
        source=ADHERENCE_SOURCE,
    )


# --- Generic rules ----------------------------------------------------------------------------


def _severe_flags(current: Sequence[Answer], covered: set[str]) -> list[RedFlag]:
    flags: list[RedFlag] = []
    for code in _item_order(current):
        if code in covered:
            continue
        severe = [a for a in current if a.item_code == code and is_severe(a)]
        if not severe:
            continue
        flags.append(
            RedFlag(
                code=f"severe:{code}",
                item_codes=(code,),
                urgency=Urgency.SOON,
                reason=f"{_term(code)}: " + "; ".join(_describe(a) for a in severe) + ".",
                patient_message=SEVERE_MESSAGE.format(label=_label(code)),
                source=SEVERE_SOURCE,
            )
        )
    return flags


def _rise_flags(
    current: Sequence[Answer], previous: Sequence[Answer], covered: set[str]
) -> list[RedFlag]:
    before = branched_scores(previous)
    flags: list[RedFlag] = []
    for code in _item_order(current):
        if code in covered:
            continue
        rises = []
        for answer in current:
            if answer.item_code != code or answer.attribute not in RISE_ATTRIBUTES:
                continue
            earlier = before.get((code, answer.attribute))
            if answer.score is None or earlier is None:
                continue
            if answer.score - earlier >= RISE_POINTS:
                rises.append(f"{answer.attribute} {earlier} -> {answer.score}")
        if rises:
            flags.append(
                RedFlag(
                    code=f"rise:{code}",
                    item_codes=(code,),
                    urgency=Urgency.SOON,
                    reason=f"{_term(code)} worse since last check-in: " + "; ".join(rises) + ".",
                    patient_message=RISE_MESSAGE.format(label=_label(code)),
                    source=RISE_SOURCE,
                )
            )
    return flags


def _item_order(answers: Sequence[Answer]) -> list[str]:
    """Return the answered item codes once each, in the order first answered."""
    return list(dict.fromkeys(a.item_code for a in answers))


def red_flags(
    current: Sequence[Answer],
    previous: Sequence[Answer] | None = None,
    drug_classes: Iterable[DrugClass] = (),
    *,
    wants_to_stop: bool = False,
) -> list[RedFlag]:
    """Return the red flags of a check-in, most urgent first, one per code.

    `previous` is the last completed check-in's answers (None when there is none). Works on a
    partial check-in too: `raised_by` calls it before and after each answer to find the
    warning signs that answer raised; `new_episodes` then keeps repeated calls from alerting
    twice.
    """
    classes = frozenset(drug_classes)
    specific = [
        _upper_gi(current, previous, classes),
        _yes_flag(
            current,
            "jaw",
            "jaw",
            Urgency.SOON,
            "Jaw or mouth pain, loose tooth or non-healing sore: possible osteonecrosis of the "
            "jaw.",
            JAW_MESSAGE,
            JAW_SOURCE,
        ),
        _yes_flag(
            current,
            "thigh",
            "thigh",
            Urgency.SOON,
            "New thigh, hip or groin pain: possible atypical femoral fracture.",
            THIGH_MESSAGE,
            THIGH_SOURCE,
        ),
        _yes_flag(
            current,
            "calcium",
            "calcium",
            Urgency.RIGHT_AWAY,
            "Muscle spasms/cramps or perioral/finger tingling: possible hypocalcemia.",
            CALCIUM_MESSAGE,
            CALCIUM_SOURCE,
        ),
        _yes_flag(
            current,
            "fall",
            "fall",
            Urgency.RIGHT_AWAY,
            "Fall or broken bone since the last check-in.",
            FALL_MESSAGE,
            FALL_SOURCE,
        ),
        _bone_pain(current, classes),
        _adherence(current, wants_to_stop),
    ]
    flags = [flag for flag in specific if flag is not None]
    covered = {code for flag in flags for code in flag.item_codes}
    severe = _severe_flags(current, covered)
    flags += severe
    covered |= {code for flag in severe for code in flag.item_codes}
    if previous is not None:
        flags += _rise_flags(current, previous, covered)
    # Stable sort: right-away flags first, each group in rule order.
    return sorted(flags, key=lambda flag: flag.urgency is not Urgency.RIGHT_AWAY)


# --- Episodes ---------------------------------------------------------------------------------


# Warning signs with their own label warning: judged on each answer, as it is given.
AT_ONCE_CODES = frozenset({"upper_gi", "jaw", "thigh", "calcium", "fall"})
# The flags whose advice tells the patient to stop a medicine and call (UPPER_GI_MESSAGE:
# "stop taking the bone medicine you take by mouth"): that medicine goes on hold until the
# patient says the care team said to go on.
HOLD_CODES = frozenset({"upper_gi"})


def could_raise_at_once(answer: Answer) -> bool:
    """Tell whether an answer could raise a warning sign at all (a 0 or "Not applicable" can't).

    Every warning-sign rule needs a score above 0 (a "Yes", any difficulty swallowing,
    heartburn above the last check-in's), so a caller may skip loading what `raised_by`
    needs for the usual answer.
    """
    return bool(answer.score)


def raised_by(
    answer: Answer,
    before: Sequence[Answer],
    previous: Sequence[Answer] | None = None,
    drug_classes: Iterable[DrugClass] = (),
) -> list[RedFlag]:
    """Return the warning signs `answer` raises that the check-in's earlier answers had not.

    `before` is the answers of the same check-in given before this one, `previous` the last
    completed check-in's (as for `red_flags`). A warning sign already raised earlier in the
    check-in (say, heartburn and then chest pain, both ``upper_gi``) is not raised again, so
    the patient reads its advice once per check-in, however many answers point to it.
    """
    classes = frozenset(drug_classes)
    earlier = {flag.code for flag in red_flags(before, previous, classes)}
    return [
        flag
        for flag in red_flags([*before, answer], previous, classes)
        if flag.code in AT_ONCE_CODES and flag.code not in earlier
    ]


def advice_at_the_end(
    flags: Iterable[RedFlag], opened_at_the_end: Collection[str]
) -> list[RedFlag]:
    """Return the flags of a completed check-in whose advice the patient has not yet read.

    Warning signs were shown as they were answered (`raised_by` opened their episode then);
    one that opens its episode only at the end was not judged at once (an answer stored
    before answers were judged), so it is shown now too.
    """
    return [
        flag for flag in flags if flag.code not in AT_ONCE_CODES or flag.code in opened_at_the_end
    ]


def new_episodes(flags_now: Iterable[RedFlag], open_episodes: Collection[str]) -> list[RedFlag]:
    """Return the flags that start a new episode and so must alert; open ones stay quiet."""
    return [flag for flag in flags_now if flag.code not in open_episodes]


def open_episodes_after(flags_of_completed_checkin: Iterable[RedFlag]) -> frozenset[str]:
    """Return the episodes open after a completed check-in: exactly the codes it raised.

    A code missing from a completed check-in closes its episode, so it alerts again next time.
    Call this only for completed check-ins: an unfinished one closes nothing (its warning
    signs opened their episodes as they were answered, see `raised_by`).
    """
    return frozenset(flag.code for flag in flags_of_completed_checkin)


# What linked caregivers and clinicians are told: the topic only, never the answers themselves
# (a caregiver sees the full symptom log only if the patient allows it).
_TOPICS = {
    "upper_gi": "chest pain, heartburn or trouble swallowing (a warning sign with bone tablets)",
    "jaw": "jaw or mouth pain, a loose tooth or a sore that won't heal",
    "thigh": "new thigh, hip or groin pain",
    "calcium": "cramps or tingling that can mean low calcium",
    "fall": "a fall or a broken bone",
    "bone_pain": "severe bone, joint or muscle pain (a side effect bone medicines can have)",
    "adherence": "bad joint pain, or wanting to stop their aromatase inhibitor",
}
URGENT_CODES = frozenset({"upper_gi", "calcium", "fall"})


def care_team_topic(code: str) -> str:
    """Return the plain topic of a red-flag episode for linked people (from its code alone)."""
    if code in _TOPICS:
        return _TOPICS[code]
    kind, _, item_code = code.partition(":")
    if kind == "severe":
        return f"{_label(item_code)} that bothered them a lot"
    if kind == "rise":
        return f"{_label(item_code)} that got worse since the last check-in"
    return "a symptom that needs attention"
