"""The webhook routes on fakes: the signature rule comes first and is checked against the public
URL, then the form, then the use case; Twilio gets 2xx only for what Kafka acknowledged."""

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from twilio.request_validator import RequestValidator

from a2p_messaging import http, service
from a2p_messaging.settings import MessagingSettings

from services.messaging.tests.fakes import (
    NUMBER_B,
    SID,
    TENANT_B,
    MemoryStore,
    Published,
    inbound_form,
    status_form,
)

TOKEN = "test-auth-token"
PUBLIC_URL = "https://sms.platform.example"
INBOUND_URL = f"{PUBLIC_URL}/twilio/inbound"
STATUS_URL = f"{PUBLIC_URL}/twilio/status"


def signed(url: str, form: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": RequestValidator(token).compute_signature(url, form),
    }


@pytest.fixture
async def client(deps: service.Deps) -> AsyncIterator[httpx.AsyncClient]:
    """The routes as a proxy in front of them reaches them: on a host that is not the public one."""
    app = FastAPI()
    app.include_router(http.build_router(deps, auth_token=TOKEN, public_url=PUBLIC_URL))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://messaging:8083") as client:
        yield client


async def post(
    client: httpx.AsyncClient, path: str, form: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    return await client.post(path, content=urlencode(form), headers=headers)


class TestInboundWebhook:
    async def test_a_signed_text_is_published_and_answered_with_empty_twiml(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = inbound_form()

        response = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        assert response.text == http.EMPTY_TWIML
        [event] = published.events
        assert event.payload.message_sid == SID

    async def test_the_same_delivery_twice_is_one_event(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = inbound_form()
        for _ in range(2):
            response = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))
            assert response.status_code == 200
            assert response.text == http.EMPTY_TWIML

        assert len(published.events) == 1

    @pytest.mark.parametrize(
        "signature",
        [
            {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
            {"X-Twilio-Signature": ""},
            {},
            signed(INBOUND_URL, inbound_form(), token="another-account-token"),
        ],
        ids=["forged", "empty", "missing", "other-token"],
    )
    async def test_an_unsigned_or_forged_request_is_refused_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        published: Published,
        store: MemoryStore,
        signature: dict[str, str],
    ) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signature}

        response = await post(client, "/twilio/inbound", inbound_form(), headers)

        assert response.status_code == 403
        assert (published.events, store.inbound) == ([], {})

    async def test_a_signed_form_changed_on_the_way_is_refused(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        headers = signed(INBOUND_URL, inbound_form())

        response = await post(client, "/twilio/inbound", inbound_form(Body="STOP"), headers)

        assert response.status_code == 403
        assert published.events == []

    async def test_a_signature_for_the_address_this_process_sees_is_refused(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = inbound_form()
        seen = "http://messaging:8083/twilio/inbound"

        response = await post(client, "/twilio/inbound", form, signed(seen, form))

        assert response.status_code == 403
        assert published.events == []

    async def test_the_query_string_is_part_of_what_is_signed(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = inbound_form()
        path = "/twilio/inbound?source=tenant-a"

        without_query = await post(client, path, form, signed(INBOUND_URL, form))
        with_query = await post(client, path, form, signed(PUBLIC_URL + path, form))

        assert (without_query.status_code, with_query.status_code) == (403, 200)
        assert len(published.events) == 1

    async def test_the_signature_is_checked_before_the_form(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = {"X-Twilio-Signature": "forged"}

        response = await post(client, "/twilio/inbound", inbound_form(From=None), headers)

        assert response.status_code == 403

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"MessageSid": None}, "MessageSid"),
            ({"From": None}, "From"),
            ({"To": ""}, "To"),
            ({"From": "+447700900123"}, "From"),
            ({"NumMedia": "\u00b2"}, "NumMedia"),
            ({"NumMedia": "9" * 5000}, "NumMedia"),
        ],
    )
    async def test_a_signed_form_without_a_field_twilio_always_sends_is_a_400_naming_it(
        self,
        client: httpx.AsyncClient,
        published: Published,
        store: MemoryStore,
        changes: dict[str, str | None],
        field: str,
    ) -> None:
        form = inbound_form(**changes)

        response = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))

        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert (published.events, store.inbound) == ([], {})

    async def test_a_text_to_a_number_that_is_not_ours_is_answered_and_ignored(
        self, client: httpx.AsyncClient, published: Published, store: MemoryStore
    ) -> None:
        form = inbound_form(To="+14155550199")

        response = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))

        assert response.status_code == 200
        assert response.text == http.EMPTY_TWIML
        assert (published.events, store.inbound) == ([], {})

    async def test_a_form_over_64_kib_is_refused(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = inbound_form(Body="x" * (64 * 1024))

        response = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))

        assert response.status_code == 413
        assert published.events == []

    async def test_when_kafka_does_not_acknowledge_twilio_is_told_to_retry(
        self, client: httpx.AsyncClient, published: Published, store: MemoryStore
    ) -> None:
        form = inbound_form()
        published.unreachable = True

        refused = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))
        published.unreachable = False
        retried = await post(client, "/twilio/inbound", form, signed(INBOUND_URL, form))

        assert (refused.status_code, retried.status_code) == (503, 200)
        assert len(published.events) == 1
        assert list(store.inbound) == [SID]


class TestStatusCallback:
    async def test_a_signed_status_is_published_and_answered_empty(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = status_form(From=NUMBER_B)

        response = await post(client, "/twilio/status", form, signed(STATUS_URL, form))

        assert (response.status_code, response.content) == (200, b"")
        [event] = published.events
        assert (event.tenant_id, event.payload.status) == (TENANT_B, "delivered")

    async def test_the_same_status_twice_is_one_event(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = status_form()
        for _ in range(2):
            response = await post(client, "/twilio/status", form, signed(STATUS_URL, form))
            assert response.status_code == 200

        assert len(published.events) == 1

    async def test_a_forged_status_is_refused(
        self, client: httpx.AsyncClient, published: Published, store: MemoryStore
    ) -> None:
        form = status_form()

        response = await post(client, "/twilio/status", form, signed(INBOUND_URL, form))

        assert response.status_code == 403
        assert (published.events, store.statuses) == ([], {})

    async def test_a_status_without_its_status_is_a_400(self, client: httpx.AsyncClient) -> None:
        form = status_form(MessageStatus=None)

        response = await post(client, "/twilio/status", form, signed(STATUS_URL, form))

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "MessageStatus"

    @pytest.mark.parametrize("code", ["\u00b2", "9" * 5000, "30003x"])
    async def test_an_error_code_that_is_not_a_number_is_a_400(
        self, client: httpx.AsyncClient, code: str
    ) -> None:
        form = status_form(ErrorCode=code)

        response = await post(client, "/twilio/status", form, signed(STATUS_URL, form))

        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "ErrorCode"

    async def test_a_status_from_a_number_that_is_not_ours_is_answered_and_ignored(
        self, client: httpx.AsyncClient, published: Published
    ) -> None:
        form = status_form(From="+14155550199")

        response = await post(client, "/twilio/status", form, signed(STATUS_URL, form))

        assert response.status_code == 200
        assert published.events == []

    async def test_when_kafka_does_not_acknowledge_twilio_is_told_to_retry(
        self, client: httpx.AsyncClient, published: Published, store: MemoryStore
    ) -> None:
        form = status_form()
        published.unreachable = True

        response = await post(client, "/twilio/status", form, signed(STATUS_URL, form))

        assert response.status_code == 503
        assert store.statuses == {}


# Values Twilio never sends, in fields it always does: digits that are not ASCII ("²".isdigit()
# is true, int("²") fails), numbers past int()'s 4300-digit limit, control characters.
ODD_VALUES = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    st.sampled_from(["", " ", "²", "١٢", "9" * 5000, "\x00", "+442071838750", "-1"]),
)
FIELDS = st.sampled_from(
    [
        *("MessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaUrl12"),
        *(
            "MessagingServiceSid",
            "MessageStatus",
            "ErrorCode",
            "AccountSid",
            "MediaUrl" + "9" * 5000,
        ),
    ]
)


class TestAnySignedForm:
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        path=st.sampled_from(["/twilio/inbound", "/twilio/status"]),
        changes=st.dictionaries(FIELDS, ODD_VALUES | st.none(), max_size=4),
    )
    async def test_is_answered_or_refused_with_a_400_naming_a_field_of_the_form(
        self, client: httpx.AsyncClient, path: str, changes: dict[str, str | None]
    ) -> None:
        form = (inbound_form if path == "/twilio/inbound" else status_form)(**changes)

        response = await post(client, path, form, signed(PUBLIC_URL + path, form))

        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            [error] = response.json()["errors"]
            assert error["field"] in {*form, "MessageSid", "From", "To", "MessageStatus"}
            assert error["reason"]


class TestPublicUrlSetting:
    def test_a_trailing_slash_is_dropped(self) -> None:
        settings = MessagingSettings(public_url="https://sms.platform.example/")

        assert settings.public_url == "https://sms.platform.example"

    @pytest.mark.parametrize(
        "url", ["sms.platform.example", "https://sms.platform.example/?x=1", "ftp://x"]
    )
    def test_anything_but_an_http_base_url_fails_at_start_up(self, url: str) -> None:
        with pytest.raises(ValidationError, match="public_url"):
            MessagingSettings(public_url=url)
