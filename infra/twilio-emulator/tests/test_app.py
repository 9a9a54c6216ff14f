"""Authentication, unknown resources, the admin API and `python -m a2p_twilio_emulator`."""

import asyncio
import os
import re
import socket
import sys
from collections.abc import Awaitable, Callable

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import RunningEmulator, eventually


class TestAuthentication:
    async def test_a_wrong_token_is_twilios_401(self, emulator: RunningEmulator) -> None:
        intruder = twilio_client(TwilioSettings(api_url=emulator.url, auth_token="wrong"))
        try:
            with pytest.raises(TwilioRestException) as refused:
                # (a list would raise the SDK's plain TwilioException, without the code)
                await intruder.trusthub.v1.customer_profiles("BU" + "a2" * 16).fetch_async()
        finally:
            await close_twilio_client(intruder)
        assert (refused.value.status, refused.value.code) == (401, 20003)

    @pytest.mark.parametrize(
        "path",
        [
            "/messaging/v1/Services",
            "/trusthub/v1/CustomerProfiles",
            f"/api/2010-04-01/Accounts/{'AC' + 'a2' * 16}/Messages.json",
        ],
    )
    async def test_no_credentials_no_answer(self, emulator: RunningEmulator, path: str) -> None:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{emulator.url}{path}")
        assert response.status_code == 401
        assert response.json()["code"] == 20003
        assert response.json()["more_info"] == "https://www.twilio.com/docs/errors/20003"

    async def test_another_accounts_path_is_refused(self, emulator: RunningEmulator) -> None:
        settings = emulator.settings
        other = "AC" + "0" * 32
        async with httpx.AsyncClient(
            auth=(settings.account_sid, settings.auth_token.get_secret_value())
        ) as http:
            response = await http.get(
                f"{emulator.url}/api/2010-04-01/Accounts/{other}/Messages.json"
            )
        assert (response.status_code, response.json()["code"]) == (401, 20003)


class TestNotFound:
    @pytest.mark.parametrize(
        "fetch",
        [
            lambda client: client.messages("SM" + "0" * 32).fetch_async(),
            lambda client: client.messaging.v1.services("MG" + "0" * 32).fetch_async(),
            lambda client: client.messaging.v1.brand_registrations("BN" + "0" * 32).fetch_async(),
            lambda client: client.trusthub.v1.customer_profiles("BU" + "0" * 32).fetch_async(),
            lambda client: client.trusthub.v1.end_users("IT" + "0" * 32).fetch_async(),
            lambda client: client.addresses("AD" + "0" * 32).fetch_async(),
        ],
    )
    async def test_an_unknown_sid_is_twilios_404(
        self, twilio: Client, fetch: Callable[[Client], Awaitable[object]]
    ) -> None:
        with pytest.raises(TwilioRestException) as missing:
            await fetch(twilio)
        assert (missing.value.status, missing.value.code) == (404, 20404)

    async def test_a_trust_product_is_not_a_customer_profile(self, twilio: Client) -> None:
        product = await twilio.trusthub.v1.trust_products.create_async(
            friendly_name="TP",
            email="isv@example.com",
            policy_sid="RNb0d4771c2c98518d916a3d4cd70a8f8b",
        )
        with pytest.raises(TwilioRestException) as missing:
            await twilio.trusthub.v1.customer_profiles(product.sid).fetch_async()
        assert missing.value.code == 20404

    async def test_the_primary_profile_exists_and_is_approved(self, twilio: Client) -> None:
        primary = await twilio.trusthub.v1.customer_profiles("BU" + "a2" * 16).fetch_async()
        assert primary.status == "twilio-approved"


class TestAdmin:
    async def test_the_index_lists_every_admin_route(
        self, admin: httpx.AsyncClient, emulator: RunningEmulator
    ) -> None:
        index = (await admin.get(f"{emulator.url}/_emulator")).json()
        listed = {(e["method"], e["path"]) for e in index["endpoints"]}
        served = {
            (method.upper(), path)
            for path, operations in emulator.app.openapi()["paths"].items()
            if path.startswith("/_emulator")
            for method in operations
        }
        assert listed == served

    async def test_health(self, emulator: RunningEmulator) -> None:
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{emulator.url}/health")).status_code == 200

    async def test_behaviour_is_validated_and_reset(self, admin: httpx.AsyncClient) -> None:
        assert (await admin.put("/brands/behaviour", json={"outcome": "maybe"})).status_code == 422
        assert (await admin.put("/nonsense/behaviour", json={})).status_code == 422
        await admin.put("/campaigns/behaviour", json={"outcome": "failed", "delay_s": 1})
        await admin.put("/messages/behaviour", json={"fail_rate": 1.0})
        await admin.post("/reset")
        assert (await admin.get("/campaigns/behaviour")).json()["default"]["outcome"] == "approved"
        assert (await admin.get("/messages/behaviour")).json()["fail_rate"] == 0.0

    async def test_reset_forgets_resources_but_the_primary_profile(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        await twilio.messaging.v1.services.create_async(friendly_name="Gone")
        await admin.post("/reset")
        assert await twilio.messaging.v1.services.list_async() == []
        profiles = await twilio.trusthub.v1.customer_profiles.list_async()
        assert [profile.sid for profile in profiles] == ["BU" + "a2" * 16]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_python_m_serves_on_emulator_http_port_with_the_numbers_owned_from_start() -> None:
    port = _free_port()
    owned = ["+12175550140", "+12175550141"]
    env = {**os.environ, "EMULATOR_HTTP_PORT": str(port), "EMULATOR_OWNED_NUMBERS": ",".join(owned)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "a2p_twilio_emulator",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient() as http:

            async def healthy() -> bool:
                try:
                    return (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200
                except httpx.TransportError:
                    return False

            assert await eventually(healthy, within_s=15)
            settings = TwilioSettings(api_url=f"http://127.0.0.1:{port}")
            twilio = twilio_client(settings)
            try:
                listed = await twilio.incoming_phone_numbers.list_async()
                await http.post(f"http://127.0.0.1:{port}/_emulator/reset")
                after_reset = await twilio.incoming_phone_numbers.list_async()
            finally:
                await close_twilio_client(twilio)
        assert sorted(n.phone_number for n in listed) == owned
        assert sorted(n.phone_number for n in after_reset) == owned
    finally:
        process.terminate()
        await process.wait()


async def test_numbers_bought_by_area_code_are_valid_us_numbers(twilio: Client) -> None:
    bought = [
        (await twilio.incoming_phone_numbers.create_async(area_code="217")).phone_number
        for _ in range(40)
    ]

    assert all(re.fullmatch(r"\+1217[2-9]\d{6}", number) for number in bought), bought
    assert len(set(bought)) == len(bought)
