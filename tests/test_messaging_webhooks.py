"""Twilio's inbound webhook and status callbacks, from the Twilio emulator to Kafka.

The messaging service runs on the test's real Kafka and MongoDB, on a loopback socket the
emulator calls; two tenants are onboarded at the emulator, each with its own messaging service
whose webhooks point at it, and their numbers reach messaging's projection as `number.registered`
events on Kafka, as the registrar publishes them.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from aiokafka import ConsumerRecord
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from a2p_messaging.app import create_app as create_messaging
from a2p_messaging.settings import MessagingSettings
from a2p_shared.events import Envelope, InboundMessageV1, MessageStatusV1
from a2p_shared.testing.kafka import read_topic
from a2p_shared.twilio import LOCAL_AUTH_TOKEN, TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import RunningEmulator, serve

from tests.support import (
    Infra,
    RunService,
    Tenant,
    free_port,
    listening,
    onboarded,
    register_numbers,
)

pytestmark = pytest.mark.infra

NUMBER_A = "+12175550100"
UNREGISTERED = "+12175550101"
NUMBER_B = "+13175550100"
PERSON = "+12175550142"
OTHER_PERSON = "+13125550199"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass
class Stack:
    infra: Infra
    mongo_db: Any
    emulator: RunningEmulator
    twilio: Client
    admin: httpx.AsyncClient
    url: str
    """The messaging service's address: also its public URL, the one Twilio was given."""
    a: Tenant
    b: Tenant

    async def text(self, sender: str, to: str, body: str) -> dict[str, Any]:
        """A person's text, through the emulator (Twilio) to our signed webhook."""
        response = await self.admin.post("/inbound", json={"from": sender, "to": to, "body": body})
        response.raise_for_status()
        return dict(response.json())

    async def records(
        self, payload_cls: type, expect: int, settle: float = 1.0
    ) -> list[ConsumerRecord[bytes, bytes]]:
        return await read_topic(
            self.infra.kafka_bootstrap,
            self.infra.topics.of(payload_cls),
            expect=expect,
            within=20,
            settle=settle,
        )


@pytest.fixture
async def stack(
    infra: Infra, run_service: RunService, mongo_db: Any, unique: str
) -> AsyncIterator[Stack]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    webhooks = {
        "inbound_request_url": f"{url}/twilio/inbound",
        "status_callback": f"{url}/twilio/status",
    }
    settings = infra.settings(MessagingSettings, public_url=url, http_port=port)
    async with serve() as emulator:
        twilio = twilio_client(TwilioSettings(api_url=emulator.url))
        try:
            # Tenant A has a second number at Twilio that was never registered with us.
            a = await onboarded(twilio, f"{unique}-a", [NUMBER_A, UNREGISTERED], **webhooks)
            b = await onboarded(twilio, f"{unique}-b", [NUMBER_B], **webhooks)
            async with (
                run_service(create_messaging, settings, twilio_settings=TwilioSettings()) as svc,
                listening(svc.app, port),
                httpx.AsyncClient(base_url=f"{emulator.url}/_emulator") as admin,
            ):
                await register_numbers(
                    infra, mongo_db, {a.number: a.tenant_id, b.number: b.tenant_id}
                )
                yield Stack(infra, mongo_db, emulator, twilio, admin, url, a, b)
        finally:
            await close_twilio_client(twilio)


def signed(url: str, form: dict[str, str]) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(LOCAL_AUTH_TOKEN).compute_signature(url, form),
    }


def inbound(record: ConsumerRecord[bytes, bytes]) -> Envelope[InboundMessageV1]:
    return Envelope[InboundMessageV1].model_validate_json(record.value)


async def test_a_text_is_one_inbound_event_of_the_tenant_whose_number_was_texted(
    stack: Stack,
) -> None:
    to_a = await stack.text(PERSON, stack.a.number, "Is the pothole on Elm St fixed?")
    to_b = await stack.text(OTHER_PERSON, stack.b.number, "HELP")

    assert (to_a["webhook_status"], to_b["webhook_status"]) == (200, 200)
    records = await stack.records(InboundMessageV1, expect=2)
    by_sid = {inbound(r).payload.message_sid: r for r in records}
    assert sorted(by_sid) == sorted([to_a["message_sid"], to_b["message_sid"]])

    from_a, from_b = by_sid[to_a["message_sid"]], by_sid[to_b["message_sid"]]
    assert from_a.key == f"{stack.a.tenant_id}:{PERSON}".encode()
    assert from_b.key == f"{stack.b.tenant_id}:{OTHER_PERSON}".encode()
    event = inbound(from_a)
    assert (event.tenant_id, event.correlation_id) == (stack.a.tenant_id, to_a["message_sid"])
    assert (event.payload.from_number, event.payload.to_number) == (PERSON, stack.a.number)
    assert event.payload.body == "Is the pothole on Elm St fixed?"
    assert event.payload.messaging_service_sid == stack.a.service_sid
    assert inbound(from_b).tenant_id == stack.b.tenant_id
    assert await stack.mongo_db["inbound_messages"].count_documents({}) == 2
    deliveries = (await stack.admin.get("/webhooks")).json()
    [answer] = [d for d in deliveries if d["params"].get("MessageSid") == to_a["message_sid"]]
    assert answer["url"] == f"{stack.url}/twilio/inbound"


async def test_a_replayed_delivery_is_still_one_event(stack: Stack) -> None:
    texted = await stack.text(PERSON, stack.a.number, "Thanks!")
    deliveries = (await stack.admin.get("/webhooks")).json()
    [delivery] = [d for d in deliveries if d["params"].get("MessageSid") == texted["message_sid"]]

    async with httpx.AsyncClient() as client:
        for _ in range(2):
            replay = await client.post(
                delivery["url"],
                content=urlencode(delivery["params"]),
                headers=signed(delivery["url"], delivery["params"]),
            )
            assert (replay.status_code, replay.text) == (200, EMPTY_TWIML)

    records = await stack.records(InboundMessageV1, expect=1, settle=2.0)
    assert [inbound(r).payload.message_sid for r in records] == [texted["message_sid"]]


async def test_a_forged_signature_is_refused_and_leaves_no_trace(stack: Stack) -> None:
    url = f"{stack.url}/twilio/inbound"
    forged_sid = "SM" + "f" * 32
    form = {"MessageSid": forged_sid, "From": PERSON, "To": stack.a.number, "Body": "STOP"}

    async with httpx.AsyncClient() as client:
        forged = await client.post(
            url,
            content=urlencode(form),
            headers={**signed(url, form), "X-Twilio-Signature": "bm90IFR3aWxpbw=="},
        )
        unsigned = await client.post(url, data=form)
    texted = await stack.text(PERSON, stack.a.number, "real")

    assert (forged.status_code, unsigned.status_code) == (403, 403)
    records = await stack.records(InboundMessageV1, expect=1, settle=1.0)
    assert [inbound(r).payload.message_sid for r in records] == [texted["message_sid"]]
    assert await stack.mongo_db["inbound_messages"].find_one({"_id": forged_sid}) is None


async def test_a_text_to_a_number_not_registered_with_us_is_answered_and_dropped(
    stack: Stack,
) -> None:
    stray = await stack.text(PERSON, UNREGISTERED, "hello?")
    texted = await stack.text(PERSON, stack.a.number, "hello!")

    assert stray["webhook_status"] == 200
    records = await stack.records(InboundMessageV1, expect=1, settle=1.0)
    assert [inbound(r).payload.message_sid for r in records] == [texted["message_sid"]]
    assert await stack.mongo_db["inbound_messages"].find_one({"_id": stray["message_sid"]}) is None


async def test_delivery_statuses_of_a_sent_message_are_message_status_events(
    stack: Stack,
) -> None:
    message = await stack.twilio.messages.create_async(
        to=PERSON,
        body="Your request #1234 was resolved.",
        messaging_service_sid=stack.b.service_sid,
    )

    # Twilio answers `accepted`; each later change is a callback to the service's status URL,
    # and one person's statuses share a key, so they arrive in order.
    records = await stack.records(MessageStatusV1, expect=4)
    events = [Envelope[MessageStatusV1].model_validate_json(r.value) for r in records]
    assert [e.payload.status for e in events] == ["queued", "sending", "sent", "delivered"]
    assert len({e.event_id for e in events}) == 4
    assert {e.payload.from_number for e in events} == {stack.b.number}
    assert {r.key for r in records} == {f"{stack.b.tenant_id}:{PERSON}".encode()}
    assert {e.tenant_id for e in events} == {stack.b.tenant_id}
    assert {(e.payload.twilio_sid, e.payload.message_id, e.correlation_id) for e in events} == {
        (message.sid, message.sid, message.sid)
    }
    callbacks = [
        d for d in (await stack.admin.get("/webhooks")).json() if d["kind"] == "status-callback"
    ]
    assert {d["status"] for d in callbacks} == {200}


async def test_a_status_of_a_message_the_send_pipeline_recorded_names_it_and_counts_once(
    stack: Stack,
) -> None:
    twilio_sid = "SM" + "5" * 32
    await stack.mongo_db["messages"].insert_one(
        {"_id": "tenant-a:key-1", "message_id": "msg_42", "twilio_sid": twilio_sid}
    )
    url = f"{stack.url}/twilio/status"
    form = {
        "MessageSid": twilio_sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
        "From": stack.a.number,
        "To": PERSON,
        "AccountSid": "AC" + "a2" * 16,
    }

    async with httpx.AsyncClient() as client:
        answers = [
            await client.post(url, content=urlencode(form), headers=signed(url, form))
            for _ in range(2)
        ]

    assert [(a.status_code, a.content) for a in answers] == [(200, b""), (200, b"")]
    [record] = await stack.records(MessageStatusV1, expect=1, settle=1.0)
    event = Envelope[MessageStatusV1].model_validate_json(record.value)
    assert (event.tenant_id, event.correlation_id) == (stack.a.tenant_id, "msg_42")
    assert (event.payload.message_id, event.payload.status, event.payload.error_code) == (
        "msg_42",
        "undelivered",
        30003,
    )
    assert record.key == f"{stack.a.tenant_id}:{PERSON}".encode()


PUBLIC_URL = "https://sms.platform.example"


@pytest.fixture
async def behind_proxy(
    infra: Infra, run_service: RunService, mongo_db: Any, unique: str
) -> AsyncIterator[str]:
    """messaging reached through a proxy: Twilio knows only the proxy's public URL."""
    port = free_port()
    settings = infra.settings(MessagingSettings, public_url=PUBLIC_URL, http_port=port)
    async with (
        run_service(create_messaging, settings, twilio_settings=TwilioSettings()) as svc,
        listening(svc.app, port) as url,
    ):
        await register_numbers(infra, mongo_db, {"+12175550100": f"{unique}-a"})
        yield url


async def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(
    behind_proxy: str, infra: Infra, unique: str
) -> None:
    form = {
        "MessageSid": "SM" + "e" * 32,
        "AccountSid": "AC" + "a2" * 16,
        "From": PERSON,
        "To": "+12175550100",
        "Body": "proxied",
        "NumMedia": "0",
    }
    proxied = {"Host": "messaging.internal:8083", "X-Forwarded-Proto": "https"}

    async with httpx.AsyncClient(base_url=behind_proxy) as client:
        as_seen = await client.post(
            "/twilio/inbound",
            content=urlencode(form),
            headers={**signed(f"{behind_proxy}/twilio/inbound", form), **proxied},
        )
        as_public = await client.post(
            "/twilio/inbound",
            content=urlencode(form),
            headers={**signed(f"{PUBLIC_URL}/twilio/inbound", form), **proxied},
        )

    assert (as_seen.status_code, as_public.status_code) == (403, 200)
    [record] = await read_topic(
        infra.kafka_bootstrap, infra.topics.of(InboundMessageV1), expect=1, settle=1.0
    )
    assert record.key == f"{unique}-a:{PERSON}".encode()
