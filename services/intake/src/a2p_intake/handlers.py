"""Intake's Kafka side: the intake topic (same use case as the HTTP API), the projections, and
the consent commands intake publishes."""

import inspect
from typing import Annotated, Any

from faststream.kafka import KafkaBroker, KafkaMessage, KafkaRouter
from pydantic import BeforeValidator, Discriminator, Tag

from a2p_intake import service
from a2p_intake.domain import IdempotencyConflict
from a2p_intake.http import IntakeDeps
from a2p_shared.dead_letter import PermanentError
from a2p_shared.events import (
    BrandApprovedV1,
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    CampaignSubmittedV1,
    ConsentReviewRequestedV1,
    Envelope,
    EventPayload,
    NumberRegisteredV1,
    OnboardingProgressedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    RecordConsent,
    RegistrationSubmittedV1,
    SubmitRegistration,
)
from a2p_shared.events.envelope import field_refused
from a2p_shared.events.policy import PolicyValidatedV1
from a2p_shared.events.topics import INTAKE_CONSENT, INTAKE_REGISTRATIONS, tenant_phone_key
from a2p_shared.kafka import Topics, kafka_router


def _event_type(record: Any) -> str | None:
    return record.get("type") if isinstance(record, dict) else getattr(record, "type", None)


_CONSENT_TYPES = (OptOutRecordedV1.event_type, OptInRecordedV1.event_type)


def _a_consent_change(record: Any) -> Any:
    # Without this, a record of another type is refused by the union as a whole, naming no field.
    kind = _event_type(record)
    if isinstance(record, dict) and kind not in _CONSENT_TYPES:
        expected = " or ".join(repr(t) for t in _CONSENT_TYPES)
        raise field_refused("ConsentChanged", "type", kind, f"this topic carries {expected}")
    return record


# Opt-outs and opt-ins share the one compacted consent topic; the envelope's `type` says which.
ConsentChanged = Annotated[
    Annotated[Envelope[OptOutRecordedV1], Tag(OptOutRecordedV1.event_type)]
    | Annotated[Envelope[OptInRecordedV1], Tag(OptInRecordedV1.event_type)],
    Discriminator(_event_type),
    BeforeValidator(_a_consent_change),
]


class ConsentCommandPublisher:
    """`RecordConsent` commands on `a2p.intake.consent`, keyed `tenant:+1E164` and written as
    any platform's Kafka client would write them."""

    def __init__(self, broker: KafkaBroker, topics: Topics) -> None:
        self._publisher = broker.publisher(
            topics.named(INTAKE_CONSENT),
            title="record_consent",
            description=inspect.getdoc(RecordConsent),
            schema=RecordConsent,
        )

    async def send(self, command: RecordConsent) -> None:
        await self._publisher.publish(
            command.model_dump_json().encode(),
            key=tenant_phone_key(command.tenant_id, command.phone),
            headers={"content-type": "application/json", "a2p-tenant-id": command.tenant_id},
        )


def build_router(deps: IntakeDeps, topics: Topics, group_id: str) -> KafkaRouter:
    router = kafka_router()

    @router.subscriber(
        topics.named(INTAKE_REGISTRATIONS),
        group_id=f"{group_id}.on_intake_registration",
        auto_offset_reset="earliest",
        title="on_intake_registration",
        description="Registration requests published by platform backends",
    )
    async def on_intake_registration(command: SubmitRegistration, msg: KafkaMessage) -> None:
        record = msg.raw_message
        # Without the platform's key, the record's own coordinates make redelivery harmless.
        key = command.idempotency_key or f"kafka:{record.topic}:{record.partition}:{record.offset}"
        try:
            await service.submit_registration(
                deps.registrations,
                deps.events,
                deps.clock,
                tenant_id=command.tenant_id,
                request=command.registration,
                idempotency_key=key,
                channel="topic",
            )
        except IdempotencyConflict:
            raise PermanentError(
                "already used with a different registration", field="idempotency_key"
            ) from None

    @router.subscriber(
        topics.of(RegistrationSubmittedV1),
        group_id=f"{group_id}.on_submitted",
        auto_offset_reset="earliest",
        title="on_submitted",
    )
    async def on_submitted(event: Envelope[RegistrationSubmittedV1]) -> None:
        await service.record_submitted(deps.registrations, deps.clock, event)

    @router.subscriber(
        topics.of(PolicyValidatedV1),
        group_id=f"{group_id}.on_validated",
        auto_offset_reset="earliest",
        title="on_validated",
        description="The validator's verdict and findings join the registration projection",
    )
    async def on_validated(event: Envelope[PolicyValidatedV1]) -> None:
        await service.record_validated(deps.registrations, deps.clock, event)

    for payload_cls in ONBOARDING_EVENTS:
        _project_onboarding(router, deps, topics, group_id, payload_cls)

    @router.subscriber(
        topics.of(OptOutRecordedV1),
        group_id=f"{group_id}.on_consent_changed",
        auto_offset_reset="earliest",
        title="on_consent_changed",
        description="Opt-outs and opt-ins join the person's consent history (export, disputes)",
    )
    async def on_consent_changed(event: ConsentChanged) -> None:
        await service.record_consent_change(deps.consent, event)

    @router.subscriber(
        topics.of(ConsentReviewRequestedV1),
        group_id=f"{group_id}.on_consent_review_requested",
        auto_offset_reset="earliest",
        title="on_consent_review_requested",
        description="Texts that may revoke consent join the tenant's review list",
    )
    async def on_consent_review_requested(event: Envelope[ConsentReviewRequestedV1]) -> None:
        await service.record_review_requested(deps.reviews, event)

    return router


# The registrar's events that the registration's status, timeline, fees and findings show.
ONBOARDING_EVENTS: tuple[type[EventPayload], ...] = (
    OnboardingProgressedV1,
    BrandSubmittedV1,
    BrandApprovedV1,
    BrandFailedV1,
    CampaignSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    NumberRegisteredV1,
)


def _project_onboarding(
    router: KafkaRouter,
    deps: IntakeDeps,
    topics: Topics,
    group_id: str,
    payload_cls: type[EventPayload],
) -> None:
    name = "on_" + payload_cls.event_type.replace(".", "_")

    async def project(event: Envelope[payload_cls]) -> None:  # type: ignore[valid-type]
        await service.record_onboarding(deps.registrations, event)

    project.__name__ = name
    router.subscriber(
        topics.of(payload_cls),
        group_id=f"{group_id}.{name}",
        auto_offset_reset="earliest",
        title=name,
        description=f"{payload_cls.event_type} joins the registration's onboarding view",
    )(project)
