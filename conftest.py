"""The one fixture layer for tests that need real infrastructure.

Kafka and MongoDB addresses come, in order, from KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL, from
testcontainers when a Docker engine answers, or from the local processes `devstack` runs
(started here when needed, stopped at the end if this session started them). Every test gets
its own topic suffix, consumer groups and database, so tests never see each other's data.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from a2p_devstack import harness
from a2p_devstack.topics import ensure_topics_async
from a2p_shared.kafka import Topics


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    with harness.kafka_bootstrap() as bootstrap:
        yield bootstrap


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    with harness.mongodb_url() as url:
        yield url


@pytest.fixture
def unique() -> str:
    """A fresh id for this test: topic suffix, group and database names, tenant ids."""
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
async def topics(kafka_bootstrap: str, unique: str) -> Topics:
    await ensure_topics_async(kafka_bootstrap, suffix=unique)
    return Topics(unique)


@pytest.fixture
async def mongo_db(mongodb_url: str, unique: str) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    try:
        yield client[unique]
        await client.drop_database(unique)
    finally:
        await client.close()
