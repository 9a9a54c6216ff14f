"""Sending through the real SDK: statuses, signed status callbacks, lists and filters, the
errors Twilio answers synchronously, scripted carrier failures and the "accepted, then the
response never came" chaos mode."""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from a2p_twilio_emulator.testing import (
    Onboarded,
    RunningEmulator,
    WebhookServer,
    buy_number,
    eventually,
    onboard,
)

RECIPIENT = "+12175550142"


def statuses(hooks: WebhookServer, path: str, message_sid: str) -> list[str]:
    return [
        hook.params["MessageStatus"]
        for hook in hooks.at(path)
        if hook.params["MessageSid"] == message_sid
    ]


@pytest.fixture
async def registered(twilio: Client, hooks: WebhookServer) -> Onboarded:
    return await onboard(twilio, numbers=2, status_callback=hooks.url("/service-status"))


class TestSendingFromANumber:
    async def test_queued_then_signed_callbacks_to_delivered(
        self, twilio: Client, hooks: WebhookServer, registered: Onboarded
    ) -> None:
        sender = registered.phone_numbers[0]
        message = await twilio.messages.create_async(
            to=RECIPIENT,
            from_=sender,
            body="Your request was resolved.",
            status_callback=hooks.url("/status"),
        )
        assert message.sid.startswith("SM")
        assert (message.status, message.direction, message.from_) == (
            "queued",
            "outbound-api",
            sender,
        )
        assert message.num_segments == "1"
        assert message.date_created is not None
        await eventually(
            lambda: statuses(hooks, "/status", message.sid) == ["sending", "sent", "delivered"]
        )
        delivered = hooks.at("/status")[-1]
        assert delivered.signed
        assert delivered.params == {
            "MessageSid": message.sid,
            "MessageStatus": "delivered",
            "SmsSid": message.sid,
            "SmsStatus": "delivered",
            "AccountSid": registered_account(twilio),
            "From": sender,
            "To": RECIPIENT,
            "ApiVersion": "2010-04-01",
            "RawDlrDoneDate": delivered.params["RawDlrDoneDate"],
        }
        fetched = await twilio.messages(message.sid).fetch_async()
        assert (fetched.status, fetched.error_code) == ("delivered", None)
        assert fetched.date_sent is not None
        assert hooks.at("/service-status") == []  # the message's own callback wins

    async def test_a_number_without_a_verified_campaign_is_undelivered_30034(
        self, twilio: Client, hooks: WebhookServer
    ) -> None:
        _, unregistered = await buy_number(twilio)
        message = await twilio.messages.create_async(
            to=RECIPIENT, from_=unregistered, body="hi", status_callback=hooks.url("/status")
        )
        await eventually(lambda: "undelivered" in statuses(hooks, "/status", message.sid))
        assert statuses(hooks, "/status", message.sid) == ["sending", "undelivered"]
        assert hooks.at("/status")[-1].params["ErrorCode"] == "30034"
        fetched = await twilio.messages(message.sid).fetch_async()
        assert (fetched.status, fetched.error_code) == ("undelivered", 30034)

    async def test_scripted_carrier_failures(
        self,
        twilio: Client,
        hooks: WebhookServer,
        admin: httpx.AsyncClient,
        registered: Onboarded,
    ) -> None:
        behaviour = {"fail_to": [RECIPIENT], "fail_code": 30006, "fail_status": "failed"}
        (await admin.put("/messages/behaviour", json=behaviour)).raise_for_status()
        message = await twilio.messages.create_async(
            to=RECIPIENT,
            from_=registered.phone_numbers[0],
            body="hi",
            status_callback=hooks.url("/status"),
        )
        await eventually(lambda: "failed" in statuses(hooks, "/status", message.sid))
        assert hooks.at("/status")[-1].params["ErrorCode"] == "30006"
        other = await twilio.messages.create_async(
            to="+12175550143", from_=registered.phone_numbers[0], body="hi"
        )
        await eventually(lambda: _status_is(twilio, other.sid, "delivered"))


class TestSendingThroughAService:
    async def test_accepted_then_queued_with_a_sticky_sender(
        self, twilio: Client, hooks: WebhookServer, registered: Onboarded
    ) -> None:
        message = await twilio.messages.create_async(
            to=RECIPIENT, messaging_service_sid=registered.service_sid, body="hello"
        )
        assert (message.status, message.from_, message.num_segments) == ("accepted", None, "0")
        assert message.messaging_service_sid == registered.service_sid
        path = "/service-status"
        await eventually(lambda: statuses(hooks, path, message.sid)[-1:] == ["delivered"])
        assert statuses(hooks, path, message.sid) == ["queued", "sending", "sent", "delivered"]
        queued = hooks.at(path)[0]
        assert queued.params["MessagingServiceSid"] == registered.service_sid
        assert queued.params["From"] in registered.phone_numbers
        assert all(hook.signed for hook in hooks.at(path))
        senders = set()
        for _ in range(4):
            again = await twilio.messages.create_async(
                to=RECIPIENT, messaging_service_sid=registered.service_sid, body="again"
            )
            fetched = await eventually(lambda sid=again.sid: _sent_from(twilio, sid))
            senders.add(fetched)
        assert senders == {queued.params["From"]}

    async def test_a_service_without_senders_is_refused(self, twilio: Client) -> None:
        service = await twilio.messaging.v1.services.create_async(friendly_name="Empty")
        with pytest.raises(TwilioRestException) as refused:
            await twilio.messages.create_async(
                to=RECIPIENT, messaging_service_sid=service.sid, body="hello"
            )
        assert refused.value.code == 21704


async def _status_is(twilio: Client, sid: str, wanted: str) -> bool:
    return (await twilio.messages(sid).fetch_async()).status == wanted


async def _sent_from(twilio: Client, sid: str) -> str | None:
    return (await twilio.messages(sid).fetch_async()).from_


def registered_account(twilio: Client) -> str:
    return twilio.account_sid


class TestRefusals:
    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"to": RECIPIENT, "body": "no sender"}, 21603),
            ({"to": "217-555-0142", "from_": "+12175550100", "body": "bad to"}, 21211),
            ({"to": RECIPIENT, "from_": "+12175550100"}, 21602),
            ({"to": RECIPIENT, "from_": "+12175550100", "body": "x" * 1601}, 21617),
            ({"to": RECIPIENT, "from_": "+19995550100", "body": "not ours"}, 21606),
            ({"to": RECIPIENT, "messaging_service_sid": "MG" + "0" * 32, "body": "hi"}, 21701),
        ],
    )
    async def test_twilio_error_codes(
        self, twilio: Client, fields: dict[str, str], code: int
    ) -> None:
        await twilio.incoming_phone_numbers.create_async(phone_number="+12175550100")
        with pytest.raises(TwilioRestException) as refused:
            await twilio.messages.create_async(**fields)
        assert (refused.value.status, refused.value.code) == (400, code)
        assert refused.value.msg.startswith("Unable to create record: ")

    async def test_the_error_body_is_twilios(self, emulator: RunningEmulator) -> None:
        settings = emulator.settings
        async with httpx.AsyncClient(
            auth=(settings.account_sid, settings.auth_token.get_secret_value())
        ) as http:
            response = await http.post(
                f"{emulator.url}/api/2010-04-01/Accounts/{settings.account_sid}/Messages.json",
                data={"To": RECIPIENT, "Body": "hi"},
            )
        assert response.status_code == 400
        assert response.json() == {
            "code": 21603,
            "message": "A 'From' phone number is required.",
            "more_info": "https://www.twilio.com/docs/errors/21603",
            "status": 400,
        }


class TestLists:
    async def test_filters_and_paging(self, twilio: Client, registered: Onboarded) -> None:
        first, second = registered.phone_numbers
        for index in range(3):
            await twilio.messages.create_async(to=RECIPIENT, from_=first, body=f"first {index}")
        await twilio.messages.create_async(to="+12175550143", from_=second, body="second")
        from_first = await twilio.messages.list_async(from_=first, page_size=2)
        assert [message.body for message in from_first] == ["first 2", "first 1", "first 0"]
        to_other = await twilio.messages.list_async(to="+12175550143")
        assert [message.body for message in to_other] == ["second"]
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        assert await twilio.messages.list_async(date_sent_after=tomorrow) == []
        assert len(await twilio.messages.list_async(date_sent_before=tomorrow)) == 4
        page = await twilio.messages.page_async(page_size=2)
        assert page.next_page_url.startswith("https://api.twilio.com/2010-04-01/Accounts/")


class TestAcceptedThenTimedOut:
    async def test_the_message_is_sent_though_the_client_timed_out(
        self,
        twilio: Client,
        admin: httpx.AsyncClient,
        registered: Onboarded,
    ) -> None:
        hang = {"timeout_after_accept": True, "hang_s": 5.0}
        (await admin.put("/messages/behaviour", json=hang)).raise_for_status()
        # A client-side deadline: twilio 9.13's async client sends no timeout of its own.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(
                twilio.messages.create_async(
                    to=RECIPIENT, from_=registered.phone_numbers[0], body="once"
                ),
                timeout=0.3,
            )
        recorded = (await admin.get("/messages", params={"direction": "outbound-api"})).json()
        assert [message["body"] for message in recorded] == ["once"]
        await eventually(lambda: _admin_delivered(admin, recorded[0]["sid"]))


async def _admin_delivered(admin: httpx.AsyncClient, sid: str) -> bool:
    messages = (await admin.get("/messages")).json()
    return any(message["sid"] == sid and message["status"] == "delivered" for message in messages)


class TestCallLatency:
    async def test_a_create_call_takes_the_latency_it_is_given(
        self, twilio: Client, admin: httpx.AsyncClient, registered: Onboarded
    ) -> None:
        async def timed_send() -> float:
            started = time.perf_counter()
            await twilio.messages.create_async(
                to=RECIPIENT, from_=registered.phone_numbers[0], body="hi"
            )
            return time.perf_counter() - started

        quick = await timed_send()
        (await admin.put("/messages/behaviour", json={"call_latency_s": 0.5})).raise_for_status()
        slow = await timed_send()

        assert slow >= 0.5
        assert slow > quick
