"""The whole compacted consent topic as an in-memory table, in every messaging instance.

Each instance reads every partition from the beginning (no consumer group: all instances need
all of it) and keeps each person's latest record. Before a batch of requests is decided,
`caught_up()` asks Kafka once for the topic's end offsets and waits until the table has read
that far: an opt-out Kafka had acknowledged when the batch began is in the table when the batch
is decided, on every instance.
"""

import asyncio
import json
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from a2p_messaging.sending import ConsentView
from a2p_shared.events.registration import Category

log = logging.getLogger(__name__)


class ConsentTable:
    def __init__(self, bootstrap_servers: str, topic: str, *, client_id: str) -> None:
        self._topic = topic
        self._bootstrap_servers, self._client_id = bootstrap_servers, client_id
        self._consumer: AIOKafkaConsumer | None = None
        self._table: dict[tuple[str, str], ConsentView] = {}
        self._positions: dict[TopicPartition, int] = {}
        self._progress = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Made here: aiokafka binds a consumer to the running loop.
        consumer = self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # A batch waits for the table to reach the topic's end: with aiokafka's default
            # (500 ms) a fresh opt-out reached an idle table up to 500 ms late
            # (bench.stop_to_block: median 525 ms -> 41 ms).
            fetch_max_wait_ms=10,
        )
        await consumer.start()
        partitions = consumer.partitions_for_topic(self._topic)
        while not partitions:
            await consumer._client.force_metadata_update()  # the topic was just created
            partitions = consumer.partitions_for_topic(self._topic)
        assigned = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        self._positions = {tp: 0 for tp in assigned}
        self._reader = asyncio.create_task(self._read(), name="consent-table")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    def get(self, tenant_id: str, phone: str) -> ConsentView | None:
        return self._table.get((tenant_id, phone))

    def __len__(self) -> int:
        return len(self._table)

    async def caught_up(self, timeout_s: float) -> None:
        """Wait until every record on the topic when this was called is in the table (one
        ListOffsets round trip). Raises TimeoutError: the batch must not be decided then."""
        assert self._consumer is not None, "start() first"
        ends = await self._consumer.end_offsets(list(self._positions))
        async with asyncio.timeout(timeout_s), self._progress:
            await self._progress.wait_for(
                lambda: all(self._positions[tp] >= end for tp, end in ends.items())
            )

    async def _read(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    self._apply(record.value)
            positions = {tp: await consumer.position(tp) for tp in self._positions}
            async with self._progress:
                self._positions = positions
                self._progress.notify_all()

    def _apply(self, value: bytes | None) -> None:
        if value is None:
            return  # a tombstone; consent records are never deleted, so nothing to forget
        try:
            event: dict[str, Any] = json.loads(value)
            payload = event["payload"]
            key = (event["tenant_id"], payload["phone"])
            if event["type"] == "optout.recorded":
                self._table[key] = ConsentView("opted_out")
            elif event["type"] == "optin.recorded":
                categories = frozenset(Category(c) for c in payload["categories"])
                self._table[key] = ConsentView("opted_in", categories)
        except (ValueError, KeyError, TypeError):
            # Only the optout service writes this topic, through the contract; a record that
            # does not fit is skipped (and shows in its dead letters), not fatal to sending.
            log.exception("consent record ignored: it does not fit the contract")
