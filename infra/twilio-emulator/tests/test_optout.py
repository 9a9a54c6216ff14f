"""Inbound texts (`POST /_emulator/inbound`): signed webhooks to the right URL, and Twilio's own
STOP / START blocking per number or per messaging service."""

from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from a2p_twilio_emulator.testing import (
    WebhookServer,
    approved_brand,
    buy_number,
    eventually,
    registered_service,
)

TEXTER = "+12175550177"
PRIMARY = "BU" + "a2" * 16


async def text(admin: httpx.AsyncClient, to: str, body: str, sender: str = TEXTER) -> Any:
    response = await admin.post("/inbound", json={"from": sender, "to": to, "body": body})
    response.raise_for_status()
    return response.json()


async def send(twilio: Client, **fields: Any) -> Any:
    return await twilio.messages.create_async(to=TEXTER, body="Your request was updated.", **fields)


@pytest.fixture
async def two_services(twilio: Client, hooks: WebhookServer) -> tuple[Any, Any]:
    """Two registered services of one brand: the first with two numbers, the second with one."""
    _, _, brand_sid = await approved_brand(twilio, PRIMARY)
    first = await registered_service(
        twilio,
        brand_sid,
        numbers=2,
        friendly_name="First",
        inbound_request_url=hooks.url("/first"),
        status_callback=hooks.url("/first-status"),
    )
    second = await registered_service(
        twilio,
        brand_sid,
        numbers=1,
        friendly_name="Second",
        inbound_request_url=hooks.url("/second"),
    )
    return first, second


class TestStop:
    async def test_stop_blocks_then_start_lifts_it(
        self,
        twilio: Client,
        admin: httpx.AsyncClient,
        hooks: WebhookServer,
        two_services: tuple[Any, Any],
    ) -> None:
        (service_sid, _, (phone, other_phone)), _ = two_services
        answer = await text(admin, phone, "  Stop ")
        assert answer["keyword"] == "STOP"
        assert answer["webhook_status"] == 200
        forwarded = hooks.at("/first")[-1]
        assert forwarded.signed
        assert forwarded.params["Body"] == "  Stop "
        assert "OptOutType" not in forwarded.params  # no Advanced Opt-Out in the emulator
        assert {
            key: forwarded.params[key]
            for key in ("From", "To", "MessagingServiceSid", "SmsStatus", "NumMedia", "ApiVersion")
        } == {
            "From": TEXTER,
            "To": phone,
            "MessagingServiceSid": service_sid,
            "SmsStatus": "received",
            "NumMedia": "0",
            "ApiVersion": "2010-04-01",
        }
        assert forwarded.params["MessageSid"] == answer["message_sid"]
        blocks = (await admin.get("/blocks")).json()
        assert [(b["recipient"], b["scope_sid"]) for b in blocks] == [(TEXTER, service_sid)]

        for sender in (phone, other_phone):
            with pytest.raises(TwilioRestException) as refused:
                await send(twilio, from_=sender)
            assert (refused.value.status, refused.value.code) == (400, 21610)

        accepted = await send(twilio, messaging_service_sid=service_sid)
        assert accepted.status == "accepted"
        await eventually(lambda: _callback(hooks, "/first-status", accepted.sid, "failed"))
        failed = _callback(hooks, "/first-status", accepted.sid, "failed")
        assert failed.params["ErrorCode"] == "21610"
        fetched = await twilio.messages(accepted.sid).fetch_async()
        assert (fetched.status, fetched.error_code) == ("failed", 21610)

        assert (await text(admin, other_phone, "start"))["keyword"] == "START"
        assert (await admin.get("/blocks")).json() == []
        resumed = await send(twilio, from_=phone)
        assert resumed.status == "queued"

    async def test_a_stop_covers_the_service_not_other_services(
        self, twilio: Client, admin: httpx.AsyncClient, two_services: tuple[Any, Any]
    ) -> None:
        (_, _, (phone, other_phone)), (_, _, (elsewhere,)) = two_services
        await text(admin, phone, "UNSUBSCRIBE")
        with pytest.raises(TwilioRestException):
            await send(twilio, from_=other_phone)
        still_open = await send(twilio, from_=elsewhere)
        assert still_open.status == "queued"

    async def test_a_number_outside_a_service_blocks_alone(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        _, lonely = await buy_number(twilio)
        _, neighbour = await buy_number(twilio)
        await text(admin, lonely, "quit")
        blocks = (await admin.get("/blocks")).json()
        assert [block["scope"] for block in blocks] == ["phone_number"]
        with pytest.raises(TwilioRestException):
            await send(twilio, from_=lonely)
        assert (await send(twilio, from_=neighbour)).status == "queued"

    @pytest.mark.parametrize("body", ["STOP PLEASE", "opt out", "stopp", "HELP"])
    async def test_only_a_whole_body_keyword_blocks(
        self, twilio: Client, admin: httpx.AsyncClient, body: str
    ) -> None:
        _, phone = await buy_number(twilio)
        await text(admin, phone, body)
        assert (await admin.get("/blocks")).json() == []

    @pytest.mark.parametrize(
        "body", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", "OPTOUT"]
    )
    async def test_every_default_opt_out_keyword_blocks(
        self, twilio: Client, admin: httpx.AsyncClient, body: str
    ) -> None:
        _, phone = await buy_number(twilio)
        assert (await text(admin, phone, body))["keyword"] == "STOP"
        assert len((await admin.get("/blocks")).json()) == 1


def _callback(hooks: WebhookServer, path: str, sid: str, status: str) -> Any:
    return next(
        (
            hook
            for hook in hooks.at(path)
            if hook.params["MessageSid"] == sid and hook.params["MessageStatus"] == status
        ),
        None,
    )


class TestInboundWebhooks:
    async def test_a_standalone_number_posts_to_its_sms_url(
        self, twilio: Client, admin: httpx.AsyncClient, hooks: WebhookServer
    ) -> None:
        _, phone = await buy_number(twilio, sms_url=hooks.url("/number"))
        answer = await text(admin, phone, "Is the pool open?")
        assert answer["webhook_url"] == hooks.url("/number")
        hook = hooks.at("/number")[0]
        assert hook.signed
        assert "MessagingServiceSid" not in hook.params
        assert hook.headers["I-Twilio-Idempotency-Token"]
        inbound = await twilio.messages(answer["message_sid"]).fetch_async()
        assert (inbound.direction, inbound.status, inbound.body) == (
            "inbound",
            "received",
            "Is the pool open?",
        )

    async def test_a_get_webhook_is_signed_over_its_query(
        self, twilio: Client, admin: httpx.AsyncClient, hooks: WebhookServer
    ) -> None:
        _, phone = await buy_number(twilio, sms_url=hooks.url("/get?tenant=x"), sms_method="GET")
        await text(admin, phone, "hello")
        hook = hooks.at("/get")[0]
        assert (hook.method, hook.signed, hook.params["Body"]) == ("GET", True, "hello")

    async def test_the_service_url_wins_unless_the_number_is_preferred(
        self, twilio: Client, admin: httpx.AsyncClient, hooks: WebhookServer
    ) -> None:
        number_sid, phone = await buy_number(twilio, sms_url=hooks.url("/number"))
        service = await twilio.messaging.v1.services.create_async(
            friendly_name="Inbound", inbound_request_url=hooks.url("/service")
        )
        await twilio.messaging.v1.services(service.sid).phone_numbers.create_async(
            phone_number_sid=number_sid
        )
        await text(admin, phone, "one")
        await twilio.messaging.v1.services(service.sid).update_async(
            use_inbound_webhook_on_number=True
        )
        await text(admin, phone, "two")
        assert [hook.params["Body"] for hook in hooks.at("/service")] == ["one"]
        assert [hook.params["Body"] for hook in hooks.at("/number")] == ["two"]

    async def test_a_twiml_reply_is_sent_back(
        self, twilio: Client, admin: httpx.AsyncClient, hooks: WebhookServer
    ) -> None:
        _, phone = await buy_number(twilio, sms_url=hooks.url("/reply"))
        hooks.twiml["/reply"] = (
            "<?xml version='1.0' encoding='UTF-8'?>"
            "<Response><Message>Thanks, we got it.</Message></Response>"
        )
        answer = await text(admin, phone, "pothole on Main St")
        (reply_sid,) = answer["reply_sids"]
        reply = await twilio.messages(reply_sid).fetch_async()
        assert (reply.direction, reply.to, reply.from_, reply.body) == (
            "outbound-reply",
            TEXTER,
            phone,
            "Thanks, we got it.",
        )

    async def test_an_unknown_number_is_refused(self, admin: httpx.AsyncClient) -> None:
        response = await admin.post(
            "/inbound", json={"from": TEXTER, "to": "+12175550000", "body": "hi"}
        )
        assert response.status_code == 404
