"""The validator's use cases: lint a registration; validate a submitted revision once."""

import asyncio
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from a2p_shared.events import Envelope, RegistrationCorrectedV1, RegistrationSubmittedV1
from a2p_shared.events.policy import FeeItem, Finding, PolicyValidatedV1
from a2p_shared.events.registration import RegistrationRequest
from a2p_shared.fees import FeeTable
from a2p_validator.domain.engine import Verdict, evaluate, urls_to_fetch, verdict
from a2p_validator.domain.fees import fees_for
from a2p_validator.ports import EventPublisher, PageFetcher, ValidationStore

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:a2p:policy.validated")


@dataclass(frozen=True, slots=True)
class Report:
    verdict: Verdict
    findings: list[Finding]
    fees: list[FeeItem]


async def lint(
    request: RegistrationRequest, fetcher: PageFetcher, fees: FeeTable | None = None
) -> Report:
    """Fetch the registration's pages concurrently and run every rule over it."""
    urls = urls_to_fetch(request)
    pages = dict(zip(urls, await asyncio.gather(*(fetcher.fetch(u) for u in urls)), strict=True))
    findings = evaluate(request, pages)
    return Report(verdict(findings), findings, fees_for(request, fees or FeeTable()))


def validated_event_id(registration_id: str, revision: int) -> UUID:
    return uuid5(_NAMESPACE, f"{registration_id}:{revision}")


async def validate_revision(
    store: ValidationStore,
    events: EventPublisher,
    fetcher: PageFetcher,
    fees: FeeTable,
    source: Envelope[RegistrationSubmittedV1] | Envelope[RegistrationCorrectedV1],
) -> Envelope[PolicyValidatedV1]:
    """Answer one registration revision with `policy.validated`, exactly one verdict per revision.

    Pages change over time, so a redelivered event must not be linted again: the first verdict
    is stored before it is published, and a redelivery republishes that stored event.
    """
    payload = source.payload
    stored = await store.find(payload.registration_id, payload.revision)
    if stored is None:
        report = await lint(payload.request, fetcher, fees)
        event = Envelope.caused_by(
            source,
            PolicyValidatedV1(
                registration_id=payload.registration_id,
                revision=payload.revision,
                verdict=report.verdict,
                findings=report.findings,
                fees=report.fees,
            ),
            event_id=validated_event_id(payload.registration_id, payload.revision),
        )
        stored = await store.keep(
            event.model_dump(mode="json"), payload.registration_id, payload.revision
        )
    kept = Envelope[PolicyValidatedV1].model_validate(stored)
    await events.publish(kept)
    return kept
