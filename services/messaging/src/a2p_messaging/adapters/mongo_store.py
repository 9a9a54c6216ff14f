"""messaging's MongoDB collections: `numbers` (the projection of `number.registered`), the
webhook ledger (`inbound_messages`, `status_callbacks`), the send ledger (`messages`), the daily
segment counts (`daily_segments`), who texted a tenant (`conversations`) and each tenant's
consent rule (`tenant_rules`)."""

import contextlib
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from a2p_messaging.domain import SendRecord, TenantNumber
from a2p_messaging.sending import TenantRules
from a2p_shared.events.registration import Tier, TransactionalConsent


class MongoMessagingStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._numbers = db["numbers"]
        self._inbound = db["inbound_messages"]
        self._statuses = db["status_callbacks"]
        self._messages = db["messages"]
        self._daily = db["daily_segments"]
        self._conversations = db["conversations"]
        self._rules = db["tenant_rules"]

    async def ensure_indexes(self) -> None:
        await self._numbers.create_index([("tenant_id", 1)])
        await self._messages.create_index([("twilio_sid", 1)])
        await self._daily.create_index([("segments", 1)])

    async def save(self, number: TenantNumber) -> None:
        await self._numbers.update_one(
            {"_id": number.phone},
            {
                "$set": {
                    "tenant_id": number.tenant_id,
                    "registration_id": number.registration_id,
                    "messaging_service_sid": number.messaging_service_sid,
                    "campaign_sid": number.campaign_sid,
                    "tier": number.tier.value,
                    "phone_number_sid": number.phone_number_sid,
                }
            },
            upsert=True,
        )

    async def get(self, phone: str) -> TenantNumber | None:
        document = await self._numbers.find_one({"_id": phone})
        return _number(document) if document is not None else None

    async def pool(self, tenant_id: str) -> list[TenantNumber]:
        return [_number(d) async for d in self._numbers.find({"tenant_id": tenant_id})]

    async def inbound_recorded(self, message_sid: str) -> bool:
        return await self._inbound.find_one({"_id": message_sid}, {"_id": 1}) is not None

    async def record_inbound(
        self, message_sid: str, tenant_id: str, event_id: UUID, at: datetime, sender: str = ""
    ) -> None:
        if sender:
            await self._conversations.update_one(
                {"_id": f"{tenant_id}:{sender}"}, {"$set": {"last_text_at": at}}, upsert=True
            )
        await self._inbound.update_one(
            {"_id": message_sid},
            {"$setOnInsert": {"tenant_id": tenant_id, "event_id": str(event_id), "at": at}},
            upsert=True,
        )

    async def status_recorded(self, key: str) -> bool:
        return await self._statuses.find_one({"_id": key}, {"_id": 1}) is not None

    async def record_status(self, key: str, tenant_id: str, event_id: UUID, at: datetime) -> None:
        await self._statuses.update_one(
            {"_id": key},
            {"$setOnInsert": {"tenant_id": tenant_id, "event_id": str(event_id), "at": at}},
            upsert=True,
        )

    async def message_id_for(self, twilio_sid: str) -> str | None:
        document = await self._messages.find_one({"twilio_sid": twilio_sid}, {"message_id": 1})
        return str(document["message_id"]) if document is not None else None

    # --- the send ledger -------------------------------------------------------------------

    async def get_record(self, tenant_id: str, idempotency_key: str) -> SendRecord | None:
        document = await self._messages.find_one({"_id": _record_id(tenant_id, idempotency_key)})
        if document is None:
            return None
        document.pop("_id")
        return SendRecord(**document)

    async def begin(self, record: SendRecord) -> bool:
        try:
            await self._messages.insert_one(
                {"_id": _record_id(record.tenant_id, record.idempotency_key), **_fields(record)}
            )
        except DuplicateKeyError:
            return False
        return True

    async def finish(self, record: SendRecord) -> None:
        await self._messages.update_one(
            {"_id": _record_id(record.tenant_id, record.idempotency_key)},
            {"$set": _fields(record)},
            upsert=True,
        )

    async def claim(self, record: SendRecord, now: datetime, until: datetime) -> bool:
        free = {"$or": [{"attempt_until": None}, {"attempt_until": {"$lt": now}}]}
        claimed = await self._messages.update_one(
            {
                "_id": _record_id(record.tenant_id, record.idempotency_key),
                "state": "sending",
                **free,
            },
            {"$set": {"attempt_until": until}},
        )
        return claimed.modified_count == 1

    async def release_claim(self, record: SendRecord) -> None:
        await self._messages.update_one(
            {"_id": _record_id(record.tenant_id, record.idempotency_key), "state": "sending"},
            {"$set": {"attempt_until": None}},
        )

    async def send_context(self, twilio_sid: str) -> dict[str, str] | None:
        document = await self._messages.find_one({"twilio_sid": twilio_sid}, {"trace": 1})
        return document.get("trace") if document is not None else None

    async def update_status(self, twilio_sid: str, status: str, at: datetime) -> None:
        await self._messages.update_one(
            {"twilio_sid": twilio_sid}, {"$set": {"status": status, "status_at": at}}
        )

    async def tenant_known(self, tenant_id: str) -> bool:
        if await self._rules.find_one({"_id": tenant_id}, {"_id": 1}) is not None:
            return True
        return await self._numbers.find_one({"tenant_id": tenant_id}, {"_id": 1}) is not None

    async def rules(self, tenant_id: str) -> TenantRules:
        document = await self._rules.find_one({"_id": tenant_id})
        if document is None:
            return TenantRules()
        return TenantRules(TransactionalConsent(document["transactional_consent"]))

    async def save_rules(self, tenant_id: str, rules: TenantRules, at: datetime) -> None:
        # A later registration already kept makes the upsert collide on _id: nothing to do.
        with contextlib.suppress(DuplicateKeyError):
            await self._rules.update_one(
                {"_id": tenant_id, "registered_at": {"$lte": at}},
                {
                    "$set": {
                        "transactional_consent": rules.transactional_consent.value,
                        "registered_at": at,
                    }
                },
                upsert=True,
            )

    async def texted_us(self, tenant_id: str, phone: str) -> bool:
        found = await self._conversations.find_one({"_id": f"{tenant_id}:{phone}"}, {"_id": 1})
        return found is not None

    async def reserve(self, tenant_id: str, day: str, segments: int, cap: int) -> bool:
        # One conditional single-document write: instances racing for the last segments of the
        # day cannot both pass (a losing upsert collides on _id).
        try:
            result = await self._daily.update_one(
                {"_id": f"{tenant_id}:{day}", "segments": {"$lte": cap - segments}},
                {"$inc": {"segments": segments}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return result.modified_count == 1 or result.upserted_id is not None

    async def release(self, tenant_id: str, day: str, segments: int) -> None:
        await self._daily.update_one(
            {"_id": f"{tenant_id}:{day}"}, {"$inc": {"segments": -segments}}
        )

    async def segments_used(self, tenant_id: str, day: str) -> int:
        document = await self._daily.find_one({"_id": f"{tenant_id}:{day}"})
        return int(document["segments"]) if document is not None else 0


def _record_id(tenant_id: str, idempotency_key: str) -> str:
    return f"{tenant_id}:{idempotency_key}"


def _fields(record: SendRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in SendRecord.__slots__}


def _number(document: dict[str, Any]) -> TenantNumber:
    return TenantNumber(
        phone=document["_id"],
        tenant_id=document["tenant_id"],
        registration_id=document["registration_id"],
        messaging_service_sid=document["messaging_service_sid"],
        campaign_sid=document["campaign_sid"],
        tier=Tier(document["tier"]),
        phone_number_sid=document["phone_number_sid"],
    )
