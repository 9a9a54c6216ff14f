"""`a2p_shared.events.onboarding`: the registrar's milestones through Twilio's onboarding."""

from typing import Any

import pytest
from pydantic import ValidationError

from a2p_shared.events import (
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignSubmittedV1,
    NumberRegisteredV1,
    TwilioError,
)
from a2p_shared.events.registration import Tier

BRAND_SUBMITTED: dict[str, Any] = {
    "registration_id": "reg-1",
    "revision": 1,
    "customer_profile_sid": "BU1",
    "trust_product_sid": "BU2",
    "brand_sid": "BN1",
    "tier": "LOW_VOLUME_STANDARD",
    "attempt": 1,
}


def _locations(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


class TestBrandSubmitted:
    def test_a_first_submission_validates(self) -> None:
        event = BrandSubmittedV1.model_validate(BRAND_SUBMITTED)

        assert event.tier is Tier.LOW_VOLUME_STANDARD
        assert event.event_type == "brand.submitted"

    @pytest.mark.parametrize(
        ("change", "location"),
        [
            pytest.param({"attempt": 0}, "attempt", id="attempt-0"),
            pytest.param({"revision": 0}, "revision", id="revision-0"),
            pytest.param({"tier": "PREMIUM"}, "tier", id="unknown-tier"),
        ],
    )
    def test_an_impossible_value_is_refused(self, change: dict[str, Any], location: str) -> None:
        with pytest.raises(ValidationError) as exc:
            BrandSubmittedV1.model_validate({**BRAND_SUBMITTED, **change})

        assert _locations(exc) == [location]


class TestTwilioErrors:
    def test_a_failed_brand_carries_twilio_errors_and_findings(self) -> None:
        event = BrandFailedV1.model_validate(
            {
                "registration_id": "reg-1",
                "revision": 1,
                "brand_sid": "BN1",
                "errors": [{"code": 30794, "description": "EIN mismatch"}],
                "findings": [],
            }
        )

        assert event.errors == [TwilioError(code=30794, description="EIN mismatch", fields=[])]


class TestCampaignSubmitted:
    def test_an_unknown_use_case_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            CampaignSubmittedV1(
                registration_id="reg-1",
                revision=1,
                messaging_service_sid="MG1",
                campaign_sid="QE1",
                use_case="CITY",
                attempt=1,  # type: ignore[arg-type]
            )

        assert _locations(exc) == ["use_case"]


class TestNumberRegistered:
    def test_the_number_is_normalised_to_e164(self) -> None:
        event = NumberRegisteredV1(
            registration_id="reg-1",
            revision=1,
            phone="(217) 555-0100",
            phone_number_sid="PN1",
            messaging_service_sid="MG1",
            campaign_sid="QE1",
            tier=Tier.STANDARD,
        )

        assert event.phone == "+12175550100"
