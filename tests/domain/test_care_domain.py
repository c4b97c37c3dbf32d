"""Caregiver rules without Telegram: codes, quiet hours, alert topics, strict button data."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import invite_codes, redflags
from bot.services.care_alerts import quiet_until
from bot.services.care_links import Permission, clean_name
from ui.keyboards.care import CareAction, parse_care_action

LONDON = ZoneInfo("Europe/London")


def test_codes_carry_128_random_bits_fit_a_deep_link_and_only_their_hash_is_kept() -> None:
    codes = {invite_codes.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == invite_codes.CODE_LENGTH == 22  # 16 bytes, base64url, no padding
        assert invite_codes.looks_like_code(code)
        assert len(invite_codes.code_hash(code)) == 64
    assert len({invite_codes.code_hash(code) for code in codes}) == 200
    # The stored form is SHA-256 (a known vector), so a copied table opens nothing.
    assert invite_codes.code_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    link = invite_codes.deep_link("bonebot_sim_bot", "A" * 22)
    assert link == "https://t.me/bonebot_sim_bot?start=" + "A" * 22
    for bad in ("", "A" * 21, "A" * 23, "A" * 21 + "=", "A" * 21 + " ", "Ä" * 22):
        assert not invite_codes.looks_like_code(bad)


def test_failed_codes_are_counted_by_a_keyed_hash_of_the_account_not_the_account() -> None:
    secret = invite_codes.attempt_secret("7000000001:AAHsimulatedBotTokenForLocalTests000000")
    key = invite_codes.attempt_key(secret, 1001)
    assert key == invite_codes.attempt_key(secret, 1001)  # the same person, the same count
    assert len(key) == 64
    assert "1001" not in key
    assert key != invite_codes.attempt_key(secret, 1002)
    # Without the key the ids cannot be tried against it: another token, other hashes.
    other = invite_codes.attempt_secret("7000000002:AAHsimulatedBotTokenForLocalTests000000")
    assert invite_codes.attempt_key(other, 1001) != key
    assert key != hashlib.sha256(b"1001").hexdigest()


@pytest.mark.parametrize(
    ("local", "start", "end", "until"),
    [
        # Overnight quiet hours 22:00-07:00.
        ("2026-11-20 23:30", time(22), time(7), "2026-11-21 07:00"),
        ("2026-11-21 03:00", time(22), time(7), "2026-11-21 07:00"),
        ("2026-11-21 22:00", time(22), time(7), "2026-11-22 07:00"),
        ("2026-11-21 07:00", time(22), time(7), None),
        ("2026-11-21 12:00", time(22), time(7), None),
        # Same-day quiet hours 13:00-15:00.
        ("2026-11-21 14:00", time(13), time(15), "2026-11-21 15:00"),
        ("2026-11-21 15:00", time(13), time(15), None),
        # None, or an empty window: never quiet.
        ("2026-11-21 03:00", None, None, None),
        ("2026-11-21 03:00", time(3), time(3), None),
    ],
)
def test_quiet_hours_hold_alerts_until_their_local_end(
    local: str, start: time | None, end: time | None, until: str | None
) -> None:
    now = datetime.fromisoformat(local).replace(tzinfo=LONDON).astimezone(UTC)
    expected = (
        None
        if until is None
        else datetime.fromisoformat(until).replace(tzinfo=LONDON).astimezone(UTC)
    )
    assert quiet_until(now, LONDON, start, end) == expected


def test_quiet_hours_end_follows_the_clock_across_a_dst_night() -> None:
    # Europe/London springs forward at 01:00 on 2027-03-28: 07:00 is then 06:00 UTC.
    now = datetime(2027, 3, 27, 23, 30, tzinfo=UTC)  # 23:30 GMT
    assert quiet_until(now, LONDON, time(22), time(7)) == datetime(2027, 3, 28, 6, tzinfo=UTC)


def test_care_team_topics_name_the_problem_not_the_answers() -> None:
    assert redflags.care_team_topic("jaw").startswith("jaw or mouth pain")
    assert redflags.care_team_topic("severe:fatigue") == "tiredness that bothered them a lot"
    assert redflags.care_team_topic("rise:joints").endswith("got worse since the last check-in")
    assert redflags.care_team_topic("nonsense") == "a symptom that needs attention"
    assert {"upper_gi", "calcium", "fall"} == redflags.URGENT_CODES


def test_display_names_are_printable_and_bounded() -> None:
    assert clean_name("  Carol\u202e\n ") == "Carol"
    assert clean_name(None) == clean_name("\x00") == "Someone"
    assert len(clean_name("x" * 500)) == 64


@pytest.mark.parametrize(
    ("data", "action"),
    [
        ("cg:i", CareAction("cg:i")),
        ("cg:k", CareAction("cg:k")),
        ("cg:m:12", CareAction("cg:m", 12)),
        ("cg:t:12:sl", CareAction("cg:t", 12, Permission.SYMPTOM_LOG)),
        ("cg:X:7", CareAction("cg:X", 7)),
        ("cg:d:60", CareAction("cg:d", value="60")),
        ("cg:q:n", CareAction("cg:q", value="n")),
        ("lk:y:3", CareAction("lk:y", 3)),
        ("iv:a:" + "a" * 22, CareAction("iv:a", value="a" * 22)),
        ("iv:n", CareAction("iv:n")),
        ("cr:L:4", CareAction("cr:L", 4)),
        ("al:9", CareAction("al", 9, value="s")),  # the first alerts' "I've seen this"
        ("al:c:9", CareAction("al", 9, value="c")),
        ("al:m:9", CareAction("al", 9, value="m")),
        ("al:p:9", CareAction("al", 9, value="p")),
        ("al:r:9", CareAction("al", 9, value="r")),
        ("al:n:9", CareAction("al", 9, value="n")),
    ],
)
def test_care_button_data_parses_exactly(data: str, action: CareAction) -> None:
    assert parse_care_action(data) == action


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "cg:t:12",  # a switch must name what it switches
        "cg:m:12:sl",  # only a switch names a permission
        "cg:t:12:xx",
        "cg:m:-1",
        "cg:m:2147483648",  # past a 32-bit row id
        "iv:a:" + "a" * 21,
        "iv:a:" + "a" * 21 + "!",
        "lk:y",
        "al:",
        "al:x:9",  # not a step
        "al:c:",
        "al:c:9:1",
        "cg:q:z",
        "cg:d:1000",
        "cg:i ",
        "xx:i",
    ],
)
def test_malformed_care_button_data_is_refused(data: str | None) -> None:
    assert parse_care_action(data) is None


@given(st.text(max_size=80))
def test_any_text_parses_to_a_known_shape_or_nothing(data: str) -> None:
    action = parse_care_action(data)
    if action is not None:
        assert action.action.split(":")[0] in {"cg", "lk", "iv", "cr", "al"}
        assert action.record_id is None or 0 <= action.record_id < 2**31
