"""Shapes the system tests share: a running service, this test's infrastructure, API keys."""

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from twilio.rest import Client

from a2p_intake import service as intake_service
from a2p_intake.adapters.mongo_store import MongoApiKeyStore
from a2p_shared.clock import SystemClock
from a2p_shared.events import Envelope, NumberRegisteredV1
from a2p_shared.events.registration import Tier
from a2p_shared.kafka import Topics, event_key
from a2p_shared.settings import ServiceSettings
from a2p_shared.testing.kafka import produce
from a2p_shared.testing.telemetry import RecordedTelemetry
from a2p_shared.testing.waiting import eventually
from a2p_twilio_emulator.testing import onboard


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
