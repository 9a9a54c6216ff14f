"""The send use case on fakes: one outcome per request, one text at most, and what happens when
Twilio refuses, times out after accepting, or is down."""

from datetime import timedelta
from typing import Any

import pytest

from a2p_messaging import service
from a2p_messaging.domain import SendRecord
from a2p_messaging.ports import TwilioUnavailable
from a2p_messaging.sending import ConsentView
from a2p_shared.events import Envelope, MessageRequestedV1, Purpose
from a2p_shared.events.registration import Category, Tier

from services.messaging.tests.fakes import (
    NUMBER_A,
    PERSON,
    TENANT_A,
    Clock,
    FakeConsent,
    FakeSender,
    Published,
    SendStore,
    a_number,
)

OPTED_IN = ConsentView("opted_in", frozenset({Category.TRANSACTIONAL}))


class Pipeline:
    def __init__(self, cap: int = 200_000) -> None:
        self.store, self.twilio, self.consent = SendStore(), FakeSender(), FakeConsent()
        self.events = Published()
        self.deps = service.SendDeps(
            sends=self.store,
            sender=self.twilio,
            consent=self.consent,
            events=self.events,
            clock=Clock(),
            caps={tier: cap for tier in Tier},
        )
        self.store.numbers[NUMBER_A] = a_number()
        self.consent.people[(TENANT_A, PERSON)] = OPTED_IN

    def request(self, key: str = "k-1", **changes: Any) -> Envelope[MessageRequestedV1]:
        payload = MessageRequestedV1.model_validate(
            {
                "message_id": f"m-{key}",
                "to": PERSON,
                "idempotency_key": key,
                "body": "Your permit is ready.",
                "category": "transactional",
                **changes,
            }
        )
        return Envelope.new(payload, tenant_id=TENANT_A, correlation_id=payload.message_id)

    def outcomes(self) -> list[tuple[str, Any]]:
        return [(e.type, e.event_id) for e in self.events.events]


@pytest.fixture
def pipeline() -> Pipeline:
    return Pipeline()


async def test_a_request_is_sent_once_and_its_outcome_republished_unchanged(
    pipeline: Pipeline,
) -> None:
    request = pipeline.request()
    await service.decide_batch(pipeline.deps, [request, request])
    await service.send(pipeline.deps, request)

    assert len(pipeline.twilio.accepted) == 1
    [(kind, _)] = set(pipeline.outcomes())
    assert kind == "message.sent"
    assert len(pipeline.outcomes()) == 3, "each delivery republishes the same outcome"
    sent = pipeline.events.events[0].payload
    assert (sent.from_number, sent.segments, sent.encoding) == (NUMBER_A, 1, "GSM-7")
    assert pipeline.consent.catch_ups == 1, "one consent catch-up for the batch"


async def test_a_timeout_after_twilio_accepted_is_found_not_resent(pipeline: Pipeline) -> None:
    pipeline.twilio.lose_answers = 1

    await service.send(pipeline.deps, pipeline.request())

    assert len(pipeline.twilio.accepted) == 1
    [sent] = pipeline.events.events
    assert sent.payload.twilio_sid == pipeline.twilio.accepted[0]["sid"]


async def test_twilio_down_leaves_the_request_sending_and_a_redelivery_sends_it_once(
    pipeline: Pipeline,
) -> None:
    request = pipeline.request()
    pipeline.twilio.unavailable = True
    with pytest.raises(TwilioUnavailable):
        await service.send(pipeline.deps, request)
    record = await pipeline.store.get_record(TENANT_A, "k-1")
    assert record is not None
    assert record.state == "sending"
    assert pipeline.events.events == []

    pipeline.twilio.unavailable = False
    await service.send(pipeline.deps, request)
    await service.send(pipeline.deps, request)

    assert len(pipeline.twilio.accepted) == 1
    assert {e.type for e in pipeline.events.events} == {"message.sent"}


async def test_a_refusal_is_a_failure_with_twilios_code_and_gives_the_segments_back(
    pipeline: Pipeline,
) -> None:
    pipeline.twilio.refuse = 21610

    await service.send(pipeline.deps, pipeline.request())

    [failed] = pipeline.events.events
    assert (failed.type, failed.payload.twilio_code) == ("message.failed", 21610)
    assert failed.payload.from_number == NUMBER_A
    assert set(pipeline.store.daily.values()) == {0}


async def test_over_the_daily_cap_is_blocked_not_dropped() -> None:
    capped = Pipeline(cap=3)
    long_body = "x" * 200  # two segments

    for key in ("a", "b", "c"):
        await service.send(capped.deps, capped.request(key, body=long_body))

    kinds = [(e.type, getattr(e.payload, "reason", None)) for e in capped.events.events]
    assert kinds == [
        ("message.sent", None),
        ("message.blocked", "daily_cap"),
        ("message.blocked", "daily_cap"),
    ]
    assert len(capped.twilio.accepted) == 1


async def test_an_opted_out_person_gets_only_the_confirmation(pipeline: Pipeline) -> None:
    pipeline.consent.people[(TENANT_A, PERSON)] = ConsentView("opted_out")

    await service.send(pipeline.deps, pipeline.request("campaign"))
    confirmation = pipeline.request(
        "confirm", purpose=Purpose.OPTOUT_CONFIRMATION, from_number=NUMBER_A
    )
    await service.send(pipeline.deps, confirmation)

    kinds = [(e.type, getattr(e.payload, "reason", None)) for e in pipeline.events.events]
    assert kinds == [("message.blocked", "opted_out"), ("message.sent", None)]
    assert [m["body"] for m in pipeline.twilio.accepted] == ["Your permit is ready."]


async def test_a_request_another_instance_is_sending_is_not_sent_until_its_attempt_is_over(
    pipeline: Pipeline,
) -> None:
    request = pipeline.request()
    now = pipeline.deps.clock.now()
    # Another instance recorded `sending` and is calling Twilio (a rebalance handed this one
    # the partition meanwhile).
    theirs = SendRecord(
        tenant_id=TENANT_A,
        idempotency_key="k-1",
        message_id=request.payload.message_id,
        to=PERSON,
        state="sending",
        from_number=NUMBER_A,
        segments=1,
        started_at=now,
        attempt_until=now + timedelta(seconds=30),
    )
    assert await pipeline.store.begin(theirs)

    with pytest.raises(service.AttemptInFlight):
        await service.send(pipeline.deps, request)
    assert pipeline.twilio.accepted == []

    # Their text reached Twilio, then they died: after their time, the redelivery finds it.
    await pipeline.twilio.send(
        to=PERSON, from_=NUMBER_A, body="Your permit is ready.", media_url=None
    )
    pipeline.deps.clock.pass_time(31)  # type: ignore[attr-defined]
    await service.send(pipeline.deps, request)

    assert len(pipeline.twilio.accepted) == 1
    [sent] = pipeline.events.events
    assert sent.payload.twilio_sid == pipeline.twilio.accepted[0]["sid"]


async def test_a_request_begun_by_another_instance_is_not_sent_twice(pipeline: Pipeline) -> None:
    """Both instances decide the same request: the one whose `sending` record lost the insert
    does not call Twilio."""
    request = pipeline.request()
    original_begin = pipeline.store.begin

    async def lose_the_race(record: SendRecord) -> bool:
        await original_begin(record)  # the other instance's insert lands first
        return False

    pipeline.store.begin = lose_the_race  # type: ignore[method-assign]
    with pytest.raises(service.AttemptInFlight):
        await service.send(pipeline.deps, request)

    assert pipeline.twilio.accepted == []
