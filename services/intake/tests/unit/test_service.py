import pytest

from a2p_intake import service
from a2p_intake.domain import IdempotencyConflict
from a2p_shared.events import RegistrationSubmittedV1

from services.intake.tests.fakes import (
    InMemoryApiKeyStore,
    InMemoryRegistrationStore,
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
