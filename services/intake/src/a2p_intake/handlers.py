"""Intake's Kafka side: the intake topic (same use case as the HTTP API) and its projection."""

from faststream.kafka import KafkaMessage, KafkaRouter

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
    Envelope,
    EventPayload,
    NumberRegisteredV1,
    OnboardingProgressedV1,
    RegistrationSubmittedV1,
    SubmitRegistration,
)
from a2p_shared.events.policy import PolicyValidatedV1
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.kafka import Topics


def build_router(deps: IntakeDeps, topics: Topics, group_id: str) -> KafkaRouter:
    router = KafkaRouter()

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
