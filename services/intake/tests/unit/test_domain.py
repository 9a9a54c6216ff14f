from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from a2p_intake import domain
from a2p_shared.events import (
    ConsentAction,
    ConsentEvidence,
    OptInRecordedV1,
    OptOutRecordedV1,
    RecordConsent,
)
from a2p_shared.events.registration import Category

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class TestRegistrationId:
    def test_same_tenant_and_key_give_the_same_id(self) -> None:
        assert domain.registration_id("t1", "k") == domain.registration_id("t1", "k")

    def test_the_same_key_at_another_tenant_gives_another_id(self) -> None:
        assert domain.registration_id("t1", "k") != domain.registration_id("t2", "k")

    def test_without_a_key_every_request_gets_a_new_id(self) -> None:
        assert domain.registration_id("t1", None) != domain.registration_id("t1", None)


class TestApiKeys:
    def test_an_issued_token_parses_back_to_its_id_and_matching_secret(self) -> None:
        issued = domain.issue_key()
        parsed = domain.parse_token(issued.token)
        assert parsed is not None
        key_id, secret = parsed
        assert key_id == issued.key_id
        assert domain.secret_matches(secret, issued.secret_sha256)

    def test_the_stored_hash_is_not_the_secret(self) -> None:
        issued = domain.issue_key()
        assert issued.token.split(".", 1)[1] not in issued.secret_sha256

    def test_a_wrong_secret_does_not_match(self) -> None:
        issued = domain.issue_key()
        assert not domain.secret_matches("guess", issued.secret_sha256)

    def test_malformed_tokens_are_not_parsed(self) -> None:
        for token in ("", "a2p_", "a2p_abc", "a2p_.secret", "a2p_id.", "sk_live_abc.def"):
            assert domain.parse_token(token) is None, token

    def test_scope_is_the_listed_tenants_or_all(self) -> None:
        assert domain.may_act_for(["t1", "t2"], "t2")
        assert not domain.may_act_for(["t1"], "t2")
        assert domain.may_act_for([domain.ALL_TENANTS], "anyone")


class TestFingerprint:
    def test_differs_when_any_field_differs(self, registration) -> None:
        changed = registration.model_copy(update={"numbers": ["+12175550199"]})
        assert domain.fingerprint(registration) != domain.fingerprint(changed)
        assert domain.fingerprint(registration) == domain.fingerprint(registration.model_copy())


class TestMessageIds:
    def test_same_tenant_and_key_give_the_same_message_and_event(self) -> None:
        assert domain.message_id("t1", "k") == domain.message_id("t1", "k")
        assert domain.message_requested_event_id("t1", "k") == (
            domain.message_requested_event_id("t1", "k")
        )

    def test_another_tenant_or_key_gives_another_message(self) -> None:
        ids = {domain.message_id("t1", "k"), domain.message_id("t2", "k")}
        assert len(ids | {domain.message_id("t1", "k2")}) == 3

    def test_the_event_id_is_not_the_message_id(self) -> None:
        assert str(domain.message_requested_event_id("t1", "k")) != domain.message_id("t1", "k")

    def test_ids_stay_the_same_across_releases(self) -> None:
        # A client retrying across a deploy must get the same message: these never change.
        assert domain.message_id("springfield-il", "send-1") == (
            "2ebfd2a2-c948-56c0-81d4-d1e41739be23"
        )
        assert str(domain.message_requested_event_id("springfield-il", "send-1")) == (
            "891e6097-7fe9-53b5-9d2a-a8b11df581d4"
        )


EVIDENCE = ConsentEvidence(
    method="web_form", text="Yes, text me about my requests", collected_at=AT
)


def opt_in(key: str | None = None, phone: str = "+12175550142") -> RecordConsent:
    return domain.platform_consent(
        "t1",
        phone=phone,
        action=ConsentAction.OPT_IN,
        categories=[Category.TRANSACTIONAL],
        evidence=EVIDENCE,
        idempotency_key=key,
    )


class TestPlatformConsent:
    def test_is_a_platform_command_for_the_tenant(self) -> None:
        command = opt_in("form-7")
        assert (command.tenant_id, command.source, command.review_id) == ("t1", "platform", None)
        assert command.idempotency_key == "form-7"

    def test_without_a_key_the_same_consent_gets_the_same_key(self) -> None:
        assert opt_in().idempotency_key == opt_in().idempotency_key
        assert opt_in().idempotency_key.startswith("sha256:")

    def test_the_key_follows_the_normalised_consent_not_its_spelling(self) -> None:
        assert opt_in(phone="(217) 555-0142").idempotency_key == opt_in().idempotency_key

    def test_another_consent_gets_another_key(self) -> None:
        assert opt_in(phone="+12175550143").idempotency_key != opt_in().idempotency_key

    def test_the_contract_refuses_an_incomplete_opt_in(self) -> None:
        with pytest.raises(ValidationError, match="needs its categories"):
            domain.platform_consent(
                "t1",
                phone="+12175550142",
                action=ConsentAction.OPT_IN,
                categories=[],
                evidence=EVIDENCE,
                idempotency_key=None,
            )


class TestConsentErrorLoc:
    @pytest.mark.parametrize(
        ("loc", "message", "expected"),
        [
            ((), "Value error, an opt-in needs its categories (…)", ("categories",)),
            ((), "Value error, an opt-in needs its evidence: how and when…", ("evidence",)),
            (
                ("evidence",),
                "Value error, evidence needs the consent text, its version, or the script",
                ("evidence", "text"),
            ),
            ((), "Value error, evidence needs the consent text, …", ("evidence", "text")),
            ((), "Value error, a staff decision names the review it resolves", ("review_id",)),
        ],
    )
    def test_cross_field_checks_name_the_field_to_fix(self, loc, message, expected) -> None:
        assert domain.consent_error_loc(loc, message) == expected

    def test_field_errors_keep_their_place(self) -> None:
        assert domain.consent_error_loc(("phone",), "needs its categories") == ("phone",)
        assert domain.consent_error_loc(("evidence",), "needs its categories") == ("evidence",)
        assert domain.consent_error_loc(("evidence",), "Field required") == ("evidence",)

    def test_every_message_of_the_contracts_checks_is_mapped(self) -> None:
        incomplete = [
            {"action": "opt_in", "evidence": EVIDENCE.model_dump()},
            {"action": "opt_in", "categories": ["promotional"]},
            {"action": "opt_out", "source": "staff_review"},
        ]
        for fields in incomplete:
            with pytest.raises(ValidationError) as refused:
                RecordConsent.model_validate({"tenant_id": "t1", "phone": "+12175550142", **fields})
            (error,) = refused.value.errors()
            assert domain.consent_error_loc(error["loc"], error["msg"]) != (), error["msg"]
        with pytest.raises(ValidationError) as refused:
            ConsentEvidence(method="call", collected_at=AT)
        (error,) = refused.value.errors()
        assert domain.consent_error_loc(("evidence",), error["msg"]) == ("evidence", "text")


class TestConsentState:
    def test_an_opt_out_leaves_no_category(self) -> None:
        change = domain.consent_state(
            OptOutRecordedV1(phone="+12175550142", source="keyword", recorded_at=AT)
        )
        assert (change.state, change.categories, change.evidence) == ("opted_out", [], None)

    def test_an_opt_in_names_its_categories_and_evidence(self) -> None:
        change = domain.consent_state(
            OptInRecordedV1(
                phone="+12175550142",
                source="platform",
                recorded_at=AT,
                categories=[Category.PROMOTIONAL],
                evidence=EVIDENCE,
            )
        )
        assert (change.state, change.categories, change.evidence) == (
            "opted_in",
            [Category.PROMOTIONAL],
            EVIDENCE,
        )


class TestReviewDecisions:
    def test_an_open_review_is_decided_now(self) -> None:
        assert not domain.is_replay(None, "opt_out")

    def test_the_same_decision_again_is_a_replay(self) -> None:
        assert domain.is_replay("keep", "keep")

    def test_another_decision_on_a_resolved_review_conflicts(self) -> None:
        with pytest.raises(domain.ReviewConflict):
            domain.is_replay("keep", "opt_out")

    def test_a_staff_opt_out_is_keyed_by_its_review(self) -> None:
        command = domain.staff_opt_out("t1", "+12175550142", "SM123")
        assert (command.action, command.source, command.review_id) == (
            ConsentAction.OPT_OUT,
            "staff_review",
            "SM123",
        )
        assert command.idempotency_key == "review:SM123"
        assert command == domain.staff_opt_out("t1", "+12175550142", "SM123")
