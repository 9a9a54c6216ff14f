import pytest
from pydantic import ValidationError

from a2p_intake.http import ConsentRequest

EVIDENCE = {"method": "web_form", "text": "Text me", "collected_at": "2026-11-24T09:00:00Z"}


def refused_fields(body: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        ConsentRequest.model_validate(body)
    return {".".join(map(str, e["loc"])): e["msg"] for e in refused.value.errors()}


class TestConsentRequest:
    def test_an_opt_in_with_categories_and_evidence_is_accepted_normalised(self) -> None:
        request = ConsentRequest.model_validate(
            {
                "phone": "(217) 555-0142",
                "action": "opt_in",
                "categories": ["transactional"],
                "evidence": EVIDENCE,
            }
        )
        assert request.phone == "+12175550142"

    def test_an_opt_out_needs_neither_categories_nor_evidence(self) -> None:
        request = ConsentRequest.model_validate({"phone": "+12175550142", "action": "opt_out"})
        assert (request.categories, request.evidence) == ([], None)

    def test_every_gap_of_an_opt_in_is_named_with_the_other_errors(self) -> None:
        fields = refused_fields({"phone": "555-0142", "action": "opt_in"})

        assert set(fields) == {"phone", "categories", "evidence"}
        assert "needs its categories" in fields["categories"]
        assert "needs its evidence" in fields["evidence"]

    def test_evidence_without_what_was_agreed_names_its_text(self) -> None:
        evidence = {"method": "call", "collected_at": "2026-11-24T09:00:00Z"}

        fields = refused_fields(
            {"phone": "+12175550142", "action": "opt_in", "categories": [], "evidence": evidence}
        )

        assert set(fields) == {"categories", "evidence.text"}
        assert "consent text" in fields["evidence.text"]

    def test_nested_evidence_errors_keep_their_field(self) -> None:
        evidence = {"method": "", "text": "t", "collected_at": "2026-11-24T09:00:00"}

        fields = refused_fields(
            {
                "phone": "+12175550142",
                "action": "opt_in",
                "categories": ["weekly"],
                "evidence": evidence,
            }
        )

        assert set(fields) == {"categories.0", "evidence.method", "evidence.collected_at"}

    @pytest.mark.parametrize("field", ["source", "review_id", "tenant_id", "idempotency_key"])
    def test_fields_that_are_not_the_platforms_to_set_are_refused(self, field) -> None:
        fields = refused_fields({"phone": "+12175550142", "action": "opt_out", field: "x"})
        assert set(fields) == {field}
