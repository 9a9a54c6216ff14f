"""The webhook use cases on fakes: one event per text and per status however often Twilio
delivers it, nothing for numbers that are not ours, and nothing recorded that Kafka did not take."""

import logging
from collections.abc import Iterator

import pytest

from a2p_messaging import domain, service
from a2p_shared.events import Envelope, InboundMessageV1, MessageStatusV1, NumberRegisteredV1
from a2p_shared.events.registration import Tier

from services.messaging.tests.fakes import (
    NUMBER_A,
    NUMBER_B,
    PERSON,
    SID,
    TENANT_A,
    TENANT_B,
    MemoryStore,
    Published,
    inbound_form,
    status_form,
)


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged() -> Iterator[Captured]:
    captured = Captured()
    logger = logging.getLogger("a2p_messaging")
    logger.addHandler(captured)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        logger.removeHandler(captured)
        logger.setLevel(level)


def registered(phone: str, tenant_id: str, revision: int = 1) -> Envelope[NumberRegisteredV1]:
    return Envelope.new(
        NumberRegisteredV1(
            registration_id=f"reg_{tenant_id}",
            revision=revision,
            phone=phone,
            phone_number_sid="PN" + "4" * 32,
            messaging_service_sid="MG" + "5" * 32,
            campaign_sid="QE" + "6" * 32,
            tier=Tier.SOLE_PROPRIETOR,
        ),
        tenant_id=tenant_id,
        correlation_id=f"reg_{tenant_id}",
    )


class TestNumbersProjection:
    async def test_a_registered_number_is_resolved_to_its_tenant(
        self, deps: service.Deps, store: MemoryStore
    ) -> None:
        await service.register_number(deps, registered("+16175550100", "boston-ma"))

        number = await store.get("+16175550100")
        assert number is not None
        assert (number.tenant_id, number.registration_id) == ("boston-ma", "reg_boston-ma")
        assert (number.messaging_service_sid, number.tier) == ("MG" + "5" * 32, "SOLE_PROPRIETOR")

    async def test_the_same_event_twice_leaves_one_entry(
        self, deps: service.Deps, store: MemoryStore
    ) -> None:
        event = registered("+16175550100", "boston-ma")
        await service.register_number(deps, event)
        before = dict(store.numbers)
        await service.register_number(deps, event)

        assert store.numbers == before


class TestInbound:
    async def test_a_text_is_published_then_recorded(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        outcome = await service.receive_inbound(deps, inbound_form())

        assert outcome is service.Outcome.PUBLISHED
        [event] = published.events
        assert isinstance(event.payload, InboundMessageV1)
        assert (event.tenant_id, event.correlation_id) == (TENANT_A, SID)
        assert event.event_id == domain.inbound_event_id(SID)
        assert event.payload.from_number == PERSON
        assert store.inbound[SID]["event_id"] == str(event.event_id)

    async def test_the_tenant_is_the_owner_of_the_number_texted(
        self, deps: service.Deps, published: Published
    ) -> None:
        await service.receive_inbound(deps, inbound_form(To=NUMBER_B, MessageSid="SM" + "b" * 32))
        await service.receive_inbound(deps, inbound_form(To=NUMBER_A))

        assert [e.tenant_id for e in published.events] == [TENANT_B, TENANT_A]

    async def test_a_second_delivery_publishes_nothing(
        self, deps: service.Deps, published: Published
    ) -> None:
        await service.receive_inbound(deps, inbound_form())
        outcome = await service.receive_inbound(deps, inbound_form())

        assert outcome is service.Outcome.DUPLICATE
        assert len(published.events) == 1

    async def test_a_text_to_a_number_that_is_not_ours_is_ignored_and_logged_masked(
        self, deps: service.Deps, store: MemoryStore, published: Published, logged: Captured
    ) -> None:
        outcome = await service.receive_inbound(deps, inbound_form(To="+14155550199"))

        assert outcome is service.Outcome.UNKNOWN_NUMBER
        assert (published.events, store.inbound) == ([], {})
        assert any("+1415***0199" in line for line in logged.lines)
        assert not any("4155550199" in line or "2175550142" in line for line in logged.lines)

    async def test_an_invalid_form_publishes_nothing(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        with pytest.raises(domain.InvalidForm, match=r"^From"):
            await service.receive_inbound(deps, inbound_form(From=None))

        assert (published.events, store.inbound) == ([], {})

    async def test_when_kafka_is_down_nothing_is_recorded_and_the_retry_publishes(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        published.unreachable = True
        with pytest.raises(service.Unavailable):
            await service.receive_inbound(deps, inbound_form())
        assert store.inbound == {}

        published.unreachable = False
        assert await service.receive_inbound(deps, inbound_form()) is service.Outcome.PUBLISHED
        assert len(published.events) == 1

    async def test_an_acknowledgement_that_never_comes_is_unavailable(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        published.hanging = True

        with pytest.raises(service.Unavailable):
            await service.receive_inbound(deps, inbound_form())
        assert store.inbound == {}

    async def test_a_crash_after_publishing_republishes_the_same_event(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        store.fail_records = True
        with pytest.raises(ConnectionError):
            await service.receive_inbound(deps, inbound_form())

        store.fail_records = False
        await service.receive_inbound(deps, inbound_form())

        first, second = published.events
        assert first.event_id == second.event_id == domain.inbound_event_id(SID)
        assert await service.receive_inbound(deps, inbound_form()) is service.Outcome.DUPLICATE
        assert len(published.events) == 2


class TestStatus:
    async def test_a_status_of_a_message_we_sent_names_our_message(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        store.messages[SID] = "msg_42"

        outcome = await service.receive_status(deps, status_form())

        assert outcome is service.Outcome.PUBLISHED
        [event] = published.events
        assert isinstance(event.payload, MessageStatusV1)
        assert (event.tenant_id, event.correlation_id) == (TENANT_A, "msg_42")
        assert (event.payload.message_id, event.payload.twilio_sid) == ("msg_42", SID)
        assert event.payload.status == "delivered"
        assert event.event_id == domain.status_event_id(SID, "delivered")
        assert store.statuses[f"{SID}:delivered"]["event_id"] == str(event.event_id)

    async def test_a_status_of_a_message_we_do_not_know_is_named_by_its_sid(
        self, deps: service.Deps, published: Published
    ) -> None:
        await service.receive_status(deps, status_form(From=NUMBER_B))

        [event] = published.events
        assert (event.tenant_id, event.correlation_id, event.payload.message_id) == (
            TENANT_B,
            SID,
            SID,
        )

    async def test_each_status_once(self, deps: service.Deps, published: Published) -> None:
        for status in ("queued", "sent", "sent", "delivered", "queued"):
            await service.receive_status(deps, status_form(MessageStatus=status))

        assert [e.payload.status for e in published.events] == ["queued", "sent", "delivered"]

    async def test_a_failure_carries_its_error_code(
        self, deps: service.Deps, published: Published
    ) -> None:
        await service.receive_status(deps, status_form(MessageStatus="failed", ErrorCode="21610"))

        assert published.events[0].payload.error_code == 21610

    async def test_a_status_from_a_number_that_is_not_ours_is_ignored(
        self, deps: service.Deps, store: MemoryStore, published: Published, logged: Captured
    ) -> None:
        outcome = await service.receive_status(deps, status_form(From="+14155550199"))

        assert outcome is service.Outcome.UNKNOWN_NUMBER
        assert (published.events, store.statuses) == ([], {})
        assert any("+1415***0199" in line for line in logged.lines)

    async def test_when_kafka_is_down_nothing_is_recorded(
        self, deps: service.Deps, store: MemoryStore, published: Published
    ) -> None:
        published.unreachable = True

        with pytest.raises(service.Unavailable):
            await service.receive_status(deps, status_form())
        assert store.statuses == {}
