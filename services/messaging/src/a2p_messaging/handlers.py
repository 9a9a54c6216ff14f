"""messaging's Kafka subscriptions. Each decodes its event against the contract (a record that does
not fit is dead-lettered); `number.registered` keeps the `numbers` projection the webhooks read,
the others' use cases arrive with the send pipeline."""

import logging

from faststream.kafka import KafkaRouter

from a2p_messaging import service
from a2p_shared.events import (
    CampaignApprovedV1,
    CampaignFailedV1,
    Envelope,
    MessageRequestedV1,
    NumberRegisteredV1,
)
from a2p_shared.kafka import Topics

log = logging.getLogger(__name__)


def build_router(deps: service.Deps, topics: Topics, group_id: str) -> KafkaRouter:
    router = KafkaRouter()

    @router.subscriber(
        topics.of(MessageRequestedV1),
        group_id=f"{group_id}.on_requested",
        auto_offset_reset="earliest",
        title="on_requested",
    )
    async def on_requested(event: Envelope[MessageRequestedV1]) -> None:
        log.info(
            "%s %s for %s: the send pipeline arrives with issue #6",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    @router.subscriber(
        topics.of(NumberRegisteredV1),
        group_id=f"{group_id}.on_number_registered",
        auto_offset_reset="earliest",
        title="on_number_registered",
        description="Keeps the numbers projection: which tenant each live number belongs to",
    )
    async def on_number_registered(event: Envelope[NumberRegisteredV1]) -> None:
        await service.register_number(deps, event)

    @router.subscriber(
        topics.of(CampaignApprovedV1),
        group_id=f"{group_id}.on_campaign_approved",
        auto_offset_reset="earliest",
        title="on_campaign_approved",
    )
    async def on_campaign_approved(event: Envelope[CampaignApprovedV1]) -> None:
        log.info(
            "%s %s for %s: sender pools arrive with issue #6",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    @router.subscriber(
        topics.of(CampaignFailedV1),
        group_id=f"{group_id}.on_campaign_failed",
        auto_offset_reset="earliest",
        title="on_campaign_failed",
    )
    async def on_campaign_failed(event: Envelope[CampaignFailedV1]) -> None:
        log.info(
            "%s %s for %s: sender pools arrive with issue #6",
            event.type,
            event.event_id,
            event.correlation_id,
        )

    return router
