"""validator's Kafka side: every submitted or corrected revision gets one `policy.validated`."""

from dataclasses import dataclass

from faststream.kafka import KafkaRouter

from a2p_shared.events import Envelope, RegistrationCorrectedV1, RegistrationSubmittedV1
from a2p_shared.fees import FeeTable
from a2p_shared.kafka import Topics, kafka_router
from a2p_validator import service
from a2p_validator.ports import EventPublisher, PageFetcher, ValidationStore


@dataclass(frozen=True, slots=True)
class ValidatorDeps:
    validations: ValidationStore
    events: EventPublisher
    fetcher: PageFetcher
    fees: FeeTable


def build_router(deps: ValidatorDeps, topics: Topics, group_id: str) -> KafkaRouter:
    router = kafka_router()

    @router.subscriber(
        topics.of(RegistrationSubmittedV1),
        group_id=f"{group_id}.on_submitted",
        auto_offset_reset="earliest",
        title="on_submitted",
        description="Checks a new registration against every compliance rule",
    )
    async def on_submitted(event: Envelope[RegistrationSubmittedV1]) -> None:
        await service.validate_revision(
            deps.validations, deps.events, deps.fetcher, deps.fees, event
        )

    @router.subscriber(
        topics.of(RegistrationCorrectedV1),
        group_id=f"{group_id}.on_corrected",
        auto_offset_reset="earliest",
        title="on_corrected",
        description="Checks a corrected revision of a registration",
    )
    async def on_corrected(event: Envelope[RegistrationCorrectedV1]) -> None:
        await service.validate_revision(
            deps.validations, deps.events, deps.fetcher, deps.fees, event
        )

    return router
