"""About you: the optional questions that open the risk questions (sex, menopause, body).

Plain and kind, every one skippable: they only decide which expert criteria and which
check-in questions apply (`bot.domain.person`).
"""

from __future__ import annotations

ASK_SEX = (
    "First, about you. This helps me show the right information; you can skip it. "
    "Are you a woman or a man?"
)
SEX_FEMALE = "Woman"
SEX_MALE = "Man"
SEX_UNSAID = "Prefer not to say"
ASK_MENOPAUSE = "Have your periods stopped for good (after menopause)?"
MENOPAUSE_POST = "Yes, they have stopped"
MENOPAUSE_PRE = "No, not yet"
MENOPAUSE_UNSURE = "I'm not sure"
ASK_BODY = (
    "Last one: your height and weight, to work out your body mass index (BMI). "
    "Type them like 165 cm 62 kg (or 5 ft 5 in 137 lb)."
)
BODY_SKIP = "Skip this question"
BAD_BODY = (
    "Sorry, I couldn't read that. Type your height and weight like 165 cm 62 kg, or tap Skip."
)


def body_answer(height_cm: float, weight_kg: float) -> str:
    """The typed height and weight shown under the question, as read."""
    return f"{height_cm:g} cm, {weight_kg:g} kg"
