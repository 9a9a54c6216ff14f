"""One emulator per session on a free port (real HTTP), reset before every test; the real SDK
pointed at it as the services build it; a webhook server that checks Twilio signatures."""

from collections.abc import AsyncIterator

import httpx
import pytest
from twilio.rest import Client

from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import RunningEmulator, WebhookServer, serve, webhook_server


@pytest.fixture(scope="session")
async def emulator() -> AsyncIterator[RunningEmulator]:
    async with serve() as running:
        yield running


@pytest.fixture(scope="session")
async def hooks() -> AsyncIterator[WebhookServer]:
    async with webhook_server() as server:
        yield server


@pytest.fixture(scope="session")
async def admin(emulator: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """The emulator's admin API (`/_emulator`)."""
    async with httpx.AsyncClient(base_url=f"{emulator.url}/_emulator") as client:
        yield client


@pytest.fixture(scope="session")
async def twilio(emulator: RunningEmulator) -> AsyncIterator[Client]:
    """The official SDK, built by `a2p_shared.twilio.twilio_client` as the services build it."""
    client = twilio_client(TwilioSettings(api_url=emulator.url))
    yield client
    await close_twilio_client(client)


@pytest.fixture(autouse=True)
async def fresh_emulator(admin: httpx.AsyncClient, hooks: WebhookServer) -> AsyncIterator[None]:
    (await admin.post("/reset")).raise_for_status()
    hooks.clear()
    yield
    (await admin.post("/reset")).raise_for_status()  # ends the test's background work too
