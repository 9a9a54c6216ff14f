"""System-test fixtures: services running in-process on the session's real Kafka and MongoDB.

A service here is its real `create_app` with its real lifespan (broker, consumers, MongoDB),
configured with this test's own topic suffix, consumer groups and database, and reached through
httpx's ASGI transport instead of a socket.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_shared.kafka import Topics
from a2p_shared.settings import ServiceSettings
from a2p_shared.testing.telemetry import recorded_telemetry

from tests.support import Infra, IssueKey, Key, Running, RunService, store_key


@pytest.fixture
def infra(kafka_bootstrap: str, mongodb_url: str, unique: str, topics: Topics) -> Infra:
    return Infra(kafka_bootstrap, mongodb_url, unique, topics)


@pytest.fixture
def run_service() -> RunService:
    """`async with run_service(create_app, settings, **adapters) as svc:` the service, started
    and stopped; `adapters` replace the ones `create_app` would build (e.g. `fetcher=`)."""

    @asynccontextmanager
    async def run(
        factory: Callable[..., FastAPI], settings: ServiceSettings, **adapters: Any
    ) -> AsyncIterator[Running]:
        recorded = recorded_telemetry()
        app = factory(settings, telemetry=recorded.telemetry, **adapters)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
                yield Running(app, http, recorded)

    return run


@pytest.fixture
async def intake(infra: Infra, run_service: RunService) -> AsyncIterator[Running]:
    async with run_service(create_intake, infra.settings(IntakeSettings)) as running:
        yield running


@pytest.fixture
def issue_key(mongo_db: Any) -> IssueKey:
    """`await issue_key("tenant-a", ..., platform=...)`: a key in this test's database."""

    async def issue(*tenants: str, platform: str = "test-platform") -> Key:
        return await store_key(mongo_db, *tenants, platform=platform)

    return issue


@pytest.fixture
def tenant(unique: str) -> str:
    return f"{unique}-springfield"
