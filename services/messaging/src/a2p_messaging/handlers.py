"""messaging's Kafka subscriptions: requests to send (in batches, one per partition), the
`numbers` projection, and each tenant's consent rule from its registrations."""

import logging
from typing import Any

from faststream.kafka import KafkaMessage, KafkaRouter
from opentelemetry import propagate
from pydantic import ValidationError

from a2p_messaging import service
from a2p_shared.dead_letter import DeadLetters, FieldError, field_errors
from a2p_shared.events import (
    Envelope,
    MessageRequestedV1,
    NumberRegisteredV1,
    RegistrationCorrectedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.kafka import Topics, kafka_router

log = logging.getLogger(__name__)


def build_router(
    deps: service.Deps,
    sends: service.SendDeps,
    dead_letters: DeadLetters,
    topics: Topics,
    group_id: str,
    *,
    batch_max: int,
    batch_wait_ms: int,
) -> KafkaRouter:
    router = kafka_router()

    @router.subscriber(
        topics.of(MessageRequestedV1),
        group_id=f"{group_id}.on_requested",
        auto_offset_reset="earliest",
        batch=True,
        max_records=batch_max,
        batch_timeout_ms=batch_wait_ms,
        title="on_requested",
        description="Decides and sends each requested SMS: registration, consent, daily cap, "
        "Twilio; exactly one outcome per request",
    )
    async def on_requested(_: list[Any], msg: KafkaMessage) -> None:
        requests = []
        for record in msg.raw_message:  # type: ignore[union-attr]
            try:
                requests.append(
                    (record, Envelope[MessageRequestedV1].model_validate_json(record.value or b""))
                )
            except ValidationError as error:
                await dead_letters.send(record, field_errors(error))
        known = {}
        for tenant_id in {event.tenant_id for _, event in requests}:
            known[tenant_id] = await sends.sends.tenant_known(tenant_id)
        for record, event in requests:
            if not known[event.tenant_id]:
                reason = "no registration or number is known for this tenant"
                await dead_letters.send(record, [FieldError(field="tenant_id", reason=reason)])
        origins = {
            event.event_id: propagate.extract(
                {k: v.decode(errors="replace") for k, v in record.headers}
            )
            for record, event in requests
        }
        await service.decide_batch(sends, [e for _, e in requests if known[e.tenant_id]], origins)

    @router.subscriber(
        topics.of(NumberRegisteredV1),
        group_id=f"{group_id}.on_number_registered",
        auto_offset_reset="earliest",
        title="on_number_registered",
        description="Keeps the numbers projection: which tenant each live number belongs to",
    )
    async def on_number_registered(event: Envelope[NumberRegisteredV1]) -> None:
        await service.register_number(deps, event)

    for payload_cls in (RegistrationSubmittedV1, RegistrationCorrectedV1):
        _remember_rules(router, sends, topics, group_id, payload_cls)

    return router


def _remember_rules(
    router: KafkaRouter,
    sends: service.SendDeps,
    topics: Topics,
    group_id: str,
    payload_cls: type[RegistrationSubmittedV1] | type[RegistrationCorrectedV1],
) -> None:
    name = "on_" + payload_cls.event_type.replace(".", "_")

    async def remember(event: Envelope[payload_cls]) -> None:  # type: ignore[valid-type]
        await service.remember_rules(sends, event)

    remember.__name__ = name
    router.subscriber(
        topics.of(payload_cls),
        group_id=f"{group_id}.{name}",
        auto_offset_reset="earliest",
        title=name,
        description="The tenant's rule for transactional consent, from its latest registration",
    )(remember)
