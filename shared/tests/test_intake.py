"""`a2p_shared.events.intake`: the command platforms publish on the intake topic."""

from typing import Any

import pytest
from pydantic import ValidationError

from a2p_shared.events import ConsentAction, RecordConsent, SubmitRegistration


def _locations(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


class TestSubmitRegistration:
    def test_a_command_with_the_example_request_validates(
        self, registration_document: dict[str, Any]
    ) -> None:
        command = SubmitRegistration.model_validate(
            {
                "tenant_id": "springfield-il",
                "idempotency_key": "req-1",
                "registration": registration_document,
            }
        )

        assert command.registration.brand.legal_name == "City of Springfield"

    def test_the_idempotency_key_is_optional(self, registration_document: dict[str, Any]) -> None:
        command = SubmitRegistration.model_validate(
            {"tenant_id": "springfield-il", "registration": registration_document}
        )

        assert command.idempotency_key is None

    @pytest.mark.parametrize(
        ("change", "location"),
        [
            pytest.param({"tenant_id": "springfield il"}, "tenant_id", id="tenant-with-space"),
            pytest.param({"idempotency_key": ""}, "idempotency_key", id="empty-idempotency-key"),
            pytest.param({"idempotency_key": "k" * 256}, "idempotency_key", id="key-256"),
            pytest.param({"tenant": "springfield-il"}, "tenant", id="unknown-field"),
        ],
    )
    def test_a_malformed_command_is_refused_at_the_field(
        self, registration_document: dict[str, Any], change: dict[str, Any], location: str
    ) -> None:
        body = {"tenant_id": "springfield-il", "registration": registration_document, **change}

        with pytest.raises(ValidationError) as exc:
            SubmitRegistration.model_validate(body)

        assert _locations(exc) == [location]

    def test_an_error_inside_the_request_is_located_under_registration(
        self, registration_document: dict[str, Any]
    ) -> None:
        registration_document["brand"]["tier"] = "PREMIUM"

        with pytest.raises(ValidationError) as exc:
            SubmitRegistration.model_validate(
                {"tenant_id": "springfield-il", "registration": registration_document}
            )

        assert _locations(exc) == ["registration.brand.tier"]


EVIDENCE = {
    "method": "web_form",
    "text": "I agree to receive appointment reminders by text from Shelbyville Clinic.",
    "url": "https://shelbyville.example/book",
    "collected_at": "2026-11-20T15:04:05Z",
}


class TestRecordConsent:
    def test_an_opt_in_with_categories_and_evidence_validates(self) -> None:
        command = RecordConsent.model_validate(
            {
                "tenant_id": "shelbyville",
                "phone": "(317) 555-0142",
                "action": "opt_in",
                "categories": ["transactional"],
                "evidence": EVIDENCE,
            }
        )

        assert command.phone == "+13175550142"
        assert command.action is ConsentAction.OPT_IN
        assert command.source == "platform"

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            ({"categories": []}, "needs its categories"),
            ({"evidence": None}, "needs its evidence"),
            ({"evidence": {**EVIDENCE, "text": None}}, "consent text, its version, or the script"),
        ],
    )
    def test_an_opt_in_without_what_proves_it_is_refused(
        self, change: dict[str, Any], reason: str
    ) -> None:
        document = {
            "tenant_id": "shelbyville",
            "phone": "+13175550142",
            "action": "opt_in",
            "categories": ["promotional"],
            "evidence": EVIDENCE,
            **change,
        }
        with pytest.raises(ValidationError) as exc:
            RecordConsent.model_validate(document)

        assert reason in str(exc.value)

    def test_an_opt_out_needs_no_evidence_but_a_staff_decision_names_its_review(self) -> None:
        opt_out = {"tenant_id": "shelbyville", "phone": "+13175550142", "action": "opt_out"}

        assert RecordConsent.model_validate(opt_out).categories == []
        with pytest.raises(ValidationError) as exc:
            RecordConsent.model_validate({**opt_out, "source": "staff_review"})
        assert "review_id" in str(exc.value)

    def test_an_unknown_action_names_the_field(self) -> None:
        with pytest.raises(ValidationError) as exc:
            RecordConsent.model_validate(
                {"tenant_id": "shelbyville", "phone": "+13175550142", "action": "maybe"}
            )

        assert _locations(exc) == ["action"]
