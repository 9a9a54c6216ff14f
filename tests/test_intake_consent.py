"""Intake's consent API on real Kafka and MongoDB: what a platform backend and its staff see.

The optout service is not running here: the tests publish the consent and review events it
would publish, and read the commands intake publishes for it.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from a2p_shared.dead_letter import DeadLetter
from a2p_shared.events import (
    ConsentAction,
    ConsentEvidence,
    ConsentReviewRequestedV1,
    Envelope,
    OptInRecordedV1,
    OptOutRecordedV1,
    RecordConsent,
)
from a2p_shared.events.registration import Category
from a2p_shared.events.topics import INTAKE_CONSENT
from a2p_shared.kafka import event_headers, event_key
from a2p_shared.testing.kafka import produce, read_topic
from a2p_shared.testing.waiting import eventually

from tests.support import Infra, IssueKey, Running

pytestmark = pytest.mark.infra

PHONE = "+12175550142"
TENANT_NUMBER = "+12175550100"
AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
EVIDENCE = {
    "method": "web_form",
    "text": "Yes, text me updates about my service requests. Reply STOP to stop.",
    "text_version": "2026-10",
    "url": "https://springfield.example/alerts",
    "collected_at": "2026-11-24T09:30:00Z",
}


async def commands(infra: Infra, expect: int, settle: float = 0.0) -> list[Any]:
    """The records on `a2p.intake.consent`, where the optout service reads them."""
    return await read_topic(
        infra.kafka_bootstrap,
        infra.topics.named(INTAKE_CONSENT),
        expect=expect,
        within=10 if expect else 1.5,
        settle=settle,
    )


async def publish_event(infra: Infra, envelope: Envelope[Any], raw: bytes | None = None) -> None:
    """An event as the optout service publishes it: keyed `tenant:+1E164`, with its headers."""
    await produce(
        infra.kafka_bootstrap,
        infra.topics.of(type(envelope.payload)),
        raw if raw is not None else envelope.model_dump_json().encode(),
        key=event_key(envelope),
        headers=[(name, value.encode()) for name, value in event_headers(envelope).items()],
    )


def consent_path(tenant: str, phone: str = "") -> str:
    return f"/v1/tenants/{tenant}/consent" + (f"/{phone}" if phone else "")


def reviews_path(tenant: str, review_id: str = "") -> str:
    return f"/v1/tenants/{tenant}/consent-reviews" + (f"/{review_id}" if review_id else "")


class TestRecordConsent:
    async def test_an_opt_in_is_published_as_the_platforms_command(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        body = {
            "phone": "(217) 555-0142",
            "action": "opt_in",
            "categories": ["transactional"],
            "evidence": EVIDENCE,
        }

        posted = await intake.http.post(
            consent_path(tenant), json=body, headers={**key.headers, "Idempotency-Key": "form-1"}
        )

        assert posted.status_code == 202, posted.text
        assert posted.json() == {
            "tenant_id": tenant,
            "phone": PHONE,
            "action": "opt_in",
            "status": "accepted",
            "idempotency_key": "form-1",
        }
        (record,) = await commands(infra, expect=1)
        assert record.key == f"{tenant}:{PHONE}".encode()
        assert RecordConsent.model_validate_json(record.value) == RecordConsent(
            tenant_id=tenant,
            phone=PHONE,
            action=ConsentAction.OPT_IN,
            categories=[Category.TRANSACTIONAL],
            evidence=ConsentEvidence.model_validate(EVIDENCE),
            source="platform",
            idempotency_key="form-1",
        )

    async def test_a_retried_post_without_a_key_is_the_same_command(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        body = {"phone": PHONE, "action": "opt_out"}

        first = await intake.http.post(consent_path(tenant), json=body, headers=key.headers)
        again = await intake.http.post(consent_path(tenant), json=body, headers=key.headers)
        other = await intake.http.post(
            consent_path(tenant), json={**body, "phone": "+12175550143"}, headers=key.headers
        )

        assert (first.status_code, again.status_code, other.status_code) == (202, 202, 202)
        assert first.json()["idempotency_key"] == again.json()["idempotency_key"]
        assert other.json()["idempotency_key"] != first.json()["idempotency_key"]
        records = await commands(infra, expect=3)
        sent = [RecordConsent.model_validate_json(r.value) for r in records]
        assert sent[0] == sent[1]
        assert sent[0].idempotency_key == first.json()["idempotency_key"]
        assert (sent[0].action, sent[0].source, sent[0].evidence) == ("opt_out", "platform", None)

    async def test_an_incomplete_opt_in_names_every_field_and_publishes_nothing(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)

        posted = await intake.http.post(
            consent_path(tenant),
            json={"phone": "555-0142", "action": "opt_in"},
            headers=key.headers,
        )
        no_text = await intake.http.post(
            consent_path(tenant),
            json={
                "phone": PHONE,
                "action": "opt_in",
                "categories": ["promotional"],
                "evidence": {"method": "call", "collected_at": "2026-11-24T09:30:00Z"},
            },
            headers=key.headers,
        )

        assert (posted.status_code, no_text.status_code) == (422, 422)
        reasons = {error["field"]: error["reason"] for error in posted.json()["errors"]}
        assert set(reasons) == {"phone", "categories", "evidence"}
        assert "needs its categories" in reasons["categories"]
        assert "needs its evidence" in reasons["evidence"]
        assert [error["field"] for error in no_text.json()["errors"]] == ["evidence.text"]
        assert await commands(infra, expect=0) == []

    async def test_source_and_review_are_not_the_platforms_to_set(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)

        posted = await intake.http.post(
            consent_path(tenant),
            json={
                "phone": PHONE,
                "action": "opt_out",
                "source": "staff_review",
                "review_id": "SM1",
            },
            headers=key.headers,
        )

        assert posted.status_code == 422
        assert {error["field"] for error in posted.json()["errors"]} == {"source", "review_id"}
        assert await commands(infra, expect=0) == []

    async def test_only_a_key_for_the_tenant_may_record_its_consent(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        theirs = await issue_key(f"{tenant}-other")
        body = {"phone": PHONE, "action": "opt_out"}

        forbidden = await intake.http.post(consent_path(tenant), json=body, headers=theirs.headers)
        anonymous = await intake.http.post(consent_path(tenant), json=body)

        assert (forbidden.status_code, anonymous.status_code) == (403, 401)
        assert await commands(infra, expect=0) == []


def opted_in(tenant: str, at: datetime) -> Envelope[OptInRecordedV1]:
    return Envelope.new(
        OptInRecordedV1(
            phone=PHONE,
            source="platform",
            recorded_at=at,
            categories=[Category.TRANSACTIONAL],
            evidence=ConsentEvidence.model_validate(EVIDENCE),
        ),
        tenant_id=tenant,
        correlation_id="form-1",
    )


def opted_out(tenant: str, at: datetime) -> Envelope[OptOutRecordedV1]:
    return Envelope.new(
        OptOutRecordedV1(
            phone=PHONE,
            source="keyword",
            keyword="STOP",
            via_number=TENANT_NUMBER,
            message_sid="SM0000000000000000000000000000stop",
            recorded_at=at,
        ),
        tenant_id=tenant,
        correlation_id="SM0000000000000000000000000000stop",
    )


class TestConsentExport:
    async def test_every_change_is_shown_once_in_the_order_it_happened(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        opt_in, opt_out = opted_in(tenant, AT), opted_out(tenant, AT + timedelta(days=3))

        for event in (opt_in, opt_in, opt_out, opt_out):
            await publish_event(infra, event)

        async def both_changes() -> dict[str, Any] | None:
            shown = await intake.http.get(consent_path(tenant, PHONE), headers=key.headers)
            body = shown.json()
            return body if shown.status_code == 200 and body["state"] == "opted_out" else None

        body = await eventually(both_changes)
        assert (body["tenant_id"], body["phone"], body["categories"]) == (tenant, PHONE, [])
        assert body["updated_at"] == opt_out.payload.recorded_at.isoformat().replace("+00:00", "Z")
        history = body["history"]
        assert [(c["event_id"], c["state"]) for c in history] == [
            (str(opt_in.event_id), "opted_in"),
            (str(opt_out.event_id), "opted_out"),
        ]
        assert history[0]["source"] == "platform"
        assert history[0]["categories"] == ["transactional"]
        assert history[0]["evidence"]["text"] == EVIDENCE["text"]
        assert (history[1]["keyword"], history[1]["via_number"]) == ("STOP", TENANT_NUMBER)
        assert history[1]["message_sid"] == opt_out.payload.message_sid
        formatted = await intake.http.get(
            consent_path(tenant, "(217) 555-0142"), headers=key.headers
        )
        assert formatted.json() == body

    async def test_nothing_recorded_is_404_and_a_bad_number_is_422(
        self, intake: Running, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)

        unknown = await intake.http.get(consent_path(tenant, PHONE), headers=key.headers)
        malformed = await intake.http.get(consent_path(tenant, "12345"), headers=key.headers)

        assert unknown.status_code == 404
        assert malformed.status_code == 422
        assert [e["field"] for e in malformed.json()["errors"]] == ["phone (path)"]

    async def test_a_tenant_never_sees_another_tenants_consent(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        neighbour = f"{tenant}-neighbour"
        ours, theirs = await issue_key(tenant), await issue_key(neighbour)
        await publish_event(infra, opted_out(tenant, AT))
        await eventually(
            lambda: _ok(intake.http.get(consent_path(tenant, PHONE), headers=ours.headers))
        )

        with_their_key = await intake.http.get(consent_path(tenant, PHONE), headers=theirs.headers)
        at_their_tenant = await intake.http.get(
            consent_path(neighbour, PHONE), headers=theirs.headers
        )

        assert with_their_key.status_code == 403
        assert at_their_tenant.status_code == 404

    async def test_an_undecodable_record_is_dead_lettered_and_the_next_one_projected(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        broken = opted_out(tenant, AT)
        raw = broken.model_dump_json().replace('"keyword"', '"shouting"', 1).encode()

        await publish_event(infra, broken, raw=raw)
        await publish_event(infra, opted_in(tenant, AT + timedelta(hours=1)))

        shown = await eventually(
            lambda: _ok(intake.http.get(consent_path(tenant, PHONE), headers=key.headers))
        )
        assert [c["state"] for c in shown["history"]] == ["opted_in"]
        dead_topic = infra.topics.dead_letter(infra.topics.of(OptOutRecordedV1))
        (record,) = await read_topic(infra.kafka_bootstrap, dead_topic, expect=1, within=15)
        letter = DeadLetter.from_record(record.key, record.value, record.headers)
        assert letter.value == raw
        assert letter.key == f"{tenant}:{PHONE}".encode()
        assert [error.field for error in letter.errors] == ["optout.recorded.payload.source"]


async def _ok(request: Any) -> Any:
    response = await request
    return response.json() if response.status_code == 200 else None


def review_requested(tenant: str, review_id: str, at: datetime = AT) -> Any:
    return Envelope.new(
        ConsentReviewRequestedV1(
            review_id=review_id,
            phone=PHONE,
            via_number=TENANT_NUMBER,
            body="please stop texting me so much",
            received_at=at,
            reason="asks for fewer texts; not a plain opt-out",
        ),
        tenant_id=tenant,
        correlation_id=review_id,
    )


async def listed(
    intake: Running, tenant: str, headers: dict[str, str], status: str = "open"
) -> list[dict[str, Any]]:
    response = await intake.http.get(
        reviews_path(tenant), params={"status": status}, headers=headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["reviews"])


class TestConsentReviews:
    async def test_requested_reviews_are_listed_open_newest_first_once_each(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        older, newer = (
            review_requested(tenant, "SM1"),
            review_requested(tenant, "SM2", AT.replace(hour=11)),
        )

        for event in (older, newer, older):
            await publish_event(infra, event)

        async def both() -> list[dict[str, Any]] | None:
            found = await listed(intake, tenant, key.headers)
            return found if len(found) >= 2 else None

        reviews = await eventually(both)
        assert [r["review_id"] for r in reviews] == ["SM2", "SM1"]
        assert reviews[1] == {
            "review_id": "SM1",
            "status": "open",
            "phone": PHONE,
            "via_number": TENANT_NUMBER,
            "body": "please stop texting me so much",
            "received_at": "2026-11-24T09:30:00Z",
            "reason": "asks for fewer texts; not a plain opt-out",
            "decision": None,
            "note": None,
            "resolved_by": None,
            "resolved_at": None,
        }
        limited = await intake.http.get(
            reviews_path(tenant), params={"limit": 1}, headers=key.headers
        )
        assert [r["review_id"] for r in limited.json()["reviews"]] == ["SM2"]
        assert await listed(intake, tenant, key.headers, "resolved") == []
        bad = await intake.http.get(
            reviews_path(tenant), params={"status": "pending"}, headers=key.headers
        )
        assert [e["field"] for e in bad.json()["errors"]] == ["status (query)"]

    async def test_an_opt_out_decision_publishes_the_staff_opt_out_and_resolves_the_review(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant, platform="springfield-311")
        await publish_event(infra, review_requested(tenant, "SM7"))
        await eventually(lambda: listed(intake, tenant, key.headers))

        decided = await intake.http.post(
            reviews_path(tenant, "SM7"),
            json={"decision": "opt_out", "note": "clearly wants no more texts"},
            headers=key.headers,
        )

        assert decided.status_code == 200, decided.text
        assert "Idempotent-Replayed" not in decided.headers
        (record,) = await commands(infra, expect=1)
        assert record.key == f"{tenant}:{PHONE}".encode()
        assert RecordConsent.model_validate_json(record.value) == RecordConsent(
            tenant_id=tenant,
            phone=PHONE,
            action=ConsentAction.OPT_OUT,
            source="staff_review",
            review_id="SM7",
            idempotency_key="review:SM7",
        )
        (resolved,) = await listed(intake, tenant, key.headers, "resolved")
        assert resolved == decided.json()
        assert (resolved["status"], resolved["decision"], resolved["resolved_by"]) == (
            "resolved",
            "opt_out",
            "springfield-311",
        )
        assert resolved["note"] == "clearly wants no more texts"
        assert resolved["resolved_at"]
        assert await listed(intake, tenant, key.headers) == []

        again = await intake.http.post(
            reviews_path(tenant, "SM7"), json={"decision": "opt_out"}, headers=key.headers
        )
        changed_mind = await intake.http.post(
            reviews_path(tenant, "SM7"), json={"decision": "keep"}, headers=key.headers
        )
        assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
        assert again.json() == resolved
        assert changed_mind.status_code == 409
        assert len(await commands(infra, expect=1, settle=1.0)) == 1

    async def test_keep_resolves_the_review_and_publishes_nothing(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)
        await publish_event(infra, review_requested(tenant, "SM8"))
        await eventually(lambda: listed(intake, tenant, key.headers))

        kept = await intake.http.post(
            reviews_path(tenant, "SM8"), json={"decision": "keep"}, headers=key.headers
        )

        assert kept.status_code == 200
        assert kept.json()["decision"] == "keep"
        assert [r["review_id"] for r in await listed(intake, tenant, key.headers, "all")] == ["SM8"]
        assert await commands(infra, expect=0) == []

    async def test_a_decision_must_be_one_of_the_two(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        key = await issue_key(tenant)

        posted = await intake.http.post(
            reviews_path(tenant, "SM9"), json={"decision": "maybe"}, headers=key.headers
        )
        unknown = await intake.http.post(
            reviews_path(tenant, "SM9"), json={"decision": "keep"}, headers=key.headers
        )

        assert posted.status_code == 422
        assert [e["field"] for e in posted.json()["errors"]] == ["decision"]
        assert unknown.status_code == 404

    async def test_another_tenant_can_neither_see_nor_resolve_a_review(
        self, intake: Running, infra: Infra, issue_key: IssueKey, tenant: str
    ) -> None:
        neighbour = f"{tenant}-neighbour"
        ours, theirs = await issue_key(tenant), await issue_key(neighbour)
        await publish_event(infra, review_requested(tenant, "SM5"))
        await eventually(lambda: listed(intake, tenant, ours.headers))

        their_list = await listed(intake, neighbour, theirs.headers, "all")
        at_their_tenant = await intake.http.post(
            reviews_path(neighbour, "SM5"), json={"decision": "opt_out"}, headers=theirs.headers
        )
        at_our_tenant = await intake.http.post(
            reviews_path(tenant, "SM5"), json={"decision": "opt_out"}, headers=theirs.headers
        )
        our_list_with_their_key = await intake.http.get(
            reviews_path(tenant), headers=theirs.headers
        )

        assert their_list == []
        assert at_their_tenant.status_code == 404
        assert (at_our_tenant.status_code, our_list_with_their_key.status_code) == (403, 403)
        assert [r["status"] for r in await listed(intake, tenant, ours.headers)] == ["open"]
        assert await commands(infra, expect=0) == []
