"""`a2p dlq list|replay TOPIC.dlq`: read dead letters, and send them back once their cause is
fixed (a tenant registered, a bug deployed).

A replayed record goes to the topic it came from (the `a2p-dlq-topic` header) with its original
key, value and headers; the `a2p-dlq-*` headers are dropped, so it is processed as the first time.
The replay tool's consumer group remembers what it has replayed: running it again sends nothing
twice (and consumers apply a replayed event id once anyway).
"""

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from a2p_shared.dead_letter import HEADER_PREFIX

REPLAY_GROUP = "a2p-dlq-replay"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    partition: int
    offset: int
    source: str
    source_offset: str
    service: str
    errors: list[dict[str, str]]
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    value_omitted: bool = False
    """Too large to be copied into the dead letter: the original is read at its source."""

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(HEADER_PREFIX)]


def _letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    headers = list(record.headers or ())
    meta = {
        k.removeprefix(HEADER_PREFIX): v.decode() for k, v in headers if k.startswith(HEADER_PREFIX)
    }
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        source=meta.get("topic", ""),
        source_offset=f"{meta.get('partition', '?')}@{meta.get('offset', '?')}",
        service=meta.get("service", ""),
        errors=json.loads(meta.get("errors", "[]")),
        key=record.key,
        value=record.value or b"",
        headers=headers,
        value_omitted="value-omitted" in meta,
    )


async def _read_letters(
    bootstrap: str, dlq_topic: str, *, group: str | None = None, within_s: float = 30.0
) -> tuple[AIOKafkaConsumer, list[DeadLetter]]:
    """The dead letters not yet replayed by `group` (all of them without a group)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    partitions = consumer.partitions_for_topic(dlq_topic)
    for _ in range(20):
        if partitions:
            break
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
        partitions = consumer.partitions_for_topic(dlq_topic)
    else:
        await consumer.stop()
        raise LookupError(f"no topic {dlq_topic} on {bootstrap}")
    assigned = [TopicPartition(dlq_topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    if group is None:
        await consumer.seek_to_beginning(*assigned)
    ends = await consumer.end_offsets(assigned)
    letters: list[DeadLetter] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        positions = {tp: await consumer.position(tp) for tp in assigned}
        if all(positions[tp] >= ends[tp] for tp in assigned):
            break
        batch = await consumer.getmany(timeout_ms=200)
        letters += [_letter(r) for records in batch.values() for r in records]
    return consumer, letters


async def replay(bootstrap: str, dlq_topic: str, group: str = REPLAY_GROUP) -> list[DeadLetter]:
    """Send every dead letter not replayed before back to its source topic; returns them."""
    consumer, letters = await _read_letters(bootstrap, dlq_topic, group=group)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            key, value, headers = letter.key, letter.value, letter.original_headers
            if letter.value_omitted:
                key, value, headers = await _at_source(bootstrap, letter)
            await producer.send_and_wait(letter.source, value, key=key, headers=headers)
            # Committed after each send: a replay stopped halfway resumes where it stopped.
            await consumer.commit({TopicPartition(dlq_topic, letter.partition): letter.offset + 1})
    finally:
        await producer.stop()
        await consumer.stop()
    return letters


async def _at_source(
    bootstrap: str, letter: DeadLetter
) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    """The original record of a dead letter whose value was too large to copy."""
    partition, offset = (int(part) for part in letter.source_offset.split("@"))
    source = TopicPartition(letter.source, partition)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([source])
        consumer.seek(source, offset)
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    if record.offset != offset:
        raise LookupError(f"{letter.source} {letter.source_offset} is past its retention")
    return record.key, record.value or b"", list(record.headers or ())


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("dlq", help="list dead letters, or replay them to their topic")
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("topic", help="a dead-letter topic, e.g. a2p.message.requested.v1.dlq")
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        return _act(args)
    except LookupError as missing:
        sys.stderr.write(f"{missing}\n")
        return 2


def _act(args: argparse.Namespace) -> int:
    if args.action == "replay":
        letters = asyncio.run(replay(args.bootstrap, args.topic))
        sys.stdout.write(f"replayed {len(letters)} dead letter(s) from {args.topic}\n")
        return 0
    letters = asyncio.run(list_letters(args.bootstrap, args.topic))
    for letter in letters:
        reasons = "; ".join(f"{e['field']}: {e['reason']}" for e in letter.errors)
        sys.stdout.write(
            f"{letter.partition}@{letter.offset}  from {letter.source} {letter.source_offset} "
            f"({letter.service})  {reasons}\n"
        )
    return 0


async def list_letters(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Every dead letter on `topic`, replayed or not."""
    consumer, letters = await _read_letters(bootstrap, topic)
    await consumer.stop()
    return letters
