"""`a2p lag`: how far behind each consumer group is, per topic and partition."""

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation

log = logging.getLogger(__name__)


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
    try:
        await admin.start()
        await consumer.start()
        groups = sorted(g[0] for g in await admin.list_consumer_groups() if g[0].startswith(prefix))
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        partitions = {tp for offsets in committed.values() for tp in offsets}
        ends = await consumer.end_offsets(list(partitions)) if partitions else {}
    finally:
        # Also when cancelled halfway (the service stopping): nothing left open.
        await asyncio.shield(_close(admin, consumer))
    return [
        Lag(group, tp.topic, tp.partition, offset, ends[tp])
        for group in groups
        for tp, offset in sorted(committed[group].items())
    ]


async def _close(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> None:
    await consumer.stop()
    await admin.close()


LAG_INTERVAL_S = 15.0


def lag_gauge(
    bootstrap: str, group_prefix: str, meter_provider: MeterProvider
) -> Callable[[], Awaitable[None]]:
    """An observable gauge `a2p.consumer.lag` of the service's own consumer groups, and the loop
    that measures it every LAG_INTERVAL_S (an observation callback cannot await Kafka)."""
    latest: dict[tuple[str, str, int], int] = {}

    def observe(_: CallbackOptions) -> list[Observation]:
        return [
            Observation(
                behind,
                {
                    "messaging.consumer.group.name": group,
                    "messaging.destination.name": topic,
                    "messaging.destination.partition.id": str(partition),
                },
            )
            for (group, topic, partition), behind in latest.items()
        ]

    meter_provider.get_meter("a2p.kafka").create_observable_gauge(
        "a2p.consumer.lag",
        callbacks=[observe],
        unit="{record}",
        description="Records between a consumer group's committed offset and the partition's end",
    )

    async def measure() -> None:
        while True:
            await asyncio.sleep(LAG_INTERVAL_S)
            try:
                rows = await consumer_lag(bootstrap, group_prefix)
                latest.clear()
                latest.update({(r.group, r.topic, r.partition): r.behind for r in rows})
            except Exception:  # Kafka unreachable: the health check says so; try again later
                log.warning("consumer lag not measured", exc_info=True)

    return measure


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
