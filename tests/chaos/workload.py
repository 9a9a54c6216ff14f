"""The mixed workload a platform and its people put on the system while faults happen: the
platform registers tenants, records opt-ins and sends texts through intake (retrying with the
same Idempotency-Key until intake accepts, as a platform would); people text STOP, START and
HELP through the Twilio emulator (delivered again until the webhook answers 200, as Twilio's
fallback would); and a broken producer writes records no service can read."""

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from a2p_shared.events import MessageRequestedV1
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.kafka import Topics

from tests.sites import shelbyville
from tests.support import Key

GIVE_UP_S = 180.0


@dataclass(frozen=True, slots=True)
class Request:
    token: str
    tenant: str
    person: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Text:
    """A person's text to a tenant's number, and whether the webhook took it."""

    person: str
    tenant: str
    body: str
    delivered: bool


@dataclass
class Wave:
    """What one fault's workload did."""

    name: str
    asked: dict[str, float] = field(default_factory=dict)  # token -> first attempt, monotonic
    requests: list[Request] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    registrations: dict[str, str] = field(default_factory=dict)  # registration id -> tenant
    garbage: list[tuple[str, bytes]] = field(default_factory=list)  # (topic, value)


def tenant_numbers(index: int) -> list[str]:
    return [f"+1217555{1000 + index * 10 + n:04d}" for n in range(2)]


def registration_document(pages_port: int, numbers: list[str]) -> dict[str, Any]:
    text = json.dumps(shelbyville.registration())
    text = text.replace(f"{shelbyville.HOST}/", f"{shelbyville.HOST}:{pages_port}/")
    document: dict[str, Any] = json.loads(text)
    document["numbers"] = numbers
    return document


class Platform:
    """The platform's side: intake's API with one key for every tenant."""

    def __init__(self, intake_url: str, key: Key) -> None:
        self._http = httpx.AsyncClient(base_url=intake_url, headers=key.headers, timeout=10)

    async def close(self) -> None:
        await self._http.aclose()

    async def _until_accepted(
        self, path: str, body: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        deadline = time.monotonic() + GIVE_UP_S
        while True:
            try:
                answer = await self._http.post(path, json=body, headers=headers)
                if answer.status_code in (201, 202):
                    return dict(answer.json())
                if answer.status_code < 500:
                    raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
            except httpx.TransportError:
                pass  # intake is down or cut off: try again, as a platform's client would
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} not accepted within {GIVE_UP_S:.0f} s")
            await asyncio.sleep(0.5)

    async def register(self, tenant: str, document: dict[str, Any]) -> str:
        answer = await self._until_accepted(
            f"/v1/tenants/{tenant}/registrations", document, f"reg-{tenant}"
        )
        return str(answer["registration_id"])

    async def status(self, tenant: str, registration_id: str) -> str | None:
        try:
            answer = await self._http.get(f"/v1/tenants/{tenant}/registrations/{registration_id}")
        except httpx.TransportError:
            return None
        return str(answer.json()["status"]) if answer.status_code == 200 else None

    async def opt_in(self, tenant: str, person: str) -> None:
        evidence = {
            "method": "web_form",
            "text": "Yes, text me updates about my service requests. Reply STOP to stop.",
            "url": "https://springfield.example/alerts",
            "collected_at": "2026-11-24T09:30:00Z",
        }
        body = {
            "phone": person,
            "action": "opt_in",
            "categories": ["transactional"],
            "evidence": evidence,
        }
        await self._until_accepted(f"/v1/tenants/{tenant}/consent", body, f"in-{tenant}-{person}")

    async def send(self, token: str, tenant: str, person: str) -> Request:
        body = {
            "to": person,
            "body": f"Your service request was updated [{token}]",
            "category": "transactional",
        }
        answer = await self._until_accepted(f"/v1/tenants/{tenant}/messages", body, token)
        return Request(token, tenant, person, str(answer["message_id"]))


class People:
    """People texting the tenants' numbers, through the emulator's admin API."""

    def __init__(self, emulator_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=f"{emulator_url}/_emulator", timeout=30)

    async def close(self) -> None:
        await self._http.aclose()

    async def text(self, person: str, tenant: str, number: str, body: str) -> Text:
        deadline = time.monotonic() + GIVE_UP_S
        while time.monotonic() < deadline:
            answer = await self._http.post(
                "/inbound", json={"from": person, "to": number, "body": body}
            )
            if answer.json().get("webhook_status") == 200:
                return Text(person, tenant, body, delivered=True)
            await asyncio.sleep(1.0)
        return Text(person, tenant, body, delivered=False)


async def publish_garbage(
    producer: AIOKafkaProducer, topics: Topics, wave: str
) -> list[tuple[str, bytes]]:
    """Records no service can read, on the two topics platforms write to."""
    written = [
        (topics.of(MessageRequestedV1), f'{{"not an envelope": "{wave}"'.encode()),
        (topics.named(INTAKE_REGISTRATIONS), json.dumps({"tenant_id": 7, "wave": wave}).encode()),
    ]
    for topic, value in written:
        await producer.send_and_wait(topic, value, key=b"chaos")
    return written
