"""What happened, from Kafka and from the Twilio emulator's own record: each request's outcomes,
when it was published, every consent change, every dead letter and every text Twilio accepted."""

import asyncio
import contextlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from a2p_shared.events import (
    MessageBlockedV1,
    MessageFailedV1,
    MessageRequestedV1,
    MessageSentV1,
    OptOutRecordedV1,
)
from a2p_shared.events.topics import DEAD_LETTER_SUFFIX, INTAKE_REGISTRATIONS
from a2p_shared.kafka import Topics

from tests.chaos.workload import Request, Wave

TOKEN = re.compile(r"\[(w\d+-\d+)\]")
log = logging.getLogger(__name__)


@dataclass
class Observed:
    outcomes: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # message id -> outcome event id -> event
    requested_at: dict[str, int] = field(default_factory=dict)  # message id -> broker time, ms
    consent: dict[tuple[str, str], list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (tenant, phone) -> [(broker time, "optout.recorded" | "optin.recorded")]
    dead_letters: set[bytes] = field(default_factory=set)

    def opted_out_at(self, tenant: str, person: str, at_ms: int) -> bool:
        changes = [kind for ts, kind in sorted(self.consent[(tenant, person)]) if ts < at_ms]
        return bool(changes) and changes[-1] == "optout.recorded"

    def opted_in_between(self, tenant: str, person: str, start_ms: int, end_ms: int) -> bool:
        return any(
            start_ms < ts <= end_ms and kind == "optin.recorded"
            for ts, kind in self.consent[(tenant, person)]
        )


class Observer:
    """Reads the outcome, request, consent and dead-letter topics from the start, as they grow."""

    def __init__(self, bootstrap: str) -> None:
        topics = Topics()
        self.outcome_topics = {
            topics.of(c) for c in (MessageSentV1, MessageBlockedV1, MessageFailedV1)
        }
        self.requests_topic = topics.of(MessageRequestedV1)
        self.consent_topic = topics.of(OptOutRecordedV1)
        self.dlq_topics = {
            topics.of(MessageRequestedV1) + DEAD_LETTER_SUFFIX,
            topics.named(INTAKE_REGISTRATIONS) + DEAD_LETTER_SUFFIX,
        }
        self.seen = Observed()
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        wanted = {*self.outcome_topics, self.requests_topic, self.consent_topic, *self.dlq_topics}
        while any(self._consumer.partitions_for_topic(topic) is None for topic in wanted):
            await self._consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in wanted
            for p in self._consumer.partitions_for_topic(topic) or ()
        ]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_beginning(*partitions)
        self._task = asyncio.create_task(self._read())

    def check(self) -> None:
        """Raises what stopped the reading, if it stopped."""
        if self._task is not None and self._task.done():
            self._task.result()
            raise RuntimeError("the observer stopped reading")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _read(self) -> None:
        while True:
            try:
                batch = await self._consumer.getmany(timeout_ms=500)
            except KafkaError as error:  # the broker is being restarted or cut off
                log.info("observer: %r; reading on", error)
                await asyncio.sleep(0.5)
                continue
            for records in batch.values():
                for record in records:
                    self._take(record.topic, record.value or b"", record.timestamp)

    def _take(self, topic: str, value: bytes, timestamp: int) -> None:
        if topic in self.dlq_topics:
            self.seen.dead_letters.add(value)
            return
        try:
            event = json.loads(value)
            payload = event["payload"]
        except (ValueError, KeyError, TypeError):
            return  # the workload's garbage, on its way to a dead-letter topic
        if topic in self.outcome_topics:
            event["_at"] = timestamp  # when messaging published it
            self.seen.outcomes[payload["message_id"]][event["event_id"]] = event
        elif topic == self.requests_topic:
            self.seen.requested_at.setdefault(payload["message_id"], timestamp)
        elif topic == self.consent_topic:
            self.seen.consent[(event["tenant_id"], payload["phone"])].append(
                (timestamp, event["type"])
            )


async def texts_at_twilio(emulator_url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"{emulator_url}/_emulator", timeout=30) as http:
        answer = await http.get("/messages", params={"direction": "outbound-api"})
        return list(answer.json())


@dataclass(frozen=True, slots=True)
class Verdict:
    lost: int
    duplicated: int
    sent_after_stop: int
    dead_letters_missing: int
    registrations_stuck: int


def judge(
    wave: Wave,
    seen: Observed,
    texts: list[dict[str, Any]],
    live: set[str],
) -> Verdict:
    per_token: dict[str, int] = defaultdict(int)
    for text in texts:
        if match := TOKEN.search(text.get("body") or ""):
            per_token[match[1]] += 1
    lost = [r for r in wave.requests if not seen.outcomes.get(r.message_id)]
    duplicated = [
        r
        for r in wave.requests
        if per_token[r.token] > 1 or len(seen.outcomes.get(r.message_id, {})) > 1
    ]
    return Verdict(
        lost=len(lost),
        duplicated=len(duplicated),
        sent_after_stop=len([r for r in wave.requests if _after_stop(r, seen)]),
        dead_letters_missing=len([v for _, v in wave.garbage if v not in seen.dead_letters]),
        registrations_stuck=len([rid for rid in wave.registrations if rid not in live]),
    )


def _after_stop(request: Request, seen: Observed) -> bool:
    """Published after the person's opt-out was on the consent topic, and yet it went to Twilio
    (sent, or refused by Twilio's own block: an attempt all the same) before the person opted
    in again (a START acknowledged before the decision makes the send a consented one)."""
    published = seen.requested_at.get(request.message_id)
    if published is None or not seen.opted_out_at(request.tenant, request.person, published):
        return False
    attempts = [
        e["_at"]
        for e in seen.outcomes.get(request.message_id, {}).values()
        if e["type"] != "message.blocked"
    ]
    return any(
        not seen.opted_in_between(request.tenant, request.person, published, at) for at in attempts
    )


def over_cap(texts: list[dict[str, Any]], numbers: dict[str, str], cap: int) -> dict[str, int]:
    """Tenants whose texts at Twilio today passed the daily cap, with their segment counts."""
    used: dict[str, int] = defaultdict(int)
    for text in texts:
        tenant = numbers.get(text.get("from") or "")
        if tenant is not None:
            used[tenant] += int(text.get("num_segments") or 1)
    return {tenant: count for tenant, count in used.items() if count > cap}
