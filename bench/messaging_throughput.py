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

`run` measures several workload sizes of each in one go (what `bench.run` does).

    uv run python -m bench.messaging_throughput [REQUESTS [SCALING_REQUESTS]]
"""

import asyncio
import json
import logging
import sys
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
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
from bench.machine import CpuMeter
from bench.messaging_baseline import GROUP_SUFFIX
from bench.processes import service_process
from bench.reading import from_beginning

from tests.support import free_port

DEFAULT_REQUESTS = 2000
DEFAULT_SCALING_REQUESTS = 1000
PARTITIONS = 8
PEOPLE = 500
TENANT = "bench-tenant"
NUMBERS = [f"+1217555{n:04d}" for n in range(100, 104)]
STALL_SECONDS = 120
SERVICE = "messaging"
BASELINE = "aiokafka baseline"
INSTANCE_COUNTS = (1, 2, 4)
SCALING_LATENCY_S = 0.1

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Run:
    pipeline: str
    instances: int
    requests: int
    call_latency_s: float
    seconds: float
    cpu_busy: float | None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def label(self) -> str:
        if self.call_latency_s:
            return f"{self.pipeline}, {self.call_latency_s * 1000:.0f} ms Twilio"
        return self.pipeline


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
    pipeline: str,
    instances: int,
    requests: int,
    call_latency_s: float,
) -> Run:
    module = "a2p_messaging" if pipeline == SERVICE else "bench.messaging_baseline"
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
        await from_beginning(
            outcomes, *(topics.of(c) for c in (MessageSentV1, MessageBlockedV1, MessageFailedV1))
        )
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
            # Started side by side: one after the other, four took 40 s to answer on 2 CPUs.
            async with asyncio.TaskGroup() as starting:
                for _ in range(instances):
                    port = free_port()
                    health = (
                        f"http://127.0.0.1:{port}/health" if module == "a2p_messaging" else None
                    )
                    instance = service_process(
                        module, {**env, "MESSAGING_HTTP_PORT": str(port)}, health
                    )
                    starting.create_task(running.enter_async_context(instance))
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
            cpu = CpuMeter()
            started = time.perf_counter()
            await _publish(producer, topics, batch)
            decided: set[str] = set()
            progress = time.perf_counter()
            while len(decided) < requests:
                got = await outcomes.getmany(timeout_ms=200)
                if got:
                    progress = time.perf_counter()
                elif time.perf_counter() - progress > STALL_SECONDS:
                    raise RuntimeError(
                        f"{pipeline}: {len(decided)} of {requests} outcomes, then none"
                    )
                for records in got.values():
                    decided.update(json.loads(r.value)["payload"]["message_id"] for r in records)
            seconds = time.perf_counter() - started
            cpu_busy = cpu.busy()
    finally:
        await producer.stop()
        await outcomes.stop()
        await delete_topics_async(bootstrap, [spec.name for spec in specs])
        await mongo.drop_database(suffix)
        await mongo.close()
    result = Run(pipeline, instances, requests, call_latency_s, seconds, cpu_busy)
    log.info(
        "%s, %d instance(s), %d requests: %.2f s, %.1f sends/s",
        result.label,
        instances,
        requests,
        seconds,
        result.per_second,
    )
    return result


async def run(
    bootstrap: str,
    mongodb_url: str,
    *,
    against_baseline: Sequence[int] = (),
    scaling: Sequence[int] = (),
) -> list[Run]:
    """For each size in `against_baseline`, the service then the baseline (one instance, Twilio
    answering at once); then for each size in `scaling`, 1, 2 and 4 instances at 100 ms."""
    port = free_port()
    emulator_url = f"http://127.0.0.1:{port}"
    emulator_env = {
        "EMULATOR_HTTP_PORT": str(port),
        "EMULATOR_REVIEW_DELAY_S": "0",
        "EMULATOR_MESSAGE_LATENCY_S": "0",
    }
    async with service_process("a2p_twilio_emulator", emulator_env, f"{emulator_url}/health"):
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
        runs = []
        for requests in against_baseline:
            for pipeline in (SERVICE, BASELINE):
                runs.append(
                    await measure(**common, pipeline=pipeline, instances=1, requests=requests,
                                  call_latency_s=0.0)
                )  # fmt: skip
        for requests in scaling:
            for instances in INSTANCE_COUNTS:
                runs.append(
                    await measure(**common, pipeline=SERVICE, instances=instances,
                                  requests=requests, call_latency_s=SCALING_LATENCY_S)
                )  # fmt: skip
    return runs


def against_baseline(runs: Sequence[Run]) -> list[tuple[Run, Run]]:
    """(service, baseline) for each workload size both were measured at with Twilio instant."""
    instant = [result for result in runs if not result.call_latency_s]
    service = {result.requests: result for result in instant if result.pipeline == SERVICE}
    return [
        (service[result.requests], result)
        for result in instant
        if result.pipeline == BASELINE and result.requests in service
    ]


def scaling_series(runs: Sequence[Run]) -> dict[int, list[Run]]:
    """The runs with a Twilio latency, by workload size, in instance order."""
    series: dict[int, list[Run]] = {}
    for result in runs:
        if result.call_latency_s:
            series.setdefault(result.requests, []).append(result)
    return {size: sorted(group, key=lambda r: r.instances) for size, group in series.items()}


def efficiency(result: Run, one: Run) -> float:
    """Throughput against `one` instance's times the instance count: 100% is linear."""
    return result.per_second / (one.per_second * result.instances)


def report(runs: list[Run]) -> list[str]:
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
    lines.append("")
    for service, baseline in against_baseline(runs):
        lines.append(
            f"service / aiokafka baseline (emulator at 0 ms, {service.requests} requests): "
            f"{service.per_second / baseline.per_second:.2f}"
        )
    for size, series in scaling_series(runs).items():
        one = series[0]
        for result in series[1:]:
            lines.append(
                f"{result.instances} instances at {result.call_latency_s * 1000:.0f} ms, {size} "
                f"requests: {result.per_second / one.per_second:.2f}x one instance "
                f"(scaling efficiency {efficiency(result, one):.0%})"
            )
    return lines


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REQUESTS
    scaling = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SCALING_REQUESTS
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        runs = asyncio.run(
            run(bootstrap, mongodb_url, against_baseline=[requests], scaling=[scaling])
        )
    sys.stdout.write("\n".join(report(runs)) + "\n")


if __name__ == "__main__":
    main()
