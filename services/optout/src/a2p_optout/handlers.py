"""optout's Kafka side: people's texts, platforms' consent records, registrations (for each
tenant's keywords and replies), and sends Twilio refused with 21610."""

from faststream.kafka import KafkaMessage, KafkaRouter

from a2p_optout import service
from a2p_shared.events import (
    Envelope,
    InboundMessageV1,
    MessageFailedV1,
    MessageStatusV1,
    RecordConsent,
    RegistrationCorrectedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.events.topics import INTAKE_CONSENT
from a2p_shared.kafka import Topics, kafka_router

OPTED_OUT_AT_TWILIO = 21610


def build_router(deps: service.Deps, topics: Topics, group_id: str) -> KafkaRouter:
    router = kafka_router()

    @router.subscriber(
        topics.of(InboundMessageV1),
        group_id=f"{group_id}.on_inbound",
        auto_offset_reset="earliest",
        title="on_inbound",
        description="A person's text: STOP, START, HELP, a revocation in other words, or a "
        "first text owed the first-contact reply",
    )
    async def on_inbound(event: Envelope[InboundMessageV1]) -> None:
        await service.handle_inbound(deps, event)

    @router.subscriber(
        topics.named(INTAKE_CONSENT),
        group_id=f"{group_id}.on_record_consent",
        auto_offset_reset="earliest",
        title="on_record_consent",
        description="Consent a platform collected itself, or a staff decision on a reviewed text",
    )
    async def on_record_consent(command: RecordConsent, msg: KafkaMessage) -> None:
        record = msg.raw_message
        # Without the platform's key, the record's own coordinates make redelivery harmless.
        key = command.idempotency_key or f"kafka:{record.topic}:{record.partition}:{record.offset}"
        await service.handle_recorded_consent(deps, command, f"consent:{key}")

    for payload_cls in (RegistrationSubmittedV1, RegistrationCorrectedV1):
        _remember_registrations(router, deps, topics, group_id, payload_cls)

    @router.subscriber(
        topics.of(MessageFailedV1),
        group_id=f"{group_id}.on_message_failed",
        auto_offset_reset="earliest",
        title="on_message_failed",
        description="A send Twilio refused with 21610 records a tenant-wide opt-out",
    )
    async def on_message_failed(event: Envelope[MessageFailedV1]) -> None:
        failed = event.payload
        if failed.twilio_code == OPTED_OUT_AT_TWILIO:
            await service.handle_refused_send(
                deps,
                event,
                phone=failed.to,
                via_number=failed.from_number,
                source_id=f"21610:{failed.message_id}",
            )

    @router.subscriber(
        topics.of(MessageStatusV1),
        group_id=f"{group_id}.on_message_status",
        auto_offset_reset="earliest",
        title="on_message_status",
        description="A status callback failing with 21610 records a tenant-wide opt-out",
    )
    async def on_message_status(event: Envelope[MessageStatusV1]) -> None:
        status = event.payload
        if status.error_code == OPTED_OUT_AT_TWILIO:
            await service.handle_refused_send(
                deps,
                event,
                phone=status.to,
                via_number=status.from_number,
                source_id=f"21610:{status.twilio_sid}",
            )

    return router


def _remember_registrations(
    router: KafkaRouter,
    deps: service.Deps,
    topics: Topics,
    group_id: str,
    payload_cls: type[RegistrationSubmittedV1] | type[RegistrationCorrectedV1],
) -> None:
    name = "on_" + payload_cls.event_type.replace(".", "_")

    async def remember(event: Envelope[payload_cls]) -> None:  # type: ignore[valid-type]
        await service.remember_registration(
            deps, event.tenant_id, event.payload.request, event.occurred_at
        )

    remember.__name__ = name
    router.subscriber(
        topics.of(payload_cls),
        group_id=f"{group_id}.{name}",
        auto_offset_reset="earliest",
        title=name,
        description="The tenant's keywords, replies and opt-out mode, from its latest registration",
    )(remember)
