"""Intake's MongoDB collections: `registrations`, `consent` and `consent_reviews` (the
projections) and `api_keys`."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from a2p_intake.domain import ReviewDecision
from a2p_intake.ports import (
    ApiKey,
    ConsentChange,
    ConsentRecord,
    ConsentReview,
    Registration,
    ReviewStatus,
    TimelineEntry,
    Validation,
)
from a2p_shared.mongo import PROCESSED, not_yet_applied

SCHEMA_VERSION = 1


class MongoRegistrationStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._registrations = db["registrations"]

    async def create_indexes(self) -> None:
        await self._registrations.create_index(
            [("tenant_id", ASCENDING), ("created_at", DESCENDING)]
        )

    async def insert(self, registration: Registration) -> bool:
        document = registration.model_dump(mode="python", exclude={"registration_id"})
        document["request"] = registration.request.model_dump(mode="json")
        document |= {
            "_id": registration.registration_id,
            "schema_version": SCHEMA_VERSION,
            PROCESSED: [],
        }
        try:
            await self._registrations.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, registration_id: str) -> Registration | None:
        document = await self._registrations.find_one(
            {"_id": registration_id, "tenant_id": tenant_id}
        )
        return _registration(document) if document else None

    async def list_for_tenant(self, tenant_id: str, limit: int) -> list[Registration]:
        cursor = self._registrations.find({"tenant_id": tenant_id}).sort("created_at", DESCENDING)
        return [_registration(document) for document in await cursor.to_list(limit)]

    async def mark_submitted(
        self, tenant_id: str, registration_id: str, event_id: str, at: datetime
    ) -> None:
        entry = {"status": "submitted", "at": at, "event_id": event_id, "detail": None}
        await self._registrations.update_one(
            {"_id": registration_id, "tenant_id": tenant_id, **not_yet_applied(event_id)},
            {
                "$set": {"status": "submitted", "updated_at": at},
                "$push": {"timeline": entry, PROCESSED: event_id},
            },
        )

    async def correct(self, registration: Registration, expected_revision: int) -> bool:
        result = await self._registrations.update_one(
            {"_id": registration.registration_id, "revision": expected_revision},
            {
                "$set": {
                    "revision": registration.revision,
                    "request": registration.request.model_dump(mode="json"),
                    "fingerprint": registration.fingerprint,
                    "submitted_event": registration.submitted_event,
                    "status": registration.status,
                    "validation": None,
                    "updated_at": registration.updated_at,
                }
            },
        )
        return result.modified_count == 1

    async def record_validation(
        self,
        tenant_id: str,
        registration_id: str,
        validation: Validation,
        status: str,
        detail: dict[str, Any],
    ) -> None:
        entry = {
            "status": status,
            "at": validation.at,
            "event_id": validation.event_id,
            "detail": detail,
        }
        await self._registrations.update_one(
            {
                "_id": registration_id,
                "tenant_id": tenant_id,
                "revision": validation.revision,
                **not_yet_applied(validation.event_id),
            },
            {
                "$set": {
                    "status": status,
                    "validation": validation.model_dump(mode="json"),
                    "updated_at": validation.at,
                },
                "$push": {"timeline": entry, PROCESSED: validation.event_id},
            },
        )

    async def record_onboarding(
        self,
        tenant_id: str,
        registration_id: str,
        event_id: str,
        set_fields: dict[str, Any],
        push_fields: dict[str, Any],
        timeline: TimelineEntry | None,
    ) -> None:
        push = dict(push_fields) | {PROCESSED: event_id}
        if timeline is not None:
            push["timeline"] = timeline.model_dump(mode="json") | {"at": timeline.at}
        update: dict[str, Any] = {"$push": push}
        if set_fields:
            update["$set"] = set_fields
        await self._registrations.update_one(
            {"_id": registration_id, "tenant_id": tenant_id, **not_yet_applied(event_id)}, update
        )


def _registration(document: dict[str, Any]) -> Registration:
    return Registration.model_validate({**document, "registration_id": document["_id"]})


class MongoConsentStore:
    """`consent`: one document per `tenant:+1E164`, its current state and its whole history.

    The consent topic is compacted, so it forgets old changes; this keeps them for disputes.
    """

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._consent = db["consent_history"]

    async def apply(self, tenant_id: str, phone: str, change: ConsentChange) -> None:
        entry = change.model_dump(mode="json") | {"recorded_at": change.recorded_at}
        try:
            await self._consent.update_one(
                {"_id": _person(tenant_id, phone), **not_yet_applied(change.event_id)},
                {
                    "$set": {
                        "tenant_id": tenant_id,
                        "phone": phone,
                        "state": change.state,
                        "categories": entry["categories"],
                        "updated_at": change.recorded_at,
                        "schema_version": SCHEMA_VERSION,
                    },
                    "$push": {"history": entry, PROCESSED: change.event_id},
                },
                upsert=True,
            )
        except DuplicateKeyError:
            # The person's document exists and already has this event: the upsert's insert
            # collided with it. Nothing to do.
            return

    async def get(self, tenant_id: str, phone: str) -> ConsentRecord | None:
        document = await self._consent.find_one(
            {"_id": _person(tenant_id, phone), "tenant_id": tenant_id}
        )
        return ConsentRecord.model_validate(document) if document else None


def _person(tenant_id: str, phone: str) -> str:
    return f"{tenant_id}:{phone}"


class MongoConsentReviewStore:
    """`consent_reviews`: texts staff must read, per `tenant:review_id`."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._reviews = db["consent_reviews"]

    async def create_indexes(self) -> None:
        await self._reviews.create_index(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]
        )

    async def add(self, review: ConsentReview) -> bool:
        document = review.model_dump() | {
            "_id": _review(review.tenant_id, review.review_id),
            "schema_version": SCHEMA_VERSION,
        }
        try:
            await self._reviews.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, review_id: str) -> ConsentReview | None:
        document = await self._reviews.find_one(
            {"_id": _review(tenant_id, review_id), "tenant_id": tenant_id}
        )
        return ConsentReview.model_validate(document) if document else None

    async def list_for_tenant(
        self, tenant_id: str, status: ReviewStatus | None, limit: int
    ) -> list[ConsentReview]:
        query: dict[str, Any] = {"tenant_id": tenant_id}
        if status is not None:
            query["status"] = status
        cursor = self._reviews.find(query).sort("received_at", DESCENDING)
        return [ConsentReview.model_validate(document) for document in await cursor.to_list(limit)]

    async def resolve(
        self,
        tenant_id: str,
        review_id: str,
        decision: ReviewDecision,
        note: str | None,
        resolved_by: str,
        at: datetime,
    ) -> bool:
        result = await self._reviews.update_one(
            {"_id": _review(tenant_id, review_id), "tenant_id": tenant_id, "status": "open"},
            {
                "$set": {
                    "status": "resolved",
                    "decision": decision,
                    "note": note,
                    "resolved_by": resolved_by,
                    "resolved_at": at,
                }
            },
        )
        return result.modified_count == 1


def _review(tenant_id: str, review_id: str) -> str:
    return f"{tenant_id}:{review_id}"


class MongoApiKeyStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._keys = db["api_keys"]

    async def add(self, key: ApiKey) -> None:
        document = key.model_dump(exclude={"key_id"}) | {"_id": key.key_id}
        await self._keys.insert_one(document)

    async def get(self, key_id: str) -> ApiKey | None:
        document = await self._keys.find_one({"_id": key_id})
        return _key(document) if document else None

    async def revoke(self, key_id: str, at: datetime) -> bool:
        result = await self._keys.update_one(
            {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )
        return result.modified_count == 1

    async def list(self) -> list[ApiKey]:
        return [_key(document) async for document in self._keys.find().sort("created_at")]


def _key(document: dict[str, Any]) -> ApiKey:
    return ApiKey.model_validate({**document, "key_id": document["_id"]})
