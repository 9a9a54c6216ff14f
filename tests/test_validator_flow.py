"""A submitted registration comes back validated, findings in its projection, in one trace.

Intake and the validator run on the session's real Kafka and MongoDB; the tenant's website,
privacy policy and terms are served by a local HTTP server under the tenant's own host name.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from opentelemetry.trace import SpanKind

from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_shared.events import Envelope, RegistrationSubmittedV1
from a2p_shared.events.policy import PolicyValidatedV1
from a2p_shared.testing.kafka import read_topic
from a2p_shared.testing.waiting import eventually
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.app import create_app as create_validator
from a2p_validator.settings import ValidatorSettings

from tests.sites import serve_pages, shelbyville, to_loopback
from tests.support import Infra, IssueKey, RunService

pytestmark = pytest.mark.infra

WITHOUT_NON_SHARING = "/privacy-shares"


@pytest.fixture
async def site() -> AsyncIterator[int]:
    """The tenant's pages on 127.0.0.1; yields the port."""
    pages = dict(shelbyville.PAGES)
    pages[WITHOUT_NON_SHARING] = (
        pages["/privacy"]
        .replace("No mobile information will be shared", "Information may be shared")
        .replace("will not be shared with\nany third parties", "may be shared with partners")
    )
    async with serve_pages(pages) as port:
        yield port


def registration_on(port: int) -> dict[str, Any]:
    text = json.dumps(shelbyville.registration())
    return json.loads(text.replace(f"{shelbyville.HOST}/", f"{shelbyville.HOST}:{port}/"))


async def test_submitted_registrations_come_back_validated_with_findings_in_one_trace(
    infra: Infra, run_service: RunService, issue_key: IssueKey, tenant: str, site: int
) -> None:
    key = await issue_key(tenant)
    compliant = registration_on(site)
    defective = registration_on(site)
    defective["policies"]["privacy_policy_url"] = compliant["policies"][
        "privacy_policy_url"
    ].replace("/privacy", WITHOUT_NON_SHARING)
    fetcher = HttpPageFetcher(allow_private_network=True, resolver=to_loopback)
    async with (
        run_service(create_intake, infra.settings(IntakeSettings)) as intake,
        run_service(
            create_validator, infra.settings(ValidatorSettings), fetcher=fetcher
        ) as validator,
    ):
        ids = []
        for idempotency_key, document in (("ok", compliant), ("bad", defective)):
            posted = await intake.http.post(
                f"/v1/tenants/{tenant}/registrations",
                json=document,
                headers={**key.headers, "Idempotency-Key": idempotency_key},
            )
            assert posted.status_code == 202, posted.text
            ids.append(posted.json()["registration_id"])

        async def both_validated() -> list[dict[str, Any]] | None:
            shown = [
                (
                    await intake.http.get(
                        f"/v1/tenants/{tenant}/registrations/{rid}", headers=key.headers
                    )
                ).json()
                for rid in ids
            ]
            return shown if all(r["validation"] for r in shown) else None

        passed, failed = await eventually(both_validated)

        async def intake_consumed_the_verdict() -> bool:
            return any(
                s.kind is SpanKind.CONSUMER
                and s.attributes.get("messaging.destination_publish.name")
                == infra.topics.of(PolicyValidatedV1)
                for s in intake.recorded.spans()
            )

        await eventually(intake_consumed_the_verdict)

    assert passed["status"] == "validated"
    assert passed["validation"]["verdict"] == "pass"
    assert [f for f in passed["validation"]["findings"] if f["severity"] == "block"] == []
    assert {fee["item"] for fee in passed["validation"]["fees"]} == {
        "brand_registration",
        "campaign_vetting",
    }
    assert [t["status"] for t in passed["timeline"]] == ["submitted", "validated"]

    assert failed["status"] == "changes_required"
    blocking = [f for f in failed["validation"]["findings"] if f["severity"] == "block"]
    assert {f["rule"] for f in blocking} >= {"PP-03"}
    pp03 = next(f for f in blocking if f["rule"] == "PP-03")
    assert (pp03["field"], pp03["twilio_code"]) == ("policies.privacy_policy_url", 30919)
    assert "third parties" in pp03["fix"]
    assert [t["status"] for t in failed["timeline"]] == ["submitted", "changes_required"]
    assert failed["timeline"][1]["detail"]["blocking"] == len(blocking)

    records = await read_topic(infra.kafka_bootstrap, infra.topics.of(PolicyValidatedV1), expect=2)
    verdicts = {
        event.payload.registration_id: event
        for event in (Envelope[PolicyValidatedV1].model_validate_json(r.value) for r in records)
    }
    assert set(verdicts) == set(ids)
    assert all(r.key == tenant.encode() for r in records)

    # One trace from the HTTP request to intake recording the verdict, per registration.
    spans = [*intake.recorded.spans(), *validator.recorded.spans()]
    for registration_id in ids:
        flow = [
            s
            for s in spans
            if s.attributes.get("messaging.message.conversation_id") == registration_id
        ]
        kinds = {
            (
                s.kind,
                s.attributes.get("messaging.destination.name")
                or s.attributes.get("messaging.destination_publish.name"),
            )
            for s in flow
        }
        assert (SpanKind.PRODUCER, infra.topics.of(RegistrationSubmittedV1)) in kinds
        assert (SpanKind.CONSUMER, infra.topics.of(RegistrationSubmittedV1)) in kinds
        assert (SpanKind.PRODUCER, infra.topics.of(PolicyValidatedV1)) in kinds
        assert (SpanKind.CONSUMER, infra.topics.of(PolicyValidatedV1)) in kinds
        assert len({s.context.trace_id for s in flow}) == 1, "the flow spans more than one trace"
