"""Reading what the services published: every partition of a bench's topics, from the start."""

from aiokafka import AIOKafkaConsumer, TopicPartition


async def from_beginning(consumer: AIOKafkaConsumer, *topics: str) -> None:
    """Assigns `consumer` (started, no group) every partition of `topics`, rewound to offset 0.

    A topic created a moment ago may not be in the client's metadata yet: it is refreshed until
    every topic shows its partitions.
    """
    partitions: list[TopicPartition] = []
    for topic in topics:
        while not consumer.partitions_for_topic(topic):
            await consumer._client.force_metadata_update()
        numbers = sorted(consumer.partitions_for_topic(topic) or ())
        partitions += [TopicPartition(topic, number) for number in numbers]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
