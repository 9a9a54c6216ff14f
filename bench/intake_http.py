"""Requests per second and latency of intake's HTTP API, intake running as its own process.

`python -m a2p_intake` (as deployed) on real Kafka and MongoDB, one tenant and one platform API
key; a concurrent httpx client keeps CONCURRENCY requests in flight and sends REQUESTS of each,
one endpoint after the other:

- `POST /v1/tenants/{t}/messages`: one SMS asked for, published as `message.requested` (the
  202 comes once Kafka has it);
- `POST /v1/tenants/{t}/consent`: an opt-in with its evidence, published to
  `a2p.intake.consent`;
- `GET /v1/tenants/{t}/consent/{phone}`: a person's consent and history from intake's
  projection, seeded with opt-ins before the clock starts.

Every request also looks its API key up in MongoDB. Each request's latency is from sending it
to its answer on the client; the client runs on the same machine and shares its CPUs. A few
requests of each endpoint go first, untimed (connections, first queries). Prints figures and
asserts nothing; a non-2xx answer stops the bench.

    uv run python -m bench.intake_http [REQUESTS [CONCURRENCY]]
"""

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_shared.events import Envelope, OptInRecordedV1
from a2p_shared.events.registration import Category
from a2p_shared.kafka import Topics, event_key
from bench.machine import CpuMeter
from bench.processes import service_process
from bench.timing import median_ms, percentile_ms

from tests.support import Key, free_port, store_key

DEFAULT_REQUESTS = 1000
DEFAULT_CONCURRENCY = 16
WARM_UP_REQUESTS = 20
PEOPLE = 200
TENANT = "bench-tenant"
STALL_SECONDS = 60
EVIDENCE = {
    "method": "web_form",
    "text": "Yes, text me updates about my service requests. Reply STOP to stop.",
    "url": "https://springfield.example/alerts",
    "collected_at": "2026-11-24T09:30:00Z",
}
POST_MESSAGES = "POST /messages"
POST_CONSENT = "POST /consent"
GET_CONSENT = "GET /consent/{phone}"

log = logging.getLogger(__name__)

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass(frozen=True, slots=True)
class Run:
    endpoint: str
    requests: int
    concurrency: int
    seconds: float
    latencies: list[float]
    """Seconds from sending each request to its answer, as the client saw it."""
    cpu_busy: float | None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def people(count: int) -> list[str]:
    return [f"+1312{200 + n // 10_000}{n % 10_000:04d}" for n in range(count)]


def endpoints(key: Key, persons: Sequence[str], round_: str) -> dict[str, Send]:
    """How to send request `i` to each endpoint; `round_` keeps Idempotency-Keys unique."""
    path = f"/v1/tenants/{TENANT}"

    async def message(http: httpx.AsyncClient, i: int) -> httpx.Response:
        return await http.post(
            f"{path}/messages",
            json={
                "to": persons[i % len(persons)],
                "body": f"Springfield 311: your request {i} is ready.",
                "category": "transactional",
            },
            headers={**key.headers, "Idempotency-Key": f"{round_}-message-{i}"},
        )

    async def opt_in(http: httpx.AsyncClient, i: int) -> httpx.Response:
        return await http.post(
            f"{path}/consent",
            json={
                "phone": persons[i % len(persons)],
                "action": "opt_in",
                "categories": ["transactional"],
                "evidence": EVIDENCE,
            },
            headers={**key.headers, "Idempotency-Key": f"{round_}-consent-{i}"},
        )

    async def consent(http: httpx.AsyncClient, i: int) -> httpx.Response:
        return await http.get(f"{path}/consent/{persons[i % len(persons)]}", headers=key.headers)

    return {POST_MESSAGES: message, POST_CONSENT: opt_in, GET_CONSENT: consent}


async def drive(
    http: httpx.AsyncClient, endpoint: str, send: Send, requests: int, concurrency: int
) -> Run:
    """`requests` requests, `concurrency` at a time; raises on the first non-2xx answer."""
    latencies = [0.0] * requests
    indexes = iter(range(requests))

    async def worker() -> None:
        # One iterator shared by the workers: each index is taken exactly once.
        for i in indexes:
            sent = time.perf_counter()
            response = await send(http, i)
            latencies[i] = time.perf_counter() - sent
            if not response.is_success:
                raise RuntimeError(f"{endpoint}: {response.status_code} {response.text[:300]}")

    cpu = CpuMeter()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(
        endpoint, requests, concurrency, time.perf_counter() - started, latencies, cpu.busy()
    )


async def seed_consent(
    bootstrap: str, topics: Topics, mongo: AsyncMongoClient[dict[str, Any]], database: str
) -> list[str]:
    """Opt-ins for PEOPLE people, as the optout service publishes them, once intake's consent
    projection has every one."""
    persons = people(PEOPLE)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        now = datetime.now(UTC)
        for person in persons:
            event = Envelope.new(
                OptInRecordedV1(
                    phone=person,
                    source="platform",
                    categories=[Category.TRANSACTIONAL],
                    recorded_at=now,
                ),
                tenant_id=TENANT,
                correlation_id=person,
            )
            await producer.send(
                topics.of(OptInRecordedV1), event.model_dump_json().encode(), key=event_key(event)
            )
        await producer.flush()
    finally:
        await producer.stop()
    deadline = time.monotonic() + STALL_SECONDS
    while await mongo[database]["consent_history"].count_documents({}) < len(persons):
        if time.monotonic() > deadline:
            raise RuntimeError("intake did not project the seeded opt-ins")
        await asyncio.sleep(0.2)
    return persons


async def measure(bootstrap: str, mongodb_url: str, requests: int, concurrency: int) -> list[Run]:
    """Every endpoint at `requests`, against one fresh intake process (own topics, database)."""
    suffix = harness.unique_suffix()
    topics = Topics(suffix)
    specs = await ensure_topics_async(bootstrap, suffix=suffix)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "MONGODB_URL": mongodb_url,
        "MONGODB_DATABASE": suffix,
        "A2P_TOPIC_SUFFIX": suffix,
        "INTAKE_HTTP_PORT": str(port),
        "OTEL_TRACES_EXPORTER": "none",
    }
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    try:
        key = await store_key(mongo[suffix], TENANT)
        async with (
            service_process("a2p_intake", env, f"{url}/health"),
            httpx.AsyncClient(base_url=url, limits=limits, timeout=STALL_SECONDS) as http,
        ):
            persons = await seed_consent(bootstrap, topics, mongo, suffix)
            warm_up = endpoints(key, persons, "warm-up")
            for name, send in warm_up.items():
                await drive(http, name, send, WARM_UP_REQUESTS, concurrency)
            runs = []
            for name, send in endpoints(key, persons, "timed").items():
                result = await drive(http, name, send, requests, concurrency)
                log.info(
                    "intake %s, %d requests: %.1f requests/s, p50 %.1f ms, p99 %.1f ms",
                    name,
                    requests,
                    result.per_second,
                    median_ms(result.latencies),
                    percentile_ms(result.latencies, 0.99),
                )
                runs.append(result)
            return runs
    finally:
        await delete_topics_async(bootstrap, [spec.name for spec in specs])
        await mongo.drop_database(suffix)
        await mongo.close()


async def run(
    bootstrap: str, mongodb_url: str, sizes: Sequence[int], concurrency: int
) -> list[Run]:
    return [
        result
        for requests in sizes
        for result in await measure(bootstrap, mongodb_url, requests, concurrency)
    ]


def report(runs: list[Run]) -> list[str]:
    lines = [
        "intake HTTP API: intake as its own process on real Kafka and MongoDB, one tenant,",
        f"a concurrent httpx client on the same machine ({runs[0].concurrency} in flight)",
        "",
        f"{'endpoint':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}",
    ]
    for result in runs:
        lines.append(
            f"{result.endpoint:<22}{result.requests:>9}{result.per_second:>9.1f}"
            f"{median_ms(result.latencies):>9.1f}{percentile_ms(result.latencies, 0.9):>9.1f}"
            f"{percentile_ms(result.latencies, 0.99):>9.1f}{max(result.latencies) * 1000:>9.1f}"
        )
    return lines


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REQUESTS
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CONCURRENCY
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        runs = asyncio.run(run(bootstrap, mongodb_url, [requests], concurrency))
    sys.stdout.write("\n".join(report(runs)) + "\n")


if __name__ == "__main__":
    main()
