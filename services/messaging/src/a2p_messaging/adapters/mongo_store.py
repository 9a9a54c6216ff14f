"""messaging's MongoDB collections: `numbers` (the projection of `number.registered`), the
webhook ledger (`inbound_messages`, `status_callbacks`) and look-ups in `messages`."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from a2p_messaging.domain import TenantNumber
from a2p_shared.events.registration import Tier


class MongoMessagingStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._numbers = db["numbers"]
        self._inbound = db["inbound_messages"]
        self._statuses = db["status_callbacks"]
        # Filled by the send pipeline; read here only to name a status's message.
        self._messages = db["messages"]

    async def ensure_indexes(self) -> None:
        await self._numbers.create_index([("tenant_id", 1)])
        await self._messages.create_index([("twilio_sid", 1)])

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
        if document is None:
            return None
        return TenantNumber(
            phone=document["_id"],
            tenant_id=document["tenant_id"],
            registration_id=document["registration_id"],
            messaging_service_sid=document["messaging_service_sid"],
            campaign_sid=document["campaign_sid"],
            tier=Tier(document["tier"]),
            phone_number_sid=document["phone_number_sid"],
        )

    async def inbound_recorded(self, message_sid: str) -> bool:
        return await self._inbound.find_one({"_id": message_sid}, {"_id": 1}) is not None

    async def record_inbound(
        self, message_sid: str, tenant_id: str, event_id: UUID, at: datetime
    ) -> None:
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
        document = await self._messages.find_one({"twilio_sid": twilio_sid}, {"_id": 1})
        return str(document["_id"]) if document is not None else None
