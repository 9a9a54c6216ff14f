"""The validator's `validations` collection: one `policy.validated` event per revision."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class MongoValidationStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._validations = db["validations"]

    async def find(self, registration_id: str, revision: int) -> dict[str, Any] | None:
        document = await self._validations.find_one({"_id": _key(registration_id, revision)})
        return document["event"] if document else None

    async def keep(
        self, event: dict[str, Any], registration_id: str, revision: int
    ) -> dict[str, Any]:
        key = _key(registration_id, revision)
        try:
            await self._validations.insert_one(
                {
                    "_id": key,
                    "registration_id": registration_id,
                    "revision": revision,
                    "event": event,
                }
            )
        except DuplicateKeyError:
            existing = await self._validations.find_one({"_id": key})
            if existing is not None:
                return dict(existing["event"])
        return event


def _key(registration_id: str, revision: int) -> str:
    return f"{registration_id}:{revision}"
