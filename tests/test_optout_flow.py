"""The optout service on real Kafka and MongoDB: people's texts (as the messaging service's
webhook publishes them) become consent records on the compacted topic, replies to send and
staff reviews; tenant-wide, tenant-isolated, once per person even with several instances.
"""

import asyncio
import json
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from pymongo import AsyncMongoClient

from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_optout.app import create_app as create_optout
from a2p_optout.settings import OptoutSettings
from a2p_shared.events import (
    ConsentReviewRequestedV1,
    Envelope,
    InboundMessageV1,
    MessageFailedV1,
    MessageRequestedV1,
    OptOutRecordedV1,
    Purpose,
    RecordConsent,
    RegistrationSubmittedV1,
)
from a2p_shared.events.topics import INTAKE_CONSENT
from a2p_shared.kafka import Topics, event_key, tenant_phone_key
from a2p_shared.testing.kafka import read_topic

from tests.support import Infra, RunService

pytestmark = pytest.mark.infra

NUMBER_A, NUMBER_B = "+12175550100", "+12175550101"
OTHER_TENANT_NUMBER = "+13175550100"


class Texts:
    """Publishes what the messaging service's webhook would: one inbound.message per text."""

    def __init__(self, infra: Infra) -> None:
        self.infra, self.sent = infra, 0

    def event(
        self, tenant: str, person: str, body: str, to: str = NUMBER_A
    ) -> Envelope[InboundMessageV1]:
        self.sent += 1
        sid = f"SM{self.infra.unique[:8]}{self.sent:024d}"
        return Envelope.new(
            InboundMessageV1(
                message_sid=sid,
                from_number=person,
                to_number=to,
                body=body,
                received_at=datetime.now(UTC),
            ),
            tenant_id=tenant,
            correlation_id=sid,
        )

    async def publish(self, *events: Envelope[Any]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.infra.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(
                    self.infra.topics.of(type(event.payload)),
                    event.model_dump_json().encode(),
                    key=event_key(event),
                )
        finally:
            await producer.stop()

    async def text(self, tenant: str, person: str, body: str, to: str = NUMBER_A) -> None:
        await self.publish(self.event(tenant, person, body, to))


async def records(
    infra: Infra, payload_cls: type[Any], expect: int, settle: float = 1.5
) -> list[Envelope[Any]]:
    found: list[ConsumerRecord[bytes, bytes]] = await read_topic(
        infra.kafka_bootstrap, infra.topics.of(payload_cls), expect=expect, settle=settle
    )
    return [Envelope[payload_cls].model_validate_json(r.value) for r in found]  # type: ignore[valid-type]


def optout(run_service: RunService, infra: Infra) -> Any:
    return run_service(create_optout, infra.settings(OptoutSettings))


async def test_stop_to_one_number_opts_out_of_the_whole_tenant_and_no_other(
    infra: Infra, run_service: RunService, tenant: str
) -> None:
    texts, person, other_tenant = Texts(infra), "+12175550142", f"{tenant}-other"
    async with optout(run_service, infra):
        await texts.text(tenant, person, "STOP", to=NUMBER_B)
        await texts.text(other_tenant, person, "hello", to=OTHER_TENANT_NUMBER)
        changes = await records(infra, OptOutRecordedV1, expect=1)
        replies = await records(infra, MessageRequestedV1, expect=2)

    [change] = changes
    assert change.tenant_id == tenant
    assert change.payload.via_number == NUMBER_B
    consent_records = await read_topic(
        infra.kafka_bootstrap, infra.topics.of(OptOutRecordedV1), expect=1
    )
    assert consent_records[0].key == tenant_phone_key(tenant, person)
    by_tenant = {(r.tenant_id, r.payload.purpose) for r in replies}
    assert by_tenant == {
        (tenant, Purpose.OPTOUT_CONFIRMATION),
        (other_tenant, Purpose.FIRST_CONTACT),
    }


async def test_two_stops_one_record_one_confirmation_then_start(
    infra: Infra, run_service: RunService, tenant: str
) -> None:
    texts, person = Texts(infra), "+12175550143"
    async with optout(run_service, infra):
        for body, to in (("STOP", NUMBER_A), ("stop.", NUMBER_B), ("HELP", NUMBER_A)):
            await texts.text(tenant, person, body, to)
        await texts.text(tenant, person, "START", NUMBER_A)
        consent = await read_topic(
            infra.kafka_bootstrap, infra.topics.of(OptOutRecordedV1), expect=2, settle=1.5
        )
        replies = await records(infra, MessageRequestedV1, expect=2)

    types = [json.loads(r.value)["type"] for r in consent]
    assert types == ["optout.recorded", "optin.recorded"], "the latest record is the opt-in"
    assert [r.payload.purpose for r in replies] == [
        Purpose.OPTOUT_CONFIRMATION,
        Purpose.OPTIN_CONFIRMATION,
    ]


async def test_the_first_contact_reply_goes_once_per_person_across_two_instances(
    infra: Infra, run_service: RunService, tenant: str, kafka_bootstrap: str
) -> None:
    # Four partitions, two instances in one group, the second joining halfway (a rebalance),
    # and every text delivered twice.
    suffix = f"{infra.unique}p"
    specs = await ensure_topics_async(
        kafka_bootstrap, suffix=suffix, partitions={"tenant": 2, "tenant_phone": 4}
    )
    wide = Infra(kafka_bootstrap, infra.mongodb_url, suffix, Topics(suffix))
    settings = wide.settings(OptoutSettings)
    people = [f"+1217555{n:04d}" for n in range(300, 320)]
    texts = Texts(wide)
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(run_service(create_optout, settings))
            for round_ in range(2):
                if round_ == 1:
                    await stack.enter_async_context(run_service(create_optout, settings))
                events = [texts.event(tenant, p, f"question {round_}") for p in people]
                await texts.publish(*events, *events)
            replies = await records(wide, MessageRequestedV1, expect=len(people), settle=3.0)
    finally:
        await delete_topics_async(kafka_bootstrap, [spec.name for spec in specs])
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
        await client.drop_database(suffix)
        await client.close()

    first_contact = [r for r in replies if r.payload.purpose is Purpose.FIRST_CONTACT]
    assert sorted(r.payload.to for r in first_contact) == people
    assert len(replies) == len(people), "nothing but one first-contact reply per person"


async def test_reasonable_means_reviews_and_a_staff_decision(
    infra: Infra,
    run_service: RunService,
    tenant: str,
    registration_document: dict[str, Any],
) -> None:
    texts, person = Texts(infra), "+12175550144"
    registration = Envelope.new(
        RegistrationSubmittedV1(
            registration_id="reg-1",
            revision=1,
            request={**registration_document, "messaging": {"opt_out_mode": "reasonable_means"}},
            channel="http",
        ),
        tenant_id=tenant,
        correlation_id="reg-1",
    )
    async with optout(run_service, infra):
        await texts.publish(registration)
        await asyncio.sleep(1.0)  # the profile is kept before the person texts
        await texts.text(tenant, person, "wrong number", NUMBER_B)
        [review] = await records(infra, ConsentReviewRequestedV1, expect=1)
        decision = RecordConsent(
            tenant_id=tenant,
            phone=person,
            action="opt_out",
            source="staff_review",
            review_id=review.payload.review_id,
            idempotency_key="review:1",
        )
        await _produce_command(infra, decision)
        [change] = await records(infra, OptOutRecordedV1, expect=1)
        replies = await records(infra, MessageRequestedV1, expect=2)

    assert review.payload.body == "wrong number"
    assert change.payload.source == "staff_review"
    assert change.payload.message_sid == review.payload.review_id
    assert [r.payload.purpose for r in replies] == [
        Purpose.FIRST_CONTACT,
        Purpose.OPTOUT_CONFIRMATION,
    ]
    assert replies[1].payload.from_number == NUMBER_B


async def test_twilios_21610_is_written_to_the_consent_topic(
    infra: Infra, run_service: RunService, tenant: str
) -> None:
    texts, person = Texts(infra), "+12175550145"
    failed = Envelope.new(
        MessageFailedV1(
            message_id="msg-1",
            to=person,
            twilio_code=21610,
            detail="Attempt to send to unsubscribed recipient",
            from_number=NUMBER_A,
        ),
        tenant_id=tenant,
        correlation_id="msg-1",
    )
    async with optout(run_service, infra):
        await texts.publish(failed, failed)
        changes = await records(infra, OptOutRecordedV1, expect=1)

    [change] = changes
    assert (change.payload.source, change.payload.via_number) == ("carrier", NUMBER_A)


async def _produce_command(infra: Infra, command: RecordConsent) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            infra.topics.named(INTAKE_CONSENT),
            command.model_dump_json().encode(),
            key=tenant_phone_key(command.tenant_id, command.phone),
        )
    finally:
        await producer.stop()
