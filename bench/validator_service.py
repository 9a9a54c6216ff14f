"""Throughput of the validator service on real Kafka and MongoDB, pages served locally.

Publishes `registration.submitted` for the corpus's registrations (cycled, each with its own
registration id, spread over 16 tenants) and times how long the running service takes to answer
every one with `policy.validated`: fetching the pages from the local corpus server, running
every rule, storing the verdict in MongoDB and publishing it. Measured with 1 and 2 instances
in one consumer group on a 4-partition topic, each instance its own process as in production;
the clock starts once the group is stable. Prints figures and asserts nothing. `run` takes
several batch sizes (what `bench.run` does to show how it holds up as the workload grows).

Kafka and MongoDB come from KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL, or from the local processes
`devstack` runs (started when needed and stopped afterwards, as in `make test`).

    uv run python -m bench.validator_service [REGISTRATIONS]
"""

import asyncio
import logging
import multiprocessing
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_shared.events import Envelope, RegistrationSubmittedV1
from a2p_shared.events.policy import PolicyValidatedV1
from a2p_shared.events.registration import RegistrationRequest
from a2p_shared.kafka import Topics, event_key
from a2p_shared.telemetry import Telemetry
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.app import create_app
from a2p_validator.settings import ValidatorSettings
from bench.groups import group_stable
from bench.machine import CpuMeter
from bench.reading import from_beginning
from bench.timing import median_ms, percentile_ms

from tests.corpus.loader import (
    Case,
    corpus_server,
    load_cases,
    rewrite_urls,
    static_resolver,
)

DEFAULT_REGISTRATIONS = 200
PARTITIONS = 4
TENANTS = 16
INSTANCE_COUNTS = (1, 2)
STALL_SECONDS = 60
WARM_UP_REGISTRATIONS = 10

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Run:
    instances: int
    registrations: int
    seconds: float
    latencies: list[float]
    """Seconds from publishing each registration to reading its `policy.validated`."""
    cpu_busy: float | None

    @property
    def per_second(self) -> float:
        return self.registrations / self.seconds


def submissions(
    cases: list[Case], port: int, count: int
) -> list[Envelope[RegistrationSubmittedV1]]:
    requests = [
        RegistrationRequest.model_validate(rewrite_urls(case.document, port)) for case in cases
    ]
    events = []
    for i in range(count):
        registration_id = f"reg_bench_{uuid.uuid4().hex[:16]}"
        events.append(
            Envelope.new(
                RegistrationSubmittedV1(
                    registration_id=registration_id,
                    revision=1,
                    request=requests[i % len(requests)],
                    channel="topic",
                ),
                tenant_id=f"bench-tenant-{i % TENANTS}",
                correlation_id=registration_id,
            )
        )
    return events


def serve_instance(settings_json: str, ready: Event, stop: Event) -> None:
    """One validator process: the real app with the corpus fetcher, until `stop` is set."""
    logging.basicConfig(level=logging.WARNING)
    # FastStream's access log writes every record to stdout, where the bench prints its figures.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the process's stdout until it exits
    asyncio.run(_serve(ValidatorSettings.model_validate_json(settings_json), ready, stop))


async def _serve(settings: ValidatorSettings, ready: Event, stop: Event) -> None:
    # Spans are made (context propagates as in production) but not exported.
    telemetry = Telemetry(TracerProvider(), MeterProvider())
    fetcher = HttpPageFetcher(allow_private_network=True, resolver=static_resolver)
    app = create_app(settings, telemetry=telemetry, fetcher=fetcher)
    async with app.router.lifespan_context(app):
        ready.set()
        await asyncio.to_thread(stop.wait)


@asynccontextmanager
async def validators(settings: ValidatorSettings, instances: int) -> AsyncIterator[None]:
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    readiness = [spawn.Event() for _ in range(instances)]
    processes = [
        spawn.Process(target=serve_instance, args=(settings.model_dump_json(), ready, stop))
        for ready in readiness
    ]
    for process in processes:
        process.start()
    try:
        for ready in readiness:
            while not ready.is_set():
                if not all(process.is_alive() for process in processes):
                    raise RuntimeError("a validator process exited while starting")
                await asyncio.sleep(0.1)
        await group_stable(
            settings.kafka_bootstrap_servers, f"{settings.group_id}.on_submitted", instances
        )
        yield
    finally:
        stop.set()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


async def measure(
    bootstrap: str,
    mongodb_url: str,
    events: list[Envelope[RegistrationSubmittedV1]],
    instances: int,
) -> Run:
    suffix = harness.unique_suffix()
    topics = Topics(suffix)
    specs = await ensure_topics_async(
        bootstrap, suffix=suffix, partitions={"tenant": PARTITIONS, "tenant_phone": PARTITIONS}
    )
    settings = ValidatorSettings(
        kafka_bootstrap_servers=bootstrap,
        mongodb_url=mongodb_url,
        mongodb_database=suffix,
        topic_suffix=suffix,
        allow_private_network=True,
    )
    verdicts = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await verdicts.start()
    await producer.start()
    try:
        await from_beginning(verdicts, topics.of(PolicyValidatedV1))
        async with validators(settings, instances):
            sent_at: dict[str, float] = {}
            cpu = CpuMeter()
            started = time.perf_counter()
            for event in events:
                sent_at[event.payload.registration_id] = time.perf_counter()
                await producer.send(
                    topics.of(RegistrationSubmittedV1),
                    event.model_dump_json().encode(),
                    key=event_key(event),
                )
            await producer.flush()
            latencies: list[float] = []
            progress_at = time.perf_counter()
            while len(latencies) < len(events):
                batch = await verdicts.getmany(timeout_ms=500)
                now = time.perf_counter()
                if batch:
                    progress_at = now
                elif now - progress_at > STALL_SECONDS:
                    raise RuntimeError(
                        f"{len(latencies)} of {len(events)} verdicts after {STALL_SECONDS} s "
                        "without progress; see the validator's log"
                    )
                for records in batch.values():
                    for record in records:
                        verdict = Envelope[PolicyValidatedV1].model_validate_json(record.value)
                        latencies.append(now - sent_at[verdict.payload.registration_id])
            seconds = time.perf_counter() - started
            cpu_busy = cpu.busy()
    finally:
        await producer.stop()
        await verdicts.stop()
        await delete_topics_async(bootstrap, [spec.name for spec in specs])
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongodb_url)
        await client.drop_database(suffix)
        await client.close()
    result = Run(instances, len(events), seconds, latencies, cpu_busy)
    log.info(
        "validator, %d instance(s), %d registrations: %.2f s, %.1f registrations/s",
        instances,
        len(events),
        seconds,
        result.per_second,
    )
    return result


async def run(bootstrap: str, mongodb_url: str, sizes: Sequence[int]) -> list[Run]:
    """1 and 2 instances at each batch size, one after the other."""
    cases = load_cases()
    async with corpus_server() as port:
        # A short warm-up run: the first consumer group join and connection set-up are not
        # what the figure is about.
        log.info("validator warm-up run (not reported):")
        await measure(bootstrap, mongodb_url, submissions(cases, port, WARM_UP_REGISTRATIONS), 1)
        runs = []
        for count in sizes:
            events = submissions(cases, port, count)
            runs += [await measure(bootstrap, mongodb_url, events, n) for n in INSTANCE_COUNTS]
        return runs


def one_instance(runs: Sequence[Run]) -> dict[int, Run]:
    """The one-instance run of each batch size, what the others are compared with."""
    return {result.registrations: result for result in runs if result.instances == 1}


def report(runs: list[Run]) -> list[str]:
    lines = [
        "validator service: registrations from the corpus, "
        f"{PARTITIONS} partitions, pages served on 127.0.0.1, real Kafka and MongoDB",
        "",
        f"{'registrations':<14}{'instances':>10}{'seconds':>9}{'reg/s':>9}{'median ms':>11}"
        f"{'p90 ms':>9}{'vs 1':>7}",
    ]
    ones = one_instance(runs)
    for result in runs:
        one = ones[result.registrations]
        lines.append(
            f"{result.registrations:<14}{result.instances:>10}{result.seconds:>9.2f}"
            f"{result.per_second:>9.1f}{median_ms(result.latencies):>11.0f}"
            f"{percentile_ms(result.latencies, 0.9):>9.0f}"
            f"{result.per_second / one.per_second:>7.2f}"
        )
    lines += [
        "",
        "median/p90: from publishing a registration to reading its policy.validated, while the",
        "whole batch queues; 'vs 1' is throughput relative to one instance in this run.",
    ]
    return lines


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REGISTRATIONS
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        runs = asyncio.run(run(bootstrap, mongodb_url, [count]))
    sys.stdout.write("\n".join(report(runs)) + "\n")


if __name__ == "__main__":
    main()
