"""One trace per flow: the HTTP request, the event it publishes and every consumer of it."""

import json
from collections.abc import Awaitable, Callable

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_shared.events import RegistrationSubmittedV1
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.testing.kafka import produce
from a2p_shared.testing.telemetry import RecordedTelemetry
from a2p_shared.testing.waiting import eventually
from a2p_validator.app import create_app as create_validator
from a2p_validator.settings import ValidatorSettings

from tests.support import Infra, IssueKey, RunService

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
