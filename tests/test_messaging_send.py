"""The send pipeline on real Kafka, MongoDB and the Twilio emulator: a STOP to one number blocks
the tenant's other numbers and no other tenant, also while racing the sends across two
instances; several instances give every request exactly one outcome and one text at most, and
the daily cap holds in total."""

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from a2p_messaging.app import create_app as create_messaging
from a2p_messaging.settings import MessagingSettings
from a2p_optout.app import create_app as create_optout
from a2p_optout.settings import OptoutSettings
from a2p_shared.events import (
    Envelope,
    MessageBlockedV1,
    MessageFailedV1,
    MessageRequestedV1,
    MessageSentV1,
    MessageStatusV1,
    OptInRecordedV1,
    OptOutRecordedV1,
)
from a2p_shared.events.registration import Category
from a2p_shared.kafka import event_key
from a2p_shared.replay import list_letters, replay
from a2p_shared.testing.kafka import read_topic
from a2p_shared.testing.waiting import eventually
from a2p_shared.traces import PHONE, hashed_phone
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
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

A_NUMBERS = ["+12175550100", "+12175550101"]
B_NUMBER = "+13175550100"
OUTCOMES = ("message.sent", "message.blocked", "message.failed")


@dataclass
class Stack:
    infra: Infra
    emulator: RunningEmulator
    admin: httpx.AsyncClient
    a: Tenant
    b: Tenant
    producer: AIOKafkaProducer
    webhook_port: int
    sent: int = 0

    def request(
        self,
        tenant: Tenant,
        to: str,
        *,
        from_number: str | None = None,
        body: str = "Your permit 4711 is ready",
    ) -> Envelope[MessageRequestedV1]:
        self.sent += 1
        key = f"k-{self.sent}"
        return Envelope.new(
            MessageRequestedV1(
                message_id=f"m-{tenant.tenant_id}-{self.sent}",
                to=to,
                idempotency_key=key,
                body=body,
                category=Category.TRANSACTIONAL,
                from_number=from_number,
            ),
            tenant_id=tenant.tenant_id,
            correlation_id=f"m-{self.sent}",
        )

    async def publish(self, *events: Envelope[Any]) -> None:
        for event in events:
            await self.producer.send_and_wait(
                self.infra.topics.of(type(event.payload)),
                event.model_dump_json().encode(),
                key=event_key(event),
            )

    async def opt_in(self, tenant: Tenant, *people: str) -> None:
        await self.publish(
            *(
                Envelope.new(
                    OptInRecordedV1(
                        phone=person,
                        source="platform",
                        categories=[Category.TRANSACTIONAL],
                        recorded_at=datetime.now(UTC),
                    ),
                    tenant_id=tenant.tenant_id,
                    correlation_id=person,
                )
                for person in people
            )
        )

    async def outcomes(self, expect: int, settle: float = 2.0) -> list[dict[str, Any]]:
        """Records on the sent, blocked and failed topics, once `expect` are there."""
        topics = [
            self.infra.topics.of(c) for c in (MessageSentV1, MessageBlockedV1, MessageFailedV1)
        ]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.infra.kafka_bootstrap)
        await consumer.start()
        try:
            partitions = [
                TopicPartition(topic, p)
                for topic in topics
                for p in (consumer.partitions_for_topic(topic) or {0})
            ]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            found: list[dict[str, Any]] = []
            # Under load (CI runs two workers on two CPUs) a rebalance after a kill takes a
            # while: wait as long as outcomes keep coming, and give up after 60 s without one.
            progress, settled = time.monotonic(), None
            while time.monotonic() - progress < 60:
                batch = await consumer.getmany(timeout_ms=200)
                arrived = [json.loads(r.value) for part in batch.values() for r in part]
                if arrived:
                    found += arrived
                    progress = time.monotonic()
                if len({o["event_id"] for o in found}) >= expect:
                    settled = settled or time.monotonic() + settle
                    if time.monotonic() >= settled:
                        break
            return found
        finally:
            await consumer.stop()

    async def texts_at_twilio(self, to: str | None = None) -> list[dict[str, Any]]:
        query = {"direction": "outbound-api", **({"to": to} if to else {})}
        listed = await self.admin.get("/messages", params=query)
        return list(listed.json())


def messaging(
    run_service: RunService, infra: Infra, emulator: RunningEmulator, **extra: Any
) -> Any:
    settings = infra.settings(MessagingSettings, **extra)
    return run_service(
        create_messaging, settings, twilio_settings=TwilioSettings(api_url=emulator.url)
    )


@pytest.fixture
async def stack(infra: Infra, mongo_db: Any, unique: str) -> AsyncIterator[Stack]:
    async with serve() as emulator:
        twilio = twilio_client(TwilioSettings(api_url=emulator.url))
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            # The webhooks point at a port the test opens when it needs them.
            port = free_port()
            hooks = {"inbound_request_url": f"http://127.0.0.1:{port}/twilio/inbound"}
            a = await onboarded(twilio, f"{unique}-a", A_NUMBERS, **hooks)
            b = await onboarded(twilio, f"{unique}-b", [B_NUMBER], **hooks)
            async with httpx.AsyncClient(base_url=f"{emulator.url}/_emulator") as admin:
                yield Stack(infra, emulator, admin, a, b, producer, port)
        finally:
            await producer.stop()
            await close_twilio_client(twilio)


async def _numbers_known(stack: Stack, mongo_db: Any) -> None:
    numbers = {phone: stack.a.tenant_id for phone in A_NUMBERS}
    await register_numbers(stack.infra, mongo_db, {**numbers, B_NUMBER: stack.b.tenant_id})


async def test_a_stop_to_number_a_blocks_number_b_of_the_tenant_and_no_other_tenant(
    stack: Stack, run_service: RunService, mongo_db: Any
) -> None:
    person = "+13125550142"
    port = stack.webhook_port
    settings = stack.infra.settings(MessagingSettings, public_url=f"http://127.0.0.1:{port}")
    async with (
        run_service(
            create_messaging, settings, twilio_settings=TwilioSettings(api_url=stack.emulator.url)
        ) as svc,
        listening(svc.app, port),
        run_service(create_optout, stack.infra.settings(OptoutSettings)) as optout,
    ):
        await _numbers_known(stack, mongo_db)
        await stack.opt_in(stack.a, person)
        await stack.opt_in(stack.b, person)
        stop = await stack.admin.post(
            "/inbound", json={"from": person, "to": A_NUMBERS[0], "body": "STOP"}
        )
        assert stop.json()["webhook_status"] == 200
        await read_topic(
            stack.infra.kafka_bootstrap,
            stack.infra.topics.of(OptOutRecordedV1),
            expect=3,  # two opt-ins, then the opt-out
        )
        # The opt-out is acknowledged: send at once from the tenant's other number, and from B.
        from_b_of_a = stack.request(stack.a, person, from_number=A_NUMBERS[1])
        from_pool_of_a = stack.request(stack.a, person)
        from_b = stack.request(stack.b, person)
        await stack.publish(from_b_of_a, from_pool_of_a, from_b)
        # Ours (two blocked, one sent) and optout's confirmation, which Twilio refuses: it
        # blocked the service that got the STOP.
        outcomes = await stack.outcomes(expect=4)
        await read_topic(  # Twilio's status callbacks for the text it sent
            stack.infra.kafka_bootstrap, stack.infra.topics.of(MessageStatusV1), expect=2
        )

    by_id = {o["payload"]["message_id"]: o for o in outcomes}
    assert by_id[from_b_of_a.payload.message_id]["payload"]["reason"] == "opted_out"
    assert by_id[from_pool_of_a.payload.message_id]["payload"]["reason"] == "opted_out"
    assert by_id[from_b.payload.message_id]["type"] == "message.sent"
    [confirmation] = [o for o in outcomes if o["type"] == "message.failed"]
    assert confirmation["payload"]["twilio_code"] == 21610
    texts = await stack.texts_at_twilio(person)
    assert [t["from"] for t in texts] == [B_NUMBER], "only tenant B's text reached Twilio"

    # Telemetry of the whole flow names no phone number and carries no text.
    spans = [*svc.recorded.spans(), *optout.recorded.spans()]
    values = [str(v) for span in spans for v in (span.attributes or {}).values()]
    assert len(spans) > 10
    assert [v for v in values if PHONE.search(v)] == []
    assert [v for v in values if "STOP" in v or from_b.payload.body in v] == []
    assert any(hashed_phone(person) in v for v in values), "searchable by the phone's hash"
    # Each request's decision is on its own span, found by message id.
    decided = {
        s.attributes["a2p.message.id"]: s.attributes
        for s in svc.recorded.spans()
        if s.name == "messaging send"
    }
    blocked = decided[from_b_of_a.payload.message_id]
    assert (blocked["a2p.message.outcome"], blocked["a2p.message.block_reason"]) == (
        "message.blocked",
        "opted_out",
    )
    assert decided[from_b.payload.message_id]["a2p.message.outcome"] == "message.sent"
    # Twilio's later callbacks link to the trace the text was sent in.
    sent_in = {
        s.context.trace_id
        for s in svc.recorded.spans()
        if s.name.startswith("twilio POST")
        and s.attributes["url.path"].endswith("Messages.json")
        and s.attributes["http.response.status_code"] == 201  # accepted: Twilio calls back
    }
    linked = {link.context.trace_id for s in svc.recorded.spans() for link in s.links}
    assert sent_in, sorted({s.name for s in svc.recorded.spans()})
    assert sent_in <= linked
    # ...and its metrics count each request's outcome once, by reason.
    counted = sorted(
        (a["a2p.outcome"], a.get("a2p.message.block_reason") or a.get("a2p.twilio.error_code"), v)
        for a, v in svc.recorded.points("a2p.messages.outcomes")
    )
    assert counted == [("blocked", "opted_out", 2), ("failed", "21610", 1), ("sent", None, 1)]


@pytest.mark.parametrize("instances", [2, 3])
async def test_several_instances_one_outcome_per_request_no_duplicate_text_caps_hold(
    stack: Stack, run_service: RunService, mongo_db: Any, instances: int
) -> None:
    people = [f"+1312555{n:04d}" for n in range(300, 330)]
    cap = 40  # segments a day for tenant A: fewer than the requests below
    async with AsyncExitStack() as running:
        for _ in range(instances):
            await running.enter_async_context(
                messaging(run_service, stack.infra, stack.emulator, daily_cap_standard=cap)
            )
        await _numbers_known(stack, mongo_db)
        await stack.opt_in(stack.a, *people)
        requests = [stack.request(stack.a, p, body=f"Update {i}") for i in range(2) for p in people]
        # Every request is delivered twice, as a producer retry or a replay would.
        await stack.publish(*requests, *requests)
        outcomes = await stack.outcomes(expect=len(requests))

    assert sorted(o["payload"]["message_id"] for o in _unique(outcomes)) == sorted(
        r.payload.message_id for r in requests
    ), "every request has one outcome"
    sent = [o for o in _unique(outcomes) if o["type"] == "message.sent"]
    capped = [o for o in _unique(outcomes) if o["type"] == "message.blocked"]
    assert len(sent) == cap, "one segment each: exactly the cap is sent"
    assert {o["payload"]["reason"] for o in capped} == {"daily_cap"}
    texts = await stack.texts_at_twilio()
    assert len(texts) == len(sent), "no text twice at Twilio"
    assert {t["sid"] for t in texts} == {o["payload"]["twilio_sid"] for o in sent}


def _unique(outcomes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outcomes by event id: a redelivered request republishes its outcome with the same id."""
    return list({o["event_id"]: o for o in outcomes}.values())


async def test_a_stop_racing_a_stream_of_sends_across_two_instances(
    stack: Stack, run_service: RunService, mongo_db: Any
) -> None:
    person = "+13125550177"
    port = stack.webhook_port
    settings = stack.infra.settings(MessagingSettings, public_url=f"http://127.0.0.1:{port}")
    emulator = TwilioSettings(api_url=stack.emulator.url)
    published: list[tuple[float, str]] = []
    async with (
        run_service(create_messaging, settings, twilio_settings=emulator) as first,
        listening(first.app, port),
        run_service(create_messaging, settings, twilio_settings=emulator),
        run_service(create_optout, stack.infra.settings(OptoutSettings)),
    ):
        await _numbers_known(stack, mongo_db)
        await stack.opt_in(stack.a, person)
        acknowledged = asyncio.Event()
        observed_at: list[float] = []

        async def watch_consent() -> None:
            await read_topic(
                stack.infra.kafka_bootstrap,
                stack.infra.topics.of(OptOutRecordedV1),
                expect=2,  # the opt-in, then the opt-out
                within=60,
            )
            observed_at.append(time.time())
            acknowledged.set()

        async def stream() -> None:
            # Until well after the opt-out is on the topic: requests before, around and after.
            after = 0
            while after < 20:
                request = stack.request(stack.a, person, body=f"Reminder {len(published)}")
                await stack.publish(request)
                published.append((time.time(), request.payload.message_id))
                after += acknowledged.is_set()
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch_consent())
        sender = asyncio.create_task(stream())
        await read_topic(  # sends are flowing through both instances: now the STOP
            stack.infra.kafka_bootstrap, stack.infra.topics.of(MessageSentV1), expect=3, within=30
        )
        await stack.admin.post(
            "/inbound", json={"from": person, "to": A_NUMBERS[1], "body": "STOP"}
        )
        await asyncio.gather(watcher, sender)
        outcomes = await stack.outcomes(expect=len(published) + 1)

    by_id = {o["payload"]["message_id"]: o for o in outcomes}
    later = [m for at, m in published if at > observed_at[0]]
    earlier = [m for at, m in published if at <= observed_at[0]]
    assert len(later) >= 20
    assert {by_id[m]["payload"].get("reason") for m in later} == {"opted_out"}
    assert any(by_id[m]["type"] == "message.sent" for m in earlier), "the race had a before"


async def test_an_instance_killed_mid_stream_loses_nothing_and_sends_nothing_twice(
    stack: Stack, mongo_db: Any
) -> None:
    people = [f"+1312555{n:04d}" for n in range(400, 440)]
    slow = {"call_latency_s": 0.02}
    (await stack.admin.put("/messages/behaviour", json=slow)).raise_for_status()
    requests = [
        stack.request(stack.a, p, body=f"Notice {i} for {p}") for i in range(3) for p in people
    ]
    async with AsyncExitStack() as running:
        first = await running.enter_async_context(_process(stack))
        await running.enter_async_context(_process(stack))
        await _numbers_known(stack, mongo_db)
        await stack.opt_in(stack.a, *people)
        await stack.publish(*requests)
        await read_topic(  # mid-stream
            stack.infra.kafka_bootstrap, stack.infra.topics.of(MessageSentV1), expect=20, within=60
        )
        first.kill()  # SIGKILL: no graceful shutdown, no offset commit
        await first.wait()
        await running.enter_async_context(_process(stack))
        outcomes = _unique(await stack.outcomes(expect=len(requests), settle=3.0))

    assert sorted(o["payload"]["message_id"] for o in outcomes) == sorted(
        r.payload.message_id for r in requests
    ), "every request has exactly one outcome"
    assert {o["type"] for o in outcomes} == {"message.sent"}
    texts = await stack.texts_at_twilio()
    assert len(texts) == len(requests), "no request lost at Twilio"
    assert len({(t["to"], t["body"]) for t in texts}) == len(texts), "no text sent twice"


@asynccontextmanager
async def _process(stack: Stack) -> AsyncIterator[asyncio.subprocess.Process]:
    """A messaging instance as its own process, as deployed (`python -m a2p_messaging`)."""
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": stack.infra.kafka_bootstrap,
        "MONGODB_URL": stack.infra.mongodb_url,
        "MONGODB_DATABASE": stack.infra.unique,
        "A2P_TOPIC_SUFFIX": stack.infra.unique,
        "MESSAGING_HTTP_PORT": str(port),
        "TWILIO_API_URL": stack.emulator.url,
        "OTEL_TRACES_EXPORTER": "none",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "a2p_messaging",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient() as http:

            async def healthy() -> bool:
                try:
                    return (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(healthy, within=30)
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_undecodable_requests_and_unknown_tenants_are_dead_lettered_and_the_rest_sent(
    stack: Stack, run_service: RunService, mongo_db: Any
) -> None:
    person = "+13125550188"
    garbage = b'{"type": "message.requested", "payload": {"to": "not a phone"}}'
    stranger = stack.request(Tenant("nobody-knows-me", "MG" + "0" * 32, []), person)
    fine = stack.request(stack.a, person)
    async with messaging(run_service, stack.infra, stack.emulator) as svc:
        await _numbers_known(stack, mongo_db)
        await stack.opt_in(stack.a, person)
        topic = stack.infra.topics.of(MessageRequestedV1)
        await stack.producer.send_and_wait(
            topic, garbage, key=f"{stack.a.tenant_id}:{person}".encode()
        )
        await stack.publish(stranger, fine)
        outcomes = await stack.outcomes(expect=1)
        dead = await read_topic(stack.infra.kafka_bootstrap, f"{topic}.dlq", expect=2)

    assert [o["payload"]["message_id"] for o in outcomes] == [fine.payload.message_id]
    assert dead[0].value == garbage, "the original bytes, unchanged"
    reasons = [json.loads(dict(d.headers)["a2p-dlq-errors"]) for d in dead]
    assert {e["field"] for e in reasons[0]} >= {"payload.to"}
    assert reasons[1] == [
        {"field": "tenant_id", "reason": "no registration or number is known for this tenant"}
    ]
    assert sum(v for _, v in svc.recorded.points("a2p.dead_letters")) == 2


async def test_a_dead_letter_is_replayed_once_its_cause_is_fixed(
    stack: Stack, run_service: RunService, mongo_db: Any
) -> None:
    person = "+13125550199"
    early = stack.request(stack.a, person)  # before tenant A's numbers are known
    topic = stack.infra.topics.of(MessageRequestedV1)
    async with messaging(run_service, stack.infra, stack.emulator):
        await stack.publish(early)
        [dead] = await read_topic(stack.infra.kafka_bootstrap, f"{topic}.dlq", expect=1)
        listed = await list_letters(stack.infra.kafka_bootstrap, f"{topic}.dlq")

        await _numbers_known(stack, mongo_db)  # the cause, fixed: the tenant is registered
        await stack.opt_in(stack.a, person)
        group = f"replay-{stack.infra.unique}"
        replayed = await replay(stack.infra.kafka_bootstrap, f"{topic}.dlq", group=group)
        again = await replay(stack.infra.kafka_bootstrap, f"{topic}.dlq", group=group)
        outcomes = await stack.outcomes(expect=1)

    assert [letter.errors for letter in listed] == [
        [{"field": "tenant_id", "reason": "no registration or number is known for this tenant"}]
    ]
    assert [letter.value for letter in replayed] == [dead.value]
    assert again == [], "a second replay sends nothing"
    [sent] = outcomes
    assert (sent["type"], sent["payload"]["message_id"]) == (
        "message.sent",
        early.payload.message_id,
    )
