"""optout's MongoDB: `consent` (one document per tenant and person, with the whole history) and
`tenant_profiles` (what each tenant registered: keywords, replies, mode)."""

import contextlib
import dataclasses
import time
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from a2p_optout.domain import Person, TenantProfile
from a2p_optout.ports import StoredPerson
from a2p_shared.events.registration import Category, OptOutMode
from a2p_shared.mongo import PROCESSED, not_yet_applied

# Enough to recognise any redelivery: a person's texts arrive in order on one partition.
KEEP_APPLIED = 1000


def consent_id(tenant_id: str, phone: str) -> str:
    return f"{tenant_id}:{phone}"


class MongoConsentStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], profile_cache_s: float = 0.0) -> None:
        self._consent = db["consent"]
        self._profiles = db["tenant_profiles"]
        # Every text needs its tenant's profile, which changes only with a new registration.
        self._cache_s = profile_cache_s
        self._cached: dict[str, tuple[TenantProfile, float]] = {}

    async def ensure_indexes(self) -> None:
        await self._consent.create_index([("tenant_id", 1), ("state", 1)])

    async def person(self, tenant_id: str, phone: str) -> StoredPerson:
        document = await self._consent.find_one({"_id": consent_id(tenant_id, phone)})
        if document is None:
            return StoredPerson()
        return StoredPerson(
            person=Person(
                state=document.get("state", "none"),
                categories=frozenset(Category(c) for c in document.get("categories", [])),
                texted_before=document.get("texted_before", False),
            ),
            applied=frozenset(document.get(PROCESSED, [])),
            open_reviews=dict(document.get("open_reviews", {})),
        )

    async def apply(
        self,
        tenant_id: str,
        phone: str,
        source_id: str,
        person: Person,
        history: list[dict[str, Any]],
        *,
        open_review: tuple[str, str] | None = None,
        close_review: str | None = None,
        at: datetime,
    ) -> bool:
        update: dict[str, Any] = {
            "$set": {
                "tenant_id": tenant_id,
                "phone": phone,
                "state": person.state,
                "categories": sorted(c.value for c in person.categories),
                "texted_before": person.texted_before,
                "updated_at": at,
            },
            "$push": {
                "history": {"$each": history},
                PROCESSED: {"$each": [source_id], "$slice": -KEEP_APPLIED},
            },
        }
        if open_review is not None:
            update["$set"][f"open_reviews.{open_review[0]}"] = open_review[1]
        if close_review is not None:
            update["$unset"] = {f"open_reviews.{close_review}": ""}
        try:
            result = await self._consent.update_one(
                {"_id": consent_id(tenant_id, phone), **not_yet_applied(source_id)},
                update,
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the document exists and has applied `source_id` already
        return result.modified_count == 1 or result.upserted_id is not None

    async def profile(self, tenant_id: str) -> TenantProfile | None:
        cached = self._cached.get(tenant_id)
        if cached is not None and time.monotonic() - cached[1] < self._cache_s:
            return cached[0]
        document = await self._profiles.find_one({"_id": tenant_id})
        if document is None:
            return None
        profile = _profile(document["profile"])
        self._cached[tenant_id] = (profile, time.monotonic())
        return profile

    async def remember_profile(
        self, tenant_id: str, profile: TenantProfile, registered_at: datetime
    ) -> None:
        fields = dataclasses.asdict(profile)
        for name in ("extra_opt_out", "extra_opt_in", "extra_help", "categories"):
            fields[name] = sorted(str(value) for value in fields[name])
        fields["mode"] = profile.mode.value
        self._cached.pop(tenant_id, None)
        # A later registration already kept makes the upsert collide on _id: nothing to do.
        with contextlib.suppress(DuplicateKeyError):
            await self._profiles.update_one(
                {"_id": tenant_id, "registered_at": {"$lte": registered_at}},
                {"$set": {"profile": fields, "registered_at": registered_at}},
                upsert=True,
            )


def _profile(fields: dict[str, Any]) -> TenantProfile:
    return TenantProfile(
        **{
            **fields,
            "mode": OptOutMode(fields["mode"]),
            "extra_opt_out": frozenset(fields["extra_opt_out"]),
            "extra_opt_in": frozenset(fields["extra_opt_in"]),
            "extra_help": frozenset(fields["extra_help"]),
            "categories": frozenset(Category(c) for c in fields["categories"]),
        }
    )
