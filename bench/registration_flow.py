"""Time from a registration's HTTP submission to `number.registered` for all its numbers.

Intake, the validator and the registrar run in this process on real Kafka and MongoDB; the
registrar's `twilio` SDK talks over HTTP to the Twilio emulator set to instant approval (every
review ends as soon as it starts), and the tenant's pages are served on 127.0.0.1. What remains
is our own work: the validator's page checks, the registrar's Twilio calls and its steps'
saves, and the events between the services. Three runs, one after the other:

- one registration at a time, Twilio's one-request-per-second pacing of brand and campaign
  calls switched off: the flow's own latency;
- the same with the pacing on, as in production: what a tenant waits for besides the reviews;
- a batch submitted at once with the pacing on: the pacing is per registrar instance, so the
  batch's brand and campaign calls queue behind each other.

`run` takes any list of such scenarios (`bench.run` adds batches of growing size, pacing off).

Prints figures and asserts nothing. Kafka and MongoDB come from KAFKA_BOOTSTRAP_SERVERS /
MONGODB_URL, or from the local processes `devstack` runs (as in `make test`).

    uv run python -m bench.registration_flow [SEQUENTIAL [BATCH]]
"""

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_registrar.app import create_app as create_registrar
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.events import Envelope, NumberRegisteredV1
from a2p_shared.kafka import Topics
from a2p_shared.telemetry import Telemetry
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import serve
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.app import create_app as create_validator
from a2p_validator.settings import ValidatorSettings
from bench.machine import CpuMeter
from bench.reading import from_beginning
from bench.timing import median_ms, percentile_ms

from tests.sites import serve_pages, shelbyville, to_loopback
from tests.support import store_key

DEFAULT_SEQUENTIAL = 5
DEFAULT_BATCH = 10
NUMBERS_PER_REGISTRATION = 2
TENANT = "bench-shelbyville"
STALL_SECONDS = 120
ONE_AT_A_TIME = "one at a time"
ALL_AT_ONCE = "all at once"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Scenario:
    count: int
    pacing_s: float
    concurrent: bool

    @property
    def label(self) -> str:
        return ALL_AT_ONCE if self.concurrent else ONE_AT_A_TIME


@dataclass(frozen=True, slots=True)
class Run:
    label: str
    pacing_s: float
    concurrent: bool
    latencies: list[float]
    """Seconds from each registration's POST to `number.registered` for all its numbers."""
    seconds: float
    cpu_busy: float | None


def _telemetry() -> Telemetry:
    return Telemetry(TracerProvider(), MeterProvider())


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as http,
    ):
        yield http


class Flow:
    """One stack (own topics and database) and the registrations submitted to it."""

    def __init__(self, bootstrap: str, mongodb_url: str, site_port: int, emulator_url: str):
        self.bootstrap, self.mongodb_url = bootstrap, mongodb_url
        self.site_port, self.emulator_url = site_port, emulator_url
        self.suffix = harness.unique_suffix()
        self.topics = Topics(self.suffix)
        self.next_number = 0

    def settings(self, cls: type[Any], **extra: Any) -> Any:
        return cls(
            kafka_bootstrap_servers=self.bootstrap,
            mongodb_url=self.mongodb_url,
            mongodb_database=self.suffix,
            topic_suffix=self.suffix,
            **extra,
        )

    async def buy_numbers(self, count: int) -> list[str]:
        client = twilio_client(TwilioSettings(api_url=self.emulator_url))
        numbers = []
        try:
            for _ in range(count):
                number = f"+1317556{self.next_number:04d}"
                self.next_number += 1
                await client.incoming_phone_numbers.create_async(phone_number=number)
                numbers.append(number)
        finally:
            await close_twilio_client(client)
        return numbers

    def document(self, numbers: list[str]) -> dict[str, Any]:
        text = json.dumps(shelbyville.registration())
        host = shelbyville.HOST
        document = json.loads(text.replace(f"{host}/", f"{host}:{self.site_port}/"))
        document["numbers"] = numbers
        return document


async def measure(
    bootstrap: str,
    mongodb_url: str,
    site_port: int,
    scenario: Scenario,
) -> Run:
    label, count, pacing_s = scenario.label, scenario.count, scenario.pacing_s
    async with serve() as emulator:
        flow = Flow(bootstrap, mongodb_url, site_port, emulator.url)
        specs = await ensure_topics_async(bootstrap, suffix=flow.suffix)
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
        registered = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await registered.start()
        try:
            await from_beginning(registered, flow.topics.of(NumberRegisteredV1))
            key = await store_key(mongo[flow.suffix], TENANT)
            fetcher = HttpPageFetcher(allow_private_network=True, resolver=to_loopback)
            registrar = flow.settings(
                RegistrarSettings,
                poll_interval_s=0.05,
                review_poll_first_s=0.05,
                review_poll_cap_s=0.5,
                a2p_call_interval_s=pacing_s,
            )
            documents = [
                flow.document(await flow.buy_numbers(NUMBERS_PER_REGISTRATION))
                for _ in range(count)
            ]
            async with AsyncExitStack() as stack:
                intake = await stack.enter_async_context(
                    started(create_intake(flow.settings(IntakeSettings), telemetry=_telemetry()))
                )
                await stack.enter_async_context(
                    started(
                        create_validator(
                            flow.settings(ValidatorSettings),
                            telemetry=_telemetry(),
                            fetcher=fetcher,
                        )
                    )
                )
                await stack.enter_async_context(
                    started(
                        create_registrar(
                            registrar,
                            telemetry=_telemetry(),
                            twilio_settings=TwilioSettings(api_url=emulator.url),
                        )
                    )
                )
                submitted_at: dict[str, float] = {}
                live_at: dict[str, float] = {}
                live_numbers: dict[str, int] = {}

                async def submit(i: int) -> str:
                    submitted = time.perf_counter()
                    posted = await intake.post(
                        f"/v1/tenants/{TENANT}/registrations",
                        json=documents[i],
                        headers={**key.headers, "Idempotency-Key": f"{label}-{i}"},
                    )
                    posted.raise_for_status()
                    rid = str(posted.json()["registration_id"])
                    submitted_at[rid] = submitted
                    return rid

                async def until_live(rids: set[str]) -> None:
                    progress_at = time.perf_counter()
                    while not rids <= live_at.keys():
                        batch = await registered.getmany(timeout_ms=200)
                        now = time.perf_counter()
                        if batch:
                            progress_at = now
                        elif now - progress_at > STALL_SECONDS:
                            raise RuntimeError(
                                f"{len(live_at)} registrations live, no progress for "
                                f"{STALL_SECONDS} s"
                            )
                        for records in batch.values():
                            for record in records:
                                event = Envelope[NumberRegisteredV1].model_validate_json(
                                    record.value
                                )
                                rid = event.payload.registration_id
                                live_numbers[rid] = live_numbers.get(rid, 0) + 1
                                if live_numbers[rid] == NUMBERS_PER_REGISTRATION:
                                    live_at[rid] = now

                cpu = CpuMeter()
                started_at = time.perf_counter()
                if scenario.concurrent:
                    rids = await asyncio.gather(*(submit(i) for i in range(count)))
                    await until_live(set(rids))
                else:
                    for i in range(count):
                        await until_live({await submit(i)})
                seconds = time.perf_counter() - started_at
                cpu_busy = cpu.busy()
        finally:
            await registered.stop()
            await delete_topics_async(bootstrap, [spec.name for spec in specs])
            await mongo.drop_database(flow.suffix)
            await mongo.close()
    latencies = [live_at[rid] - submitted_at[rid] for rid in submitted_at]
    result = Run(label, pacing_s, scenario.concurrent, latencies, seconds, cpu_busy)
    log.info(
        "registrations %s, %d, pacing %s: median %.2f s, total %.2f s",
        label,
        count,
        f"{pacing_s:g} s" if pacing_s else "off",
        median_ms(latencies) / 1000,
        seconds,
    )
    return result


def scenarios(sequential: int, batch: int) -> list[Scenario]:
    """The CLI's three runs: one at a time without and with pacing, then a paced batch."""
    return [
        Scenario(sequential, 0.0, concurrent=False),
        Scenario(sequential, 1.0, concurrent=False),
        Scenario(batch, 1.0, concurrent=True),
    ]


async def run(bootstrap: str, mongodb_url: str, planned: Sequence[Scenario]) -> list[Run]:
    async with serve_pages(shelbyville.PAGES) as site_port:
        # Warm-up: first connections, first consumer group joins.
        log.info("registration warm-up run (not reported):")
        await measure(bootstrap, mongodb_url, site_port, Scenario(1, 0.0, concurrent=False))
        return [await measure(bootstrap, mongodb_url, site_port, scenario) for scenario in planned]


def report(runs: list[Run]) -> list[str]:
    lines = [
        "registration flow: HTTP submission -> number.registered (2 numbers each), intake,",
        "validator and registrar on real Kafka and MongoDB, Twilio emulator approving instantly",
        "",
        f"{'submitted':<15}{'pacing':>8}{'count':>7}{'median s':>10}{'p90 s':>8}{'max s':>8}"
        f"{'total s':>9}",
    ]
    for result in runs:
        pacing = f"{result.pacing_s:.0f}/s" if result.pacing_s else "off"
        lines.append(
            f"{result.label:<15}{pacing:>8}{len(result.latencies):>7}"
            f"{median_ms(result.latencies) / 1000:>10.2f}"
            f"{percentile_ms(result.latencies, 0.9) / 1000:>8.2f}"
            f"{max(result.latencies):>8.2f}{result.seconds:>9.2f}"
        )
    lines += [
        "",
        "pacing: the registrar's spacing of brand and campaign calls (Twilio allows one per",
        "second per account); 'off' shows the flow's own latency.",
    ]
    return lines


def main() -> None:
    sequential = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEQUENTIAL
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_BATCH
    logging.basicConfig(level=logging.WARNING)
    # FastStream's access log writes every record to stdout, where the figures go.
    figures, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        runs = asyncio.run(run(bootstrap, mongodb_url, scenarios(sequential, batch)))
    figures.write("\n".join(report(runs)) + "\n")


if __name__ == "__main__":
    main()
