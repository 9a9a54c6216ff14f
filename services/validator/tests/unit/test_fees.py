"""What a submission costs: the seed's default fee table, and a deployment's own."""

import pytest
from pydantic import ValidationError

from a2p_shared.events.registration import RegistrationRequest, Tier
from a2p_shared.fees import FeeTable
from a2p_validator.domain.fees import DAYS_PER_MONTH, fees_for

from services.validator.tests.unit.conftest import Registration


def request_for(
    registration: Registration, tier: str, daily: int, entity_type: str | None = None
) -> RegistrationRequest:
    registration.brand["tier"] = tier
    if entity_type:
        registration.brand["entity_type"] = entity_type
    registration.campaign["expected_daily_segments"] = daily
    return RegistrationRequest.model_validate(registration.doc)


def priced(items) -> list[tuple[str, float, str]]:
    return [(item.item, item.amount_usd, item.recurring) for item in items]


def test_the_default_table_is_the_seeds() -> None:
    table = FeeTable()
    assert table.brand_registration == {
        Tier.LOW_VOLUME_STANDARD: 4.50,
        Tier.STANDARD: 46.00,
        Tier.SOLE_PROPRIETOR: 4.00,
    }
    assert (table.campaign_vetting, table.vetting_retry) == (15.00, 12.50)
    assert (table.campaign_monthly_sole_proprietor, table.campaign_monthly_high_volume) == (2, 10)
    assert table.high_volume_monthly_segments == 6000


def test_low_volume_standard_under_the_monthly_threshold(shop: Registration) -> None:
    request = request_for(shop, "LOW_VOLUME_STANDARD", 6000 // DAYS_PER_MONTH)
    assert priced(fees_for(request, FeeTable())) == [
        ("brand_registration", 4.50, "once"),
        ("campaign_vetting", 15.00, "once"),
    ]


def test_more_than_6000_segments_a_month_adds_the_monthly_fee(shop: Registration) -> None:
    request = request_for(shop, "LOW_VOLUME_STANDARD", 6000 // DAYS_PER_MONTH + 1)
    assert priced(fees_for(request, FeeTable())) == [
        ("brand_registration", 4.50, "once"),
        ("campaign_vetting", 15.00, "once"),
        ("campaign_monthly", 10.00, "monthly"),
    ]


def test_standard_brand(shop: Registration) -> None:
    request = request_for(shop, "STANDARD", 10_000)
    assert priced(fees_for(request, FeeTable())) == [
        ("brand_registration", 46.00, "once"),
        ("campaign_vetting", 15.00, "once"),
        ("campaign_monthly", 10.00, "monthly"),
    ]


@pytest.mark.parametrize("daily", [0, 5000])
def test_sole_proprietor_pays_its_own_monthly_fee_at_any_volume(
    shop: Registration, daily: int
) -> None:
    shop.brand["ein"] = None
    request = request_for(shop, "SOLE_PROPRIETOR", daily, entity_type="SOLE_PROPRIETOR")
    assert priced(fees_for(request, FeeTable())) == [
        ("brand_registration", 4.00, "once"),
        ("campaign_vetting", 15.00, "once"),
        ("campaign_monthly", 2.00, "monthly"),
    ]


def test_the_retry_fee_is_never_charged_up_front(shop: Registration) -> None:
    request = request_for(shop, "STANDARD", 10_000)
    assert "vetting_retry" not in [item.item for item in fees_for(request, FeeTable())]


def test_a_custom_table_sets_amounts_and_threshold(shop: Registration) -> None:
    table = FeeTable.model_validate_json(
        '{"brand_registration": {"LOW_VOLUME_STANDARD": 5.0, "STANDARD": 50.0,'
        ' "SOLE_PROPRIETOR": 4.5}, "campaign_vetting": 20.0,'
        ' "campaign_monthly_high_volume": 11.5, "high_volume_monthly_segments": 100000}'
    )
    below = request_for(shop, "LOW_VOLUME_STANDARD", 3000)
    above = request_for(shop, "STANDARD", 4000)

    assert priced(fees_for(below, table)) == [
        ("brand_registration", 5.0, "once"),
        ("campaign_vetting", 20.0, "once"),
    ]
    assert priced(fees_for(above, table)) == [
        ("brand_registration", 50.0, "once"),
        ("campaign_vetting", 20.0, "once"),
        ("campaign_monthly", 11.5, "monthly"),
    ]


def test_a_partial_table_keeps_the_other_defaults() -> None:
    table = FeeTable.model_validate({"campaign_vetting": 10})
    assert table.campaign_vetting == 10
    assert table.brand_registration[Tier.STANDARD] == 46.00


@pytest.mark.parametrize(
    "bad", [{"campaign_vetting": -1}, {"vetting_retry": -0.01}, {"campaign_fee": 3}]
)
def test_a_table_refuses_negative_amounts_and_unknown_items(bad: dict) -> None:
    with pytest.raises(ValidationError):
        FeeTable.model_validate(bad)


def test_a_table_is_immutable() -> None:
    table = FeeTable()
    with pytest.raises(ValidationError):
        table.campaign_vetting = 1  # type: ignore[misc]
