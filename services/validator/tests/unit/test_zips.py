"""Which state a ZIP code belongs to, by its first three digits."""

import pytest

from a2p_shared.events.values import US_STATES
from a2p_validator.domain.zips import states_for_prefix, zip_matches_state


@pytest.mark.parametrize(
    ("postal_code", "state"),
    [
        ("62701", "IL"),
        ("62701-1234", "IL"),
        ("62701", "il"),
        ("60601", "IL"),
        ("97209", "OR"),
        ("10001", "NY"),
        ("00501", "NY"),  # Holtsville IRS centre
        ("02108", "MA"),
        ("05501", "MA"),
        ("20001", "DC"),
        ("20101", "VA"),
        ("88510", "TX"),
        ("99501", "AK"),
        ("00601", "PR"),
        ("96910", "GU"),
        ("96950", "MP"),
    ],
)
def test_a_zip_of_the_state_matches(postal_code: str, state: str) -> None:
    assert zip_matches_state(postal_code, state) is True


@pytest.mark.parametrize(
    ("postal_code", "state"),
    [("97209", "IL"), ("62701", "MO"), ("10001", "NJ"), ("20001", "VA"), ("00601", "NY")],
)
def test_a_zip_of_another_state_does_not_match(postal_code: str, state: str) -> None:
    assert zip_matches_state(postal_code, state) is False


@pytest.mark.parametrize(
    "postal_code",
    [
        "09012",  # military AE
        "34001",  # military AA
        "96201",  # military AP
        "00100",  # never assigned
        "00400",  # never assigned
    ],
)
def test_shared_and_unknown_prefixes_are_not_judged(postal_code: str) -> None:
    assert zip_matches_state(postal_code, "IL") is None


def test_some_prefixes_belong_to_two_places() -> None:
    assert states_for_prefix(969) == {"GU", "MP"}
    assert states_for_prefix(967) == {"HI", "AS"}
    assert states_for_prefix(627) == {"IL"}
    assert states_for_prefix(1) == frozenset()


@pytest.mark.parametrize("state", sorted(US_STATES))
def test_every_state_the_schema_accepts_has_zip_codes(state: str) -> None:
    assert any(state in states_for_prefix(prefix) for prefix in range(1000))
