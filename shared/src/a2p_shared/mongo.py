"""MongoDB for every service: the client factory and the processed-event ledger.

No multi-document transactions (the MongoDB-wire server used without Docker has none):
an effect and the record that it happened are written in one single-document update.
"""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from a2p_shared.settings import ServiceSettings

PROCESSED = "processed_events"
"""Field, in a projection document, listing the event ids already applied to it."""


def mongo_client(settings: ServiceSettings) -> AsyncMongoClient[dict[str, Any]]:
    # Connection is lazy; the health check and the first query prove it.
    return AsyncMongoClient(
        settings.mongodb_url,
        tz_aware=True,
        appname=f"a2p-{settings.service_name}",
        serverSelectionTimeoutMS=5000,
    )


def database(
    client: AsyncMongoClient[dict[str, Any]], settings: ServiceSettings
) -> AsyncDatabase[dict[str, Any]]:
    return client[settings.mongodb_database]


def not_yet_applied(event_id: str) -> dict[str, Any]:
    """Filter clause that matches a projection only if `event_id` was not applied to it yet.

    Used with the update that applies the event and `$push`es its id to `PROCESSED`: one
    conditional single-document write, so a redelivered event changes nothing.
    """
    return {PROCESSED: {"$ne": event_id}}
