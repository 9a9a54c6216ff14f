"""`a2p_shared.events.topics`: topic names, partition layout and record keys.

`a2p_shared.kafka.event_key` is tested here too: it is where the key rules meet the envelopes.
"""

from datetime import UTC, datetime
from typing import Any

import pytest

from a2p_shared.events import (
    CATALOGUE,
    BrandApprovedV1,
    Envelope,
    EventPayload,
    InboundMessageV1,
    MessageRequestedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    PolicyValidatedV1,
    RegistrationSubmittedV1,
    topic_of,
)
from a2p_shared.events.consent import ConsentSource
from a2p_shared.events.topics import (
    DEAD_LETTER_SUFFIX,
    INTAKE_CONSENT,
    INTAKE_REGISTRATIONS,
    PHONE_PARTITIONS,
    REGISTRATION_PARTITIONS,
    all_topics,
    dead_letter_topic,
    tenant_key,
    tenant_phone_key,
    topic_for,
    with_suffix,
)
from a2p_shared.kafka import Topics, event_key

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _has_subject_phone(payload_cls: type[EventPayload]) -> bool:
    return isinstance(getattr(payload_cls, "subject_phone", None), property)


class TestTopicFor:
    def test_a_type_and_version_make_a_versioned_topic_name(self) -> None:
        assert topic_for("registration.submitted", 1) == "a2p.registration.submitted.v1"

    def test_the_version_is_part_of_the_name(self) -> None:
        assert topic_for("message.requested", 2) == "a2p.message.requested.v2"

    @pytest.mark.parametrize("payload_cls", [OptOutRecordedV1, OptInRecordedV1])
    def test_both_consent_events_share_the_consent_topic(self, payload_cls: type) -> None:
        assert topic_of(payload_cls) == "a2p.consent.v1"

    def test_topic_of_uses_the_payload_class(self) -> None:
        assert topic_of(PolicyValidatedV1) == "a2p.policy.validated.v1"


class TestCatalogueCoverage:
    @pytest.mark.parametrize("payload_cls", CATALOGUE, ids=lambda cls: cls.__name__)
    def test_every_event_has_its_topic(self, payload_cls: type[EventPayload]) -> None:
        names = {spec.name for spec in all_topics()}

        assert topic_of(payload_cls) in names

    @pytest.mark.parametrize("payload_cls", CATALOGUE, ids=lambda cls: cls.__name__)
    def test_an_events_topic_is_keyed_the_way_its_payload_is(
        self, payload_cls: type[EventPayload]
    ) -> None:
        """Phone-keyed topics carry payloads about one person, tenant-keyed ones do not."""
        spec = {s.name: s for s in all_topics()}[topic_of(payload_cls)]

        expected = "tenant_phone" if _has_subject_phone(payload_cls) else "tenant"
        assert spec.key == expected

    def test_the_intake_topics_are_listed(self) -> None:
        specs = {s.name: s for s in all_topics()}

        assert specs[INTAKE_REGISTRATIONS].key == "tenant"
        assert specs[INTAKE_CONSENT].key == "tenant_phone"


class TestCompaction:
    def test_exactly_one_topic_is_compacted_and_it_is_the_consent_topic(self) -> None:
        compacted = [spec.name for spec in all_topics() if spec.compacted]

        assert compacted == ["a2p.consent.v1"]


class TestDeadLetterTopics:
    def test_every_data_topic_has_a_dlq_twin(self) -> None:
        specs = all_topics()
        names = {spec.name for spec in specs}
        data = [spec.name for spec in specs if not spec.name.endswith(DEAD_LETTER_SUFFIX)]

        assert data
        assert [name for name in data if name + ".dlq" not in names] == []

    def test_dlq_topics_have_no_dlq_of_their_own(self) -> None:
        names = {spec.name for spec in all_topics()}

        assert not any(name.endswith(".dlq.dlq") for name in names)

    def test_dlq_topics_are_one_partition_keyed_by_source_and_not_compacted(self) -> None:
        dlqs = [spec for spec in all_topics() if spec.name.endswith(DEAD_LETTER_SUFFIX)]

        assert dlqs
        assert {(s.key, s.partitions, s.compacted, s.dead_letter) for s in dlqs} == {
            ("source", 1, False, False)
        }

    def test_dead_letter_topic_appends_dlq(self) -> None:
        assert dead_letter_topic("a2p.consent.v1.t1") == "a2p.consent.v1.t1.dlq"

    def test_names_are_unique(self) -> None:
        names = [spec.name for spec in all_topics("x")]

        assert len(names) == len(set(names)) == 2 * 21


class TestSuffix:
    def test_a_suffix_is_applied_to_every_name(self) -> None:
        plain = all_topics()
        suffixed = all_topics("t1a2")

        assert len(suffixed) == len(plain)
        for before, after in zip(plain, suffixed, strict=True):
            if before.name.endswith(DEAD_LETTER_SUFFIX):
                base = before.name.removesuffix(DEAD_LETTER_SUFFIX)
                assert after.name == f"{base}.t1a2.dlq"
            else:
                assert after.name == f"{before.name}.t1a2"

    def test_no_suffix_leaves_names_unchanged(self) -> None:
        assert with_suffix("a2p.consent.v1", "") == "a2p.consent.v1"

    def test_topics_of_a_deployment_carry_its_suffix(self) -> None:
        topics = Topics("t1a2")

        assert topics.of(OptOutRecordedV1) == "a2p.consent.v1.t1a2"
        assert topics.named(INTAKE_REGISTRATIONS) == "a2p.intake.registrations.t1a2"
        assert topics.dead_letter(topics.of(OptOutRecordedV1)) == "a2p.consent.v1.t1a2.dlq"


class TestPartitions:
    def test_defaults_give_phone_keyed_topics_more_partitions(self) -> None:
        specs = {s.name: s for s in all_topics()}

        assert specs["a2p.registration.submitted.v1"].partitions == REGISTRATION_PARTITIONS
        assert specs["a2p.message.requested.v1"].partitions == PHONE_PARTITIONS
        assert PHONE_PARTITIONS > REGISTRATION_PARTITIONS

    def test_an_override_applies_to_every_topic_of_its_key_kind_only(self) -> None:
        specs = all_topics(partitions={"tenant": 7})

        by_kind: dict[str, set[int]] = {}
        for spec in specs:
            by_kind.setdefault(spec.key, set()).add(spec.partitions)
        assert by_kind == {"tenant": {7}, "tenant_phone": {PHONE_PARTITIONS}, "source": {1}}

    def test_overrides_for_both_kinds_apply_together(self) -> None:
        specs = {s.name: s for s in all_topics("s", partitions={"tenant": 2, "tenant_phone": 12})}

        assert specs["a2p.policy.validated.v1.s"].partitions == 2
        assert specs["a2p.consent.v1.s"].partitions == 12
        assert specs["a2p.consent.v1.s"].compacted


class TestKeys:
    def test_tenant_key_is_the_tenant_id_in_utf8(self) -> None:
        assert tenant_key("springfield-il") == b"springfield-il"

    def test_tenant_phone_key_joins_tenant_and_number_with_a_colon(self) -> None:
        assert tenant_phone_key("springfield-il", "+12175550142") == b"springfield-il:+12175550142"


def _envelope(payload: EventPayload) -> Envelope[Any]:
    return Envelope.new(payload, tenant_id="springfield-il", correlation_id="flow-1")


class TestEventKey:
    def test_a_message_request_is_keyed_by_tenant_and_recipient(self) -> None:
        payload = MessageRequestedV1(
            message_id="m1",
            to="(217) 555-0142",
            idempotency_key="k1",
            body="Hi",
            category="transactional",
        )

        assert event_key(_envelope(payload)) == b"springfield-il:+12175550142"

    def test_an_inbound_message_is_keyed_by_tenant_and_sender(self) -> None:
        payload = InboundMessageV1(
            message_sid="SM1",
            from_number="+12175550142",
            to_number="+12175550100",
            body="STOP",
            received_at=NOW,
        )

        assert event_key(_envelope(payload)) == b"springfield-il:+12175550142"

    def test_an_opt_out_is_keyed_by_tenant_and_person(self) -> None:
        payload = OptOutRecordedV1(
            phone="+12175550142",
            source=ConsentSource.KEYWORD,
            keyword="STOP",
            via_number="+12175550100",
            recorded_at=NOW,
        )

        assert event_key(_envelope(payload)) == b"springfield-il:+12175550142"

    def test_an_opt_in_has_the_same_key_as_the_opt_out_it_replaces(self) -> None:
        opt_out = OptOutRecordedV1(phone="+12175550142", source="keyword", recorded_at=NOW)
        opt_in = OptInRecordedV1(
            phone="+12175550142", source="keyword", recorded_at=NOW, categories=["transactional"]
        )

        assert event_key(_envelope(opt_in)) == event_key(_envelope(opt_out))

    def test_a_registration_event_is_keyed_by_tenant(
        self, registration_document: dict[str, Any]
    ) -> None:
        payload = RegistrationSubmittedV1(
            registration_id="reg-1", revision=1, request=registration_document, channel="http"
        )

        assert event_key(_envelope(payload)) == b"springfield-il"

    def test_a_brand_event_is_keyed_by_tenant(self) -> None:
        payload = BrandApprovedV1(registration_id="reg-1", revision=1, brand_sid="BN1")

        assert event_key(_envelope(payload)) == b"springfield-il"
