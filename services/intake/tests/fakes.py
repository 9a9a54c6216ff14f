"""In-memory stand-ins for intake's ports: the unit tier's doubles, held to the same contract
tests as the MongoDB adapters."""

from datetime import UTC, datetime, timedelta
from typing import Any

from a2p_intake.ports import ApiKey, Registration, TimelineEntry, Validation
from a2p_shared.events import Envelope


class InMemoryRegistrationStore:
    def __init__(self) -> None:
        self.rows: dict[str, Registration] = {}
        self.applied: dict[str, set[str]] = {}

    async def insert(self, registration: Registration) -> bool:
        if registration.registration_id in self.rows:
            return False
        self.rows[registration.registration_id] = registration
        self.applied[registration.registration_id] = set()
        return True

    async def get(self, tenant_id: str, registration_id: str) -> Registration | None:
        row = self.rows.get(registration_id)
        return row if row and row.tenant_id == tenant_id else None

    async def list_for_tenant(self, tenant_id: str, limit: int) -> list[Registration]:
        rows = [r for r in self.rows.values() if r.tenant_id == tenant_id]
        return sorted(rows, key=lambda r: r.created_at, reverse=True)[:limit]

    async def mark_submitted(self, registration_id: str, event_id: str, at: datetime) -> None:
        row = self.rows.get(registration_id)
        if row is None or event_id in self.applied[registration_id]:
            return
        self.applied[registration_id].add(event_id)
        entry = TimelineEntry(status="submitted", at=at, event_id=event_id)
        self.rows[registration_id] = row.model_copy(
            update={"status": "submitted", "updated_at": at, "timeline": [*row.timeline, entry]}
        )

    async def correct(self, registration: Registration, expected_revision: int) -> bool:
        row = self.rows.get(registration.registration_id)
        if row is None or row.revision != expected_revision:
            return False
        self.rows[registration.registration_id] = registration
        return True

    async def record_validation(
        self, registration_id: str, validation: Validation, status: str, detail: dict[str, Any]
    ) -> None:
        row = self.rows.get(registration_id)
        if (
            row is None
            or row.revision != validation.revision
            or validation.event_id in self.applied[registration_id]
        ):
            return
        self.applied[registration_id].add(validation.event_id)
        entry = TimelineEntry(
            status=status, at=validation.at, event_id=validation.event_id, detail=detail
        )
        self.rows[registration_id] = row.model_copy(
            update={
                "status": status,
                "validation": validation,
                "updated_at": validation.at,
                "timeline": [*row.timeline, entry],
            }
        )

    async def record_onboarding(
        self,
        registration_id: str,
        event_id: str,
        set_fields: dict[str, Any],
        push_fields: dict[str, Any],
        timeline: TimelineEntry | None,
    ) -> None:
        row = self.rows.get(registration_id)
        if row is None or event_id in self.applied[registration_id]:
            return
        self.applied[registration_id].add(event_id)
        document = row.model_dump()
        for path, value in set_fields.items():
            *parents, leaf = path.split(".")
            _at(document, parents)[leaf] = value
        for path, value in push_fields.items():
            *parents, leaf = path.split(".")
            items = value["$each"] if isinstance(value, dict) and "$each" in value else [value]
            _at(document, parents).setdefault(leaf, []).extend(items)
        if timeline is not None:
            document["timeline"].append(timeline.model_dump())
        self.rows[registration_id] = Registration.model_validate(document)


def _at(document: dict[str, Any], path: list[str]) -> dict[str, Any]:
    for part in path:
        document = document.setdefault(part, {})
    return document


class InMemoryApiKeyStore:
    def __init__(self) -> None:
        self.rows: dict[str, ApiKey] = {}

    async def add(self, key: ApiKey) -> None:
        self.rows[key.key_id] = key

    async def get(self, key_id: str) -> ApiKey | None:
        return self.rows.get(key_id)

    async def revoke(self, key_id: str, at: datetime) -> bool:
        key = self.rows.get(key_id)
        if key is None or key.revoked_at is not None:
            return False
        self.rows[key_id] = key.model_copy(update={"revoked_at": at})
        return True

    async def list(self) -> list[ApiKey]:
        return sorted(self.rows.values(), key=lambda k: k.created_at)


class RecordingPublisher:
    """Records what was published; `fail_next` makes the next publish raise (Kafka down)."""

    def __init__(self) -> None:
        self.published: list[Envelope[Any]] = []
        self.fail_next = False

    async def publish(self, envelope: Envelope[Any]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("broker unavailable")
        self.published.append(envelope)


class StepClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current
