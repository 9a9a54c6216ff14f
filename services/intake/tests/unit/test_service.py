from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from a2p_intake import domain, service
from a2p_intake.domain import IdempotencyConflict
from a2p_shared.events import (
    ConsentAction,
    ConsentEvidence,
    ConsentReviewRequestedV1,
    Envelope,
    MessageRequestedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    Purpose,
    RecordConsent,
    RegistrationSubmittedV1,
)
from a2p_shared.events.registration import Category

from services.intake.tests.fakes import (
    InMemoryApiKeyStore,
    InMemoryConsentReviewStore,
    InMemoryConsentStore,
    InMemoryRegistrationStore,
    RecordingCommands,
    RecordingPublisher,
    StepClock,
)


@pytest.fixture
def store() -> InMemoryRegistrationStore:
    return InMemoryRegistrationStore()


@pytest.fixture
def events() -> RecordingPublisher:
    return RecordingPublisher()


async def submit(store, events, registration, key="k1", tenant="springfield-il"):
    return await service.submit_registration(
        store,
        events,
        StepClock(),
        tenant_id=tenant,
        request=registration,
        idempotency_key=key,
        channel="http",
        platform_id="crm",
    )


class TestSubmitRegistration:
    async def test_publishes_one_submitted_event_and_marks_the_registration(
        self, store, events, registration
    ) -> None:
        submission = await submit(store, events, registration)

        assert submission.created
        assert submission.registration.status == "submitted"
        assert [e.type for e in events.published] == ["registration.submitted"]
        event = events.published[0]
        assert isinstance(event.payload, RegistrationSubmittedV1)
        assert event.payload.registration_id == submission.registration.registration_id
        assert event.correlation_id == submission.registration.registration_id
        assert event.tenant_id == "springfield-il"
        assert [t.status for t in submission.registration.timeline] == ["submitted"]
        assert submission.registration.timeline[0].event_id == str(event.event_id)

    async def test_the_same_key_twice_yields_one_registration_and_one_event(
        self, store, events, registration
    ) -> None:
        first = await submit(store, events, registration)
        second = await submit(store, events, registration)

        assert not second.created
        assert second.registration.registration_id == first.registration.registration_id
        assert len(events.published) == 1
        assert len(store.rows) == 1

    async def test_the_same_key_with_another_body_is_a_conflict(
        self, store, events, registration
    ) -> None:
        await submit(store, events, registration)
        other = registration.model_copy(update={"numbers": ["+12175550199"]})
        with pytest.raises(IdempotencyConflict):
            await submit(store, events, other)
        assert len(events.published) == 1

    async def test_a_publish_that_failed_is_done_by_the_retry_with_the_same_event(
        self, store, events, registration
    ) -> None:
        events.fail_next = True
        with pytest.raises(ConnectionError):
            await submit(store, events, registration)
        [stored] = store.rows.values()
        assert stored.status == "received"

        retried = await submit(store, events, registration)

        assert retried.registration.status == "submitted"
        assert len(events.published) == 1
        assert str(events.published[0].event_id) == stored.submitted_event["event_id"]

    async def test_the_projection_applies_a_redelivered_event_once(
        self, store, events, registration
    ) -> None:
        submission = await submit(store, events, registration)
        for _ in range(2):
            await service.record_submitted(store, StepClock(), events.published[0])
        row = store.rows[submission.registration.registration_id]
        assert [t.status for t in row.timeline] == ["submitted"]

    async def test_keys_at_different_tenants_do_not_collide(
        self, store, events, registration
    ) -> None:
        a = await submit(store, events, registration, tenant="a")
        b = await submit(store, events, registration, tenant="b")
        assert a.registration.registration_id != b.registration.registration_id
        assert await store.get("a", b.registration.registration_id) is None


class TestAuthorize:
    async def test_a_valid_key_for_the_tenant_is_accepted(self) -> None:
        keys = InMemoryApiKeyStore()
        key, token = await service.create_api_key(keys, StepClock(), platform="crm", tenants=["t1"])
        assert (await service.authorize(keys, token, "t1")).key_id == key.key_id

    async def test_a_key_for_another_tenant_is_forbidden(self) -> None:
        keys = InMemoryApiKeyStore()
        _, token = await service.create_api_key(keys, StepClock(), platform="crm", tenants=["t1"])
        with pytest.raises(service.Forbidden):
            await service.authorize(keys, token, "t2")

    @pytest.mark.parametrize("token", [None, "", "a2p_nope.nope", "Bearer x"])
    async def test_missing_or_unknown_keys_are_unauthenticated(self, token) -> None:
        with pytest.raises(service.Unauthenticated):
            await service.authorize(InMemoryApiKeyStore(), token, "t1")

    async def test_a_right_id_with_a_wrong_secret_is_unauthenticated(self) -> None:
        keys = InMemoryApiKeyStore()
        key, _ = await service.create_api_key(keys, StepClock(), platform="crm", tenants=["t1"])
        with pytest.raises(service.Unauthenticated):
            await service.authorize(keys, f"a2p_{key.key_id}.wrong", "t1")

    async def test_a_revoked_key_is_unauthenticated(self) -> None:
        keys = InMemoryApiKeyStore()
        key, token = await service.create_api_key(keys, StepClock(), platform="crm", tenants=["t1"])
        assert await service.revoke_api_key(keys, StepClock(), key.key_id)
        with pytest.raises(service.Unauthenticated):
            await service.authorize(keys, token, "t1")

    async def test_a_key_needs_a_scope(self) -> None:
        with pytest.raises(ValueError, match="at least one tenant"):
            await service.create_api_key(
                InMemoryApiKeyStore(), StepClock(), platform="x", tenants=[]
            )


async def correct(store, events, registration_id, request, tenant="springfield-il"):
    return await service.correct_registration(
        store,
        events,
        StepClock(),
        tenant_id=tenant,
        registration_id=registration_id,
        request=request,
        platform_id="crm",
    )


class TestCorrectRegistration:
    async def test_a_correction_is_a_new_revision_published_as_corrected(
        self, store, events, registration
    ) -> None:
        first = await submit(store, events, registration)
        rid = first.registration.registration_id
        fixed = registration.model_copy(
            update={"policies": registration.policies.model_copy(update={"attested": True})}
        )
        fixed = fixed.model_copy(
            update={"brand": fixed.brand.model_copy(update={"dba_name": "Springfield 311"})}
        )

        corrected = await correct(store, events, rid, fixed)

        assert corrected.created
        assert (corrected.registration.revision, corrected.registration.status) == (
            2,
            "submitted",
        )
        assert corrected.registration.request == fixed
        assert corrected.registration.validation is None
        assert [e.type for e in events.published] == [
            "registration.submitted",
            "registration.corrected",
        ]
        event = events.published[1]
        assert (event.payload.registration_id, event.payload.revision) == (rid, 2)

    async def test_the_same_correction_twice_is_one_revision(
        self, store, events, registration
    ) -> None:
        rid = (await submit(store, events, registration)).registration.registration_id
        fixed = registration.model_copy(
            update={"brand": registration.brand.model_copy(update={"dba_name": "S 311"})}
        )

        await correct(store, events, rid, fixed)
        again = await correct(store, events, rid, fixed)

        assert not again.created
        assert again.registration.revision == 2
        assert [e.type for e in events.published].count("registration.corrected") == 1

    async def test_another_tenants_registration_cannot_be_corrected(
        self, store, events, registration
    ) -> None:
        rid = (await submit(store, events, registration)).registration.registration_id

        with pytest.raises(service.NotFound):
            await correct(store, events, rid, registration, tenant="shelbyville-il")


AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PHONE = "+12175550142"


class TestRecordConsent:
    async def test_sends_the_platforms_command_and_returns_it(self) -> None:
        commands = RecordingCommands()
        evidence = ConsentEvidence(method="paper", text_version="form v3", collected_at=AT)

        command = await service.record_consent(
            commands,
            tenant_id="t1",
            phone=PHONE,
            action=ConsentAction.OPT_IN,
            categories=[Category.TRANSACTIONAL],
            evidence=evidence,
            idempotency_key="paper-12",
        )

        assert commands.sent == [command]
        assert command == RecordConsent(
            tenant_id="t1",
            phone=PHONE,
            action=ConsentAction.OPT_IN,
            categories=[Category.TRANSACTIONAL],
            evidence=evidence,
            source="platform",
            idempotency_key="paper-12",
        )

    async def test_a_refused_command_is_not_sent(self) -> None:
        commands = RecordingCommands()
        with pytest.raises(ValidationError):
            await service.record_consent(
                commands,
                tenant_id="t1",
                phone=PHONE,
                action=ConsentAction.OPT_IN,
                categories=[],
                evidence=None,
                idempotency_key=None,
            )
        assert commands.sent == []


def opted_out(at: datetime, event_id: UUID | None = None) -> Envelope[OptOutRecordedV1]:
    return Envelope.new(
        OptOutRecordedV1(
            phone=PHONE, source="keyword", keyword="STOP", via_number="+12175550100", recorded_at=at
        ),
        tenant_id="t1",
        correlation_id="SM1",
        event_id=event_id,
    )


def opted_in(at: datetime) -> Envelope[OptInRecordedV1]:
    return Envelope.new(
        OptInRecordedV1(
            phone=PHONE,
            source="platform",
            recorded_at=at,
            categories=[Category.TRANSACTIONAL],
            evidence=ConsentEvidence(method="call", script="Read script v2", collected_at=at),
        ),
        tenant_id="t1",
        correlation_id="form-1",
    )


class TestConsentProjection:
    async def test_each_change_joins_the_history_once_and_the_last_is_the_state(self) -> None:
        store = InMemoryConsentStore()
        events = [opted_in(AT), opted_out(AT + timedelta(hours=1))]

        for event in [*events, events[0], events[1]]:
            await service.record_consent_change(store, event)

        record = await service.get_consent(store, "t1", PHONE)
        assert (record.state, record.categories) == ("opted_out", [])
        assert record.updated_at == AT + timedelta(hours=1)
        assert [(c.state, c.event_id) for c in record.history] == [
            ("opted_in", str(events[0].event_id)),
            ("opted_out", str(events[1].event_id)),
        ]
        assert record.history[0].evidence.script == "Read script v2"
        assert record.history[1].keyword == "STOP"

    async def test_another_tenant_sees_nothing(self) -> None:
        store = InMemoryConsentStore()
        await service.record_consent_change(store, opted_out(AT))
        assert await service.get_consent(store, "t2", PHONE) is None


def review_requested(review_id: str = "SM9", at: datetime = AT, tenant: str = "t1") -> Any:
    return Envelope.new(
        ConsentReviewRequestedV1(
            review_id=review_id,
            phone=PHONE,
            via_number="+12175550100",
            body="please don't text me on weekends",
            received_at=at,
            reason="not a plain revocation",
        ),
        tenant_id=tenant,
        correlation_id=review_id,
    )


async def resolve(reviews, commands, decision, review_id="SM9", tenant="t1", note=None):
    return await service.resolve_review(
        reviews,
        commands,
        StepClock(),
        tenant_id=tenant,
        review_id=review_id,
        decision=decision,
        note=note,
        resolved_by="crm",
    )


class TestConsentReviews:
    async def test_a_requested_review_is_listed_open_once(self) -> None:
        reviews = InMemoryConsentReviewStore()
        event = review_requested()
        for _ in range(2):
            await service.record_review_requested(reviews, event)

        (review,) = await service.list_reviews(reviews, "t1", "open")
        assert (review.review_id, review.status, review.event_id) == (
            "SM9",
            "open",
            str(event.event_id),
        )

    async def test_a_redelivered_request_does_not_reopen_a_resolved_review(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        event = review_requested()
        await service.record_review_requested(reviews, event)
        await resolve(reviews, commands, "keep")

        await service.record_review_requested(reviews, event)

        assert await service.list_reviews(reviews, "t1", "open") == []

    async def test_opt_out_publishes_the_staff_opt_out_then_resolves(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        await service.record_review_requested(reviews, review_requested())

        resolution = await resolve(reviews, commands, "opt_out", note="asked to stop")

        assert not resolution.replayed
        review = resolution.review
        assert (review.status, review.decision, review.note, review.resolved_by) == (
            "resolved",
            "opt_out",
            "asked to stop",
            "crm",
        )
        assert review.resolved_at is not None
        assert commands.sent == [domain.staff_opt_out("t1", PHONE, "SM9")]

    async def test_keep_resolves_without_publishing(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        await service.record_review_requested(reviews, review_requested())

        resolution = await resolve(reviews, commands, "keep")

        assert resolution.review.decision == "keep"
        assert commands.sent == []

    async def test_a_failed_publish_leaves_the_review_open_for_a_retry(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        await service.record_review_requested(reviews, review_requested())
        commands.fail_next = True

        with pytest.raises(ConnectionError):
            await resolve(reviews, commands, "opt_out")
        assert (await reviews.get("t1", "SM9")).status == "open"

        retried = await resolve(reviews, commands, "opt_out")
        assert retried.review.status == "resolved"
        assert len(commands.sent) == 1

    async def test_the_same_decision_again_is_a_replay(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        await service.record_review_requested(reviews, review_requested())
        first = await resolve(reviews, commands, "opt_out")

        again = await resolve(reviews, commands, "opt_out", note="again")

        assert again.replayed
        assert again.review == first.review
        assert len(commands.sent) == 1

    async def test_another_decision_on_a_resolved_review_conflicts(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        await service.record_review_requested(reviews, review_requested())
        await resolve(reviews, commands, "keep")

        with pytest.raises(domain.ReviewConflict):
            await resolve(reviews, commands, "opt_out")
        assert commands.sent == []

    async def test_another_tenants_review_is_not_found(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        await service.record_review_requested(reviews, review_requested())

        with pytest.raises(service.NotFound):
            await resolve(reviews, commands, "opt_out", tenant="t2")
        assert commands.sent == []
        assert (await reviews.get("t1", "SM9")).status == "open"

    async def test_lists_newest_first_by_status(self) -> None:
        reviews, commands = InMemoryConsentReviewStore(), RecordingCommands()
        for minute in range(3):
            at = AT + timedelta(minutes=minute)
            await service.record_review_requested(reviews, review_requested(f"SM{minute}", at))
        await resolve(reviews, commands, "keep", review_id="SM1")

        listed = {
            status: [r.review_id for r in await service.list_reviews(reviews, "t1", status)]
            for status in ("open", "resolved", None)
        }
        assert listed == {"open": ["SM2", "SM0"], "resolved": ["SM1"], None: ["SM2", "SM1", "SM0"]}
        assert len(await service.list_reviews(reviews, "t1", None, limit=1)) == 1


async def request_message(events: RecordingPublisher, key: str = "send-1", **changes: Any):
    fields: dict[str, Any] = {
        "to": PHONE,
        "body": "Your permit is ready for pickup. Reply STOP to opt out.",
        "category": Category.TRANSACTIONAL,
    }
    return await service.request_message(
        events, tenant_id="t1", idempotency_key=key, **(fields | changes)
    )


class TestRequestMessage:
    async def test_publishes_the_platforms_campaign_message_and_returns_it(self, events) -> None:
        event = await request_message(
            events, from_number="+12175550100", media_url="https://t1.example/permit.png"
        )

        assert events.published == [event]
        message_id = domain.message_id("t1", "send-1")
        assert event.payload == MessageRequestedV1(
            message_id=message_id,
            to=PHONE,
            idempotency_key="send-1",
            body="Your permit is ready for pickup. Reply STOP to opt out.",
            category=Category.TRANSACTIONAL,
            purpose=Purpose.CAMPAIGN,
            from_number="+12175550100",
            media_url="https://t1.example/permit.png",
        )
        assert (event.tenant_id, event.correlation_id, event.causation_id) == (
            "t1",
            message_id,
            None,
        )
        assert event.event_id == domain.message_requested_event_id("t1", "send-1")

    async def test_the_same_key_again_publishes_the_same_event(self, events) -> None:
        first = await request_message(events)
        again = await request_message(events)
        other = await request_message(events, key="send-2")

        assert [e.event_id for e in events.published] == [
            first.event_id,
            first.event_id,
            other.event_id,
        ]
        assert again.payload == first.payload
        assert other.payload.message_id != first.payload.message_id

    async def test_a_send_kafka_did_not_take_is_not_returned(self, events) -> None:
        events.fail_next = True

        with pytest.raises(ConnectionError):
            await request_message(events)

        assert events.published == []
