"""One contract, two implementations: the in-memory fake and the MongoDB adapter must behave
the same, so unit tests on the fake say something true about production."""

from datetime import UTC, datetime

import pytest

from a2p_intake import domain
from a2p_intake.adapters.mongo_store import (
    MongoApiKeyStore,
    MongoConsentReviewStore,
    MongoConsentStore,
    MongoRegistrationStore,
)
from a2p_intake.ports import (
    ApiKey,
    ConsentChange,
    ConsentReview,
    Registration,
    TimelineEntry,
    Validation,
)
from a2p_shared.events import (
    BrandSubmittedV1,
    ConsentEvidence,
    NumberRegisteredV1,
    OnboardingProgressedV1,
)
from a2p_shared.events.policy import FeeItem, Finding, Severity
from a2p_shared.events.registration import Category

from services.intake.tests.fakes import (
    InMemoryApiKeyStore,
    InMemoryConsentReviewStore,
    InMemoryConsentStore,
    InMemoryRegistrationStore,
)

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
        await store.mark_submitted("t1", row.registration_id, "ev-1", AT)
        await store.mark_submitted("t1", row.registration_id, "ev-1", AT)
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
                "t1", row.registration_id, validation, "changes_required", {"blocking": 1}
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
            await store.record_onboarding(
                "t1", rid, f"o-{i % 3}", change.set, change.push, timeline
            )

        stored = await store.get("t1", rid)
        assert stored.status == "brand_review"
        assert stored.onboarding.step == "brand_review"
        assert stored.onboarding.next_action == "Waiting for Twilio to review the brand"
        assert stored.onboarding.sids["brand_sid"] == "BN1"
        assert stored.onboarding.fees == [fee]
        assert stored.onboarding.numbers_live == ["+12175550100"]
        assert [t.status for t in stored.timeline] == ["brand_review:waiting", "brand.submitted"]

    async def test_an_event_of_another_tenant_naming_it_changes_nothing(self, store, registration):
        row = a_registration(registration)
        await store.insert(row)
        rid = row.registration_id
        verdict = Validation(revision=1, verdict="pass", findings=[], fees=[], event_id="v", at=AT)
        progress = domain.onboarding_change(
            OnboardingProgressedV1(
                registration_id=rid, revision=1, step="live", state="done", next_action="none"
            )
        )

        await store.mark_submitted("t2", rid, "ev-1", AT)
        await store.record_validation("t2", rid, verdict, "validated", {})
        await store.record_onboarding("t2", rid, "o-1", progress.set, progress.push, None)

        assert await store.get("t1", rid) == row

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


PHONE = "+12175550142"


def a_change(event_id: str, state: str = "opted_out", at: datetime = AT, **fields) -> ConsentChange:
    return ConsentChange.model_validate(
        {"event_id": event_id, "state": state, "source": "keyword", "recorded_at": at} | fields
    )


class ConsentStoreContract:
    """Subclasses provide a `consent` fixture."""

    async def test_a_change_is_the_state_and_the_history_once(self, consent):
        evidence = ConsentEvidence(method="web_form", text="Text me", collected_at=AT)
        opt_in = a_change(
            "c-1",
            "opted_in",
            AT,
            source="platform",
            categories=[Category.TRANSACTIONAL],
            evidence=evidence,
        )
        opt_out = a_change("c-2", at=AT.replace(hour=13), keyword="STOP", via_number=PHONE)

        for change in (opt_in, opt_out, opt_in, opt_out):
            await consent.apply("t1", PHONE, change)

        record = await consent.get("t1", PHONE)
        assert (record.tenant_id, record.phone, record.state, record.categories) == (
            "t1",
            PHONE,
            "opted_out",
            [],
        )
        assert record.updated_at == AT.replace(hour=13)
        assert record.history == [opt_in, opt_out]

    async def test_the_history_reads_in_the_order_things_happened(self, consent):
        later, earlier = a_change("c-2", at=AT.replace(hour=14)), a_change("c-1", at=AT)
        await consent.apply("t1", PHONE, later)
        await consent.apply("t1", PHONE, earlier)
        assert [c.event_id for c in (await consent.get("t1", PHONE)).history] == ["c-1", "c-2"]

    async def test_tenants_and_people_are_apart(self, consent):
        await consent.apply("t1", PHONE, a_change("c-1"))
        assert await consent.get("t2", PHONE) is None
        assert await consent.get("t1", "+12175550143") is None


class TestInMemoryConsentStore(ConsentStoreContract):
    @pytest.fixture
    def consent(self):
        return InMemoryConsentStore()


@pytest.mark.infra
class TestMongoConsentStore(ConsentStoreContract):
    @pytest.fixture
    def consent(self, mongo_db):
        return MongoConsentStore(mongo_db)


def a_review(review_id: str = "SM1", tenant: str = "t1", at: datetime = AT) -> ConsentReview:
    return ConsentReview(
        tenant_id=tenant,
        review_id=review_id,
        status="open",
        phone=PHONE,
        via_number="+12175550100",
        body="not on sundays please",
        received_at=at,
        reason="not a plain revocation",
        event_id=f"e-{review_id}",
    )


class ConsentReviewStoreContract:
    """Subclasses provide a `reviews` fixture."""

    async def test_add_once_then_get(self, reviews):
        review = a_review()
        assert await reviews.add(review)
        assert not await reviews.add(review.model_copy(update={"body": "other"}))
        assert await reviews.get("t1", "SM1") == review

    async def test_resolve_only_an_open_review(self, reviews):
        await reviews.add(a_review())
        assert await reviews.resolve("t1", "SM1", "opt_out", "n", "crm", AT)
        assert not await reviews.resolve("t1", "SM1", "keep", None, "other", AT)
        resolved = await reviews.get("t1", "SM1")
        assert (resolved.status, resolved.decision, resolved.note, resolved.resolved_by) == (
            "resolved",
            "opt_out",
            "n",
            "crm",
        )
        assert resolved.resolved_at == AT

    async def test_a_resolved_review_is_not_added_again(self, reviews):
        await reviews.add(a_review())
        await reviews.resolve("t1", "SM1", "keep", None, "crm", AT)
        assert not await reviews.add(a_review())
        assert (await reviews.get("t1", "SM1")).status == "resolved"

    async def test_another_tenant_can_neither_see_nor_resolve_it(self, reviews):
        await reviews.add(a_review())
        assert await reviews.get("t2", "SM1") is None
        assert await reviews.list_for_tenant("t2", None, 10) == []
        assert not await reviews.resolve("t2", "SM1", "keep", None, "crm", AT)
        assert (await reviews.get("t1", "SM1")).status == "open"

    async def test_the_same_review_id_at_two_tenants_is_two_reviews(self, reviews):
        assert await reviews.add(a_review(tenant="t1"))
        assert await reviews.add(a_review(tenant="t2"))

    async def test_list_by_status_newest_first_and_limited(self, reviews):
        for minute in range(3):
            await reviews.add(a_review(f"SM{minute}", at=AT.replace(minute=minute)))
        await reviews.resolve("t1", "SM1", "keep", None, "crm", AT)

        async def ids(status, limit=10):
            return [r.review_id for r in await reviews.list_for_tenant("t1", status, limit)]

        assert await ids("open") == ["SM2", "SM0"]
        assert await ids("resolved") == ["SM1"]
        assert await ids(None) == ["SM2", "SM1", "SM0"]
        assert await ids(None, limit=2) == ["SM2", "SM1"]


class TestInMemoryConsentReviewStore(ConsentReviewStoreContract):
    @pytest.fixture
    def reviews(self):
        return InMemoryConsentReviewStore()


@pytest.mark.infra
class TestMongoConsentReviewStore(ConsentReviewStoreContract):
    @pytest.fixture
    async def reviews(self, mongo_db):
        store = MongoConsentReviewStore(mongo_db)
        await store.create_indexes()
        return store
