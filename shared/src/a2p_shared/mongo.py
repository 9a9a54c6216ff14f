"""MongoDB for every service: the client factory and the processed-event ledger.

No multi-document transactions (the MongoDB-wire server used without Docker has none):
an effect and the record that it happened are written in one single-document update.
"""

from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from a2p_shared.settings import ServiceSettings

PROCESSED = "processed_events"
"""Field, in a projection document, listing the event ids already applied to it."""


def mongo_client(
    settings: ServiceSettings, tracer_provider: trace.TracerProvider | None = None
) -> AsyncMongoClient[dict[str, Any]]:
    """`tracer_provider`: each command becomes a child span of the work that issued it."""
    # Connection is lazy; the health check and the first query prove it.
    return AsyncMongoClient(
        settings.mongodb_url,
        tz_aware=True,
        appname=f"a2p-{settings.service_name}",
        serverSelectionTimeoutMS=5000,
        event_listeners=[CommandSpans(tracer_provider)] if tracer_provider else [],
    )


class CommandSpans(monitoring.CommandListener):
    """A client span per MongoDB command made inside traced work: operation, collection and
    outcome, never the command itself (it holds people's data). The driver calls these in the
    task that runs the command, so the current span is its parent."""

    _QUIET = frozenset({"hello", "ismaster", "isMaster", "ping", "endSessions", "saslStart"})

    def __init__(self, tracer_provider: trace.TracerProvider) -> None:
        self._tracer = tracer_provider.get_tracer("a2p.mongodb")
        self._spans: dict[tuple[int, int], trace.Span] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        # Only inside traced work: start-up and idle polling would each make a trace of its own.
        if event.command_name in self._QUIET or not trace.get_current_span().is_recording():
            return
        collection = event.command.get(event.command_name)
        attributes = {
            "db.system.name": "mongodb",
            "db.namespace": event.database_name,
            "db.operation.name": event.command_name,
        }
        if isinstance(collection, str):
            attributes["db.collection.name"] = collection
        name = f"mongodb {event.command_name} {collection if isinstance(collection, str) else ''}"
        span = self._tracer.start_span(name.strip(), kind=SpanKind.CLIENT, attributes=attributes)
        self._spans[(event.request_id, event.operation_id or 0)] = span

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        span = self._spans.pop((event.request_id, event.operation_id or 0), None)
        if span is not None:
            span.end()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        span = self._spans.pop((event.request_id, event.operation_id or 0), None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, str(event.failure.get("codeName", ""))))
            span.end()


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
