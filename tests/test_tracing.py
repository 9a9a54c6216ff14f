"""One trace per flow: the HTTP request, the event it publishes and every consumer of it; a
message's from the platform's request to Twilio, its later status callbacks linked to it."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_messaging.app import create_app as create_messaging
from a2p_messaging.settings import MessagingSettings
from a2p_optout.app import create_app as create_optout
from a2p_optout.settings import OptoutSettings
from a2p_shared.events import (
    MessageSentV1,
    MessageStatusV1,
    OptInRecordedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.testing.kafka import produce, read_topic
from a2p_shared.testing.telemetry import RecordedTelemetry
from a2p_shared.testing.waiting import eventually
from a2p_shared.traces import PHONE, hashed_phone
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import serve
from a2p_validator.app import create_app as create_validator
from a2p_validator.settings import ValidatorSettings

from tests.support import (
    Infra,
    IssueKey,
    RunService,
    ancestry,
    free_port,
    listening,
    onboarded,
    register_numbers,
)
from tests.test_intake_consent import EVIDENCE

pytestmark = pytest.mark.infra


def consumers_of(topic: str, spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [
        s
        for s in spans
        if s.kind is SpanKind.CONSUMER
        and s.attributes.get("messaging.destination_publish.name") == topic
    ]


async def test_http_request_publish_and_consumers_in_other_services_are_one_trace(
    infra: Infra,
    run_service: RunService,
    issue_key: IssueKey,
    tenant: str,
    registration_document: dict,
) -> None:
    key = await issue_key(tenant)
    topic = infra.topics.of(RegistrationSubmittedV1)
    async with (
        run_service(create_intake, infra.settings(IntakeSettings)) as intake,
        run_service(create_validator, infra.settings(ValidatorSettings)) as validator,
    ):
        posted = await intake.http.post(
            f"/v1/tenants/{tenant}/registrations", json=registration_document, headers=key.headers
        )
        assert posted.status_code == 202

        (validator_span,) = await eventually(consumed(topic, validator.recorded))
        (projection_span,) = await eventually(consumed(topic, intake.recorded))

    intake_spans = intake.recorded.spans()
    (server,) = [s for s in intake_spans if s.kind is SpanKind.SERVER and s.parent is None]
    producers = [s for s in intake_spans if s.kind is SpanKind.PRODUCER]
    trace_id = server.context.trace_id
    assert producers
    assert {p.attributes.get("messaging.destination.name") for p in producers} == {topic}
    assert {p.context.trace_id for p in producers} == {trace_id}
    assert validator_span.context.trace_id == trace_id
    assert projection_span.context.trace_id == trace_id
    # Each consumer continues from the publish (context carried in the record's headers), and
    # the registration id is on every messaging span as the conversation id.
    producer_ids = {p.context.span_id for p in producers}
    registration_id = posted.json()["registration_id"]
    for consumer in (validator_span, projection_span):
        assert consumer.parent is not None
        assert consumer.parent.span_id in producer_ids
        assert consumer.attributes.get("messaging.message.conversation_id") == registration_id


async def test_a_platform_trace_carried_on_the_intake_topic_continues_through_the_flow(
    infra: Infra, run_service: RunService, tenant: str, registration_document: dict
) -> None:
    platform_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    traceparent = f"00-{platform_trace}-00f067aa0ba902b7-01".encode()
    value = json.dumps({"tenant_id": tenant, "registration": registration_document}).encode()
    topic = infra.topics.of(RegistrationSubmittedV1)
    async with (
        run_service(create_intake, infra.settings(IntakeSettings)) as intake,
        run_service(create_validator, infra.settings(ValidatorSettings)) as validator,
    ):
        await produce(
            infra.kafka_bootstrap,
            infra.topics.named(INTAKE_REGISTRATIONS),
            value,
            key=tenant.encode(),
            headers=[("traceparent", traceparent)],
        )
        (validator_span,) = await eventually(consumed(topic, validator.recorded))

    intake_trace_ids = {s.context.trace_id for s in intake.recorded.spans()}
    assert intake_trace_ids == {int(platform_trace, 16)}
    assert validator_span.context.trace_id == int(platform_trace, 16)


def consumed(
    topic: str, recorded: RecordedTelemetry
) -> Callable[[], Awaitable[list[ReadableSpan]]]:
    async def probe() -> list[ReadableSpan]:
        return consumers_of(topic, recorded.spans())

    return probe


# --- a message -------------------------------------------------------------------------------

PERSON = "+12175550142"
TENANT_NUMBER = "+12175550100"
TEXT = "Your pothole report #311 was fixed today. Reply STOP to opt out."
FINAL = {"delivered", "undelivered", "failed"}


async def test_a_message_is_one_trace_from_the_request_to_twilio_and_its_callbacks_link_to_it(
    infra: Infra, run_service: RunService, issue_key: IssueKey, tenant: str, mongo_db: Any
) -> None:
    key = await issue_key(tenant)
    port = free_port()
    async with serve() as emulator:
        twilio = twilio_client(TwilioSettings(api_url=emulator.url))
        try:
            hooks = {"inbound_request_url": f"http://127.0.0.1:{port}/twilio/inbound"}
            await onboarded(twilio, tenant, [TENANT_NUMBER], **hooks)
        finally:
            await close_twilio_client(twilio)
        messaging_settings = infra.settings(
            MessagingSettings, public_url=f"http://127.0.0.1:{port}"
        )
        async with (
            run_service(create_intake, infra.settings(IntakeSettings)) as intake,
            run_service(
                create_messaging,
                messaging_settings,
                twilio_settings=TwilioSettings(api_url=emulator.url),
            ) as messaging,
            listening(messaging.app, port),
            run_service(create_optout, infra.settings(OptoutSettings)) as optout,
        ):
            await register_numbers(infra, mongo_db, {TENANT_NUMBER: tenant})
            opted_in = await intake.http.post(
                f"/v1/tenants/{tenant}/consent",
                json={
                    "phone": PERSON,
                    "action": "opt_in",
                    "categories": ["transactional"],
                    "evidence": EVIDENCE,
                },
                headers={**key.headers, "Idempotency-Key": "form-1"},
            )
            assert opted_in.status_code == 202, opted_in.text
            await read_topic(infra.kafka_bootstrap, infra.topics.of(OptInRecordedV1), expect=1)
            posted = await intake.http.post(
                f"/v1/tenants/{tenant}/messages",
                json={"to": PERSON, "body": TEXT, "category": "transactional"},
                headers={**key.headers, "Idempotency-Key": "send-1"},
            )
            assert posted.status_code == 202, posted.text
            (sent,) = await read_topic(
                infra.kafka_bootstrap, infra.topics.of(MessageSentV1), expect=1
            )
            statuses = await read_topic(
                infra.kafka_bootstrap, infra.topics.of(MessageStatusV1), expect=4, within=30
            )
            assert FINAL & {json.loads(s.value)["payload"]["status"] for s in statuses}

    message_id = posted.json()["message_id"]
    sid = json.loads(sent.value)["payload"]["twilio_sid"]
    spans = [*intake.recorded.spans(), *messaging.recorded.spans(), *optout.recorded.spans()]
    by_id = {s.context.span_id: s for s in spans}
    (request,) = [
        s
        for s in intake.recorded.spans()
        if s.kind is SpanKind.SERVER and s.attributes.get("http.route", "").endswith("/messages")
    ]
    root = request.context.trace_id

    # The decision: one span per request, in the platform's request's trace, with what an SRE
    # searches by; the facts it rested on on its child.
    (send,) = [s for s in messaging.recorded.spans() if s.name == "messaging send"]
    assert send.context.trace_id == root
    assert {k: send.attributes.get(k) for k in SEND_ATTRIBUTES} == {
        "a2p.tenant.id": tenant,
        "a2p.message.id": message_id,
        "a2p.message.category": "transactional",
        "a2p.message.purpose": "campaign",
        "a2p.message.outcome": "message.sent",
        "a2p.twilio.sid": sid,
    }
    (decide,) = [s for s in messaging.recorded.spans() if s.name == "messaging decide"]
    assert decide.parent is not None
    assert decide.parent.span_id == send.context.span_id
    assert {
        k: decide.attributes.get(k)
        for k in ("a2p.consent.state", "a2p.message.decision", "a2p.sender.tier")
    } == {
        "a2p.consent.state": "opted_in",
        "a2p.message.decision": "send",
        "a2p.sender.tier": "STANDARD",
    }
    # ...linked to the batch it arrived in, a trace of its own.
    (batch_link,) = [link for link in send.links if link.attributes.get("a2p.link") == "batch"]
    assert by_id[batch_link.context.span_id].kind is SpanKind.CONSUMER

    # The chain from Twilio's call back to the HTTP request crosses both services.
    (call,) = [
        s
        for s in messaging.recorded.spans()
        if s.name.startswith("twilio POST") and s.attributes["url.path"].endswith("/Messages.json")
    ]
    assert call.attributes["http.response.status_code"] == 201
    chain = ancestry(call, by_id)
    assert chain[:2] == [call, send]
    assert chain[-1] is request
    assert set(chain[2:]) <= set(intake.recorded.spans())
    assert any(s.kind is SpanKind.PRODUCER for s in chain), "the publish of message.requested"
    stored = {
        s.attributes.get("db.collection.name")
        for s in messaging.recorded.spans()
        if send in ancestry(s, by_id)[1:] and s.name.startswith("mongodb ")
    }
    assert {"messages", "daily_segments"} <= stored
    outcome_topic = infra.topics.of(MessageSentV1)
    published = [
        s
        for s in messaging.recorded.spans()
        if s.kind is SpanKind.PRODUCER
        and s.attributes.get("messaging.destination.name") == outcome_topic
    ]
    assert published
    assert all(send in ancestry(p, by_id) for p in published)

    # Twilio's callbacks arrive later, each a trace of its own linked to the send.
    callbacks = [
        s
        for s in messaging.recorded.spans()
        if s.kind is SpanKind.SERVER and s.attributes.get("http.route") == "/twilio/status"
    ]
    assert len(callbacks) == len(statuses)
    for callback in callbacks:
        assert callback.context.trace_id != root
        assert (callback.attributes["a2p.message.id"], callback.attributes["a2p.twilio.sid"]) == (
            message_id,
            sid,
        )
        assert [link.context.span_id for link in callback.links] == [send.context.span_id]
    assert FINAL & {c.attributes["a2p.message.status"] for c in callbacks}
    # Webhook latency is measured by route, with the status the webhook answered.
    latency = {
        (a["http.route"], a["http.response.status_code"]): count
        for a, count in messaging.recorded.points("http.server.request.duration")
    }
    assert latency[("/twilio/status", 200)] == len(callbacks)

    # No phone number, no text in any attribute, event or link of any of it; the phone's hash is.
    values = [
        str(value)
        for s in spans
        for attributes in (
            s.attributes,
            *(e.attributes for e in s.events),
            *(link.attributes for link in s.links),
        )
        for value in (attributes or {}).values()
    ] + [s.name for s in spans]
    assert [v for v in values if PHONE.search(v) or "pothole" in v] == []
    assert any(hashed_phone(PERSON) in v for v in values)


SEND_ATTRIBUTES = (
    "a2p.tenant.id",
    "a2p.message.id",
    "a2p.message.category",
    "a2p.message.purpose",
    "a2p.message.outcome",
    "a2p.twilio.sid",
)
