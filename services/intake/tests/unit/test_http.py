from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from a2p_intake import domain, service
from a2p_intake.http import ConsentRequest, IntakeDeps, MessageRequest, build_router
from a2p_shared.events import MessageRequestedV1

from services.intake.tests.fakes import (
    InMemoryApiKeyStore,
    InMemoryConsentReviewStore,
    InMemoryConsentStore,
    InMemoryRegistrationStore,
    RecordingCommands,
    RecordingPublisher,
    StepClock,
)

EVIDENCE = {"method": "web_form", "text": "Text me", "collected_at": "2026-11-24T09:00:00Z"}


def refused_fields(body: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        ConsentRequest.model_validate(body)
    return {".".join(map(str, e["loc"])): e["msg"] for e in refused.value.errors()}


class TestConsentRequest:
    def test_an_opt_in_with_categories_and_evidence_is_accepted_normalised(self) -> None:
        request = ConsentRequest.model_validate(
            {
                "phone": "(217) 555-0142",
                "action": "opt_in",
                "categories": ["transactional"],
                "evidence": EVIDENCE,
            }
        )
        assert request.phone == "+12175550142"

    def test_an_opt_out_needs_neither_categories_nor_evidence(self) -> None:
        request = ConsentRequest.model_validate({"phone": "+12175550142", "action": "opt_out"})
        assert (request.categories, request.evidence) == ([], None)

    def test_every_gap_of_an_opt_in_is_named_with_the_other_errors(self) -> None:
        fields = refused_fields({"phone": "555-0142", "action": "opt_in"})

        assert set(fields) == {"phone", "categories", "evidence"}
        assert "needs its categories" in fields["categories"]
        assert "needs its evidence" in fields["evidence"]

    def test_evidence_without_what_was_agreed_names_its_text(self) -> None:
        evidence = {"method": "call", "collected_at": "2026-11-24T09:00:00Z"}

        fields = refused_fields(
            {"phone": "+12175550142", "action": "opt_in", "categories": [], "evidence": evidence}
        )

        assert set(fields) == {"categories", "evidence.text"}
        assert "consent text" in fields["evidence.text"]

    def test_nested_evidence_errors_keep_their_field(self) -> None:
        evidence = {"method": "", "text": "t", "collected_at": "2026-11-24T09:00:00"}

        fields = refused_fields(
            {
                "phone": "+12175550142",
                "action": "opt_in",
                "categories": ["weekly"],
                "evidence": evidence,
            }
        )

        assert set(fields) == {"categories.0", "evidence.method", "evidence.collected_at"}

    @pytest.mark.parametrize("field", ["source", "review_id", "tenant_id", "idempotency_key"])
    def test_fields_that_are_not_the_platforms_to_set_are_refused(self, field) -> None:
        fields = refused_fields({"phone": "+12175550142", "action": "opt_out", field: "x"})
        assert set(fields) == {field}


MESSAGE = {
    "to": "(217) 555-0142",
    "body": "Your permit is ready for pickup. Reply STOP to opt out.",
    "category": "transactional",
}


def refused_message_fields(body: dict) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        MessageRequest.model_validate(body)
    return {".".join(map(str, e["loc"])) for e in refused.value.errors()}


class TestMessageRequest:
    def test_a_message_is_accepted_normalised(self) -> None:
        request = MessageRequest.model_validate(
            {**MESSAGE, "from_number": "217.555.0100", "media_url": "https://t.example/a.png"}
        )
        assert (request.to, request.from_number) == ("+12175550142", "+12175550100")

    def test_every_missing_field_is_named(self) -> None:
        assert refused_message_fields({}) == {"to", "body", "category"}

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            pytest.param({"body": ""}, "body", id="empty-body"),
            pytest.param({"body": "x" * 1601}, "body", id="body-1601"),
            pytest.param({"category": "marketing"}, "category", id="unknown-category"),
            pytest.param({"to": "+442071838750"}, "to", id="foreign-recipient"),
            pytest.param({"from_number": "555-0100"}, "from_number", id="short-from-number"),
            pytest.param({"media_url": "ftp://x.example/a.png"}, "media_url", id="ftp-media"),
        ],
    )
    def test_what_the_contract_refuses_is_refused_at_its_field(self, change, field) -> None:
        assert refused_message_fields({**MESSAGE, **change}) == {field}
        with pytest.raises(ValidationError):
            MessageRequestedV1.model_validate(
                {**MESSAGE, **change, "message_id": "m1", "idempotency_key": "k1"}
            )

    @pytest.mark.parametrize(
        "field", ["purpose", "message_id", "idempotency_key", "tenant_id", "media_urls"]
    )
    def test_fields_that_are_not_the_platforms_to_set_are_refused(self, field) -> None:
        assert refused_message_fields({**MESSAGE, field: "campaign"}) == {field}


@pytest.fixture
def published() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def api_keys() -> InMemoryApiKeyStore:
    return InMemoryApiKeyStore()


@pytest.fixture
async def client(
    published: RecordingPublisher, api_keys: InMemoryApiKeyStore
) -> AsyncIterator[httpx.AsyncClient]:
    deps = IntakeDeps(
        registrations=InMemoryRegistrationStore(),
        api_keys=api_keys,
        events=published,
        clock=StepClock(),
        consent=InMemoryConsentStore(),
        reviews=InMemoryConsentReviewStore(),
        commands=RecordingCommands(),
    )
    app = FastAPI()
    app.include_router(build_router(deps))
    # As a server answers: an exception in the app is a 500, not an exception in the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake:8080") as client:
        yield client


async def bearer(api_keys: InMemoryApiKeyStore, *tenants: str) -> dict[str, str]:
    _, token = await service.create_api_key(
        api_keys, StepClock(), platform="crm", tenants=list(tenants)
    )
    return {"Authorization": f"Bearer {token}"}


def refused_locations(response: httpx.Response) -> set[str]:
    # FastAPI's own error shape here; the service app turns it into `{"errors": [...]}`.
    return {".".join(map(str, e["loc"])) for e in response.json()["detail"]}


class TestMessagesEndpoint:
    async def test_a_send_is_published_and_accepted_with_its_message_id(
        self, client, published, api_keys
    ) -> None:
        headers = {**await bearer(api_keys, "t1"), "Idempotency-Key": "send-1"}

        response = await client.post("/v1/tenants/t1/messages", json=MESSAGE, headers=headers)

        assert response.status_code == 202, response.text
        [event] = published.published
        assert response.json() == {
            "message_id": event.payload.message_id,
            "tenant_id": "t1",
            "to": "+12175550142",
            "status": "accepted",
            "idempotency_key": "send-1",
        }
        assert event.payload.message_id == domain.message_id("t1", "send-1")
        assert (event.tenant_id, event.payload.purpose) == ("t1", "campaign")
        assert "Location" not in response.headers

    async def test_the_same_key_again_answers_the_same_message(
        self, client, published, api_keys
    ) -> None:
        headers = {**await bearer(api_keys, "t1"), "Idempotency-Key": "send-1"}

        first = await client.post("/v1/tenants/t1/messages", json=MESSAGE, headers=headers)
        again = await client.post("/v1/tenants/t1/messages", json=MESSAGE, headers=headers)

        assert (first.status_code, again.status_code) == (202, 202)
        assert first.json() == again.json()
        assert len({e.event_id for e in published.published}) == 1

    async def test_without_an_idempotency_key_nothing_is_sent(
        self, client, published, api_keys
    ) -> None:
        headers = await bearer(api_keys, "t1")

        response = await client.post("/v1/tenants/t1/messages", json=MESSAGE, headers=headers)
        empty = await client.post(
            "/v1/tenants/t1/messages", json=MESSAGE, headers={**headers, "Idempotency-Key": ""}
        )

        assert (response.status_code, empty.status_code) == (422, 422)
        assert refused_locations(response) == {"header.Idempotency-Key"}
        assert refused_locations(empty) == {"header.Idempotency-Key"}
        assert published.published == []

    async def test_every_refused_field_is_named_in_one_answer(
        self, client, published, api_keys
    ) -> None:
        headers = await bearer(api_keys, "t1")

        response = await client.post(
            "/v1/tenants/t1/messages", json={"purpose": "campaign"}, headers=headers
        )

        assert response.status_code == 422
        assert refused_locations(response) == {
            "header.Idempotency-Key",
            "body.to",
            "body.body",
            "body.category",
            "body.purpose",
        }
        assert published.published == []

    async def test_only_a_key_for_the_tenant_may_send(self, client, published, api_keys) -> None:
        theirs = {**await bearer(api_keys, "t2"), "Idempotency-Key": "send-1"}

        forbidden = await client.post("/v1/tenants/t1/messages", json=MESSAGE, headers=theirs)
        anonymous = await client.post(
            "/v1/tenants/t1/messages", json=MESSAGE, headers={"Idempotency-Key": "send-1"}
        )

        assert (forbidden.status_code, anonymous.status_code) == (403, 401)
        assert published.published == []

    async def test_a_send_kafka_did_not_take_is_not_accepted(
        self, client, published, api_keys
    ) -> None:
        headers = {**await bearer(api_keys, "t1"), "Idempotency-Key": "send-1"}
        published.fail_next = True

        response = await client.post("/v1/tenants/t1/messages", json=MESSAGE, headers=headers)

        assert response.status_code == 500
        assert published.published == []
