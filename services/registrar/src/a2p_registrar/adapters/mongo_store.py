"""The registrar's `onboardings` collection: one document per registration, leased per step."""

import contextlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from a2p_registrar.domain import AnotherTenantsRegistration, Onboarding
from a2p_shared.events import RegistrationRequest

# The workflow's own fields; requests and verdicts are written apart, by the event handlers.
_PROGRESS = (
    "revision",
    "step",
    "state",
    "sids",
    "brand_attempts",
    "campaign_attempts",
    "polls",
    "due_at",
    "ledger",
    "history",
)


class MongoOnboardingStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._onboardings = db["onboardings"]

    async def ensure_indexes(self) -> None:
        await self._onboardings.create_index([("due_at", 1)])
        await self._onboardings.create_index([("tenant_id", 1)])

    async def record_request(
        self, registration_id: str, tenant_id: str, revision: int, request: RegistrationRequest
    ) -> None:
        await self._upsert_own(
            registration_id,
            tenant_id,
            {"$set": {f"requests.{revision}": request.model_dump(mode="json"), "wake": True}},
        )

    async def _upsert_own(
        self, registration_id: str, tenant_id: str, update: dict[str, Any]
    ) -> None:
        # Matched on the tenant too: for another tenant's document the upsert's insert collides
        # with its id, so the event is refused instead of rewriting that tenant's onboarding.
        try:
            await self._onboardings.update_one(
                {"_id": registration_id, "tenant_id": tenant_id}, update, upsert=True
            )
        except DuplicateKeyError:
            raise AnotherTenantsRegistration(registration_id) from None

    async def record_verdict(
        self,
        registration_id: str,
        tenant_id: str,
        revision: int,
        passed: bool,
        trace: dict[str, str],
    ) -> None:
        if passed:
            # The first passing verdict's context becomes the flow's trace; later ones keep it.
            # Written before the verdict wakes the flow: a poller must not run a step without it.
            # A trace kept already (or another tenant's document, refused just below).
            with contextlib.suppress(DuplicateKeyError):
                await self._onboardings.update_one(
                    {"_id": registration_id, "tenant_id": tenant_id, "trace": {"$exists": False}},
                    {"$set": {"trace": trace}},
                    upsert=True,
                )
        update: dict[str, Any] = {"$set": {"wake": True}}
        if passed:
            update["$addToSet"] = {"passed": revision}
        await self._upsert_own(registration_id, tenant_id, update)

    async def get(self, registration_id: str) -> Onboarding | None:
        document = await self._onboardings.find_one({"_id": registration_id})
        return _onboarding(document) if document else None

    async def claim(
        self, registration_id: str | None, now: datetime, lease_s: float
    ) -> Onboarding | None:
        free = {"$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}]}
        due = {"$or": [{"wake": True}, {"due_at": {"$lte": now}}]}
        query: dict[str, Any] = {"$and": [free, due]}
        if registration_id is not None:
            query["_id"] = registration_id
        lease = uuid.uuid4().hex
        document = await self._onboardings.find_one_and_update(
            query,
            {
                "$set": {
                    "lease_until": now + timedelta(seconds=lease_s),
                    "lease": lease,
                    "wake": False,
                }
            },
            sort=[("due_at", 1)],
            return_document=ReturnDocument.AFTER,
        )
        if document is None:
            return None
        onboarding = _onboarding(document)
        onboarding.lease = lease
        return onboarding

    async def save(
        self, onboarding: Onboarding, *, release: bool = False, lease_until: datetime | None = None
    ) -> bool:
        progress = onboarding.model_dump(mode="python", include=set(_PROGRESS))
        progress["ledger"] = [e.model_dump(mode="python") for e in onboarding.ledger]
        progress["history"] = [e.model_dump(mode="python") for e in onboarding.history]
        update: dict[str, Any] = {"$set": progress}
        if release:
            update["$set"] |= {"lease_until": None, "lease": None}
        elif lease_until is not None:
            update["$set"]["lease_until"] = lease_until
        result = await self._onboardings.update_one(
            {"_id": onboarding.registration_id, "lease": onboarding.lease}, update
        )
        return result.matched_count == 1

    async def wake_by_bundle(self, bundle_sid: str) -> bool:
        result = await self._onboardings.update_one(
            {"$or": [{"sids.customer_profile": bundle_sid}, {"sids.trust_product": bundle_sid}]},
            {"$set": {"wake": True}},
        )
        return result.matched_count == 1

    async def release(self, onboarding: Onboarding) -> None:
        await self._onboardings.update_one(
            {"_id": onboarding.registration_id, "lease": onboarding.lease},
            {"$set": {"lease_until": None, "lease": None}},
        )


def _onboarding(document: dict[str, Any]) -> Onboarding:
    return Onboarding.model_validate(
        {**document, "registration_id": document["_id"], "lease": None}
    )
