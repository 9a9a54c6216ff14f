"""Intake's messages API on real Kafka and MongoDB: a platform asks for one SMS to one person.

The messaging service is not running here: the tests read `message.requested` where it would.
"""

from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from a2p_shared.events import Envelope, MessageRequestedV1, Purpose
from a2p_shared.events.registration import Category
from a2p_shared.testing.kafka import read_topic

from tests.support import Infra, IssueKey, Running

pytestmark = pytest.mark.infra

PHONE = "+12175550142"
TENANT_NUMBER = "+12175550100"
TEXT = "Your pothole report #311 was fixed today. Reply STOP to opt out."
# The namespace of intake's message ids: a client retrying across a release gets the same id.
MESSAGES = uuid5(NAMESPACE_URL, "urn:a2p:message")


def messages_path(tenant: str) -> str:
    return f"/v1/tenants/{tenant}/messages"


async def requested(infra: Infra, expect: int, settle: float = 0.0) -> list[Any]:
    """The records on `message.requested`, where the messaging service reads them."""
    return await read_topic(
        infra.kafka_bootstrap,
        infra.topics.of(MessageRequestedV1),
        expect=expect,
        within=10 if expect else 1.5,
        settle=settle,
    )


class TestRequestMessage:
    async def test_a_send_is_published_as_message_requested(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        body = {
            "to": "(217) 555-0142",
            "body": TEXT,
            "category": "transactional",
            "from_number": TENANT_NUMBER,
            "media_url": "https://springfield.example/pothole-311.jpg",
        }

        posted = await intake.http.post(
            messages_path(tenant), json=body, headers={**key.headers, "Idempotency-Key": "send-1"}
        )

        assert posted.status_code == 202, posted.text
        message_id = str(uuid5(MESSAGES, f"{tenant}:send-1"))
        assert posted.json() == {
            "message_id": message_id,
            "tenant_id": tenant,
            "to": PHONE,
            "status": "accepted",
            "idempotency_key": "send-1",
        }
        assert "Location" not in posted.headers
        (record,) = await requested(infra, expect=1, settle=1.0)
        assert record.key == f"{tenant}:{PHONE}".encode()
        event = Envelope[MessageRequestedV1].model_validate_json(record.value)
        assert event.payload == MessageRequestedV1(
            message_id=message_id,
            to=PHONE,
            idempotency_key="send-1",
            body=TEXT,
            category=Category.TRANSACTIONAL,
            purpose=Purpose.CAMPAIGN,
            from_number=TENANT_NUMBER,
            media_url="https://springfield.example/pothole-311.jpg",
        )
        assert event.event_id == uuid5(MESSAGES, f"event:{tenant}:send-1")
        assert (event.type, event.version, event.tenant_id) == ("message.requested", 1, tenant)
        assert (event.correlation_id, event.causation_id) == (message_id, None)
        headers = {name: value.decode() for name, value in record.headers}
        assert headers["a2p-event-type"] == "message.requested"
        assert headers["a2p-event-id"] == str(event.event_id)

    async def test_the_same_key_again_is_the_same_message_and_event(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        body = {"to": PHONE, "body": TEXT, "category": "promotional"}

        first, again, other = [
            await intake.http.post(
                messages_path(tenant), json=body, headers={**key.headers, "Idempotency-Key": send}
            )
            for send in ("send-1", "send-1", "send-2")
        ]

        assert (first.status_code, again.status_code, other.status_code) == (202, 202, 202)
        assert again.json() == first.json()
        assert other.json()["message_id"] != first.json()["message_id"]
        records = await requested(infra, expect=3, settle=1.0)
        events = [Envelope[MessageRequestedV1].model_validate_json(r.value) for r in records]
        assert len(events) == 3
        assert events[0].event_id == events[1].event_id != events[2].event_id
        assert events[0].payload == events[1].payload
        assert [e.payload.message_id for e in events] == [
            first.json()["message_id"],
            first.json()["message_id"],
            other.json()["message_id"],
        ]

    async def test_every_refused_field_is_named_and_nothing_is_sent(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)

        empty = await intake.http.post(
            messages_path(tenant), json={"purpose": "campaign"}, headers=key.headers
        )
        no_key = await intake.http.post(
            messages_path(tenant),
            json={"to": PHONE, "body": TEXT, "category": "transactional"},
            headers=key.headers,
        )

        assert (empty.status_code, no_key.status_code) == (422, 422)
        reasons = {error["field"]: error["reason"] for error in empty.json()["errors"]}
        assert set(reasons) == {"to", "body", "category", "purpose", "Idempotency-Key (header)"}
        assert reasons["purpose"] == "Extra inputs are not permitted"
        assert [error["field"] for error in no_key.json()["errors"]] == ["Idempotency-Key (header)"]
        assert await requested(infra, expect=0) == []

    async def test_only_a_key_for_the_tenant_may_send_for_it(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        theirs = await issue_key(f"{tenant}-other")
        body = {"to": PHONE, "body": TEXT, "category": "transactional"}
        retry = {"Idempotency-Key": "send-1"}

        forbidden = await intake.http.post(
            messages_path(tenant), json=body, headers={**theirs.headers, **retry}
        )
        anonymous = await intake.http.post(messages_path(tenant), json=body, headers=retry)

        assert (forbidden.status_code, anonymous.status_code) == (403, 401)
        assert forbidden.json()["error"] == "forbidden"
        assert await requested(infra, expect=0) == []

    async def test_the_asyncapi_document_shows_the_event(self, intake: Running) -> None:
        document = await intake.http.get("/asyncapi.yaml")

        assert document.status_code == 200
        assert "a2p.message.requested.v1" in document.text
        assert "MessageRequestedV1" in document.text
