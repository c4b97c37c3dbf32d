"""The plausibility rule for typed T-scores: what is asked about before it is saved."""

from __future__ import annotations

import pytest

from bot.domain.bone_health import (
    PLAUSIBLE_MAX,
    PLAUSIBLE_MIN,
    Doubt,
    Site,
    first_doubt,
    t_score_doubt,
)

SPINE, HIP, NECK = Site.LUMBAR_SPINE, Site.TOTAL_HIP, Site.FEMORAL_NECK


def scores(spine: float | None, hip: float | None, neck: float | None) -> dict[Site, float | None]:
    return {SPINE: spine, HIP: hip, NECK: neck}


def test_a_lost_minus_among_negative_sites_is_doubted_and_can_be_flipped() -> None:
    doubt = t_score_doubt(SPINE, 2.3, scores(2.3, -2.1, -2.4))

    assert doubt is not None
    assert doubt.doubts == {Doubt.SIGN}
    assert (doubt.site, doubt.value, doubt.flipped) == (SPINE, 2.3, -2.3)
    assert doubt.others_below_zero
    assert doubt.other_sites == (HIP, NECK)


def test_a_negative_value_among_positive_sites_is_doubted_the_other_way() -> None:
    doubt = t_score_doubt(NECK, -1.2, scores(1.1, 0.8, -1.2))

    assert doubt is not None
    assert doubt.doubts == {Doubt.SIGN}
    assert not doubt.others_below_zero
    assert doubt.flipped == 1.2


@pytest.mark.parametrize(
    "values",
    [
        scores(-2.3, -2.1, -2.4),  # all the same sign
        scores(2.3, -2.1, 0.4),  # the other sites disagree among themselves
        scores(2.3, None, None),  # no other site to compare with
        scores(0.0, -2.1, -2.4),  # zero has no sign
        scores(2.3, 0.0, -2.4),  # nor does a zero elsewhere
    ],
)
def test_consistent_or_incomparable_scores_raise_no_doubt(
    values: dict[Site, float | None],
) -> None:
    value = values[SPINE]
    assert value is not None
    assert t_score_doubt(SPINE, value, values) is None


def test_one_other_site_is_enough_to_doubt_the_sign() -> None:
    doubt = t_score_doubt(SPINE, 2.3, scores(2.3, -2.1, None))

    assert doubt is not None
    assert doubt.other_sites == (HIP,)


@pytest.mark.parametrize(
    ("value", "doubted"),
    [
        (PLAUSIBLE_MIN, False),
        (PLAUSIBLE_MAX, False),
        (-5.1, True),
        (5.1, True),
        (-6.0, True),
    ],
)
def test_values_beyond_five_either_way_are_doubted(value: float, doubted: bool) -> None:
    doubt = t_score_doubt(HIP, value, scores(None, value, None))

    assert (doubt is not None) is doubted
    if doubt is not None:
        assert doubt.doubts == {Doubt.OUT_OF_RANGE}
        assert doubt.flipped is None  # the sign is not what is in doubt


def test_out_of_range_and_a_lost_sign_together() -> None:
    doubt = t_score_doubt(SPINE, 5.6, scores(5.6, -2.0, -2.2))

    assert doubt is not None
    assert doubt.doubts == {Doubt.OUT_OF_RANGE, Doubt.SIGN}
    assert doubt.flipped == -5.6


def test_first_doubt_goes_in_site_order_and_skips_what_was_confirmed() -> None:
    values = scores(-5.5, -2.1, 2.4)

    first = first_doubt(values)
    assert first is not None
    assert first.site is SPINE
    second = first_doubt(values, confirmed={SPINE})
    assert second is not None
    assert (second.site, second.doubts) == (NECK, {Doubt.SIGN})
    assert first_doubt(values, confirmed={SPINE, NECK}) is None


def test_first_doubt_can_look_at_one_site_only() -> None:
    """A correction of one site checks that site against the others, not the others."""
    values = scores(2.0, -6.0, -2.2)

    only_spine = first_doubt(values, sites=[SPINE])
    assert only_spine is not None
    assert only_spine.site is SPINE
    assert first_doubt(scores(-2.0, -6.0, -2.2), sites=[SPINE]) is None


def test_missing_sites_are_never_doubted() -> None:
    assert first_doubt(scores(None, None, -2.0)) is None
