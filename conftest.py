"""The one fixture layer for tests that need real infrastructure.

Kafka and MongoDB addresses come, in order, from KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL, from
testcontainers when a Docker engine answers, or from the local processes `devstack` runs
(started here when needed, stopped at the end if this session started them). Every test gets
its own topic suffix, consumer groups and database, so tests never see each other's data.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from a2p_devstack import harness
from a2p_devstack.topics import delete_topics_async, ensure_topics_async
from a2p_shared.events.topics import KeyKind
from a2p_shared.kafka import Topics
from a2p_shared.testing.examples import example_registration


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    with harness.kafka_bootstrap() as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    with harness.mongodb_url() as url:
        yield url


@pytest.fixture(scope="session")
def free_ports() -> Callable[[int], list[int]]:
    """`free_ports(n)`: n currently unused TCP ports on 127.0.0.1."""
    return harness.free_ports


@pytest.fixture
def registration_document() -> dict[str, Any]:
    """A fresh, mutable copy of REGISTRATION.md's example for each test."""
    return example_registration()


@pytest.fixture
def unique() -> str:
    """A fresh id for this test: topic suffix, group and database names, tenant ids."""
    return harness.unique_suffix()


# One partition per topic keeps a test's full topic set cheap to create and delete; tests about
# partitioning (ordering per key, scaling out) create their own with `ensure_topics_async`.
TEST_PARTITIONS: dict[KeyKind, int] = {"tenant": 1, "tenant_phone": 1}


@pytest.fixture
async def topics(kafka_bootstrap: str, unique: str) -> AsyncIterator[Topics]:
    specs = await ensure_topics_async(kafka_bootstrap, suffix=unique, partitions=TEST_PARTITIONS)
    yield Topics(unique)
    await delete_topics_async(kafka_bootstrap, [spec.name for spec in specs])


@pytest.fixture
async def mongo_db(mongodb_url: str, unique: str) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    try:
        yield client[unique]
        await client.drop_database(unique)
    finally:
        await client.close()


_INFRA_FIXTURES = frozenset({"kafka_bootstrap", "mongodb_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `-m "not infra"` must deselect every test that reaches real Kafka or MongoDB, including
    # ones that get there through another fixture, so the marker is derived, not remembered.
    for item in items:
        if _INFRA_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.infra)
