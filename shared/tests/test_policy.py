"""`a2p_shared.events.policy`: the validator's verdict, findings and fees."""

from typing import Any

import pytest
from pydantic import ValidationError

from a2p_shared.events import FeeItem, Finding, PolicyValidatedV1, Severity

FINDING: dict[str, Any] = {
    "rule": "PP-03",
    "severity": "block",
    "field": "policies.privacy_policy_url",
    "message": "The privacy policy does not mention SMS.",
    "fix": "Add an SMS section.",
    "twilio_code": 30919,
}


def _locations(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


class TestFinding:
    def test_the_linter_json_shape_of_registration_md_validates(self) -> None:
        finding = Finding.model_validate(FINDING)

        assert finding.severity is Severity.BLOCK
        assert finding.model_dump(mode="json") == FINDING

    def test_twilio_code_is_optional(self) -> None:
        finding = Finding.model_validate({**FINDING, "twilio_code": None})

        assert finding.twilio_code is None

    def test_an_unknown_severity_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            Finding.model_validate({**FINDING, "severity": "info"})

        assert _locations(exc) == ["severity"]


class TestFeeItem:
    def test_a_fee_is_once_by_default(self) -> None:
        assert FeeItem(item="brand_registration", amount_usd=4.5).recurring == "once"

    def test_a_negative_amount_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            FeeItem(item="campaign_vetting", amount_usd=-1)

        assert _locations(exc) == ["amount_usd"]

    def test_an_unknown_recurrence_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            FeeItem(item="campaign", amount_usd=1.5, recurring="yearly")  # type: ignore[arg-type]

        assert _locations(exc) == ["recurring"]


class TestPolicyValidated:
    def test_a_failing_verdict_carries_its_findings_and_fees(self) -> None:
        event = PolicyValidatedV1.model_validate(
            {
                "registration_id": "reg-1",
                "revision": 1,
                "verdict": "fail",
                "findings": [FINDING],
                "fees": [{"item": "campaign", "amount_usd": 1.5, "recurring": "monthly"}],
            }
        )

        assert event.findings[0].rule == "PP-03"
        assert event.fees[0].recurring == "monthly"
        assert (event.event_type, event.event_version) == ("policy.validated", 1)

    @pytest.mark.parametrize(
        ("change", "location"),
        [
            pytest.param({"verdict": "warn"}, "verdict", id="unknown-verdict"),
            pytest.param({"revision": 0}, "revision", id="revision-0"),
            pytest.param(
                {"findings": [{**FINDING, "rule": None}]},
                "findings.0.rule",
                id="finding-without-rule",
            ),
            pytest.param({"surprise": 1}, "surprise", id="unknown-field"),
        ],
    )
    def test_a_malformed_verdict_is_refused_at_the_field(
        self, change: dict[str, Any], location: str
    ) -> None:
        body = {"registration_id": "r", "revision": 1, "verdict": "pass", "findings": []}

        with pytest.raises(ValidationError) as exc:
            PolicyValidatedV1.model_validate({**body, **change})

        assert _locations(exc) == [location]
