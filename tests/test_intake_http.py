"""The intake HTTP API on real Kafka and MongoDB: what a platform backend sees."""

import json
from typing import Any

import pytest

from a2p_shared.events import Envelope, RegistrationSubmittedV1
from a2p_shared.testing.kafka import read_topic

from tests.support import Infra, IssueKey, Running

pytestmark = pytest.mark.infra


def path(tenant: str, registration_id: str = "") -> str:
    base = f"/v1/tenants/{tenant}/registrations"
    return f"{base}/{registration_id}" if registration_id else base


async def submitted_events(infra: Infra, expect: int, settle: float = 0.0) -> list[Any]:
    return await read_topic(
        infra.kafka_bootstrap,
        infra.topics.of(RegistrationSubmittedV1),
        expect=expect,
        within=10 if expect else 1.5,
        settle=settle,
    )


async def test_valid_registration_is_accepted_published_and_shown_submitted(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant, platform="springfield-311")

    posted = await intake.http.post(path(tenant), json=registration_document, headers=key.headers)

    assert posted.status_code == 202, posted.text
    registration_id = posted.json()["registration_id"]
    assert posted.headers["Location"] == path(tenant, registration_id)
    shown = await intake.http.get(posted.headers["Location"], headers=key.headers)
    assert shown.status_code == 200
    body = shown.json()
    assert (body["tenant_id"], body["status"], body["channel"]) == (tenant, "submitted", "http")
    assert [entry["status"] for entry in body["timeline"]] == ["submitted"]
    assert body["request"]["brand"]["ein"] == "12-3456789"

    (record,) = await submitted_events(infra, expect=1)
    event = Envelope[RegistrationSubmittedV1].model_validate_json(record.value)
    assert record.key == tenant.encode()
    assert (event.tenant_id, event.correlation_id) == (tenant, registration_id)
    assert event.payload.registration_id == registration_id
    assert event.payload.platform_id == "springfield-311"
    assert str(event.event_id) == body["timeline"][0]["event_id"]
    assert event.payload.request.numbers == ["+12175550100", "+12175550101"]


async def test_input_is_normalised_before_it_is_stored(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    registration_document["brand"]["ein"] = "123456789"
    registration_document["numbers"] = ["(217) 555-0100"]

    posted = await intake.http.post(path(tenant), json=registration_document, headers=key.headers)

    assert posted.status_code == 202, posted.text
    assert posted.json()["request"]["brand"]["ein"] == "12-3456789"
    assert posted.json()["request"]["numbers"] == ["+12175550100"]


async def test_invalid_registration_lists_every_field_and_writes_nothing(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    registration_document["brand"]["ein"] = "12-345"
    registration_document["brand"]["address"]["region"] = "ZZ"
    registration_document["brand"]["website"] = "ftp://springfield.example"
    registration_document["representative"]["phone"] = "+442071234567"
    registration_document["campaign"]["use_case"] = "SPAM"
    del registration_document["policies"]

    posted = await intake.http.post(path(tenant), json=registration_document, headers=key.headers)

    assert posted.status_code == 422
    body = posted.json()
    assert body["error"] == "invalid_request"
    fields = {error["field"] for error in body["errors"]}
    assert fields >= {
        "brand.ein",
        "brand.address.region",
        "brand.website",
        "representative.phone",
        "campaign.use_case",
        "policies",
    }
    assert all(error["reason"] for error in body["errors"])
    listed = await intake.http.get(path(tenant), headers=key.headers)
    assert listed.json() == {"registrations": []}
    assert await submitted_events(infra, expect=0) == []


async def test_body_that_is_not_json_is_refused_as_a_whole(
    intake: Running, issue_key: IssueKey, tenant: str
) -> None:
    key = await issue_key(tenant)

    posted = await intake.http.post(
        path(tenant),
        content=b'{"brand": {',
        headers={**key.headers, "Content-Type": "application/json"},
    )

    assert posted.status_code == 422
    assert [error["field"] for error in posted.json()["errors"]] == ["(body)"]


async def test_oversized_body_is_refused_before_it_is_read(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    registration_document["campaign"]["description"] = "x" * 300_000

    posted = await intake.http.post(path(tenant), json=registration_document, headers=key.headers)

    assert posted.status_code == 413
    assert posted.json()["error"] == "content_too_large"


async def test_same_idempotency_key_twice_makes_one_registration_and_one_event(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    headers = {**key.headers, "Idempotency-Key": "order-42"}

    first = await intake.http.post(path(tenant), json=registration_document, headers=headers)
    again = await intake.http.post(path(tenant), json=registration_document, headers=headers)

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["registration_id"] == first.json()["registration_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listed = await intake.http.get(path(tenant), headers=key.headers)
    assert len(listed.json()["registrations"]) == 1
    assert len(await submitted_events(infra, expect=1, settle=1.0)) == 1


async def test_same_idempotency_key_with_another_body_is_a_conflict(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    headers = {**key.headers, "Idempotency-Key": "order-43"}
    first = await intake.http.post(path(tenant), json=registration_document, headers=headers)
    registration_document["brand"]["legal_name"] = "City of Shelbyville"

    second = await intake.http.post(path(tenant), json=registration_document, headers=headers)

    assert first.status_code == 202
    assert second.status_code == 409
    shown = await intake.http.get(path(tenant, first.json()["registration_id"]), headers=headers)
    assert shown.json()["request"]["brand"]["legal_name"] == "City of Springfield"


async def test_without_a_key_nothing_is_written(
    intake: Running, infra: Infra, tenant: str, registration_document: dict
) -> None:
    for headers in ({}, {"Authorization": "Bearer a2p_nope.nope"}, {"Authorization": "Basic x"}):
        posted = await intake.http.post(path(tenant), json=registration_document, headers=headers)
        assert posted.status_code == 401, headers
        assert posted.headers["WWW-Authenticate"] == "Bearer"
    assert await submitted_events(infra, expect=0) == []


async def test_a_key_acts_only_for_its_tenants(
    intake: Running, infra: Infra, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    other = f"{tenant}-other"
    key = await issue_key(other)

    posted = await intake.http.post(path(tenant), json=registration_document, headers=key.headers)
    listed = await intake.http.get(path(tenant), headers=key.headers)

    assert (posted.status_code, listed.status_code) == (403, 403)
    assert await submitted_events(infra, expect=0) == []


async def test_a_revoked_key_stops_working(
    intake: Running, issue_key: IssueKey, tenant: str, mongo_db: Any
) -> None:
    from a2p_intake import service
    from a2p_intake.adapters.mongo_store import MongoApiKeyStore
    from a2p_shared.clock import SystemClock

    key = await issue_key(tenant)
    assert (await intake.http.get(path(tenant), headers=key.headers)).status_code == 200

    assert await service.revoke_api_key(MongoApiKeyStore(mongo_db), SystemClock(), key.key_id)

    assert (await intake.http.get(path(tenant), headers=key.headers)).status_code == 401


async def test_tenants_never_see_each_others_registrations(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    neighbour = f"{tenant}-neighbour"
    ours, theirs = await issue_key(tenant), await issue_key(neighbour)
    both = await issue_key(tenant, neighbour)
    posted = await intake.http.post(path(tenant), json=registration_document, headers=ours.headers)
    registration_id = posted.json()["registration_id"]

    through_their_path = await intake.http.get(
        path(neighbour, registration_id), headers=theirs.headers
    )
    with_a_key_for_both = await intake.http.get(
        path(neighbour, registration_id), headers=both.headers
    )
    their_list = await intake.http.get(path(neighbour), headers=theirs.headers)

    assert through_their_path.status_code == 404
    assert with_a_key_for_both.status_code == 404
    assert their_list.json() == {"registrations": []}
    assert (await intake.http.get(path(tenant, registration_id), headers=both.headers)).is_success


async def test_the_same_idempotency_key_at_two_tenants_is_two_registrations(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    neighbour = f"{tenant}-neighbour"
    key = await issue_key(tenant, neighbour)
    headers = {**key.headers, "Idempotency-Key": "shared-key"}

    ours = await intake.http.post(path(tenant), json=registration_document, headers=headers)
    theirs = await intake.http.post(path(neighbour), json=registration_document, headers=headers)

    assert (ours.status_code, theirs.status_code) == (202, 202)
    assert ours.json()["registration_id"] != theirs.json()["registration_id"]


async def test_a_tenants_registrations_are_listed_newest_first_within_a_limit(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict
) -> None:
    key = await issue_key(tenant)
    ids = []
    for attempt in range(3):
        headers = {**key.headers, "Idempotency-Key": f"list-{attempt}"}
        posted = await intake.http.post(path(tenant), json=registration_document, headers=headers)
        ids.append(posted.json()["registration_id"])

    listed = await intake.http.get(path(tenant), params={"limit": 2}, headers=key.headers)
    too_many = await intake.http.get(path(tenant), params={"limit": 0}, headers=key.headers)

    assert listed.status_code == 200
    assert [r["registration_id"] for r in listed.json()["registrations"]] == ids[::-1][:2]
    assert too_many.status_code == 422
    assert [e["field"] for e in too_many.json()["errors"]] == ["limit (query)"]


async def test_openapi_page_and_document_are_served(intake: Running) -> None:
    docs = await intake.http.get("/docs")
    spec = await intake.http.get("/openapi.json")

    assert docs.status_code == 200
    assert "/v1/tenants/{tenant_id}/registrations" in spec.json()["paths"]
    assert json.dumps(spec.json()).count("Idempotency-Key") >= 1
