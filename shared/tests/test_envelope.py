"""`a2p_shared.events.envelope`: the one envelope every event travels in."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from a2p_shared.events import (
    CATALOGUE,
    BrandApprovedV1,
    Envelope,
    PolicyValidatedV1,
    RegistrationSubmittedV1,
)

TENANT = "springfield-il"


def _policy_validated(registration_id: str = "reg-1") -> PolicyValidatedV1:
    return PolicyValidatedV1(
        registration_id=registration_id, revision=1, verdict="pass", findings=[]
    )


def _policy_envelope(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "tenant_id": TENANT,
        "correlation_id": "reg-1",
        "payload": _policy_validated(),
    }
    fields.update(overrides)
    return fields


def _only_error(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, Any]:
    errors = exc.value.errors(include_url=False)
    assert len(errors) == 1, errors
    return errors[0]


class TestNew:
    def test_type_and_version_come_from_the_payload_class(self) -> None:
        envelope = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")

        assert envelope.type == "policy.validated"
        assert envelope.version == 1
        assert envelope.tenant_id == TENANT
        assert envelope.correlation_id == "reg-1"
        assert envelope.causation_id is None

    def test_the_result_is_typed_by_its_payload_class(self) -> None:
        envelope = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")

        assert type(envelope) is Envelope[PolicyValidatedV1]

    def test_a_given_event_id_is_kept(self) -> None:
        event_id = UUID("12345678-1234-5678-1234-567812345678")

        envelope = Envelope.new(
            _policy_validated(), tenant_id=TENANT, correlation_id="reg-1", event_id=event_id
        )

        assert envelope.event_id == event_id

    def test_each_new_event_gets_its_own_id(self) -> None:
        first = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")
        second = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")

        assert first.event_id != second.event_id

    def test_occurred_at_defaults_to_now_in_utc(self) -> None:
        before = datetime.now(UTC)
        envelope = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")
        after = datetime.now(UTC)

        assert envelope.occurred_at.utcoffset() == timedelta(0)
        assert before <= envelope.occurred_at <= after


class TestCausedBy:
    def test_it_copies_tenant_and_correlation_and_points_at_the_parent(self) -> None:
        parent = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")
        payload = BrandApprovedV1(registration_id="reg-1", revision=1, brand_sid="BN123")

        child = Envelope.caused_by(parent, payload)

        assert child.tenant_id == TENANT
        assert child.correlation_id == "reg-1"
        assert child.causation_id == str(parent.event_id)
        assert child.type == "brand.approved"
        assert child.version == 1
        assert child.payload == payload

    def test_the_child_has_its_own_event_id(self) -> None:
        parent = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")
        payload = BrandApprovedV1(registration_id="reg-1", revision=1, brand_sid="BN123")

        child = Envelope.caused_by(parent, payload)

        assert child.event_id != parent.event_id
        assert type(child) is Envelope[BrandApprovedV1]


class TestJsonRoundTrip:
    def test_an_envelope_decodes_back_equal_to_itself(self) -> None:
        parent = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")
        envelope = Envelope.caused_by(
            parent, BrandApprovedV1(registration_id="reg-1", revision=2, brand_sid="BN1")
        )

        decoded = Envelope[BrandApprovedV1].model_validate_json(envelope.model_dump_json())

        assert decoded == envelope
        assert decoded.causation_id == str(parent.event_id)

    def test_the_wire_form_carries_type_version_and_a_utc_timestamp(self) -> None:
        envelope = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")

        wire = json.loads(envelope.model_dump_json())

        assert wire["type"] == "policy.validated"
        assert wire["version"] == 1
        assert wire["occurred_at"].endswith("Z")

    def test_a_record_without_type_and_version_gets_them_from_the_payload_class(self) -> None:
        body = {
            "tenant_id": TENANT,
            "correlation_id": "reg-1",
            "payload": _policy_validated().model_dump(mode="json"),
        }

        decoded = Envelope[PolicyValidatedV1].model_validate_json(json.dumps(body))

        assert (decoded.type, decoded.version) == ("policy.validated", 1)

    def test_validating_a_dict_leaves_the_callers_dict_unchanged(self) -> None:
        """A decoder that tries several envelope classes on the same dict must see it intact."""
        body = {
            "tenant_id": TENANT,
            "correlation_id": "reg-1",
            "payload": _policy_validated().model_dump(mode="json"),
        }
        snapshot = json.loads(json.dumps(body))

        Envelope[PolicyValidatedV1].model_validate(body)

        assert body == snapshot


class TestOccurredAt:
    def test_an_offset_timestamp_is_normalised_to_utc(self) -> None:
        plus_two = timezone(timedelta(hours=2))

        envelope = Envelope[PolicyValidatedV1](
            **_policy_envelope(occurred_at=datetime(2025, 3, 1, 12, 0, tzinfo=plus_two))
        )

        assert envelope.occurred_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
        assert envelope.occurred_at.utcoffset() == timedelta(0)
        assert envelope.occurred_at.hour == 10

    def test_an_offset_timestamp_in_json_is_normalised_to_utc(self) -> None:
        body = json.loads(Envelope[PolicyValidatedV1](**_policy_envelope()).model_dump_json())
        body["occurred_at"] = "2025-03-01T12:00:00+02:00"

        envelope = Envelope[PolicyValidatedV1].model_validate_json(json.dumps(body))

        assert envelope.occurred_at.isoformat() == "2025-03-01T10:00:00+00:00"

    def test_a_naive_timestamp_is_refused(self) -> None:
        naive = datetime(2025, 3, 1, 12)  # noqa: DTZ001

        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1](**_policy_envelope(occurred_at=naive))

        error = _only_error(exc)
        assert error["loc"] == ("occurred_at",)
        assert "timezone" in error["msg"]

    @pytest.mark.parametrize("at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
    def test_a_time_outside_the_utc_calendar_is_a_validation_error(self, at: str) -> None:
        body = json.loads(Envelope[PolicyValidatedV1](**_policy_envelope()).model_dump_json())
        body["occurred_at"] = at

        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1].model_validate_json(json.dumps(body))

        assert _only_error(exc)["loc"] == ("occurred_at",)


class TestTypeMismatch:
    def test_a_record_of_another_type_names_both_types(self) -> None:
        record = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")

        with pytest.raises(ValidationError) as exc:
            Envelope[RegistrationSubmittedV1].model_validate_json(record.model_dump_json())

        error = _only_error(exc)
        assert error["loc"] == ("type",)
        assert "'registration.submitted' v1" in error["msg"]
        assert "'policy.validated' v1" in error["msg"]

    def test_the_type_error_comes_before_any_payload_field_error(self) -> None:
        """The payload of a policy.validated lacks every field a registration needs; only the
        type is reported."""
        record = Envelope.new(_policy_validated(), tenant_id=TENANT, correlation_id="reg-1")

        with pytest.raises(ValidationError) as exc:
            Envelope[RegistrationSubmittedV1].model_validate(record.model_dump(mode="json"))

        error = _only_error(exc)
        assert "policy.validated" in error["msg"]
        assert not any(e["loc"][:1] == ("payload",) for e in exc.value.errors())

    def test_a_record_of_another_version_is_refused(self) -> None:
        body = json.loads(
            Envelope.new(
                _policy_validated(), tenant_id=TENANT, correlation_id="r"
            ).model_dump_json()
        )
        body["version"] = 2

        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1].model_validate_json(json.dumps(body))

        error = _only_error(exc)
        assert error["loc"] == ("version",)
        assert "'policy.validated' v1" in error["msg"]
        assert "'policy.validated' v2" in error["msg"]


class TestTenantId:
    @pytest.mark.parametrize(
        ("tenant_id", "reason"),
        [
            pytest.param("", "at least 1 character", id="empty"),
            pytest.param("springfield il", "pattern", id="inner-space"),
            pytest.param(" springfield", "pattern", id="leading-space"),
            pytest.param("-springfield", "pattern", id="leading-dash"),
            pytest.param("springfield/il", "pattern", id="slash"),
            pytest.param("a" * 65, "at most 64 characters", id="65-chars"),
        ],
    )
    def test_an_invalid_tenant_id_is_refused(self, tenant_id: str, reason: str) -> None:
        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1](**_policy_envelope(tenant_id=tenant_id))

        error = _only_error(exc)
        assert error["loc"] == ("tenant_id",)
        assert reason in error["msg"]

    @pytest.mark.parametrize(
        "tenant_id",
        [
            pytest.param("a" * 64, id="64-chars"),
            pytest.param("Springfield_IL.311-prod", id="letters-digits-underscore-dot-dash"),
            pytest.param("7", id="one-digit"),
        ],
    )
    def test_a_valid_tenant_id_is_accepted(self, tenant_id: str) -> None:
        envelope = Envelope[PolicyValidatedV1](**_policy_envelope(tenant_id=tenant_id))

        assert envelope.tenant_id == tenant_id


class TestOtherEnvelopeFields:
    def test_an_empty_correlation_id_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1](**_policy_envelope(correlation_id=""))

        assert _only_error(exc)["loc"] == ("correlation_id",)

    def test_an_unknown_field_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1](**_policy_envelope(extra="x"))

        error = _only_error(exc)
        assert error["loc"] == ("extra",)
        assert error["type"] == "extra_forbidden"

    def test_an_envelope_is_immutable(self) -> None:
        envelope = Envelope[PolicyValidatedV1](**_policy_envelope())

        with pytest.raises(ValidationError) as exc:
            envelope.tenant_id = "other"  # type: ignore[misc]

        assert _only_error(exc)["type"] == "frozen_instance"


class TestJsonSchema:
    @pytest.mark.parametrize("payload_cls", CATALOGUE, ids=lambda cls: cls.__name__)
    def test_type_and_version_are_constants_of_the_payload_class(self, payload_cls: type) -> None:
        schema = Envelope[payload_cls].model_json_schema()  # type: ignore[valid-type]

        assert schema["properties"]["type"]["const"] == payload_cls.event_type
        assert schema["properties"]["version"]["const"] == payload_cls.event_version

    def test_the_catalogue_has_one_class_per_type_and_version(self) -> None:
        keys = [(cls.event_type, cls.event_version) for cls in CATALOGUE]

        assert len(keys) == len(set(keys)) == 20
