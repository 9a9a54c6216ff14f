"""The onboarding workflow's own logic on fakes: order of steps, waiting, rejections and
corrections, fees, and events that stay the same when a step is run again."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from a2p_registrar import domain, service
from a2p_shared.events import (
    Envelope,
    PolicyValidatedV1,
    RegistrationCorrectedV1,
    RegistrationRequest,
    RegistrationSubmittedV1,
)
from a2p_shared.fees import FeeTable

from services.registrar.tests.fakes import Clock, FakeTwilio, MemoryStore, Published

TENANT = "springfield-il"
RID = "reg_1"


class Flow:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.store, self.twilio, self.events, self.clock = (
            MemoryStore(),
            FakeTwilio(),
            Published(),
            Clock(),
        )
        self.deps = service.Deps(
            self.store, self.twilio, self.events, self.clock, FeeTable(), domain.Backoff()
        )

    async def submit(self, revision: int = 1, **changes: Any) -> None:
        request = RegistrationRequest.model_validate(self.document)
        if changes:
            request = request.model_copy(update=changes)
        payload_cls = RegistrationSubmittedV1 if revision == 1 else RegistrationCorrectedV1
        event = Envelope.new(
            payload_cls(registration_id=RID, revision=revision, request=request, channel="http"),
            tenant_id=TENANT,
            correlation_id=RID,
        )
        await service.remember_request(self.deps, event)

    async def validated(self, revision: int = 1, verdict: str = "pass") -> None:
        event = Envelope.new(
            PolicyValidatedV1(registration_id=RID, revision=revision, verdict=verdict, findings=[]),
            tenant_id=TENANT,
            correlation_id=RID,
        )
        await service.remember_verdict(self.deps, event)

    async def later(self, seconds: float = 3600) -> None:
        self.clock.pass_time(seconds)
        await service.advance_due(self.deps)

    async def state(self) -> domain.Onboarding:
        onboarding = await self.store.get(RID)
        assert onboarding is not None
        return onboarding


@pytest.fixture
def flow(registration_document: dict[str, Any]) -> Flow:
    return Flow(registration_document)


async def test_a_passed_registration_runs_until_twilio_reviews_the_brand(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()

    onboarding = await flow.state()
    assert (onboarding.step, onboarding.state) == ("brand_review", "waiting")
    assert [h.step for h in onboarding.history] == [
        "customer_profile",
        "trust_product",
        "brand",
        "messaging_service",
        "brand_review",
    ]
    assert flow.events.types()[:3] == [
        "onboarding.progressed",
        "onboarding.progressed",
        "brand.submitted",
    ]
    assert onboarding.due_at is not None
    assert onboarding.due_at > flow.clock.now()


async def test_the_verdict_may_arrive_before_the_request(flow: Flow) -> None:
    await flow.validated()
    assert flow.twilio.calls == {}

    await flow.submit()

    assert (await flow.state()).step == "brand_review"


async def test_a_failed_validation_starts_nothing(flow: Flow) -> None:
    await flow.submit()
    await flow.validated(verdict="fail")
    await flow.later()

    assert flow.twilio.calls == {}
    assert (await flow.state()).state is None


async def test_approval_then_verification_registers_every_number(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    flow.twilio.brand_status = "APPROVED"
    await flow.later()
    assert (await flow.state()).step == "campaign_review"

    flow.twilio.campaign_status = "VERIFIED"
    await flow.later()

    onboarding = await flow.state()
    assert (onboarding.step, onboarding.state) == ("campaign_review", "live")
    numbers = flow.document["numbers"]
    registered = flow.events.of("number.registered")
    assert sorted(e.payload.phone for e in registered) == sorted(numbers)
    assert {e.payload.messaging_service_sid for e in registered} == {"MG1"}
    assert flow.events.types().count("brand.approved") == 1
    assert flow.events.types().count("campaign.approved") == 1
    assert onboarding.due_at is None
    assert service.fees_paid(onboarding) == pytest.approx(4.50 + 15.00)


async def test_the_brand_call_follows_the_tier(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    tier = flow.document["brand"]["tier"]
    assert flow.twilio.brand_params == domain.brand_params(domain.Tier(tier))


async def test_a_pending_review_is_polled_with_growing_pauses(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    waits = []
    for _ in range(4):
        onboarding = await flow.state()
        assert onboarding.due_at is not None
        waits.append((onboarding.due_at - flow.clock.now()).total_seconds())
        flow.clock.at = onboarding.due_at
        await service.advance_due(flow.deps)

    assert waits == sorted(waits)
    assert waits[-1] > waits[0]
    assert flow.twilio.calls["fetch_brand"] == 5
    assert flow.twilio.calls["brand"] == 1


async def test_a_rejected_brand_waits_for_a_correction_then_is_resubmitted(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    flow.twilio.brand_status = "FAILED"
    flow.twilio.brand_errors = [
        {"error_code": 30701, "description": "Invalid State/Region", "fields": ["region"]}
    ]
    await flow.later()

    onboarding = await flow.state()
    assert (onboarding.step, onboarding.state) == ("brand_review", "needs_correction")
    [failed] = flow.events.of("brand.failed")
    [finding] = failed.payload.findings
    assert (finding.rule, finding.field, finding.twilio_code) == (
        "TWILIO-30701",
        "brand.address.region",
        30701,
    )
    await flow.later()
    assert flow.twilio.calls["fetch_brand"] == 2, "a brand waiting on the tenant is not polled"

    await flow.submit(revision=2)
    await flow.validated(revision=2)

    onboarding = await flow.state()
    assert (onboarding.step, onboarding.state, onboarding.revision) == (
        "brand_review",
        "waiting",
        2,
    )
    assert flow.twilio.calls["brand"] == 1
    assert flow.twilio.calls["resubmit_brand"] == 1
    assert flow.twilio.calls["customer_profile"] == 1, "the profile is not made again"
    assert [e.payload.attempt for e in flow.events.of("brand.submitted")] == [1, 2]
    assert [entry.fee.item for entry in onboarding.ledger] == [
        "brand_registration",
        "vetting_retry",
    ]


async def test_a_rejected_campaign_is_updated_and_charged_again(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    flow.twilio.brand_status = "APPROVED"
    await flow.later()
    flow.twilio.campaign_status = "FAILED"
    flow.twilio.campaign_errors = [
        {"error_code": 30909, "description": "CTA not verifiable", "fields": ["MESSAGE_FLOW"]}
    ]
    await flow.later()
    [failed] = flow.events.of("campaign.failed")
    assert failed.payload.findings[0].field == "campaign.message_flow"

    await flow.submit(revision=2)
    await flow.validated(revision=2)
    flow.twilio.campaign_status = "VERIFIED"
    await flow.later()

    onboarding = await flow.state()
    assert onboarding.state == "live"
    assert (flow.twilio.calls["campaign"], flow.twilio.calls["update_campaign"]) == (1, 1)
    assert [e.fee.item for e in onboarding.ledger].count("campaign_vetting") == 2


async def test_a_revision_older_than_the_one_onboarded_changes_nothing(flow: Flow) -> None:
    await flow.submit()
    await flow.submit(revision=2)
    await flow.validated(revision=2)
    await flow.validated(revision=1)

    assert (await flow.state()).revision == 2
    assert flow.twilio.calls["brand"] == 1


async def test_events_of_a_rerun_step_carry_the_same_ids(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    first = {(e.type, e.event_id) for e in flow.events.events}

    # The same step again, as after a crash before its progress was saved.
    rerun = Flow(flow.document)
    await rerun.submit()
    await rerun.validated()

    assert {(e.type, e.event_id) for e in rerun.events.events} == first
    assert len({e.event_id for e in flow.events.events}) == len(flow.events.events)


async def test_an_onboarding_leased_by_another_worker_is_left_alone(flow: Flow) -> None:
    await flow.submit()
    document = flow.store.documents[RID]
    document["lease"], document["lease_until"] = "another worker", flow.clock.now() + timedelta(60)

    await flow.validated()

    assert flow.twilio.calls == {}
    document["lease"], document["lease_until"] = None, None
    await service.advance_due(flow.deps)
    assert (await flow.state()).step == "brand_review", "the arrival woke it once released"


async def test_a_worker_stopped_mid_step_hands_the_onboarding_back_at_once(flow: Flow) -> None:
    await flow.submit()
    inside = asyncio.Event()
    original = flow.twilio.trust_product

    async def hangs(*args: Any) -> dict[str, str]:
        inside.set()
        await asyncio.Event().wait()
        return await original(*args)

    flow.twilio.trust_product = hangs  # type: ignore[method-assign]
    worker = asyncio.create_task(flow.validated())
    await inside.wait()
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker

    flow.twilio.trust_product = original  # type: ignore[method-assign]
    await service.advance_due(flow.deps)
    state = await flow.state()
    assert state.step == "brand_review", "the next worker picked it up without waiting a lease"
    assert flow.twilio.calls["customer_profile"] == 1, "the saved step was not redone"


async def test_each_finished_step_extends_the_lease(flow: Flow) -> None:
    flow.deps.lease_s = 10
    await flow.submit()
    held: list[bool] = []
    save = flow.store.save

    async def slow_steps(onboarding: domain.Onboarding, **kwargs: Any) -> bool:
        held.append(flow.store.documents[RID]["lease_until"] > flow.clock.now())
        saved = await save(onboarding, **kwargs)
        flow.clock.pass_time(6)  # the next step takes more than half the lease
        return saved

    flow.store.save = slow_steps  # type: ignore[method-assign]
    await flow.validated()

    assert (await flow.state()).step == "brand_review"
    assert len(held) >= 3
    assert all(held), "a later step ran on an expired lease"


async def test_a_trusthub_callback_makes_the_waiting_flow_look_again_now(flow: Flow) -> None:
    await flow.submit()
    await flow.validated()
    assert (await flow.state()).step == "brand_review"
    flow.twilio.brand_status = "APPROVED"
    fetched = flow.twilio.calls["fetch_brand"]

    await service.advance_due(flow.deps)
    assert flow.twilio.calls["fetch_brand"] == fetched, "not due yet: nothing asked"

    assert await service.bundle_status_changed(flow.deps, "BU1", "twilio-approved")
    await service.advance_due(flow.deps)
    assert flow.twilio.calls["fetch_brand"] == fetched + 1
    assert (await flow.state()).step != "brand_review"
    assert not await service.bundle_status_changed(flow.deps, "BU-unknown", "twilio-approved")


async def test_an_event_of_another_tenant_naming_the_registration_is_refused(flow: Flow) -> None:
    await flow.submit()
    before = await flow.state()
    request = RegistrationRequest.model_validate(flow.document)
    theirs = "shelbyville-il"
    corrected = Envelope.new(
        RegistrationCorrectedV1(registration_id=RID, revision=2, request=request, channel="http"),
        tenant_id=theirs,
        correlation_id=RID,
    )
    passed = Envelope.new(
        PolicyValidatedV1(registration_id=RID, revision=1, verdict="pass", findings=[]),
        tenant_id=theirs,
        correlation_id=RID,
    )

    with pytest.raises(domain.AnotherTenantsRegistration):
        await service.remember_request(flow.deps, corrected)
    with pytest.raises(domain.AnotherTenantsRegistration):
        await service.remember_verdict(flow.deps, passed)

    assert await flow.state() == before
    assert flow.store.documents[RID]["tenant_id"] == TENANT
