"""The send pipeline driven directly by aiokafka, as the baseline for `bench.messaging_throughput`.

Same consent table, same MongoDB calls, same Twilio SDK calls, same decisions
(`service.decide_batch`); what it leaves out is FastStream, its middlewares (dead letters,
telemetry) and the service shell. Configured by the same environment variables as the service.

    python -m bench.messaging_baseline        (started by bench.messaging_throughput)
"""

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from a2p_messaging import service
from a2p_messaging.adapters.consent_table import ConsentTable
from a2p_messaging.adapters.mongo_store import MongoMessagingStore
from a2p_messaging.adapters.twilio_sender import TwilioSender
from a2p_messaging.settings import MessagingSettings
from a2p_shared.clock import SystemClock
from a2p_shared.events import Envelope, MessageRequestedV1, OptOutRecordedV1
from a2p_shared.kafka import Topics, event_key
from a2p_shared.mongo import database, mongo_client
from a2p_shared.twilio import TwilioSettings

GROUP_SUFFIX = "baseline"


class Producer:
    def __init__(self, producer: AIOKafkaProducer, topics: Topics) -> None:
        self._producer, self._topics = producer, topics

    async def publish(self, event: Envelope[Any]) -> None:
        await self._producer.send_and_wait(
            self._topics.of(type(event.payload)),
            event.model_dump_json().encode(),
            key=event_key(event),
        )


async def run(settings: MessagingSettings) -> None:
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings)
    store = MongoMessagingStore(database(mongo, settings))
    consent = ConsentTable(
        settings.kafka_bootstrap_servers, topics.of(OptOutRecordedV1), client_id="baseline"
    )
    sender = TwilioSender(TwilioSettings(), settings.status_callback_url)
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True
    )
    consumer = AIOKafkaConsumer(
        topics.of(MessageRequestedV1),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"{settings.group_id}.{GROUP_SUFFIX}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consent.start()
    await producer.start()
    await consumer.start()
    deps = service.SendDeps(
        sends=store,
        sender=sender,
        consent=consent,
        events=Producer(producer, topics),
        clock=SystemClock(),
        caps=settings.caps(),
    )
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=settings.batch_max)
            for partition, records in batches.items():
                requests = [
                    Envelope[MessageRequestedV1].model_validate_json(r.value or b"")
                    for r in records
                ]
                await service.decide_batch(deps, requests)
                await consumer.commit({partition: records[-1].offset + 1})
    finally:
        await consumer.stop()
        await producer.stop()
        await consent.stop()
        await sender.close()
        await mongo.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(MessagingSettings()))
