"""Create the platform's topics (idempotently) and wait until every partition has a leader."""

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from a2p_devstack.errors import DevstackError
from a2p_devstack.settings import partition_overrides
from a2p_devstack.sync_bridge import run_blocking
from a2p_shared.events.topics import KeyKind, TopicSpec, all_topics

_NO_ERROR = 0
_TOPIC_ALREADY_EXISTS = 36


def topic_specs(
    suffix: str = "", partitions: Mapping[KeyKind, int] | None = None
) -> list[TopicSpec]:
    """Topics for `suffix`; partition counts from `partitions`, else A2P_PARTITIONS_* env."""
    counts = dict(partitions) if partitions is not None else partition_overrides()
    return all_topics(suffix, counts or None)


def _new_topic(spec: TopicSpec) -> Any:
    configs = {"cleanup.policy": "compact"} if spec.compacted else {}
    return NewTopic(spec.name, spec.partitions, 1, topic_configs=configs)


async def _create_missing(admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec]) -> list[str]:
    existing = set(await admin.list_topics())
    missing = [spec for spec in specs if spec.name not in existing]
    if not missing:
        return []
    response = await admin.create_topics([_new_topic(spec) for spec in missing], timeout_ms=30000)
    failures = [
        f"{item['topic']}: error {item['error_code']} {item.get('error_message') or ''}".strip()
        for item in response.to_object()["topic_errors"]
        if item["error_code"] not in (_NO_ERROR, _TOPIC_ALREADY_EXISTS)
    ]
    if failures:
        raise DevstackError("creating Kafka topics failed: " + "; ".join(failures))
    return [spec.name for spec in missing]


async def _leaderless(admin: AIOKafkaAdminClient, names: Sequence[str]) -> list[str]:
    described = {item["topic"]: item for item in await admin.describe_topics(list(names))}
    waiting = []
    for name in names:
        item = described.get(name)
        if (
            item is None
            or item["error_code"] != _NO_ERROR
            or not item["partitions"]
            or any(p["error_code"] != _NO_ERROR or p["leader"] < 0 for p in item["partitions"])
        ):
            waiting.append(name)
    return waiting


async def ensure_topics_async(
    bootstrap: str,
    suffix: str = "",
    partitions: Mapping[KeyKind, int] | None = None,
    leader_timeout: float = 60.0,
) -> list[TopicSpec]:
    """Create every missing topic of `all_topics(suffix)`; existing ones are left as they are.

    Returns the specs. Waits until metadata shows a leader for every partition, so a first
    produce does not hit LEADER_NOT_AVAILABLE.
    """
    specs = topic_specs(suffix, partitions)
    names = [spec.name for spec in specs]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        await admin.start()
        await _create_missing(admin, specs)
        deadline = time.monotonic() + leader_timeout
        while waiting := await _leaderless(admin, names):
            if time.monotonic() >= deadline:
                shown = ", ".join(waiting[:5]) + (" ..." if len(waiting) > 5 else "")
                raise DevstackError(
                    f"topics without partition leaders after {leader_timeout:.0f} s: {shown}"
                )
            await asyncio.sleep(0.2)
    except KafkaError as exc:
        raise DevstackError(f"creating Kafka topics on {bootstrap} failed: {exc!r}") from exc
    finally:
        await admin.close()
    return specs


async def delete_topics_async(bootstrap: str, names: Sequence[str]) -> list[str]:
    """Delete those of `names` that exist; returns the ones deleted.

    Tests create a full topic set per test under a unique suffix; leaving them behind makes a
    long-lived local broker slower to start with every run, so they are removed afterwards.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        doomed = [name for name in names if name in existing]
        if doomed:
            await admin.delete_topics(doomed, timeout_ms=30000)
    except KafkaError as exc:
        raise DevstackError(f"deleting Kafka topics on {bootstrap} failed: {exc!r}") from exc
    finally:
        await admin.close()
    return doomed


async def list_topics_async(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        await admin.start()
        return sorted(await admin.list_topics())
    except KafkaError as exc:
        raise DevstackError(f"listing Kafka topics on {bootstrap} failed: {exc!r}") from exc
    finally:
        await admin.close()


def ensure_topics(
    bootstrap: str,
    suffix: str = "",
    partitions: Mapping[KeyKind, int] | None = None,
    leader_timeout: float = 60.0,
) -> list[TopicSpec]:
    """Synchronous `ensure_topics_async` (usable from the CLI and from sync pytest fixtures)."""
    return run_blocking(lambda: ensure_topics_async(bootstrap, suffix, partitions, leader_timeout))
