"""optout's Kafka subscriptions. Each decodes its event against the contract (a record that does
not fit is dead-lettered); the use cases behind them arrive with the service's own issue."""

import logging

from faststream.kafka import KafkaRouter

from a2p_shared.events import Envelope, InboundMessageV1
from a2p_shared.kafka import Topics

log = logging.getLogger(__name__)


def build_router(topics: Topics, group_id: str) -> KafkaRouter:
    router = KafkaRouter()

    @router.subscriber(
        topics.of(InboundMessageV1),
        group_id=f"{group_id}.on_inbound",
        auto_offset_reset="earliest",
        title="on_inbound",
    )
    async def on_inbound(event: Envelope[InboundMessageV1]) -> None:
        log.info(
            "%s %s for %s: keyword handling arrives with issue #5",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    return router
