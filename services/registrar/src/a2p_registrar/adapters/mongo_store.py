"""The registrar's `onboardings` collection: one document per registration, leased per step."""

import contextlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from a2p_registrar.domain import Onboarding
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
        await self._onboardings.update_one(
            {"_id": registration_id},
            {
                "$set": {
                    f"requests.{revision}": request.model_dump(mode="json"),
                    "tenant_id": tenant_id,
                    "wake": True,
                }
            },
            upsert=True,
        )

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
            with contextlib.suppress(DuplicateKeyError):  # a trace is kept already
                await self._onboardings.update_one(
                    {"_id": registration_id, "trace": {"$exists": False}},
                    {"$set": {"trace": trace, "tenant_id": tenant_id}},
                    upsert=True,
                )
        update: dict[str, Any] = {"$set": {"tenant_id": tenant_id, "wake": True}}
        if passed:
            update["$addToSet"] = {"passed": revision}
        await self._onboardings.update_one({"_id": registration_id}, update, upsert=True)

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
