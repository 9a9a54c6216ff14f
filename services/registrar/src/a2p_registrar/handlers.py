"""registrar's Kafka side: requests and verdicts arrive here; the poller does the waiting."""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from faststream.kafka import KafkaRouter

from a2p_registrar import service
from a2p_registrar.domain import AnotherTenantsRegistration
from a2p_shared.dead_letter import PermanentError
from a2p_shared.events import (
    Envelope,
    PolicyValidatedV1,
    RegistrationCorrectedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.kafka import Topics, kafka_router

log = logging.getLogger(__name__)


def build_router(deps: service.Deps, topics: Topics, group_id: str) -> KafkaRouter:
    router = kafka_router()

    @router.subscriber(
        topics.of(RegistrationSubmittedV1),
        group_id=f"{group_id}.on_submitted",
        auto_offset_reset="earliest",
        title="on_submitted",
        description="Keeps the request of each revision until validation has judged it",
    )
    async def on_submitted(event: Envelope[RegistrationSubmittedV1]) -> None:
        with _only_its_own_tenants():
            await service.remember_request(deps, event)

    @router.subscriber(
        topics.of(RegistrationCorrectedV1),
        group_id=f"{group_id}.on_corrected",
        auto_offset_reset="earliest",
        title="on_corrected",
        description="Keeps a corrected revision; a rejected brand or campaign resumes from it",
    )
    async def on_corrected(event: Envelope[RegistrationCorrectedV1]) -> None:
        with _only_its_own_tenants():
            await service.remember_request(deps, event)

    @router.subscriber(
        topics.of(PolicyValidatedV1),
        group_id=f"{group_id}.on_validated",
        auto_offset_reset="earliest",
        title="on_validated",
        description="Starts (or resumes) Twilio onboarding once a revision passed validation",
    )
    async def on_validated(event: Envelope[PolicyValidatedV1]) -> None:
        with _only_its_own_tenants():
            await service.remember_verdict(deps, event)

    return router


@contextmanager
def _only_its_own_tenants() -> Iterator[None]:
    try:
        yield
    except AnotherTenantsRegistration:
        raise PermanentError(
            "this registration belongs to another tenant", field="registration_id"
        ) from None


def poller(deps: service.Deps, interval_s: float) -> service.Hook:
    """The loop that advances onboardings waiting on Twilio (brand and campaign reviews)."""

    async def poll() -> None:
        while True:
            try:
                await service.advance_due(deps)
            except Exception:
                # Twilio or MongoDB unreachable: the step stays due and is tried again.
                log.exception("advancing due onboardings failed; retrying")
            await asyncio.sleep(interval_s)

    return poll
