"""validator's Kafka subscriptions. Each decodes its event against the contract (a record that does
not fit is dead-lettered); the use cases behind them arrive with the service's own issue."""

import logging

from faststream.kafka import KafkaRouter

from a2p_shared.events import Envelope, RegistrationCorrectedV1, RegistrationSubmittedV1
from a2p_shared.kafka import Topics

log = logging.getLogger(__name__)


def build_router(topics: Topics, group_id: str) -> KafkaRouter:
    router = KafkaRouter()

    @router.subscriber(
        topics.of(RegistrationSubmittedV1),
        group_id=f"{group_id}.on_submitted",
        auto_offset_reset="earliest",
        title="on_submitted",
    )
    async def on_submitted(event: Envelope[RegistrationSubmittedV1]) -> None:
        log.info(
            "%s %s for %s: validation rules arrive with issue #3",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    @router.subscriber(
        topics.of(RegistrationCorrectedV1),
        group_id=f"{group_id}.on_corrected",
        auto_offset_reset="earliest",
        title="on_corrected",
    )
    async def on_corrected(event: Envelope[RegistrationCorrectedV1]) -> None:
        log.info(
            "%s %s for %s: validation rules arrive with issue #3",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    return router
