"""Records no consumer can use, on every topic every service consumes, on real Kafka and MongoDB.

Each service runs in-process; the topics it consumes are read from its own AsyncAPI document, so
a new subscription is covered without touching this file. On each of them go malformed,
truncated, oversized and wrong-schema records, then one valid record, then one more bad record.
Every bad record must land on `<topic>.dlq` byte for byte, in order, with errors that name a
field and a reason, and the valid one must not. A subscription handles its records one after the
other, so the last bad record in the dead-letter topic shows that the valid one before it was
processed: the partition moved on, nothing was retried forever.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from a2p_shared.dead_letter import DeadLetter
from a2p_shared.events import (
    BlockReason,
    BrandApprovedV1,
    ConsentSource,
    Envelope,
    MessageBlockedV1,
    MessageRequestedV1,
    OptOutRecordedV1,
    RegistrationRequest,
)
from a2p_shared.events.registration import Category
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.kafka import event_key
from a2p_shared.replay import replay
from a2p_shared.testing.waiting import eventually

from tests.support import (
    NOW,
    NUMBER,
    PERSON,
    SERVICES,
    SID,
    Infra,
    Running,
    RunService,
    ValidRecord,
    register_numbers,
    subscriptions,
    valid_record,
)

pytestmark = pytest.mark.infra

# Kafka's default limit for one record (and aiokafka's for one request): an oversized record is
# as large as a platform's producer can make it, so a dead letter, which adds headers, is larger.
KAFKA_MAX_REQUEST = 1_048_576
REGISTRATION_ID = "8c5afb7d-6c10-5c4e-954d-444f99f2d65d"
AFTER_THE_VALID_ONE = b'{"tenant_id": "springfield-il", "payload": {'


def _changed(valid: ValidRecord, **fields: Any) -> bytes:
    return json.dumps({**json.loads(valid.value), **fields}).encode()


def _another_type(valid: ValidRecord) -> bytes:
    document = json.loads(valid.value)
    if not valid.envelope:  # a command topic given an event
        return (
            Envelope.new(
                BrandApprovedV1(registration_id="r", revision=1, brand_sid="BN" + SID),
                tenant_id="springfield-il",
                correlation_id="r",
            )
            .model_dump_json()
            .encode()
        )
    other = "brand.approved" if document["type"] != "brand.approved" else "brand.failed"
    return json.dumps({**document, "type": other}).encode()


def _oversized(valid: ValidRecord) -> bytes:
    # A field the contract bounds, padded until the record is as large as Kafka takes.
    field = "correlation_id" if valid.envelope else "idempotency_key"
    padding = KAFKA_MAX_REQUEST - len(valid.value) - len(valid.key) - 300
    return _changed(valid, **{field: "x" * padding})


# (id, the record, the field its dead letter must name); None: not for this kind of topic.
POISONS: list[tuple[str, Callable[[ValidRecord], bytes | None], str]] = [
    ("not-json", lambda v: b"not json at all", "(body)"),
    ("truncated", lambda v: v.value[: len(v.value) // 2], "(body)"),
    ("not-utf8", lambda v: b"\xff\xfe\x00garbage", "(body)"),
    ("not-an-object", lambda v: b"[1, 2, 3]", "(body)"),
    ("empty", lambda v: b"", "(body)"),
    ("another-type", _another_type, "type"),
    ("wrong-field-type", lambda v: _changed(v, tenant_id=42), "tenant_id"),
    (
        "time-out-of-range",
        lambda v: _changed(v, occurred_at="0001-01-01T00:00:00+05:00") if v.envelope else None,
        "occurred_at",
    ),
    ("oversized", _oversized, "correlation_id|idempotency_key"),
]


async def read_all(bootstrap: str, expect: dict[str, int], within: float = 30.0) -> dict[str, list]:
    """Every record of each topic once `expect[topic]` are there (or after `within` seconds)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, 0) for topic in expect]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        found: dict[str, list] = {topic: [] for topic in expect}

        async def arrived() -> bool:
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                found[tp.topic].extend(records)
            return all(len(found[t]) >= n for t, n in expect.items())

        await eventually(arrived, within=within, interval=0)
        return found
    finally:
        await consumer.stop()


@pytest.mark.parametrize("service", list(SERVICES))
async def test_bad_records_are_dead_lettered_byte_for_byte_and_every_partition_moves_on(
    service: str,
    infra: Infra,
    run_service: RunService,
    mongo_db: Any,
    tenant: str,
    registration_document: dict[str, Any],
) -> None:
    under_test = SERVICES[service]
    settings = infra.settings(under_test.settings)
    request = RegistrationRequest.model_validate(registration_document)
    async with run_service(under_test.create, settings, **under_test.adapters()) as running:
        consumers = subscriptions(running.app, settings)
        assert consumers, f"{service} declares no subscription"
        if service == "messaging":
            # A request is only decided for a tenant with a number; the others are dead letters.
            await register_numbers(infra, mongo_db, {NUMBER: tenant})
        sent: dict[str, list[tuple[str, bytes, str]]] = {}
        producer = AIOKafkaProducer(
            bootstrap_servers=infra.kafka_bootstrap, max_request_size=KAFKA_MAX_REQUEST
        )
        await producer.start()
        try:
            for consumer in consumers:
                valid = valid_record(consumer.base_topic, tenant, request, REGISTRATION_ID)
                for name, poison, field in POISONS:
                    value = poison(valid)
                    if value is not None:
                        await producer.send(consumer.topic, value, key=valid.key)
                        sent.setdefault(consumer.topic, []).append((name, value, field))
                await producer.send(consumer.topic, valid.value, key=valid.key)
                # Handled in order: once this one is dead-lettered, the valid one was processed.
                await producer.send(consumer.topic, AFTER_THE_VALID_ONE, key=valid.key)
                sent[consumer.topic].append(("after-the-valid-one", AFTER_THE_VALID_ONE, "(body)"))
            await producer.flush()
        finally:
            await producer.stop()

        dead = await read_all(
            infra.kafka_bootstrap,
            {infra.topics.dead_letter(topic): len(records) for topic, records in sent.items()},
        )
        sources = await read_all(infra.kafka_bootstrap, {t: len(r) + 1 for t, r in sent.items()})

    for topic, records in sent.items():
        at_source = {record.offset: record.value for record in sources[topic]}
        letters = [
            DeadLetter.from_record(r.key, r.value, r.headers)
            for r in dead[infra.topics.dead_letter(topic)]
        ]
        originals = [
            at_source[letter.source_offset] if letter.value_omitted else letter.value
            for letter in letters
        ]
        assert originals == [value for _, value, _ in records], topic
        for (name, value, field), letter in zip(records, letters, strict=True):
            if letter.value_omitted is not None:
                assert (name, letter.value_omitted) == ("oversized", len(value))
            assert (letter.source_topic, letter.service) == (topic, service), name
            assert letter.errors, (topic, name)
            assert all(error.field and error.reason for error in letter.errors), (topic, name)
            # A union's errors are placed under the member tried: `optout.recorded.tenant_id`.
            named = {error.field.rsplit(".", 1)[-1] for error in letter.errors}
            assert named & set(field.split("|")), (topic, name, letter.errors)


async def test_a_dead_letter_too_large_to_copy_is_replayed_from_its_source(
    intake: Running, infra: Infra, tenant: str, registration_document: dict[str, Any]
) -> None:
    request = RegistrationRequest.model_validate(registration_document)
    valid = valid_record(INTAKE_REGISTRATIONS, tenant, request, REGISTRATION_ID)
    topic = infra.topics.named(INTAKE_REGISTRATIONS)
    oversized = _oversized(valid)
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap, max_request_size=KAFKA_MAX_REQUEST
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, oversized, key=valid.key)
    finally:
        await producer.stop()
    [record] = (await read_all(infra.kafka_bootstrap, {infra.topics.dead_letter(topic): 1}))[
        infra.topics.dead_letter(topic)
    ]
    assert DeadLetter.from_record(record.key, record.value, record.headers).value_omitted

    await replay(infra.kafka_bootstrap, infra.topics.dead_letter(topic), group=f"{tenant}-replay")

    source = (await read_all(infra.kafka_bootstrap, {topic: 2}))[topic]
    assert [(r.key, r.value) for r in source] == [(valid.key, oversized)] * 2


async def test_the_consent_table_of_messaging_skips_what_it_cannot_read_and_reads_on(
    infra: Infra, run_service: RunService, mongo_db: Any, tenant: str
) -> None:
    """messaging reads the consent topic as a table, without a consumer group to dead-letter
    from (intake's projection of the same topic dead-letters its bad records)."""
    messaging = SERVICES["messaging"]
    settings = infra.settings(messaging.settings)
    opt_out = Envelope.new(
        OptOutRecordedV1(phone=PERSON, source=ConsentSource.KEYWORD, recorded_at=NOW),
        tenant_id=tenant,
        correlation_id="consent",
    )
    valid = ValidRecord(event_key(opt_out), opt_out.model_dump_json().encode(), envelope=True)
    request = Envelope.new(
        MessageRequestedV1(
            message_id="msg-after-poison",
            to=PERSON,
            idempotency_key="after-poison",
            body="Springfield 311: your permit is ready.",
            category=Category.TRANSACTIONAL,
        ),
        tenant_id=tenant,
        correlation_id="msg-after-poison",
    )
    async with run_service(messaging.create, settings, **messaging.adapters()):
        await register_numbers(infra, mongo_db, {NUMBER: tenant})
        producer = AIOKafkaProducer(
            bootstrap_servers=infra.kafka_bootstrap, max_request_size=KAFKA_MAX_REQUEST
        )
        await producer.start()
        try:
            consent_topic = infra.topics.of(OptOutRecordedV1)
            for _, poison, _ in POISONS:
                if (value := poison(valid)) is not None:
                    await producer.send(consent_topic, value, key=valid.key)
            await producer.send(consent_topic, valid.value, key=valid.key)
            await producer.flush()
            await producer.send_and_wait(
                infra.topics.of(MessageRequestedV1),
                request.model_dump_json().encode(),
                key=event_key(request),
            )
        finally:
            await producer.stop()

        blocked = infra.topics.of(MessageBlockedV1)
        [record] = (await read_all(infra.kafka_bootstrap, {blocked: 1}))[blocked]

    outcome = Envelope[MessageBlockedV1].model_validate_json(record.value)
    assert (outcome.payload.message_id, outcome.payload.reason) == (
        "msg-after-poison",
        BlockReason.OPTED_OUT,
    )
