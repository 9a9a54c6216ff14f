"""Time from the inbound webhook's 200 to the opt-out being readable on the consent topic.

The messaging service (its webhook, in this process, over ASGI) and the optout service run on
real Kafka and MongoDB. Each STOP is a Twilio-signed form from a different person to one of the
tenant's numbers; the clock starts when the webhook answers 200 (the `inbound.message` is then
durably in Kafka) and stops when a consumer reads that person's `optout.recorded` from the
compacted consent topic. Webhooks arrive at RATE per second (paced, as people text), or, with
RATE 0, as a burst CONCURRENCY at a time (then the figure is mostly queueing). Prints figures
and asserts nothing.

    uv run python -m bench.stop_to_consent [STOPS [RATE [CONCURRENCY]]]
"""

import asyncio
import os
import sys
import time
import uuid
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient
from twilio.request_validator import RequestValidator

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_messaging.app import create_app as create_messaging
from a2p_messaging.settings import MessagingSettings
from a2p_optout.app import create_app as create_optout
from a2p_optout.settings import OptoutSettings
from a2p_shared.events import Envelope, NumberRegisteredV1, OptOutRecordedV1
from a2p_shared.events.registration import Tier
from a2p_shared.kafka import Topics, event_key
from a2p_shared.telemetry import Telemetry
from a2p_shared.twilio import TwilioSettings
from bench.reading import from_beginning
from bench.timing import median_ms, percentile_ms

DEFAULT_STOPS = 2000
DEFAULT_RATE = 20.0
DEFAULT_CONCURRENCY = 20
TENANT = "bench-tenant"
NUMBER = "+12175550100"
PUBLIC_URL = "https://a2p.example"
STALL_SECONDS = 60


def quiet_telemetry() -> Telemetry:
    return Telemetry(TracerProvider(), MeterProvider())


def people(count: int) -> list[str]:
    return [f"+1312{200 + n // 10_000}{n % 10_000:04d}" for n in range(count)]


async def started_app(stack: AsyncExitStack, app: FastAPI) -> httpx.AsyncClient:
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app)
    return await stack.enter_async_context(
        httpx.AsyncClient(transport=transport, base_url="http://messaging")
    )


async def register_number(bootstrap: str, topics: Topics) -> None:
    event = Envelope.new(
        NumberRegisteredV1(
            registration_id="bench-reg",
            revision=1,
            phone=NUMBER,
            phone_number_sid="PN" + "0" * 32,
            messaging_service_sid="MG" + "0" * 32,
            campaign_sid="QE" + "0" * 32,
            tier=Tier.STANDARD,
        ),
        tenant_id=TENANT,
        correlation_id="bench-reg",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topics.of(NumberRegisteredV1), event.model_dump_json().encode(), key=event_key(event)
        )
    finally:
        await producer.stop()


async def measure(
    bootstrap: str, mongodb_url: str, stops: int, rate: float, concurrency: int
) -> list[str]:
    suffix = harness.unique_suffix()
    topics = Topics(suffix)
    specs = await ensure_topics_async(bootstrap, suffix=suffix)
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": bootstrap,
        "mongodb_url": mongodb_url,
        "mongodb_database": suffix,
        "topic_suffix": suffix,
    }
    twilio = TwilioSettings()
    signer = RequestValidator(twilio.auth_token.get_secret_value())
    consent = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consent.start()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        await from_beginning(consent, topics.of(OptOutRecordedV1))
        async with AsyncExitStack() as stack:
            messaging = await started_app(
                stack,
                create_messaging(
                    MessagingSettings(**common, public_url=PUBLIC_URL),
                    telemetry=quiet_telemetry(),
                    twilio_settings=twilio,
                ),
            )
            optout_app = create_optout(OptoutSettings(**common), telemetry=quiet_telemetry())
            await stack.enter_async_context(optout_app.router.lifespan_context(optout_app))
            await register_number(bootstrap, topics)
            await until_number_known(mongo, suffix)

            answered: dict[str, float] = {}
            recorded: dict[str, float] = {}
            queue: asyncio.Queue[str] = asyncio.Queue()
            for person in people(stops):
                queue.put_nowait(person)

            started = time.perf_counter()

            async def post_stops() -> None:
                while not queue.empty():
                    person = queue.get_nowait()
                    if rate > 0:
                        due = started + (stops - queue.qsize() - 1) / rate
                        await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    form = stop_form(person)
                    signature = signer.compute_signature(f"{PUBLIC_URL}/twilio/inbound", form)
                    response = await messaging.post(
                        "/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature}
                    )
                    response.raise_for_status()
                    answered[person] = time.perf_counter()

            async def read_consent() -> None:
                progress = time.perf_counter()
                while len(recorded) < stops:
                    batch = await consent.getmany(timeout_ms=100)
                    now = time.perf_counter()
                    if batch:
                        progress = now
                    elif now - progress > STALL_SECONDS:
                        raise RuntimeError(f"{len(recorded)} of {stops} opt-outs, then nothing")
                    for records in batch.values():
                        for record in records:
                            person = (
                                Envelope[OptOutRecordedV1]
                                .model_validate_json(record.value)
                                .payload.phone
                            )
                            recorded.setdefault(person, now)

            reader = asyncio.create_task(read_consent())
            senders = concurrency if rate <= 0 else max(4, int(rate // 10) + 1)
            await asyncio.gather(*(post_stops() for _ in range(senders)))
            posted = time.perf_counter() - started
            await reader
            total = time.perf_counter() - started
    finally:
        await consent.stop()
        await delete_topics_async(bootstrap, [spec.name for spec in specs])
        await mongo.drop_database(suffix)
        await mongo.close()
    latencies = [recorded[p] - answered[p] for p in answered]
    return [
        f"STOP -> consent record: {stops} STOPs from different people to one tenant number, "
        + (f"{rate:g} per second" if rate > 0 else f"a burst {concurrency} at a time")
        + ";",
        "messaging (webhook) and optout on real Kafka and MongoDB, in one process",
        "",
        f"webhook 200 -> optout.recorded readable:  median {median_ms(latencies):.0f} ms, "
        f"p90 {percentile_ms(latencies, 0.9):.0f} ms, p99 {percentile_ms(latencies, 0.99):.0f} ms,"
        f" max {max(latencies) * 1000:.0f} ms",
        f"webhooks answered: {stops / posted:.0f}/s; all {stops} recorded after {total:.1f} s",
    ]


def stop_form(person: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": TwilioSettings().account_sid,
        "From": person,
        "To": NUMBER,
        "Body": "STOP",
        "NumMedia": "0",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


async def until_number_known(mongo: AsyncMongoClient[dict[str, Any]], database: str) -> None:
    """The messaging service's numbers projection has the tenant's number."""
    deadline = time.monotonic() + STALL_SECONDS
    while await mongo[database]["numbers"].find_one({"_id": NUMBER}) is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the messaging service never learned the tenant's number")
        await asyncio.sleep(0.1)


def main() -> None:
    stops = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_STOPS
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_RATE
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else DEFAULT_CONCURRENCY
    # FastStream's access log writes every record to stdout, where the figures go.
    figures, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
    started = datetime.now(UTC)
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        lines = asyncio.run(measure(bootstrap, mongodb_url, stops, rate, concurrency))
    figures.write("\n".join([*lines, f"(run at {started:%Y-%m-%d %H:%M} UTC)"]) + "\n")


if __name__ == "__main__":
    main()
