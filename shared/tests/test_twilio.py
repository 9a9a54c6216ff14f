"""The SDK pointed at a Twilio-compatible base URL: hosts rewritten, requests Twilio-shaped."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from twilio.base.exceptions import TwilioRestException

from a2p_shared.testing.telemetry import recorded_telemetry
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


async def test_each_call_is_measured_by_resource_status_twilio_error_code_and_error() -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.path.endswith("/Messages.json"):
            refusal = {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}
            return web.json_response(refusal, status=400)
        return web.json_response({"sid": "MG" + "0" * 32, "friendly_name": "x"}, status=201)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    recorded = recorded_telemetry()
    settings = TwilioSettings(api_url=f"http://127.0.0.1:{runner.addresses[0][1]}")
    client = twilio_client(settings, recorded.telemetry)
    unreachable = twilio_client(TwilioSettings(api_url="http://127.0.0.1:9"), recorded.telemetry)
    try:
        await client.messaging.v1.services.create_async(friendly_name="a2p reg_1")
        with pytest.raises(TwilioRestException):
            await client.messages.create_async(to="+12175550142", from_="+12175550100", body="x")
        with pytest.raises(Exception, match="Cannot connect"):
            await unreachable.messaging.v1.services.create_async(friendly_name="a2p reg_2")
    finally:
        await close_twilio_client(client)
        await close_twilio_client(unreachable)
        await runner.cleanup()

    measured = sorted(
        (
            (
                a["a2p.twilio.resource"],
                a.get("http.response.status_code"),
                a.get("a2p.twilio.error_code"),
                a.get("error.type"),
            )
            for a, _ in recorded.points("a2p.twilio.call.duration")
        ),
        key=str,
    )
    assert measured == sorted(
        [
            ("api/2010-04-01/Accounts/{sid}/Messages.json", 400, "21610", "400"),
            ("messaging/v1/Services", None, None, "ClientConnectorError"),
            ("messaging/v1/Services", 201, None, None),
        ],
        key=str,
    )
    (refused,) = [s for s in recorded.spans() if s.name.endswith("Messages.json")]
    assert refused.attributes["a2p.twilio.error_code"] == 21610
