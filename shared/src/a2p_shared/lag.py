"""`a2p lag`: how far behind each consumer group is, per topic and partition."""

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


@dataclass(frozen=True, slots=True)
class Lag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def behind(self) -> int:
        return max(0, self.end - self.committed)


async def consumer_lag(bootstrap: str, prefix: str = "") -> list[Lag]:
    """Committed offset against the end of every partition a group has committed to."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        groups = sorted(g[0] for g in await admin.list_consumer_groups() if g[0].startswith(prefix))
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        partitions = {tp for offsets in committed.values() for tp in offsets}
        ends = await consumer.end_offsets(list(partitions)) if partitions else {}
    finally:
        await consumer.stop()
        await admin.close()
    return [
        Lag(group, tp.topic, tp.partition, offset, ends[tp])
        for group in groups
        for tp, offset in sorted(committed[group].items())
    ]


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("lag", help="how far behind each consumer group is")
    parser.add_argument("--group-prefix", default="a2p-", help="only groups starting with this")
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"),
        help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS)",
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    rows = asyncio.run(consumer_lag(args.bootstrap, args.group_prefix))
    sys.stdout.write(f"{'group':<60}{'topic':<48}{'part':>5}{'lag':>8}\n")
    for row in rows:
        sys.stdout.write(f"{row.group:<60}{row.topic:<48}{row.partition:>5}{row.behind:>8}\n")
    return 0
