"""Sends per second of the messaging service, against its aiokafka baseline and across instances.

Every instance is its own process (`python -m a2p_messaging`, as deployed), in one consumer
group, on real Kafka and MongoDB, sending through the Twilio emulator (its own process too).
One tenant with four numbers on a verified campaign; every recipient opted in; each request a
one-segment transactional text. The clock starts when the group is stable and stops when every
request has its outcome. Printed, never asserted:

- one instance with the emulator answering at once, and `bench.messaging_baseline` (the same
  decisions, MongoDB and Twilio calls, driven directly by aiokafka) in the same run: the ratio is
  what FastStream, the dead-letter and telemetry middlewares and the service shell cost;
- 1, 2 and 4 instances with every create-message call taking 100 ms: the scaling efficiency.

    uv run python -m bench.messaging_throughput [REQUESTS [SCALING_REQUESTS]]
"""

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_messaging.adapters.mongo_store import MongoMessagingStore
from a2p_messaging.domain import TenantNumber
from a2p_shared.events import (
    Envelope,
    MessageBlockedV1,
    MessageFailedV1,
    MessageRequestedV1,
    MessageSentV1,
    OptInRecordedV1,
)
from a2p_shared.events.registration import Category, Tier
from a2p_shared.kafka import Topics, event_key
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import onboard
from bench.groups import group_stable
from bench.messaging_baseline import GROUP_SUFFIX

from tests.support import free_port

DEFAULT_REQUESTS = 2000
DEFAULT_SCALING_REQUESTS = 1000
PARTITIONS = 8
PEOPLE = 500
TENANT = "bench-tenant"
NUMBERS = [f"+1217555{n:04d}" for n in range(100, 104)]
STALL_SECONDS = 120


@dataclass(frozen=True, slots=True)
class Run:
    label: str
    instances: int
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@asynccontextmanager
async def process(module: str, env: dict[str, str], health: str | None) -> AsyncIterator[None]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        if health is not None:
            async with httpx.AsyncClient() as http:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if (await http.get(health)).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if child.returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{module} did not start")
                    await asyncio.sleep(0.2)
        yield
    finally:
        if child.returncode is None:
            child.terminate()
            await child.wait()


async def _publish(producer: AIOKafkaProducer, topics: Topics, events: list[Envelope[Any]]) -> None:
    for event in events:
        await producer.send(
            topics.of(type(event.payload)), event.model_dump_json().encode(), key=event_key(event)
        )
    await producer.flush()


async def measure(
    bootstrap: str,
    mongodb_url: str,
    emulator_url: str,
    *,
    label: str,
    module: str,
    instances: int,
    requests: int,
    call_latency_s: float,
) -> Run:
    suffix = harness.unique_suffix()
    topics = Topics(suffix)
    specs = await ensure_topics_async(
        bootstrap, suffix=suffix, partitions={"tenant": 3, "tenant_phone": PARTITIONS}
    )
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    store = MongoMessagingStore(mongo[suffix])
    for index, phone in enumerate(NUMBERS):
        await store.save(
            TenantNumber(
                phone,
                TENANT,
                "reg",
                "MG" + f"{index:032x}",
                "QE" + "0" * 32,
                Tier.STANDARD,
                "PN" + f"{index:032x}",
            )
        )
    async with httpx.AsyncClient(base_url=f"{emulator_url}/_emulator") as admin:
        behaviour = {"call_latency_s": call_latency_s}
        (await admin.put("/messages/behaviour", json=behaviour)).raise_for_status()
    people = [f"+1312{200 + n // 10_000}{n % 10_000:04d}" for n in range(PEOPLE)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    outcomes = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await producer.start()
    await outcomes.start()
    try:
        now = datetime.now(UTC)
        await _publish(
            producer,
            topics,
            [
                Envelope.new(
                    OptInRecordedV1(
                        phone=p,
                        source="platform",
                        categories=[Category.TRANSACTIONAL],
                        recorded_at=now,
                    ),
                    tenant_id=TENANT,
                    correlation_id=p,
                )
                for p in people
            ],
        )
        outcome_topics = [topics.of(c) for c in (MessageSentV1, MessageBlockedV1, MessageFailedV1)]
        for topic in outcome_topics:
            while not outcomes.partitions_for_topic(topic):
                await outcomes._client.force_metadata_update()
        partitions = [
            TopicPartition(t, p) for t in outcome_topics for p in outcomes.partitions_for_topic(t)
        ]
        outcomes.assign(partitions)
        await outcomes.seek_to_beginning(*partitions)
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "MONGODB_URL": mongodb_url,
            "MONGODB_DATABASE": suffix,
            "A2P_TOPIC_SUFFIX": suffix,
            "TWILIO_API_URL": emulator_url,
            "MESSAGING_PUBLIC_URL": f"http://127.0.0.1:{free_port()}",  # callbacks go nowhere
            "OTEL_TRACES_EXPORTER": "none",
        }
        async with AsyncExitStack() as running:
            for _ in range(instances):
                port = free_port()
                health = f"http://127.0.0.1:{port}/health" if module == "a2p_messaging" else None
                await running.enter_async_context(
                    process(module, {**env, "MESSAGING_HTTP_PORT": str(port)}, health)
                )
            group = f"a2p-messaging.{suffix}." + (
                "on_requested" if module == "a2p_messaging" else GROUP_SUFFIX
            )
            await group_stable(bootstrap, group, instances)
            batch = [
                Envelope.new(
                    MessageRequestedV1(
                        message_id=f"m-{i}",
                        to=people[i % PEOPLE],
                        idempotency_key=f"k-{i}",
                        body=f"Your request {i} is on its way.",
                        category=Category.TRANSACTIONAL,
                    ),
                    tenant_id=TENANT,
                    correlation_id=f"m-{i}",
                )
                for i in range(requests)
            ]
            started = time.perf_counter()
            await _publish(producer, topics, batch)
            decided: set[str] = set()
            progress = time.perf_counter()
            while len(decided) < requests:
                got = await outcomes.getmany(timeout_ms=200)
                if got:
                    progress = time.perf_counter()
                elif time.perf_counter() - progress > STALL_SECONDS:
                    raise RuntimeError(f"{label}: {len(decided)} of {requests} outcomes, then none")
                for records in got.values():
                    decided.update(json.loads(r.value)["payload"]["message_id"] for r in records)
            seconds = time.perf_counter() - started
    finally:
        await producer.stop()
        await outcomes.stop()
        await delete_topics_async(bootstrap, [spec.name for spec in specs])
        await mongo.drop_database(suffix)
        await mongo.close()
    return Run(label, instances, requests, seconds)


async def run(bootstrap: str, mongodb_url: str, requests: int, scaling: int) -> list[Run]:
    port = free_port()
    emulator_url = f"http://127.0.0.1:{port}"
    emulator_env = {
        "EMULATOR_HTTP_PORT": str(port),
        "EMULATOR_REVIEW_DELAY_S": "0",
        "EMULATOR_MESSAGE_LATENCY_S": "0",
    }
    async with process("a2p_twilio_emulator", emulator_env, f"{emulator_url}/health"):
        twilio = twilio_client(TwilioSettings(api_url=emulator_url))
        try:
            service_sid = (await onboard(twilio, numbers=0)).service_sid
            for phone in NUMBERS:
                bought = await twilio.incoming_phone_numbers.create_async(phone_number=phone)
                await twilio.messaging.v1.services(service_sid).phone_numbers.create_async(
                    phone_number_sid=bought.sid
                )
        finally:
            await close_twilio_client(twilio)
        common = {"bootstrap": bootstrap, "mongodb_url": mongodb_url, "emulator_url": emulator_url}
        runs = [
            await measure(**common, label="messaging", module="a2p_messaging", instances=1,
                          requests=requests, call_latency_s=0.0),
            await measure(**common, label="aiokafka baseline", module="bench.messaging_baseline",
                          instances=1, requests=requests, call_latency_s=0.0),
        ]  # fmt: skip
        for instances in (1, 2, 4):
            runs.append(
                await measure(**common, label="messaging, 100 ms Twilio", module="a2p_messaging",
                              instances=instances, requests=scaling, call_latency_s=0.1)
            )  # fmt: skip
    return runs


def report(runs: list[Run]) -> list[str]:
    service, baseline, *scaling = runs
    lines = [
        "messaging throughput: one tenant, 4 numbers, every recipient opted in, one-segment",
        f"texts; each instance its own process; {PARTITIONS} partitions; real Kafka, MongoDB",
        "and the Twilio emulator (its own process)",
        "",
        f"{'pipeline':<26}{'instances':>10}{'requests':>10}{'seconds':>9}{'sends/s':>9}",
    ]
    for result in runs:
        lines.append(
            f"{result.label:<26}{result.instances:>10}{result.requests:>10}"
            f"{result.seconds:>9.2f}{result.per_second:>9.1f}"
        )
    lines += [
        "",
        "service / aiokafka baseline (emulator at 0 ms): "
        f"{service.per_second / baseline.per_second:.2f}",
    ]
    one = scaling[0].per_second
    for result in scaling[1:]:
        efficiency = result.per_second / (one * result.instances)
        lines.append(
            f"{result.instances} instances at 100 ms: {result.per_second / one:.2f}x one instance "
            f"(scaling efficiency {efficiency:.0%})"
        )
    return lines


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REQUESTS
    scaling = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SCALING_REQUESTS
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        runs = asyncio.run(run(bootstrap, mongodb_url, requests, scaling))
    sys.stdout.write("\n".join(report(runs)) + "\n")


if __name__ == "__main__":
    main()
