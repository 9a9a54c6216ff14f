"""One contract, two implementations: the in-memory fake and the MongoDB adapter must behave
the same, so unit tests on the fake say something true about production."""

from datetime import UTC, datetime

import pytest

from a2p_intake import domain
from a2p_intake.adapters.mongo_store import MongoApiKeyStore, MongoRegistrationStore
from a2p_intake.ports import ApiKey, Registration, TimelineEntry, Validation
from a2p_shared.events import BrandSubmittedV1, NumberRegisteredV1, OnboardingProgressedV1
from a2p_shared.events.policy import FeeItem, Finding, Severity

from services.intake.tests.fakes import InMemoryApiKeyStore, InMemoryRegistrationStore

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def a_registration(request, tenant="t1", registration_id=None, created_at=AT) -> Registration:
    return Registration(
        registration_id=registration_id or domain.registration_id(tenant, None),
        tenant_id=tenant,
        revision=1,
        status="received",
        request=request,
        timeline=[],
        channel="http",
        platform_id="crm",
        idempotency_key=None,
        fingerprint=domain.fingerprint(request),
        submitted_event={"event_id": "e"},
        created_at=created_at,
        updated_at=created_at,
    )


class RegistrationStoreContract:
    """Subclasses provide a `store` fixture."""

    async def test_insert_then_get_returns_the_same_registration(self, store, registration):
        row = a_registration(registration)
        assert await store.insert(row)
        assert await store.get("t1", row.registration_id) == row

    async def test_a_second_insert_with_the_same_id_is_refused(self, store, registration):
        row = a_registration(registration)
        assert await store.insert(row)
        assert not await store.insert(row.model_copy(update={"channel": "topic"}))
        assert (await store.get("t1", row.registration_id)).channel == "http"

    async def test_another_tenant_cannot_read_it(self, store, registration):
        row = a_registration(registration)
        await store.insert(row)
        assert await store.get("t2", row.registration_id) is None
        assert await store.list_for_tenant("t2", 10) == []

    async def test_mark_submitted_applies_each_event_once(self, store, registration):
        row = a_registration(registration)
        await store.insert(row)
        await store.mark_submitted(row.registration_id, "ev-1", AT)
        await store.mark_submitted(row.registration_id, "ev-1", AT)
        stored = await store.get("t1", row.registration_id)
        assert stored.status == "submitted"
        assert [(t.status, t.event_id) for t in stored.timeline] == [("submitted", "ev-1")]

    async def test_a_verdict_on_the_current_revision_is_recorded_once(self, store, registration):
        row = a_registration(registration)
        await store.insert(row)
        finding = Finding(
            rule="PP-03",
            severity=Severity.BLOCK,
            field="policies.privacy_policy_url",
            message="m",
            fix="f",
            twilio_code=30919,
        )
        fees = [FeeItem(item="campaign_vetting", amount_usd=15.0)]
        current = Validation(
            revision=1, verdict="fail", findings=[finding], fees=fees, event_id="v-1", at=AT
        )
        stale = current.model_copy(update={"revision": 2, "event_id": "v-2", "verdict": "pass"})
        for validation in (current, current, stale):
            await store.record_validation(
                row.registration_id, validation, "changes_required", {"blocking": 1}
            )
        stored = await store.get("t1", row.registration_id)
        assert stored.status == "changes_required"
        assert stored.validation == current
        assert [(t.status, t.event_id, t.detail) for t in stored.timeline] == [
            ("changes_required", "v-1", {"blocking": 1})
        ]

    async def test_registrar_events_build_the_onboarding_view_once_each(self, store, registration):
        row = a_registration(registration)
        await store.insert(row)
        rid = row.registration_id
        fee = FeeItem(item="brand_registration", amount_usd=4.5)
        events = [
            OnboardingProgressedV1(
                registration_id=rid,
                revision=1,
                step="brand_review",
                state="waiting",
                next_action="Waiting for Twilio to review the brand",
            ),
            BrandSubmittedV1(
                registration_id=rid,
                revision=1,
                customer_profile_sid="BU1",
                trust_product_sid="BU2",
                brand_sid="BN1",
                tier="LOW_VOLUME_STANDARD",
                attempt=1,
                fees=[fee],
            ),
            NumberRegisteredV1(
                registration_id=rid,
                revision=1,
                phone="+12175550100",
                phone_number_sid="PN1",
                messaging_service_sid="MG1",
                campaign_sid="QE1",
                tier="LOW_VOLUME_STANDARD",
            ),
        ]
        for i, payload in enumerate(events + events[:1]):
            change = domain.onboarding_change(payload)
            timeline = (
                TimelineEntry(status=change.timeline_status, at=AT, event_id=f"o-{i % 3}")
                if change.timeline_status
                else None
            )
            await store.record_onboarding(rid, f"o-{i % 3}", change.set, change.push, timeline)

        stored = await store.get("t1", rid)
        assert stored.status == "brand_review"
        assert stored.onboarding.step == "brand_review"
        assert stored.onboarding.next_action == "Waiting for Twilio to review the brand"
        assert stored.onboarding.sids["brand_sid"] == "BN1"
        assert stored.onboarding.fees == [fee]
        assert stored.onboarding.numbers_live == ["+12175550100"]
        assert [t.status for t in stored.timeline] == ["brand_review:waiting", "brand.submitted"]

    async def test_list_is_newest_first_and_limited(self, store, registration):
        for minute in range(3):
            await store.insert(a_registration(registration, created_at=AT.replace(minute=minute)))
        listed = await store.list_for_tenant("t1", 2)
        assert [r.created_at.minute for r in listed] == [2, 1]


class TestInMemoryRegistrationStore(RegistrationStoreContract):
    @pytest.fixture
    def store(self):
        return InMemoryRegistrationStore()


@pytest.mark.infra
class TestMongoRegistrationStore(RegistrationStoreContract):
    @pytest.fixture
    async def store(self, mongo_db):
        store = MongoRegistrationStore(mongo_db)
        await store.create_indexes()
        return store


class ApiKeyStoreContract:
    """Subclasses provide a `keys` fixture."""

    async def test_add_get_revoke(self, keys):
        key = ApiKey(key_id="k1", platform="crm", tenants=["t1"], secret_sha256="h", created_at=AT)
        await keys.add(key)
        assert await keys.get("k1") == key
        assert await keys.revoke("k1", AT)
        assert not await keys.revoke("k1", AT)
        assert (await keys.get("k1")).revoked_at == AT
        assert [k.key_id for k in await keys.list()] == ["k1"]

    async def test_an_unknown_key_is_none(self, keys):
        assert await keys.get("nope") is None
        assert not await keys.revoke("nope", AT)


class TestInMemoryApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def keys(self):
        return InMemoryApiKeyStore()


@pytest.mark.infra
class TestMongoApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def keys(self, mongo_db):
        return MongoApiKeyStore(mongo_db)
