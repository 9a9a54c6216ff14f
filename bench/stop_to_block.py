"""Time from a STOP's webhook 200 to the first send to that person being blocked.

Two messaging instances (one consumer group) and the optout service run in this process on
real Kafka and MongoDB, sending through the Twilio emulator. For each trial a different opted-in
person texts STOP (a Twilio-signed webhook); from its 200 on, a request to that person is
published every few milliseconds until one comes back `message.blocked` (`opted_out`). The
people's partitions spread over both instances, so both are measured. Earlier requests in the
window are really sent: the 200 means the STOP is in Kafka, not yet that optout has recorded it.
Prints figures and asserts nothing.

    uv run python -m bench.stop_to_block [TRIALS]
"""

import asyncio
import json
import logging
import os
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient
from twilio.request_validator import RequestValidator

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
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
    OptInRecordedV1,
)
from a2p_shared.events.registration import Category
from a2p_shared.kafka import Topics, event_key
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import onboard, serve
from bench.machine import CpuMeter
from bench.reading import from_beginning
from bench.stop_to_consent import (
    NUMBER,
    PUBLIC_URL,
    TENANT,
    people,
    quiet_telemetry,
    register_number,
    started_app,
    stop_form,
    until_number_known,
)
from bench.timing import median_ms, percentile_ms

DEFAULT_TRIALS = 200
PARTITIONS = 6
STALL_SECONDS = 30

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StopToBlock:
    trials: int
    latencies: list[float]
    """Seconds from each STOP's webhook 200 to the first `message.blocked` for that person."""
    sent_before_block: list[int]
    """Requests to that person still sent in that window, per trial."""
    seconds: float
    cpu_busy: float | None


async def measure(bootstrap: str, mongodb_url: str, trials: int) -> StopToBlock:
    suffix = harness.unique_suffix()
    topics = Topics(suffix)
    specs = await ensure_topics_async(
        bootstrap, suffix=suffix, partitions={"tenant": 3, "tenant_phone": PARTITIONS}
    )
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": bootstrap,
        "mongodb_url": mongodb_url,
        "mongodb_database": suffix,
        "topic_suffix": suffix,
    }
    signer = RequestValidator(TwilioSettings().auth_token.get_secret_value())
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    outcomes = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await producer.start()
    await outcomes.start()
    decided: dict[str, tuple[str, float]] = {}
    latencies: list[float] = []
    sent_before_block: list[int] = []
    try:
        async with serve() as emulator, AsyncExitStack() as stack:
            twilio = twilio_client(TwilioSettings(api_url=emulator.url))
            try:
                service_sid = (await onboard(twilio, numbers=0)).service_sid
                bought = await twilio.incoming_phone_numbers.create_async(phone_number=NUMBER)
                await twilio.messaging.v1.services(service_sid).phone_numbers.create_async(
                    phone_number_sid=bought.sid
                )
            finally:
                await close_twilio_client(twilio)
            to_emulator = TwilioSettings(api_url=emulator.url)
            messaging_settings = MessagingSettings(**common, public_url=PUBLIC_URL)
            webhook = await started_app(
                stack,
                create_messaging(
                    messaging_settings, telemetry=quiet_telemetry(), twilio_settings=to_emulator
                ),
            )
            await started_app(
                stack,
                create_messaging(
                    messaging_settings, telemetry=quiet_telemetry(), twilio_settings=to_emulator
                ),
            )
            await started_app(
                stack, create_optout(OptoutSettings(**common), telemetry=quiet_telemetry())
            )
            await register_number(bootstrap, topics)
            await until_number_known(mongo, suffix)
            persons = people(trials)
            now = datetime.now(UTC)
            for person in persons:
                opt_in = Envelope.new(
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
                    topics.of(OptInRecordedV1),
                    opt_in.model_dump_json().encode(),
                    key=event_key(opt_in),
                )
            await producer.flush()

            await from_beginning(
                outcomes,
                *(topics.of(c) for c in (MessageSentV1, MessageBlockedV1, MessageFailedV1)),
            )

            async def read_outcomes() -> None:
                while True:
                    got = await outcomes.getmany(timeout_ms=50)
                    at = time.perf_counter()
                    for records in got.values():
                        for record in records:
                            event = json.loads(record.value)
                            decided.setdefault(event["payload"]["message_id"], (event["type"], at))

            reader = asyncio.create_task(read_outcomes())
            cpu = CpuMeter()
            started = time.perf_counter()
            for trial, person in enumerate(persons):
                form = stop_form(person)
                signature = signer.compute_signature(f"{PUBLIC_URL}/twilio/inbound", form)
                answered = await webhook.post(
                    "/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature}
                )
                answered.raise_for_status()
                acknowledged = time.perf_counter()
                sends, attempt = 0, 0
                while True:
                    attempt += 1
                    message_id = f"m-{trial}-{attempt}"
                    request = Envelope.new(
                        MessageRequestedV1(
                            message_id=message_id,
                            to=person,
                            idempotency_key=message_id,
                            body=f"Reminder {attempt}",
                            category=Category.TRANSACTIONAL,
                        ),
                        tenant_id=TENANT,
                        correlation_id=message_id,
                    )
                    await producer.send_and_wait(
                        topics.of(MessageRequestedV1),
                        request.model_dump_json().encode(),
                        key=event_key(request),
                    )
                    deadline = time.perf_counter() + STALL_SECONDS
                    while message_id not in decided:
                        if time.perf_counter() > deadline:
                            raise RuntimeError(f"no outcome for {message_id}")
                        await asyncio.sleep(0.002)
                    kind, at = decided[message_id]
                    if kind == "message.blocked":
                        latencies.append(at - acknowledged)
                        sent_before_block.append(sends)
                        break
                    sends += 1
            seconds = time.perf_counter() - started
            cpu_busy = cpu.busy()
            reader.cancel()
    finally:
        await producer.stop()
        await outcomes.stop()
        await delete_topics_async(bootstrap, [spec.name for spec in specs])
        await mongo.drop_database(suffix)
        await mongo.close()
    result = StopToBlock(trials, latencies, sent_before_block, seconds, cpu_busy)
    log.info(
        "STOP -> blocked, %d trials: median %.0f ms, p99 %.0f ms",
        trials,
        median_ms(latencies),
        percentile_ms(latencies, 0.99),
    )
    return result


def report(result: StopToBlock) -> list[str]:
    latencies, sent = result.latencies, sorted(result.sent_before_block)
    return [
        f"STOP -> first send blocked: {result.trials} trials, each a different opted-in person; "
        "two messaging instances and optout",
        "on real Kafka and MongoDB, in one process, sending through the Twilio emulator",
        "",
        f"webhook 200 -> first message.blocked:  median {median_ms(latencies):.0f} ms, "
        f"p90 {percentile_ms(latencies, 0.9):.0f} ms, p99 {percentile_ms(latencies, 0.99):.0f} ms,"
        f" max {max(latencies) * 1000:.0f} ms",
        f"requests still sent in that window (optout had not recorded the STOP yet): median "
        f"{sent[len(sent) // 2]}, max {sent[-1]}",
    ]


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TRIALS
    # FastStream's access log writes every record to stdout, where the figures go.
    figures, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        result = asyncio.run(measure(bootstrap, mongodb_url, trials))
    figures.write("\n".join(report(result)) + "\n")


if __name__ == "__main__":
    main()
