"""The SDK pointed at a Twilio-compatible base URL: hosts rewritten, requests Twilio-shaped."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from a2p_shared.twilio import TwilioSettings, close_twilio_client, rewrite, twilio_client


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "http://emu:8089/api/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://messaging.twilio.com/v1/Services?PageSize=50",
            "http://emu:8089/messaging/v1/Services?PageSize=50",
        ),
        (
            "https://trusthub.twilio.com/v1/CustomerProfiles",
            "http://emu:8089/trusthub/v1/CustomerProfiles",
        ),
        ("https://voice.twilio.com/v1/Calls", "https://voice.twilio.com/v1/Calls"),
        ("https://example.com/x", "https://example.com/x"),
    ],
)
def test_only_the_products_we_use_are_redirected(url: str, expected: str) -> None:
    assert rewrite(url, "http://emu:8089/") == expected


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(
            {"path": request.path, "body": await request.text(), "headers": dict(request.headers)}
        )
        return web.json_response({"sid": "MG" + "0" * 32, "friendly_name": "x"}, status=201)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", seen
    await runner.cleanup()


async def test_the_sdk_sends_twilio_form_requests_with_basic_auth(
    recorder: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = recorder
    settings = TwilioSettings(api_url=url)
    client = twilio_client(settings)
    try:
        service = await client.messaging.v1.services.create_async(
            friendly_name="a2p reg_1", sticky_sender=True
        )
    finally:
        await close_twilio_client(client)

    assert service.sid == "MG" + "0" * 32
    [request] = seen
    assert request["path"] == "/messaging/v1/Services"
    assert request["body"] == "FriendlyName=a2p+reg_1&StickySender=true"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["Authorization"].startswith("Basic ")


def test_settings_refuse_a_malformed_account_sid() -> None:
    with pytest.raises(ValueError, match="account_sid"):
        TwilioSettings(account_sid="not-a-sid")
