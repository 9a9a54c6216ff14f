"""Test support shipped with the emulator, for its own tests and for the services' tests.

- `serve()`: the emulator inside the test's event loop, on a free port, with real HTTP;
  reviews end and messages progress at once unless the settings say otherwise.
- `webhook_server()`: a small HTTP server standing for the account's webhooks; it records every
  request and checks its `X-Twilio-Signature` with the SDK's `RequestValidator`.
- `onboard(client)`: the ISV onboarding sequence of Twilio's guide, through the SDK, ending with
  an APPROVED brand and a messaging service with a VERIFIED campaign and sender numbers.
- `eventually(check)`: poll until a condition holds (no fixed sleeps).

    async with serve() as emulator, webhook_server() as hooks:
        client = twilio_client(TwilioSettings(api_url=emulator.url))   # a2p_shared.twilio
        registered = await onboard(client, numbers=2, status_callback=hooks.url("/status"))
"""

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiohttp import web
from fastapi import FastAPI
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from a2p_twilio_emulator.app import create_app
from a2p_twilio_emulator.bundles import CUSTOMER_PROFILE_POLICY, TRUST_PRODUCT_POLICY
from a2p_twilio_emulator.settings import (
    LOCAL_AUTH_TOKEN,
    PRIMARY_CUSTOMER_PROFILE_SID,
    EmulatorSettings,
)
from a2p_twilio_emulator.state import EmulatorState

FAST = {"http_port": 0, "review_delay_s": 0.0, "message_latency_s": 0.0}


@dataclass(frozen=True)
class RunningEmulator:
    url: str
    app: FastAPI
    settings: EmulatorSettings

    @property
    def state(self) -> EmulatorState:
        """The live state, for tests in the same process (others use `/_emulator`)."""
        state: EmulatorState = self.app.state.emulator
        return state


@asynccontextmanager
async def serve(settings: EmulatorSettings | None = None) -> AsyncIterator[RunningEmulator]:
    settings = settings or EmulatorSettings.model_validate(FAST)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError("the Twilio emulator did not start")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningEmulator(f"http://{settings.http_host}:{port}", app, settings)
    finally:
        await app.state.emulator.stop_background()  # answers held requests: a prompt shutdown
        server.should_exit = True
        await task


async def eventually(check: Callable[[], Any], within_s: float = 5.0) -> Any:
    """Poll `check` (sync or async) until it returns something truthy, and return that."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"still falsy after {within_s}s: {result!r}")
        await asyncio.sleep(0.01)


# --- the account's webhook server -------------------------------------------------------------


@dataclass
class Hook:
    path: str
    method: str
    params: dict[str, str]
    signed: bool  # X-Twilio-Signature validated with the account's auth token
    headers: dict[str, str]


@dataclass
class WebhookServer:
    """Records every request; answers 200, or the TwiML a test set for the path."""

    auth_token: str = LOCAL_AUTH_TOKEN
    base_url: str = ""
    received: list[Hook] = field(default_factory=list)
    twiml: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def at(self, path: str) -> list[Hook]:
        return [hook for hook in self.received if hook.path == path]

    def clear(self) -> None:
        self.received.clear()
        self.twiml.clear()

    async def handle(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            form = await request.post()
            params = {key: str(value) for key, value in form.items()}
        else:
            params = dict(request.query)
        signature = request.headers.get("X-Twilio-Signature", "")
        signed = RequestValidator(self.auth_token).validate(
            str(request.url), params if request.method == "POST" else {}, signature
        )
        self.received.append(
            Hook(request.path, request.method, params, signed, dict(request.headers))
        )
        if request.path in self.twiml:
            return web.Response(text=self.twiml[request.path], content_type="application/xml")
        return web.Response(text="")


@asynccontextmanager
async def webhook_server(auth_token: str = LOCAL_AUTH_TOKEN) -> AsyncIterator[WebhookServer]:
    server = WebhookServer(auth_token)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sockets = runner.addresses
    server.base_url = f"http://127.0.0.1:{sockets[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()


# --- the ISV onboarding sequence (Twilio's guide, steps 1.1 to 6) -----------------------------

BUSINESS_INFORMATION = {
    "business_name": "City of Springfield",
    "business_identity": "direct_customer",
    "business_type": "Non-profit Corporation",
    "business_industry": "GOVERNMENT",
    "business_registration_identifier": "EIN",
    "business_registration_number": "371234567",
    "business_regions_of_operation": "USA_AND_CANADA",
    "website_url": "https://springfield.example.gov",
}
AUTHORIZED_REPRESENTATIVE = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@springfield.example.gov",
    "phone_number": "+12175550100",
    "business_title": "CIO",
    "job_position": "Director",
}
CAMPAIGN = {
    "description": "Service request updates from the City of Springfield 311 center to residents.",
    "message_flow": "Residents opt in on the 311 web form by ticking an unchecked SMS consent box.",
    "message_samples": [
        "Springfield 311: your pothole report #1234 was resolved. Reply STOP to opt out.",
        "Springfield 311: a crew is scheduled for request #1234 tomorrow. Reply HELP for help.",
    ],
    "us_app_to_person_usecase": "ACCOUNT_NOTIFICATION",
    "has_embedded_links": False,
    "has_embedded_phone": False,
}


@dataclass(frozen=True)
class Onboarded:
    customer_profile_sid: str
    trust_product_sid: str
    brand_sid: str
    service_sid: str
    number_sids: list[str]
    phone_numbers: list[str]


async def customer_profile(
    client: Client, primary_profile_sid: str, status_callback: str | None = None
) -> str:
    """Steps 1.1-1.11: a complete secondary customer profile, submitted for review."""
    trusthub = client.trusthub.v1
    extra = {"status_callback": status_callback} if status_callback else {}
    profile = await trusthub.customer_profiles.create_async(
        friendly_name="Springfield",
        email="isv@example.com",
        policy_sid=CUSTOMER_PROFILE_POLICY,
        **extra,
    )
    assignments = trusthub.customer_profiles(profile.sid).customer_profiles_entity_assignments
    business = await trusthub.end_users.create_async(
        friendly_name="Springfield business information",
        type="customer_profile_business_information",
        attributes=BUSINESS_INFORMATION,
    )
    representative = await trusthub.end_users.create_async(
        friendly_name="Springfield representative",
        type="authorized_representative_1",
        attributes=AUTHORIZED_REPRESENTATIVE,
    )
    address = await client.addresses.create_async(
        customer_name="City of Springfield",
        street="800 E Monroe St",
        city="Springfield",
        region="IL",
        postal_code="62701",
        iso_country="US",
    )
    document = await trusthub.supporting_documents.create_async(
        friendly_name="Springfield address",
        type="customer_profile_address",
        attributes={"address_sids": address.sid},
    )
    for object_sid in (business.sid, representative.sid, document.sid, primary_profile_sid):
        await assignments.create_async(object_sid=object_sid)
    evaluation = await trusthub.customer_profiles(
        profile.sid
    ).customer_profiles_evaluations.create_async(policy_sid=CUSTOMER_PROFILE_POLICY)
    if evaluation.status != "compliant":
        raise AssertionError(f"customer profile not compliant: {evaluation.results}")
    await trusthub.customer_profiles(profile.sid).update_async(status="pending-review")
    return profile.sid


async def trust_product(
    client: Client, profile_sid: str, status_callback: str | None = None
) -> str:
    """Steps 2.1-2.6: the A2P messaging profile, submitted for review."""
    trusthub = client.trusthub.v1
    extra = {"status_callback": status_callback} if status_callback else {}
    product = await trusthub.trust_products.create_async(
        friendly_name="Springfield A2P",
        email="isv@example.com",
        policy_sid=TRUST_PRODUCT_POLICY,
        **extra,
    )
    information = await trusthub.end_users.create_async(
        friendly_name="Springfield messaging profile",
        type="us_a2p_messaging_profile_information",
        attributes={"company_type": "government"},
    )
    assignments = trusthub.trust_products(product.sid).trust_products_entity_assignments
    for object_sid in (information.sid, profile_sid):
        await assignments.create_async(object_sid=object_sid)
    evaluation = await trusthub.trust_products(product.sid).trust_products_evaluations.create_async(
        policy_sid=TRUST_PRODUCT_POLICY
    )
    if evaluation.status != "compliant":
        raise AssertionError(f"trust product not compliant: {evaluation.results}")
    await trusthub.trust_products(product.sid).update_async(status="pending-review")
    return product.sid


async def brand_status(client: Client, brand_sid: str) -> str:
    return (await client.messaging.v1.brand_registrations(brand_sid).fetch_async()).status


async def campaign_status(client: Client, service_sid: str) -> str | None:
    campaigns = await client.messaging.v1.services(service_sid).us_app_to_person.list_async()
    return campaigns[0].campaign_status if campaigns else None


async def approved_brand(client: Client, primary_profile_sid: str) -> tuple[str, str, str]:
    """Steps 1-3, waiting for the brand's approval: (customer profile, trust product, brand)."""
    profile_sid = await customer_profile(client, primary_profile_sid)
    product_sid = await trust_product(client, profile_sid)
    brand = await client.messaging.v1.brand_registrations.create_async(
        customer_profile_bundle_sid=profile_sid, a2p_profile_bundle_sid=product_sid
    )
    status = await eventually(_until_settled(lambda: brand_status(client, brand.sid)))
    if status != "APPROVED":
        raise AssertionError(f"brand {brand.sid} ended {status}")
    return profile_sid, product_sid, brand.sid


async def buy_number(client: Client, area_code: str = "217", **fields: Any) -> tuple[str, str]:
    number = await client.incoming_phone_numbers.create_async(area_code=area_code, **fields)
    return number.sid, number.phone_number


async def registered_service(
    client: Client, brand_sid: str, numbers: int = 1, **service_fields: Any
) -> tuple[str, list[str], list[str]]:
    """Steps 4-6: a messaging service, its VERIFIED campaign, and `numbers` sender numbers."""
    service_fields.setdefault("friendly_name", "Springfield 311")
    service = await client.messaging.v1.services.create_async(**service_fields)
    await client.messaging.v1.services(service.sid).us_app_to_person.create_async(
        brand_registration_sid=brand_sid, **CAMPAIGN
    )
    status = await eventually(_until_settled(lambda: campaign_status(client, service.sid)))
    if status != "VERIFIED":
        raise AssertionError(f"campaign of {service.sid} ended {status}")
    sids, phones = [], []
    for _ in range(numbers):
        sid, phone = await buy_number(client)
        await client.messaging.v1.services(service.sid).phone_numbers.create_async(
            phone_number_sid=sid
        )
        sids.append(sid)
        phones.append(phone)
    return service.sid, sids, phones


async def onboard(
    client: Client,
    numbers: int = 1,
    primary_profile_sid: str = PRIMARY_CUSTOMER_PROFILE_SID,
    **service_fields: Any,
) -> Onboarded:
    """The whole sequence; `service_fields` go to `services.create` (e.g. `status_callback`)."""
    profile_sid, product_sid, brand_sid = await approved_brand(client, primary_profile_sid)
    service_sid, sids, phones = await registered_service(
        client, brand_sid, numbers, **service_fields
    )
    return Onboarded(profile_sid, product_sid, brand_sid, service_sid, sids, phones)


def _until_settled(
    read: Callable[[], Awaitable[str | None]],
) -> Callable[[], Awaitable[str | None]]:
    async def settled() -> str | None:
        status = await read()
        return status if status in ("APPROVED", "FAILED", "VERIFIED") else None

    return settled
