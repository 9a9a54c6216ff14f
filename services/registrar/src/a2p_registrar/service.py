"""The registrar's use cases: remember requests and verdicts, and walk each registration through
Twilio's ISV onboarding one durable step at a time.

Every step is saved before the next begins, and every Twilio call behind a step adopts what an
interrupted earlier run already created, so a registrar killed anywhere finishes the flow on
restart with no duplicate Twilio resource. Events get ids derived from the registration, step
and attempt: one republished after a crash is the same event, which consumers apply once.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.metrics import Histogram

from a2p_registrar import domain
from a2p_registrar.domain import HistoryEntry, LedgerEntry, Onboarding, StepResult
from a2p_registrar.ports import EventPublisher, OnboardingStore, Twilio
from a2p_shared.clock import Clock
from a2p_shared.events import (
    BrandApprovedV1,
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    CampaignSubmittedV1,
    Envelope,
    EventPayload,
    FeeItem,
    NumberRegisteredV1,
    OnboardingProgressedV1,
    PolicyValidatedV1,
    RegistrationCorrectedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.events.onboarding import OnboardingStep
from a2p_shared.fees import FeeTable

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
_EVENT_IDS = uuid.UUID("6f1c1f52-3d1e-4b7e-9c55-2b1f3f0b8a10")


@dataclass
class Deps:
    store: OnboardingStore
    twilio: Twilio
    events: EventPublisher
    clock: Clock
    fees: FeeTable
    backoff: domain.Backoff
    tracer: trace.Tracer = field(default_factory=lambda: trace.get_tracer("a2p.registrar"))
    lease_s: float = 30.0
    step_durations: Histogram | None = None


# --- what arrives from Kafka -----------------------------------------------------------------


async def remember_request(
    deps: Deps, event: Envelope[RegistrationSubmittedV1] | Envelope[RegistrationCorrectedV1]
) -> None:
    payload = event.payload
    await deps.store.record_request(
        payload.registration_id, event.tenant_id, payload.revision, payload.request
    )
    await _start_if_ready(deps, payload.registration_id)


async def remember_verdict(deps: Deps, event: Envelope[PolicyValidatedV1]) -> None:
    payload = event.payload
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    await deps.store.record_verdict(
        payload.registration_id,
        event.tenant_id,
        payload.revision,
        payload.verdict == "pass",
        carrier,
    )
    await _start_if_ready(deps, payload.registration_id)


async def _start_if_ready(deps: Deps, registration_id: str) -> None:
    onboarding = await deps.store.claim(registration_id, deps.clock.now(), deps.lease_s)
    if onboarding is None:
        return  # another worker holds it; it will see the new revision when it saves
    if domain.resume(onboarding, deps.clock.now()):
        await _advance(deps, onboarding)
    else:
        await deps.store.save(onboarding, release=True)


async def bundle_status_changed(deps: Deps, bundle_sid: str, status: str) -> bool:
    """A TrustHub status callback: the flow waiting on Twilio looks again now, not at its next
    poll (a rejected profile or trust product fails the brand). False for an unknown bundle."""
    woken = await deps.store.wake_by_bundle(bundle_sid)
    log.info("bundle %s is %s; onboarding woken: %s", bundle_sid, status, woken)
    return woken


# --- the poller ------------------------------------------------------------------------------


async def advance_due(deps: Deps) -> int:
    """Advance every onboarding whose next step is due; returns how many were advanced."""
    advanced = 0
    while (onboarding := await deps.store.claim(None, deps.clock.now(), deps.lease_s)) is not None:
        if not domain.resume(onboarding, deps.clock.now()) and onboarding.state == "waiting":
            onboarding.state = "running"  # ask Twilio again about the review
        await _advance(deps, onboarding)
        advanced += 1
    return advanced


async def _advance(deps: Deps, onboarding: Onboarding) -> None:
    """Run steps until the flow waits on Twilio or the tenant, or is live; save after each."""
    try:
        await _run_steps(deps, onboarding)
    except asyncio.CancelledError:
        # A stopping worker hands the onboarding back now instead of when the lease runs out;
        # every step finds before it creates, so the next worker may redo a half-done one.
        await asyncio.shield(deps.store.release(onboarding))
        raise


async def _run_steps(deps: Deps, onboarding: Onboarding) -> None:
    context = propagate.extract(onboarding.trace)
    while onboarding.state == "running":
        with deps.tracer.start_as_current_span(
            f"registrar {onboarding.step}",
            context=context,
            attributes={
                "a2p.tenant.id": onboarding.tenant_id,
                "a2p.registration.id": onboarding.registration_id,
                "a2p.onboarding.step": onboarding.step,
            },
        ) as span:
            step, started = onboarding.step, time.perf_counter()
            await _run_step(deps, onboarding)
            # Twilio's SIDs so far (brand, campaign...): what Twilio support and Console speak.
            span.set_attributes(
                {
                    f"a2p.twilio.{kind}_sid": sid
                    for kind, sid in onboarding.sids.items()
                    if isinstance(sid, str)
                }
            )
            span.set_attribute("a2p.onboarding.state", onboarding.state)
            renewed = deps.clock.now() + timedelta(seconds=deps.lease_s)
            saved = await deps.store.save(onboarding, lease_until=renewed)
            if deps.step_durations is not None:
                outcome = {"a2p.onboarding.step": step, "a2p.onboarding.state": onboarding.state}
                deps.step_durations.record(time.perf_counter() - started, outcome)
        if not saved:
            log.warning("lost the lease on onboarding %s; leaving it", onboarding.registration_id)
            return
    if onboarding.state in ("live", "needs_correction"):
        onboarding.due_at = None
    await deps.store.save(onboarding, release=True)


async def _run_step(deps: Deps, onboarding: Onboarding) -> None:
    step = onboarding.step
    result = await STEP_RUNNERS[step](deps, onboarding)
    onboarding.sids.update(result.sids)
    now = deps.clock.now()
    onboarding.history.append(
        HistoryEntry(
            step=step,
            state=result.state,
            revision=onboarding.revision or 0,
            at=now,
            detail=result.detail,
        )
    )
    await _publish(
        deps,
        onboarding,
        OnboardingProgressedV1(
            registration_id=onboarding.registration_id,
            revision=onboarding.revision or 0,
            step=step,
            state="done" if result.state in ("running", "live") else result.state,
            next_action=result.next_action,
            detail=result.detail,
        ),
        f"{step}:{result.state}:{onboarding.brand_attempts}:{onboarding.campaign_attempts}:"
        f"{onboarding.polls}",
    )
    if result.state == "running":
        onboarding.step = domain.step_after(step)
        onboarding.polls = 0
    elif result.state == "waiting":
        onboarding.due_at = deps.backoff.next_poll(now, onboarding.polls)
        onboarding.polls += 1
    onboarding.state = result.state


# --- the steps -------------------------------------------------------------------------------


def _ref(onboarding: Onboarding) -> str:
    return domain.reference(onboarding.registration_id)


async def _customer_profile(deps: Deps, onboarding: Onboarding) -> StepResult:
    sids = await deps.twilio.customer_profile(_ref(onboarding), onboarding.request)
    return StepResult(
        "running",
        sids=sids,
        next_action="Creating the A2P trust product",
        detail={"customer_profile_sid": sids["customer_profile"]},
    )


async def _trust_product(deps: Deps, onboarding: Onboarding) -> StepResult:
    sids = await deps.twilio.trust_product(
        _ref(onboarding), onboarding.request, onboarding.sids["customer_profile"]
    )
    return StepResult(
        "running",
        sids=sids,
        next_action="Registering the brand",
        detail={"trust_product_sid": sids["trust_product"]},
    )


async def _brand(deps: Deps, onboarding: Onboarding) -> StepResult:
    request = onboarding.request
    attempt = onboarding.brand_attempts + 1
    brand_sid = onboarding.sids.get("brand")
    if brand_sid is None:
        brand = await deps.twilio.brand(
            onboarding.sids["customer_profile"],
            onboarding.sids["trust_product"],
            domain.brand_params(request.brand.tier),
        )
        brand_sid = brand["sid"]
    else:
        await deps.twilio.update_business_data(onboarding.sids, request)
        await deps.twilio.resubmit_brand(brand_sid)
    onboarding.brand_attempts = attempt
    fees = domain.brand_fees(request.brand.tier, attempt, deps.fees)
    _charge(deps, onboarding, "brand", fees)
    await _publish(
        deps,
        onboarding,
        BrandSubmittedV1(
            registration_id=onboarding.registration_id,
            revision=onboarding.revision or 0,
            customer_profile_sid=onboarding.sids["customer_profile"],
            trust_product_sid=onboarding.sids["trust_product"],
            brand_sid=brand_sid,
            tier=request.brand.tier,
            attempt=attempt,
            fees=fees,
        ),
        f"brand:{attempt}",
    )
    return StepResult(
        "running",
        sids={"brand": brand_sid},
        next_action="Creating the messaging service while Twilio reviews the brand",
        detail={"brand_sid": brand_sid, "attempt": attempt},
    )


async def _messaging_service(deps: Deps, onboarding: Onboarding) -> StepResult:
    sid = await deps.twilio.messaging_service(_ref(onboarding))
    return StepResult(
        "running",
        sids={"messaging_service": sid},
        next_action="Waiting for Twilio to approve the brand",
        detail={"messaging_service_sid": sid},
    )


async def _brand_review(deps: Deps, onboarding: Onboarding) -> StepResult:
    brand_sid = onboarding.sids["brand"]
    brand = await deps.twilio.fetch_brand(brand_sid)
    status = brand.get("status")
    base = {"brand_sid": brand_sid, "status": status}
    if status == "APPROVED":
        await _publish(
            deps,
            onboarding,
            BrandApprovedV1(
                registration_id=onboarding.registration_id,
                revision=onboarding.revision or 0,
                brand_sid=brand_sid,
                tcr_id=brand.get("tcr_id"),
                brand_score=brand.get("brand_score"),
            ),
            f"brand-approved:{onboarding.brand_attempts}",
        )
        return StepResult("running", next_action="Submitting the campaign", detail=base)
    if status == "FAILED":
        errors = domain.twilio_errors(brand.get("errors"), brand.get("failure_reason"))
        findings = domain.rejection_findings(errors, "brand")
        await _publish(
            deps,
            onboarding,
            BrandFailedV1(
                registration_id=onboarding.registration_id,
                revision=onboarding.revision or 0,
                brand_sid=brand_sid,
                errors=errors,
                findings=findings,
            ),
            f"brand-failed:{onboarding.brand_attempts}",
        )
        return StepResult(
            "needs_correction",
            next_action="Correct the registration (PUT it again); the brand is then resubmitted",
            detail={**base, "errors": [e.model_dump() for e in errors]},
        )
    return StepResult("waiting", next_action="Waiting for Twilio to review the brand", detail=base)


async def _campaign(deps: Deps, onboarding: Onboarding) -> StepResult:
    request = onboarding.request
    service_sid = onboarding.sids["messaging_service"]
    params = domain.campaign_params(request)
    campaign_sid = onboarding.sids.get("campaign")
    if campaign_sid is None:
        campaign = await deps.twilio.campaign(service_sid, onboarding.sids["brand"], params)
    else:
        campaign = await deps.twilio.update_campaign(service_sid, campaign_sid, params)
    attempt = onboarding.campaign_attempts + 1
    onboarding.campaign_attempts = attempt
    fees = domain.campaign_fees(deps.fees)
    _charge(deps, onboarding, "campaign", fees)
    await _publish(
        deps,
        onboarding,
        CampaignSubmittedV1(
            registration_id=onboarding.registration_id,
            revision=onboarding.revision or 0,
            messaging_service_sid=service_sid,
            campaign_sid=campaign["sid"],
            use_case=request.campaign.use_case,
            attempt=attempt,
            fees=fees,
        ),
        f"campaign:{attempt}",
    )
    return StepResult(
        "running",
        sids={"campaign": campaign["sid"]},
        next_action="Adding the tenant's numbers to the messaging service",
        detail={"campaign_sid": campaign["sid"], "attempt": attempt},
    )


async def _numbers(deps: Deps, onboarding: Onboarding) -> StepResult:
    service_sid = onboarding.sids["messaging_service"]
    numbers = dict(onboarding.sids.get("numbers", {}))
    for phone in onboarding.request.numbers:
        if phone not in numbers:
            numbers[phone] = await deps.twilio.add_number(service_sid, phone)
            onboarding.sids["numbers"] = numbers
    return StepResult(
        "running",
        sids={"numbers": numbers},
        next_action="Waiting for Twilio to verify the campaign",
        detail={"numbers": len(numbers)},
    )


async def _campaign_review(deps: Deps, onboarding: Onboarding) -> StepResult:
    service_sid, campaign_sid = onboarding.sids["messaging_service"], onboarding.sids["campaign"]
    campaign = await deps.twilio.fetch_campaign(service_sid, campaign_sid)
    status = campaign.get("campaign_status")
    base = {"campaign_sid": campaign_sid, "status": status}
    registration_id, revision = onboarding.registration_id, onboarding.revision or 0
    if status == "VERIFIED":
        monthly = domain.monthly_fees(onboarding.request, deps.fees)
        _charge(deps, onboarding, "campaign_review", monthly)
        await _publish(
            deps,
            onboarding,
            CampaignApprovedV1(
                registration_id=registration_id,
                revision=revision,
                messaging_service_sid=service_sid,
                campaign_sid=campaign_sid,
                campaign_id=campaign.get("campaign_id"),
                fees=monthly,
            ),
            f"campaign-approved:{onboarding.campaign_attempts}",
        )
        for phone, number_sid in onboarding.sids.get("numbers", {}).items():
            await _publish(
                deps,
                onboarding,
                NumberRegisteredV1(
                    registration_id=registration_id,
                    revision=revision,
                    phone=phone,
                    phone_number_sid=number_sid,
                    messaging_service_sid=service_sid,
                    campaign_sid=campaign_sid,
                    tier=onboarding.request.brand.tier,
                ),
                f"number:{phone}:{onboarding.campaign_attempts}",
            )
        return StepResult("live", next_action="Live: the tenant's numbers may send", detail=base)
    if status == "FAILED":
        errors = domain.twilio_errors(campaign.get("errors"))
        findings = domain.rejection_findings(errors, "campaign")
        await _publish(
            deps,
            onboarding,
            CampaignFailedV1(
                registration_id=registration_id,
                revision=revision,
                messaging_service_sid=service_sid,
                campaign_sid=campaign_sid,
                errors=errors,
                findings=findings,
            ),
            f"campaign-failed:{onboarding.campaign_attempts}",
        )
        return StepResult(
            "needs_correction",
            next_action="Correct the registration (PUT it again); the campaign is then resubmitted",
            detail={**base, "errors": [e.model_dump() for e in errors]},
        )
    return StepResult(
        "waiting", next_action="Waiting for Twilio to verify the campaign", detail=base
    )


async def _live(_: Deps, __: Onboarding) -> StepResult:
    return StepResult("live", next_action="Live: the tenant's numbers may send")


STEP_RUNNERS: dict[OnboardingStep, Callable[[Deps, Onboarding], Awaitable[StepResult]]] = {
    "customer_profile": _customer_profile,
    "trust_product": _trust_product,
    "brand": _brand,
    "messaging_service": _messaging_service,
    "brand_review": _brand_review,
    "campaign": _campaign,
    "numbers": _numbers,
    "campaign_review": _campaign_review,
    "live": _live,
}


# --- effects ---------------------------------------------------------------------------------


def _charge(deps: Deps, onboarding: Onboarding, step: OnboardingStep, fees: list[FeeItem]) -> None:
    for fee in fees:
        onboarding.ledger.append(
            LedgerEntry(fee=fee, revision=onboarding.revision or 0, step=step, at=deps.clock.now())
        )


async def _publish(
    deps: Deps, onboarding: Onboarding, payload: EventPayload, occurrence: str
) -> None:
    event: Envelope[Any] = Envelope.new(
        payload,
        tenant_id=onboarding.tenant_id,
        correlation_id=onboarding.registration_id,
        event_id=uuid.uuid5(
            _EVENT_IDS, f"{onboarding.registration_id}:{payload.event_type}:{occurrence}"
        ),
    )
    await deps.events.publish(event)


def fees_paid(onboarding: Onboarding) -> float:
    return round(
        sum(entry.fee.amount_usd for entry in onboarding.ledger if entry.fee.recurring == "once"), 2
    )
