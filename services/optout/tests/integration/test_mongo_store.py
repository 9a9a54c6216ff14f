"""One contract, two implementations: the in-memory fake and the MongoDB adapter behave the
same, so the unit tests on the fake say something true about production."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from a2p_optout.adapters.mongo_store import MongoConsentStore
from a2p_optout.domain import Person, TenantProfile
from a2p_shared.events.registration import Category, OptOutMode

from services.optout.tests.fakes import MemoryStore

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TENANT, PHONE = "springfield-il", "+12175550199"


class ConsentStoreContract:
    async def test_an_unknown_person_has_no_consent(self, store: Any) -> None:
        stored = await store.person(TENANT, PHONE)

        assert stored.person == Person()
        assert stored.applied == frozenset()

    async def test_a_change_is_applied_once_per_source(self, store: Any) -> None:
        out = Person(state="opted_out", texted_before=True)
        entry = {"state": "opted_out", "event_id": "e1"}

        assert await store.apply(TENANT, PHONE, "SM1", out, [entry], at=AT)
        assert not await store.apply(TENANT, PHONE, "SM1", Person(), [entry], at=AT)

        stored = await store.person(TENANT, PHONE)
        assert stored.person == out
        assert stored.applied == frozenset({"SM1"})
        assert (await store.person("another-tenant", PHONE)).person == Person()

    async def test_categories_and_reviews_are_kept(self, store: Any) -> None:
        person = Person(
            state="opted_in",
            categories=frozenset({Category.TRANSACTIONAL, Category.PROMOTIONAL}),
            texted_before=True,
        )
        await store.apply(
            TENANT, PHONE, "SM1", person, [], open_review=("SM1", "+12175550100"), at=AT
        )
        assert (await store.person(TENANT, PHONE)).open_reviews == {"SM1": "+12175550100"}

        await store.apply(TENANT, PHONE, "consent:r1", person, [], close_review="SM1", at=AT)
        stored = await store.person(TENANT, PHONE)
        assert stored.open_reviews == {}
        assert stored.person.categories == person.categories

    async def test_the_latest_registration_profile_wins(self, store: Any) -> None:
        newer = TenantProfile(
            name="City of Springfield",
            mode=OptOutMode.REASONABLE_MEANS,
            extra_opt_out=frozenset({"ARRET"}),
            categories=frozenset({Category.TRANSACTIONAL}),
            help_message="Springfield 311: call 217-555-0100. Reply STOP to opt out.",
        )
        older = TenantProfile(name="Springfield (old)")

        assert await store.profile(TENANT) is None
        await store.remember_profile(TENANT, newer, AT)
        await store.remember_profile(TENANT, older, AT - timedelta(days=1))

        assert await store.profile(TENANT) == newer


class TestMemoryStore(ConsentStoreContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()


class TestMongoStore(ConsentStoreContract):
    @pytest.fixture
    async def store(self, mongo_db: Any) -> MongoConsentStore:
        store = MongoConsentStore(mongo_db)
        await store.ensure_indexes()
        return store
