"""Shapes the system tests share: a running service, this test's infrastructure, API keys."""

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from a2p_intake import service as intake_service
from a2p_intake.adapters.mongo_store import MongoApiKeyStore
from a2p_shared.clock import SystemClock
from a2p_shared.kafka import Topics
from a2p_shared.settings import ServiceSettings
from a2p_shared.testing.telemetry import RecordedTelemetry


@dataclass(frozen=True, slots=True)
class Running:
    app: FastAPI
    http: httpx.AsyncClient
    recorded: RecordedTelemetry


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def listening(app: FastAPI, port: int) -> AsyncIterator[str]:
    """A service `run_service` started, also on a loopback socket: Twilio's callbacks need one."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass(frozen=True, slots=True)
class Infra:
    kafka_bootstrap: str
    mongodb_url: str
    unique: str
    topics: Topics

    def settings(self, settings_cls: type[ServiceSettings], **overrides: Any) -> Any:
        return settings_cls(
            kafka_bootstrap_servers=self.kafka_bootstrap,
            mongodb_url=self.mongodb_url,
            mongodb_database=self.unique,
            topic_suffix=self.unique,
            **overrides,
        )


RunService = Callable[..., AbstractAsyncContextManager[Running]]


@dataclass(frozen=True, slots=True)
class Key:
    key_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


IssueKey = Callable[..., Any]


async def store_key(db: Any, *tenants: str, platform: str = "test-platform") -> Key:
    """A platform API key for `tenants`, stored in `db` the way `a2p keys create` does."""
    key, token = await intake_service.create_api_key(
        MongoApiKeyStore(db), SystemClock(), platform=platform, tenants=list(tenants)
    )
    return Key(key.key_id, token)
