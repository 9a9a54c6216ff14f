"""Intake's Kafka side: the intake topic (same use case as the HTTP API) and its projection."""

from faststream.kafka import KafkaMessage, KafkaRouter

from a2p_intake import service
from a2p_intake.domain import IdempotencyConflict
from a2p_intake.http import IntakeDeps
from a2p_shared.dead_letter import PermanentError
from a2p_shared.events import Envelope, RegistrationSubmittedV1, SubmitRegistration
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

    return router
