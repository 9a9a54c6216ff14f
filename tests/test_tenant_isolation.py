"""Tenant isolation, tried on every API operation and every consumed topic, on real Kafka and
MongoDB: another tenant's key never reaches a tenant's data, and another tenant's ids never do
either, over HTTP or in an event.

The operations come from intake's OpenAPI document and the topics from each service's AsyncAPI
document, so a new route or subscription is tried without touching this file.
"""

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from a2p_shared.events import (
    ConsentReviewRequestedV1,
    ConsentSource,
    Envelope,
    EventPayload,
    OptInRecordedV1,
    RegistrationRequest,
)
from a2p_shared.events.registration import Category
from a2p_shared.kafka import event_key
from a2p_shared.testing.kafka import produce
from a2p_shared.testing.waiting import eventually

from tests.support import (
    NOW,
    NUMBER,
    PERSON,
    SERVICES,
    SID,
    Infra,
    IssueKey,
    Key,
    Running,
    RunService,
    store_key,
    subscriptions,
    valid_record,
)

pytestmark = pytest.mark.infra

REVIEW_ID = "SM" + SID


def neighbour_of(tenant: str) -> str:
    # Not `tenant` with a suffix: a document naming the neighbour must not seem to name us.
    return tenant.replace("springfield", "shelbyville")


def bodies(registration: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """A valid body for each operation that takes one, so only the tenant decides the answer.
    A new operation with a body needs one here (the test says so)."""
    base = "/v1/tenants/{tenant_id}"
    return {
        ("post", f"{base}/registrations"): registration,
        ("put", f"{base}/registrations/{{registration_id}}"): registration,
        ("post", f"{base}/consent"): {"phone": PERSON, "action": "opt_out"},
        ("post", f"{base}/consent-reviews/{{review_id}}"): {"decision": "opt_out"},
        ("post", f"{base}/messages"): {"to": PERSON, "body": "Hello", "category": "transactional"},
    }


def tenant_operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in openapi["paths"].items()
        if path.startswith("/v1/tenants/{tenant_id}")
        for method, operation in item.items()
    ]


async def call(
    intake: Running,
    method: str,
    path: str,
    tenant: str,
    ids: dict[str, str],
    key: Key | None,
    body: Any,
) -> httpx.Response:
    url = path.format(tenant_id=tenant, **ids)
    headers = {"Idempotency-Key": "isolation", **(key.headers if key else {})}
    return await intake.http.request(method, url, headers=headers, json=body)


async def snapshot(intake: Running, key: Key, tenant: str, ids: dict[str, str]) -> list[Any]:
    """Everything the tenant's own key reads of its data, through every GET."""
    seen = []
    for method, path, _ in tenant_operations(intake.app.openapi()):
        if method == "get":
            answer = await call(intake, method, path, tenant, ids, key, None)
            seen.append((path, answer.status_code, answer.json()))
    return seen


@pytest.fixture
async def ours(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> dict[str, str]:
    """The tenant's registration, consent and a review waiting for staff: its ids."""
    key = await issue_key(tenant)
    posted = await intake.http.post(
        f"/v1/tenants/{tenant}/registrations", json=registration_document, headers=key.headers
    )
    assert posted.status_code == 202, posted.text
    events: list[EventPayload] = [
        OptInRecordedV1(
            phone=PERSON,
            source=ConsentSource.KEYWORD,
            recorded_at=NOW,
            categories=[Category.PROMOTIONAL],
        ),
        ConsentReviewRequestedV1(
            review_id=REVIEW_ID,
            phone=PERSON,
            via_number=NUMBER,
            body="stop sending me promotions",
            received_at=NOW,
            reason="it may revoke consent",
        ),
    ]
    for payload in events:
        event = Envelope.new(payload, tenant_id=tenant, correlation_id="isolation")
        topic = infra.topics.of(type(payload))
        await produce(
            infra.kafka_bootstrap, topic, event.model_dump_json().encode(), key=event_key(event)
        )
    ids = {
        "registration_id": posted.json()["registration_id"],
        "phone": PERSON,
        "review_id": REVIEW_ID,
    }

    async def projected() -> bool:
        shown = await snapshot(intake, key, tenant, ids)
        return all(status == 200 for _, status, _ in shown)

    await eventually(projected)
    return ids


async def test_every_operation_refuses_another_tenants_key_and_ids(
    intake: Running,
    issue_key: IssueKey,
    tenant: str,
    ours: dict[str, str],
    registration_document: dict[str, Any],
) -> None:
    neighbour = neighbour_of(tenant)
    our_key, their_key = await issue_key(tenant), await issue_key(neighbour)
    both_key = await issue_key(tenant, neighbour)
    before = await snapshot(intake, our_key, tenant, ours)
    known = bodies(registration_document)
    operations = tenant_operations(intake.app.openapi())
    assert len(operations) >= 9

    for method, path, operation in operations:
        label = f"{method.upper()} {path}"
        takes_body = "requestBody" in operation
        assert not takes_body or (method, path) in known, f"{label}: add a valid body to bodies()"
        body = known.get((method, path))
        params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert params <= {"tenant_id", *ours}, f"{label}: add an id of ours for {params}"

        unauthenticated = await call(intake, method, path, tenant, ours, None, body)
        assert unauthenticated.status_code == 401, label

        their_key_our_path = await call(intake, method, path, tenant, ours, their_key, body)
        assert their_key_our_path.status_code == 403, label
        assert [e["field"] for e in their_key_our_path.json()["errors"]] == ["tenant_id (path)"]

        for key in (their_key, both_key):
            their_path_our_ids = await call(intake, method, path, neighbour, ours, key, body)
            answer = their_path_our_ids.text
            if params - {"tenant_id"}:
                # Our ids under their tenant name nothing, whoever's key asks.
                assert their_path_our_ids.status_code == 404, (label, answer)
            else:
                # Their own collection: empty, or their own new resource.
                assert their_path_our_ids.is_success, (label, answer)
                assert tenant not in answer, (label, answer)
            assert ours["registration_id"] not in answer, (label, answer)
            assert REVIEW_ID not in answer, (label, answer)

    assert await snapshot(intake, our_key, tenant, ours) == before


async def documents_of(db: Any, tenant: str, skip: frozenset[str]) -> dict[str, list[str]]:
    """Every stored document that mentions `tenant`, per collection, as canonical JSON."""
    found = {}
    for name in sorted(await db.list_collection_names()):
        if name in skip:
            continue
        documents = [json.dumps(d, default=str, sort_keys=True) async for d in db[name].find()]
        found[name] = sorted(d for d in documents if f'"{tenant}' in d)
    return found


# A number belongs to the tenant whose campaign Twilio last put it on: `number.registered` for
# another tenant moves it, as Twilio did (tests/test_messaging_send.py has the sends' side).
FOLLOWS_THE_LATEST_TENANT = frozenset({"numbers"})


@pytest.mark.parametrize("service", list(SERVICES))
async def test_an_event_of_another_tenant_with_our_ids_changes_nothing_of_ours(
    service: str,
    infra: Infra,
    run_service: RunService,
    mongo_db: Any,
    tenant: str,
    registration_document: dict[str, Any],
) -> None:
    """On every topic the service consumes: our events, then the same events (same registration,
    person, review, message and Twilio ids) for another tenant. Nothing stored of ours changes."""
    neighbour = neighbour_of(tenant)
    under_test = SERVICES[service]
    settings = infra.settings(under_test.settings)
    request = RegistrationRequest.model_validate(registration_document)
    async with run_service(under_test.create, settings, **under_test.adapters()) as running:
        registration_id = f"reg-{tenant}"
        if service == "intake":  # its events only ever update a registration it accepted
            registration_id = await _registered(running, mongo_db, tenant, registration_document)
        consumed = subscriptions(running.app, settings)

        async def publish_all(of: str) -> None:
            producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
            await producer.start()
            try:
                for subscription in consumed:
                    record = valid_record(subscription.base_topic, of, request, registration_id)
                    await producer.send(subscription.topic, record.value, key=record.key)
                await producer.flush()
            finally:
                await producer.stop()
            await processed_through(infra, [s.topic for s in consumed])

        await publish_all(tenant)
        before = await documents_of(mongo_db, tenant, FOLLOWS_THE_LATEST_TENANT)
        assert any(before.values()), f"{service} stored nothing of ours to protect"

        await publish_all(neighbour)
        after = await documents_of(mongo_db, tenant, FOLLOWS_THE_LATEST_TENANT)

    assert after == before


async def _registered(
    intake: Running, mongo_db: Any, tenant: str, registration_document: dict[str, Any]
) -> str:
    key = await store_key(mongo_db, tenant)
    posted = await intake.http.post(
        f"/v1/tenants/{tenant}/registrations", json=registration_document, headers=key.headers
    )
    assert posted.status_code == 202, posted.text
    return str(posted.json()["registration_id"])


async def processed_through(infra: Infra, topics: list[str]) -> None:
    """Until everything published to `topics` so far has been processed: a subscription handles
    its records in order, so once an undecodable marker sent now is in each dead-letter topic,
    every record before it was handled."""
    marker = f"processed through {uuid4()}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        for topic in topics:
            await producer.send_and_wait(topic, marker, key=b"marker")  # compacted ones need one
    finally:
        await producer.stop()
    dead = [TopicPartition(infra.topics.dead_letter(topic), 0) for topic in topics]
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(dead)
        await consumer.seek_to_beginning(*dead)
        waiting = {tp.topic for tp in dead}

        async def all_marked() -> bool:
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                if any(record.value == marker for record in records):
                    waiting.discard(tp.topic)
            return not waiting

        await eventually(all_marked, within=30, interval=0)
    finally:
        await consumer.stop()
