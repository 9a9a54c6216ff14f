"""From HTTP submission to `number.registered`, through the validator and the registrar, against
the Twilio emulator; rejections corrected and resubmitted; a registrar killed mid-flow.

Intake, the validator and the registrar run on the session's real Kafka and MongoDB; the
registrar's real `twilio` SDK talks to the emulator over HTTP; the tenant's pages are served
locally under the tenant's own host name.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from opentelemetry.trace import SpanKind

from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_registrar.app import create_app as create_registrar
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.events import (
    BrandSubmittedV1,
    Envelope,
    NumberRegisteredV1,
)
from a2p_shared.testing.kafka import read_topic
from a2p_shared.testing.waiting import eventually
from a2p_shared.traces import PHONE
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import RunningEmulator, serve
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.app import create_app as create_validator
from a2p_validator.settings import ValidatorSettings

from tests.sites import serve_pages, shelbyville, to_loopback
from tests.support import (
    Infra,
    IssueKey,
    Running,
    RunService,
    ancestry,
    free_port,
    listening,
)

pytestmark = pytest.mark.infra

NUMBERS = ["+13175550100", "+13175550101"]


@pytest.fixture
async def site() -> AsyncIterator[int]:
    async with serve_pages(shelbyville.PAGES) as port:
        yield port


@pytest.fixture
async def emulator() -> AsyncIterator[RunningEmulator]:
    async with serve() as running:
        client = twilio_client(TwilioSettings(api_url=running.url))
        try:
            for number in NUMBERS:  # the tenant's numbers, bought on the account
                await client.incoming_phone_numbers.create_async(phone_number=number)
        finally:
            await close_twilio_client(client)
        yield running


@pytest.fixture
async def emulator_admin(emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emulator.url}/_emulator") as client:
        yield client


def registration_on(port: int) -> dict[str, Any]:
    text = json.dumps(shelbyville.registration())
    document = json.loads(text.replace(f"{shelbyville.HOST}/", f"{shelbyville.HOST}:{port}/"))
    document["numbers"] = NUMBERS
    return document


class Stack:
    """Intake, validator and registrar for one test; the registrar can be restarted."""

    def __init__(
        self, infra: Infra, run_service: RunService, emulator: RunningEmulator, key: Any
    ) -> None:
        self.infra, self.run_service, self.emulator, self.key = infra, run_service, emulator, key

    @asynccontextmanager
    async def registrar(self, poll_first_s: float = 0.05) -> AsyncIterator[Running]:
        """The registrar, also on a socket of its own for the TrustHub status callbacks."""
        port = free_port()
        settings = self.infra.settings(
            RegistrarSettings,
            public_url=f"http://127.0.0.1:{port}",
            poll_interval_s=0.05,
            review_poll_first_s=poll_first_s,
            review_poll_cap_s=max(poll_first_s, 0.5),
            a2p_call_interval_s=0.0,
        )
        async with (
            self.run_service(
                create_registrar,
                settings,
                twilio_settings=TwilioSettings(api_url=self.emulator.url),
            ) as running,
            listening(running.app, port),
        ):
            yield running

    async def submit(self, intake: Running, tenant: str, document: dict[str, Any]) -> str:
        posted = await intake.http.post(
            f"/v1/tenants/{tenant}/registrations",
            json=document,
            headers={**self.key.headers, "Idempotency-Key": "first"},
        )
        assert posted.status_code == 202, posted.text
        return str(posted.json()["registration_id"])

    async def shown(self, intake: Running, tenant: str, rid: str) -> dict[str, Any]:
        got = await intake.http.get(
            f"/v1/tenants/{tenant}/registrations/{rid}", headers=self.key.headers
        )
        return dict(got.json())

    async def until_status(
        self, intake: Running, tenant: str, rid: str, status: str, within: float = 60.0
    ) -> dict[str, Any]:
        """The registration once it shows `status` (and, when live, all its numbers)."""

        # Each registrar event has its own topic: wait for the ones the status implies too.
        async def reached() -> dict[str, Any] | None:
            shown = await self.shown(intake, tenant, rid)
            onboarding = shown["onboarding"]
            if status == "live" and len(onboarding["numbers_live"]) < len(NUMBERS):
                return None
            if (
                status == "changes_required"
                and onboarding["step"]
                and not onboarding["review_findings"]
            ):
                return None
            return shown if shown["status"] == status else None

        try:
            result: dict[str, Any] = await eventually(reached, within=within)
        except AssertionError:
            shown = await self.shown(intake, tenant, rid)
            raise AssertionError(
                f"{rid} never reached {status}: it is {shown['status']}, "
                f"onboarding {shown['onboarding']}, timeline "
                f"{[t['status'] for t in shown['timeline']]}"
            ) from None
        return result


@pytest.fixture
async def stack(
    infra: Infra,
    run_service: RunService,
    issue_key: IssueKey,
    tenant: str,
    emulator: RunningEmulator,
) -> Stack:
    return Stack(infra, run_service, emulator, await issue_key(tenant))


def validator(stack: Stack) -> Any:
    fetcher = HttpPageFetcher(allow_private_network=True, resolver=to_loopback)
    return stack.run_service(
        create_validator, stack.infra.settings(ValidatorSettings), fetcher=fetcher
    )


async def test_a_submission_ends_with_every_number_registered_in_one_trace(
    stack: Stack, tenant: str, site: int
) -> None:
    async with (
        stack.run_service(create_intake, stack.infra.settings(IntakeSettings)) as intake,
        validator(stack) as checked,
        stack.registrar() as registrar,
    ):
        rid = await stack.submit(intake, tenant, registration_on(site))
        records = await read_topic(
            stack.infra.kafka_bootstrap,
            stack.infra.topics.of(NumberRegisteredV1),
            expect=len(NUMBERS),
            within=60,
        )
        shown = await stack.until_status(intake, tenant, rid, "live")

    registered = [Envelope[NumberRegisteredV1].model_validate_json(r.value) for r in records]
    assert sorted(e.payload.phone for e in registered) == NUMBERS
    assert {e.payload.registration_id for e in registered} == {rid}
    assert all(r.key == tenant.encode() for r in records)

    onboarding = shown["onboarding"]
    assert sorted(onboarding["numbers_live"]) == NUMBERS
    assert [f["item"] for f in onboarding["fees"]] == ["brand_registration", "campaign_vetting"]
    steps = [t["status"] for t in shown["timeline"]]
    assert steps[:2] == ["submitted", "validated"]
    assert "brand.submitted" in steps
    assert "campaign.submitted" in steps
    assert steps[-1] == "campaign_review:done"

    # One trace: the HTTP request, the validator, every registrar step and its Twilio calls.
    spans = [*intake.recorded.spans(), *checked.recorded.spans(), *registrar.recorded.spans()]
    http_root = next(
        s
        for s in intake.recorded.spans()
        if s.attributes.get("http.route", "").endswith("/registrations")
    )
    steps_traced = [
        s for s in registrar.recorded.spans() if s.attributes.get("a2p.registration.id") == rid
    ]
    assert {s.attributes["a2p.onboarding.step"] for s in steps_traced} >= {
        "customer_profile",
        "brand",
        "campaign",
        "campaign_review",
    }
    assert {s.context.trace_id for s in steps_traced} == {http_root.context.trace_id}
    (campaign_step,) = [
        s for s in steps_traced if s.attributes["a2p.onboarding.step"] == "campaign"
    ]
    assert campaign_step.attributes["a2p.twilio.brand_sid"].startswith("BN")
    assert campaign_step.attributes["a2p.twilio.campaign_sid"].startswith("QE")
    assert len(spans) > len(steps_traced)
    # ...and below the steps, each Twilio call and MongoDB command as a child span.
    step_ids = {s.context.span_id for s in steps_traced}
    twilio_calls = [s for s in registrar.recorded.spans() if s.name.startswith("twilio POST")]
    assert len(twilio_calls) >= 10
    assert all(c.parent is not None and c.parent.span_id in step_ids for c in twilio_calls)
    assert any("BrandRegistrations" in c.attributes["url.path"] for c in twilio_calls)
    stored = [
        s
        for s in registrar.recorded.spans()
        if s.name.startswith("mongodb ") and s.parent is not None and s.parent.span_id in step_ids
    ]
    assert {s.attributes["db.collection.name"] for s in stored} == {"onboardings"}
    timed = {
        a["a2p.onboarding.step"]
        for a, _ in registrar.recorded.points("a2p.registration.step.duration")
    }
    assert {"customer_profile", "brand", "campaign", "campaign_review"} <= timed
    intake_writes = [s for s in intake.recorded.spans() if s.name.startswith("mongodb ")]
    assert any(s.context.trace_id == http_root.context.trace_id for s in intake_writes)
    # Each number.registered is published at the end of one chain back to the HTTP request,
    # through the validator and the registrar.
    by_id = {s.context.span_id: s for s in spans}
    topic = stack.infra.topics.of(NumberRegisteredV1)
    published = [
        s
        for s in registrar.recorded.spans()
        if s.kind is SpanKind.PRODUCER and s.attributes.get("messaging.destination.name") == topic
    ]
    assert published
    for span in published:
        chain = ancestry(span, by_id)
        assert chain[-1] is http_root
        assert {id(s) for s in chain} & {id(s) for s in checked.recorded.spans()}
    # No phone number, EIN or e-mail address in clear in anything recorded.
    values = [
        str(value)
        for s in spans
        for attributes in (s.attributes, *(e.attributes for e in s.events))
        for value in (attributes or {}).values()
    ]
    assert values
    personal = ("35-6001234", "356001234", "mlopez@shelbyville.example", "Lopez")
    assert [v for v in values if PHONE.search(v) or any(p in v for p in personal)] == []


async def test_a_rejected_brand_is_corrected_resubmitted_and_charged_the_retry_fee(
    stack: Stack, tenant: str, site: int, emulator_admin: httpx.AsyncClient
) -> None:
    rejection = {
        "outcome": "failed",
        "errors": [
            {"code": 30701, "description": "Invalid State/Region/Province", "fields": ["region"]}
        ],
    }
    (await emulator_admin.post("/brands/outcomes", json=rejection)).raise_for_status()
    document = registration_on(site)
    async with (
        stack.run_service(create_intake, stack.infra.settings(IntakeSettings)) as intake,
        validator(stack),
        stack.registrar(),
    ):
        rid = await stack.submit(intake, tenant, document)
        rejected = await stack.until_status(intake, tenant, rid, "changes_required")
        [finding] = rejected["onboarding"]["review_findings"]
        assert (finding["rule"], finding["field"], finding["twilio_code"]) == (
            "TWILIO-30701",
            "brand.address.region",
            30701,
        )

        document["brand"]["address"]["street_secondary"] = "Suite 200"
        corrected = await intake.http.put(
            f"/v1/tenants/{tenant}/registrations/{rid}", json=document, headers=stack.key.headers
        )
        assert corrected.status_code == 202, corrected.text
        assert corrected.json()["revision"] == 2
        live = await stack.until_status(intake, tenant, rid, "live")

    assert [f["item"] for f in live["onboarding"]["fees"]] == [
        "brand_registration",
        "vetting_retry",
        "campaign_vetting",
    ]
    brands = await read_topic(
        stack.infra.kafka_bootstrap, stack.infra.topics.of(BrandSubmittedV1), expect=2
    )
    submitted = [Envelope[BrandSubmittedV1].model_validate_json(r.value).payload for r in brands]
    assert [(b.attempt, b.revision) for b in submitted] == [(1, 1), (2, 2)]
    assert len({b.brand_sid for b in submitted}) == 1, "resubmitted, not registered again"


async def test_a_rejected_campaign_shows_twilios_code_and_what_to_fix(
    stack: Stack, tenant: str, site: int, emulator_admin: httpx.AsyncClient
) -> None:
    rejection = {
        "outcome": "failed",
        "errors": [
            {
                "code": 30909,
                "description": "The call to action could not be verified",
                "fields": ["MESSAGE_FLOW"],
            }
        ],
    }
    (await emulator_admin.post("/campaigns/outcomes", json=rejection)).raise_for_status()
    async with (
        stack.run_service(create_intake, stack.infra.settings(IntakeSettings)) as intake,
        validator(stack),
        stack.registrar(),
    ):
        rid = await stack.submit(intake, tenant, registration_on(site))
        rejected = await stack.until_status(intake, tenant, rid, "changes_required")

    [finding] = rejected["onboarding"]["review_findings"]
    assert (finding["field"], finding["twilio_code"]) == ("campaign.message_flow", 30909)
    assert finding["message"] == "The call to action could not be verified"
    assert rejected["onboarding"]["step"] == "campaign_review"
    assert "Correct the registration" in rejected["onboarding"]["next_action"]


async def test_a_registrar_stopped_mid_flow_finishes_on_restart_without_duplicates(
    stack: Stack, tenant: str, site: int, emulator_admin: httpx.AsyncClient
) -> None:
    # The brand is still in review when the first registrar stops.
    review = {"outcome": "approved", "delay_s": 2.0}
    (await emulator_admin.post("/brands/outcomes", json=review)).raise_for_status()
    async with (
        stack.run_service(create_intake, stack.infra.settings(IntakeSettings)) as intake,
        validator(stack),
    ):
        async with stack.registrar():
            rid = await stack.submit(intake, tenant, registration_on(site))
            await stack.until_status(intake, tenant, rid, "brand_review")
        twilio = twilio_client(TwilioSettings(api_url=stack.emulator.url))
        try:
            [brand] = await twilio.messaging.v1.brand_registrations.list_async()
            assert brand.status == "PENDING"
            async with stack.registrar():
                live = await stack.until_status(intake, tenant, rid, "live")
            profiles = await twilio.trusthub.v1.customer_profiles.list_async()
            services = await twilio.messaging.v1.services.list_async()
            brands = await twilio.messaging.v1.brand_registrations.list_async()
        finally:
            await close_twilio_client(twilio)

    assert [b.sid for b in brands] == [brand.sid]
    assert len([p for p in profiles if p.friendly_name == f"a2p {rid}"]) == 1
    assert len([s for s in services if s.friendly_name == f"a2p {rid}"]) == 1
    assert sorted(live["onboarding"]["numbers_live"]) == NUMBERS


async def test_a_trusthub_callback_ends_the_wait_before_the_next_poll(
    stack: Stack, tenant: str, site: int, emulator_admin: httpx.AsyncClient
) -> None:
    # The brand is still in review when the registrar first asks, and approved half a second
    # later; the registrar's next question is 60 s away, so only the trust product's signed
    # callback (2 s) can make it look again within the test.
    for kind, delay in (("brands", 0.5), ("trust-products", 2.0)):
        outcome = {"outcome": "approved", "delay_s": delay}
        (await emulator_admin.post(f"/{kind}/outcomes", json=outcome)).raise_for_status()
    async with (
        stack.run_service(create_intake, stack.infra.settings(IntakeSettings)) as intake,
        validator(stack),
        stack.registrar(poll_first_s=60.0) as registrar,
    ):
        rid = await stack.submit(intake, tenant, registration_on(site))

        async def brand_approved() -> list[str] | None:
            timeline = [t["status"] for t in (await stack.shown(intake, tenant, rid))["timeline"]]
            return timeline if "brand.approved" in timeline else None

        timeline = await eventually(brand_approved, within=15)

        forged = await registrar.http.post(
            "/twilio/trusthub-status",
            data={"BundleSid": "BU" + "0" * 32, "Status": "twilio-approved"},
            headers={"X-Twilio-Signature": "forged"},
        )
    deliveries = (await emulator_admin.get("/webhooks")).json()

    assert timeline.index("brand_review:waiting") < timeline.index("brand.approved")
    callbacks = [d for d in deliveries if d["url"].endswith("/twilio/trusthub-status")]
    assert {d["params"]["Status"] for d in callbacks} >= {"twilio-approved"}
    assert {d["status"] for d in callbacks} == {204}
    assert forged.status_code == 403
