"""The intake topic on real Kafka and MongoDB: what any Kafka client publishing there gets."""

import json
from typing import Any

import pytest

from a2p_shared.dead_letter import DeadLetter
from a2p_shared.events import Envelope, RegistrationSubmittedV1
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.testing.kafka import produce, read_topic
from a2p_shared.testing.waiting import eventually

from tests.support import Infra, IssueKey, Running

pytestmark = pytest.mark.infra


def command(tenant: str, registration: dict[str, Any], key: str | None = None) -> bytes:
    body: dict[str, Any] = {"tenant_id": tenant, "registration": registration}
    if key is not None:
        body["idempotency_key"] = key
    return json.dumps(body).encode()


async def publish(infra: Infra, tenant: str, value: bytes, **kwargs: Any) -> None:
    topic = infra.topics.named(INTAKE_REGISTRATIONS)
    await produce(infra.kafka_bootstrap, topic, value, key=tenant.encode(), **kwargs)


async def registrations(intake: Running, key_headers: dict[str, str], tenant: str) -> list[dict]:
    listed = await intake.http.get(f"/v1/tenants/{tenant}/registrations", headers=key_headers)
    return list(listed.json()["registrations"])


async def submitted(intake: Running, key_headers: dict[str, str], tenant: str) -> list[dict]:
    found = await registrations(intake, key_headers, tenant)
    return found if found and all(r["status"] == "submitted" for r in found) else []


async def dead_letters(infra: Infra, expect: int) -> list[DeadLetter]:
    topic = infra.topics.dead_letter(infra.topics.named(INTAKE_REGISTRATIONS))
    records = await read_topic(infra.kafka_bootstrap, topic, expect=expect, within=15)
    return [DeadLetter.from_record(r.key, r.value, r.headers) for r in records]


async def test_a_published_registration_is_accepted_like_one_posted(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)

    await publish(infra, tenant, command(tenant, registration_document, key="crm-7"))

    (found,) = await eventually(lambda: submitted(intake, key.headers, tenant))
    assert (found["status"], found["channel"]) == ("submitted", "topic")
    (record,) = await read_topic(
        infra.kafka_bootstrap, infra.topics.of(RegistrationSubmittedV1), expect=1
    )
    event = Envelope[RegistrationSubmittedV1].model_validate_json(record.value)
    assert event.payload.registration_id == found["registration_id"]
    assert event.payload.channel == "topic"


async def test_the_same_idempotency_key_published_twice_is_one_registration(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    value = command(tenant, registration_document, key="crm-8")

    await publish(infra, tenant, value)
    await publish(infra, tenant, value)

    submitted = await read_topic(
        infra.kafka_bootstrap, infra.topics.of(RegistrationSubmittedV1), expect=1, settle=2.0
    )
    assert len(submitted) == 1
    assert len(await registrations(intake, key.headers, tenant)) == 1


async def test_an_invalid_registration_is_dead_lettered_with_its_bytes_and_every_error(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    registration_document["brand"]["ein"] = "12-345"
    registration_document["numbers"] = ["+1217555010"]
    value = command(tenant, registration_document)

    await publish(infra, tenant, value, headers=[("source", b"crm")])

    (letter,) = await dead_letters(infra, expect=1)
    assert letter.value == value
    assert letter.key == tenant.encode()
    assert letter.headers["source"] == "crm"
    assert (letter.source_topic, letter.service) == (
        infra.topics.named(INTAKE_REGISTRATIONS),
        "intake",
    )
    fields = {error.field for error in letter.errors}
    assert {"registration.brand.ein", "registration.numbers.0"} <= fields
    assert await registrations(intake, key.headers, tenant) == []


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"not json at all", id="not-json"),
        pytest.param(b'{"tenant_id": "x", "registration": {"brand"', id="truncated"),
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b"[1, 2, 3]", id="not-an-object"),
        pytest.param(b"", id="empty"),
    ],
)
async def test_undecodable_records_are_dead_lettered_byte_for_byte(
    intake: Running, infra: Infra, tenant: str, value: bytes
) -> None:
    await publish(infra, tenant, value)

    (letter,) = await dead_letters(infra, expect=1)
    assert letter.value == value
    assert [error.field for error in letter.errors] == ["(body)"]
    assert letter.errors[0].reason


async def test_a_bad_record_does_not_hold_up_the_ones_behind_it(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)

    await publish(infra, tenant, b"{oops")
    await publish(infra, tenant, command(tenant, registration_document, key="after-the-bad-one"))

    (found,) = await eventually(lambda: submitted(intake, key.headers, tenant))
    assert found["status"] == "submitted"
    assert len(await dead_letters(infra, expect=1)) == 1


async def test_a_reused_idempotency_key_with_another_body_is_dead_lettered(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    await publish(infra, tenant, command(tenant, registration_document, key="crm-9"))
    await eventually(lambda: submitted(intake, key.headers, tenant))
    registration_document["brand"]["legal_name"] = "City of Shelbyville"
    conflicting = command(tenant, registration_document, key="crm-9")

    await publish(infra, tenant, conflicting)

    (letter,) = await dead_letters(infra, expect=1)
    assert letter.value == conflicting
    assert [error.field for error in letter.errors] == ["idempotency_key"]
    (kept,) = await registrations(intake, key.headers, tenant)
    assert kept["request"]["brand"]["legal_name"] == "City of Springfield"
