"""`a2p lag` on real Kafka: a group that committed part of a topic is exactly that far behind."""

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from a2p_shared.events import InboundMessageV1
from a2p_shared.lag import consumer_lag

from tests.support import Infra

pytestmark = pytest.mark.infra


async def test_a_group_is_behind_by_what_it_has_not_committed(infra: Infra) -> None:
    topic = infra.topics.of(InboundMessageV1)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for _ in range(7):
            await producer.send_and_wait(topic, b"{}", key=b"k", partition=0)
    finally:
        await producer.stop()
    group = f"a2p-lagtest.{infra.unique}"
    # No auto-commit: closing would commit its own position over the offset set below.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=infra.kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(4, "")})
    finally:
        await consumer.stop()

    rows = [r for r in await consumer_lag(infra.kafka_bootstrap, "a2p-lagtest") if r.group == group]

    assert [(r.topic, r.partition, r.committed, r.end, r.behind) for r in rows] == [
        (topic, 0, 4, 7, 3)
    ]
