"""Shapes the system tests share: a running service, this test's infrastructure, API keys."""

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
import yaml
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from twilio.rest import Client

from a2p_intake import service as intake_service
from a2p_intake.adapters.mongo_store import MongoApiKeyStore
from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_messaging.app import create_app as create_messaging
from a2p_messaging.settings import MessagingSettings
from a2p_optout.app import create_app as create_optout
from a2p_optout.settings import OptoutSettings
from a2p_registrar.app import create_app as create_registrar
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.clock import SystemClock
from a2p_shared.events import (
    CATALOGUE,
    BrandApprovedV1,
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    CampaignSubmittedV1,
    ConsentAction,
    ConsentReviewRequestedV1,
    ConsentSource,
    Envelope,
    EventPayload,
    InboundMessageV1,
    MessageFailedV1,
    MessageRequestedV1,
    MessageStatusV1,
    NumberRegisteredV1,
    OnboardingProgressedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    PolicyValidatedV1,
    RecordConsent,
    RegistrationCorrectedV1,
    RegistrationRequest,
    RegistrationSubmittedV1,
    SubmitRegistration,
    TwilioError,
    topic_of,
)
from a2p_shared.events.registration import Category, Tier, UseCase
from a2p_shared.events.topics import INTAKE_CONSENT, INTAKE_REGISTRATIONS, tenant_phone_key
from a2p_shared.kafka import Topics, event_key
from a2p_shared.service_app import asyncapi_yaml
from a2p_shared.settings import ServiceSettings
from a2p_shared.testing.kafka import produce
from a2p_shared.testing.telemetry import RecordedTelemetry
from a2p_shared.testing.waiting import eventually
from a2p_shared.twilio import TwilioSettings
from a2p_twilio_emulator.testing import onboard
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.app import create_app as create_validator
from a2p_validator.settings import ValidatorSettings


@dataclass(frozen=True, slots=True)
class Running:
    app: FastAPI
    http: httpx.AsyncClient
    recorded: RecordedTelemetry


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def listening(app: FastAPI, port: int) -> AsyncIterator[str]:
    """A service `run_service` started, also on a loopback socket: Twilio's callbacks need one."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass(frozen=True, slots=True)
class Infra:
    kafka_bootstrap: str
    mongodb_url: str
    unique: str
    topics: Topics

    def settings(self, settings_cls: type[ServiceSettings], **overrides: Any) -> Any:
        return settings_cls(
            kafka_bootstrap_servers=self.kafka_bootstrap,
            mongodb_url=self.mongodb_url,
            mongodb_database=self.unique,
            topic_suffix=self.unique,
            **overrides,
        )


RunService = Callable[..., AbstractAsyncContextManager[Running]]


@dataclass(frozen=True, slots=True)
class Key:
    key_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


IssueKey = Callable[..., Any]


async def store_key(db: Any, *tenants: str, platform: str = "test-platform") -> Key:
    """A platform API key for `tenants`, stored in `db` the way `a2p keys create` does."""
    key, token = await intake_service.create_api_key(
        MongoApiKeyStore(db), SystemClock(), platform=platform, tenants=list(tenants)
    )
    return Key(key.key_id, token)


@dataclass
class Tenant:
    """A tenant at the Twilio emulator: its messaging service and numbers."""

    tenant_id: str
    service_sid: str
    numbers: list[str]

    @property
    def number(self) -> str:
        return self.numbers[0]


async def onboarded(twilio: Client, tenant_id: str, numbers: list[str], **webhooks: str) -> Tenant:
    """A tenant with an approved brand and a messaging service whose webhooks are ours, and
    `numbers` bought by name and added to the service."""
    service_sid = (await onboard(twilio, numbers=0, **webhooks)).service_sid
    for phone in numbers:
        bought = await twilio.incoming_phone_numbers.create_async(phone_number=phone)
        await twilio.messaging.v1.services(service_sid).phone_numbers.create_async(
            phone_number_sid=bought.sid
        )
    return Tenant(tenant_id, service_sid, numbers)


async def register_numbers(infra: Infra, mongo_db: Any, numbers: dict[str, str]) -> None:
    """`number.registered` for each phone -> tenant, as the registrar publishes it, and wait
    until the messaging service's projection (in `mongo_db`) has them all."""
    for index, (phone, tenant_id) in enumerate(numbers.items()):
        event = Envelope.new(
            NumberRegisteredV1(
                registration_id=f"reg_{tenant_id}",
                revision=1,
                phone=phone,
                phone_number_sid="PN" + f"{index:032x}",
                messaging_service_sid="MG" + f"{index:032x}",
                campaign_sid="QE2c6890da8086d771620e9b13fadeba0b",
                tier=Tier.STANDARD,
            ),
            tenant_id=tenant_id,
            correlation_id=f"reg_{tenant_id}",
        )
        await produce(
            infra.kafka_bootstrap,
            infra.topics.of(NumberRegisteredV1),
            event.model_dump_json().encode(),
            key=event_key(event),
        )

    async def projected() -> bool:
        return await mongo_db["numbers"].count_documents({}) == len(numbers)

    await eventually(projected)


def ancestry(span: ReadableSpan, by_id: Mapping[int, ReadableSpan]) -> list[ReadableSpan]:
    """`span`, its parent, its parent's parent... as far as the recorded spans go."""
    chain = [span]
    while chain[-1].parent is not None and chain[-1].parent.span_id in by_id:
        chain.append(by_id[chain[-1].parent.span_id])
    return chain


# -- records every consumer can use, and what each service consumes ------------------------------

NOW = datetime(2026, 11, 20, 15, 4, 5, tzinfo=UTC)
PERSON = "+12175550142"
NUMBER = "+12175550100"
SID = "0123456789abcdef" * 2


def valid_payloads(
    request: RegistrationRequest, registration_id: str
) -> dict[type[EventPayload], EventPayload]:
    """An event of each type that its consumers process without Twilio or the web."""
    step = {"registration_id": registration_id, "revision": 1}
    twilio_error = TwilioError(code=30701, description="Address mismatch")
    message = {"message_id": "msg-example", "to": PERSON}
    return {
        RegistrationSubmittedV1: RegistrationSubmittedV1(**step, request=request, channel="topic"),
        RegistrationCorrectedV1: RegistrationCorrectedV1(
            registration_id=registration_id, revision=2, request=request, channel="http"
        ),
        PolicyValidatedV1: PolicyValidatedV1(**step, verdict="fail", findings=[]),
        OnboardingProgressedV1: OnboardingProgressedV1(
            **step, step="brand", state="waiting", next_action="Waiting for Twilio"
        ),
        BrandSubmittedV1: BrandSubmittedV1(
            **step,
            customer_profile_sid="BU" + SID,
            trust_product_sid="BU" + SID[::-1],
            brand_sid="BN" + SID,
            tier=Tier.STANDARD,
            attempt=1,
        ),
        BrandApprovedV1: BrandApprovedV1(**step, brand_sid="BN" + SID),
        BrandFailedV1: BrandFailedV1(
            **step, brand_sid="BN" + SID, errors=[twilio_error], findings=[]
        ),
        CampaignSubmittedV1: CampaignSubmittedV1(
            **step,
            messaging_service_sid="MG" + SID,
            campaign_sid="QE" + SID,
            use_case=UseCase.PUBLIC_SERVICE_ANNOUNCEMENT,
            attempt=1,
        ),
        CampaignApprovedV1: CampaignApprovedV1(
            **step, messaging_service_sid="MG" + SID, campaign_sid="QE" + SID
        ),
        CampaignFailedV1: CampaignFailedV1(
            **step,
            messaging_service_sid="MG" + SID,
            campaign_sid="QE" + SID,
            errors=[twilio_error],
            findings=[],
        ),
        NumberRegisteredV1: NumberRegisteredV1(
            **step,
            phone=NUMBER,
            phone_number_sid="PN" + SID,
            messaging_service_sid="MG" + SID,
            campaign_sid="QE" + SID,
            tier=Tier.STANDARD,
        ),
        OptOutRecordedV1: OptOutRecordedV1(
            phone=PERSON, source=ConsentSource.PLATFORM, recorded_at=NOW
        ),
        OptInRecordedV1: OptInRecordedV1(
            phone=PERSON,
            source=ConsentSource.KEYWORD,
            recorded_at=NOW,
            categories=[Category.TRANSACTIONAL],
        ),
        ConsentReviewRequestedV1: ConsentReviewRequestedV1(
            review_id="SM" + SID,
            phone=PERSON,
            via_number=NUMBER,
            body="stop sending me promotions",
            received_at=NOW,
            reason="it may revoke consent",
        ),
        InboundMessageV1: InboundMessageV1(
            message_sid="SM" + SID,
            from_number=PERSON,
            to_number=NUMBER,
            body="Is the pothole on Elm St fixed?",
            received_at=NOW,
        ),
        MessageRequestedV1: MessageRequestedV1(
            **message,
            idempotency_key="example",
            body="Springfield 311: your permit is ready.",
            category=Category.TRANSACTIONAL,
        ),
        MessageFailedV1: MessageFailedV1(**message, twilio_code=30007, detail="filtered"),
        MessageStatusV1: MessageStatusV1(
            **message, twilio_sid="SM" + SID, status="delivered", reported_at=NOW
        ),
    }


@dataclass(frozen=True, slots=True)
class ValidRecord:
    key: bytes
    value: bytes
    envelope: bool


def valid_record(
    base_topic: str, tenant: str, request: RegistrationRequest, registration_id: str
) -> ValidRecord:
    """A record of `base_topic` its consumers process: a command or an event of `tenant`."""
    if base_topic == INTAKE_REGISTRATIONS:
        command = SubmitRegistration(
            tenant_id=tenant, idempotency_key="example", registration=request
        )
        return ValidRecord(tenant.encode(), command.model_dump_json().encode(), envelope=False)
    if base_topic == INTAKE_CONSENT:
        consent = RecordConsent(tenant_id=tenant, phone=PERSON, action=ConsentAction.OPT_OUT)
        key = tenant_phone_key(tenant, PERSON)
        return ValidRecord(key, consent.model_dump_json().encode(), envelope=False)
    [payload_cls, *_] = [p for p in CATALOGUE if topic_of(p) == base_topic]
    payload = valid_payloads(request, registration_id)[payload_cls]
    event = Envelope.new(payload, tenant_id=tenant, correlation_id=registration_id)
    return ValidRecord(event_key(event), event.model_dump_json().encode(), envelope=True)


@dataclass(frozen=True, slots=True)
class Subscription:
    group: str
    topic: str
    base_topic: str


def subscriptions(app: FastAPI, settings: ServiceSettings) -> list[Subscription]:
    """Every subscription the service declares in its AsyncAPI document."""
    document = yaml.safe_load(asyncapi_yaml(app))
    found = []
    for operation in document["operations"].values():
        if operation["action"] != "receive":
            continue
        channel = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        topic = document["channels"][channel]["address"]
        base = topic.removesuffix(f".{settings.topic_suffix}")
        found.append(Subscription(f"{settings.group_id}.{channel}", topic, base))
    return found


def _offline_fetcher() -> HttpPageFetcher:
    async def nowhere(host: str) -> list[str]:
        raise OSError(f"{host} is not resolved in this test")

    return HttpPageFetcher(resolver=nowhere)


_NO_TWILIO = "http://127.0.0.1:9"
"""Never called: no record `valid_record` makes gets an onboarding or a send that far."""


@dataclass(frozen=True, slots=True)
class Service:
    create: Callable[..., FastAPI]
    settings: type[ServiceSettings]
    adapters: Callable[[], dict[str, Any]]
    """`run_service` adapters: the web and Twilio out of reach."""


SERVICES: dict[str, Service] = {
    "intake": Service(create_intake, IntakeSettings, dict),
    "validator": Service(
        create_validator, ValidatorSettings, lambda: {"fetcher": _offline_fetcher()}
    ),
    "registrar": Service(
        create_registrar,
        RegistrarSettings,
        lambda: {"twilio_settings": TwilioSettings(api_url=_NO_TWILIO)},
    ),
    "optout": Service(create_optout, OptoutSettings, dict),
    "messaging": Service(
        create_messaging,
        MessagingSettings,
        lambda: {"twilio_settings": TwilioSettings(api_url=_NO_TWILIO)},
    ),
}
