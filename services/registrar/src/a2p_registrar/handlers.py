"""registrar's Kafka subscriptions. Each decodes its event against the contract (a record that does
not fit is dead-lettered); the use cases behind them arrive with the service's own issue."""

import logging

from faststream.kafka import KafkaRouter

from a2p_shared.events import Envelope, PolicyValidatedV1
from a2p_shared.kafka import Topics

log = logging.getLogger(__name__)


def build_router(topics: Topics, group_id: str) -> KafkaRouter:
    router = KafkaRouter()

    @router.subscriber(
        topics.of(PolicyValidatedV1),
        group_id=f"{group_id}.on_validated",
        auto_offset_reset="earliest",
        title="on_validated",
    )
    async def on_validated(event: Envelope[PolicyValidatedV1]) -> None:
        log.info(
            "%s %s for %s: the onboarding workflow arrives with issue #4",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    return router
