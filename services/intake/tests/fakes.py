"""In-memory stand-ins for intake's ports: the unit tier's doubles, held to the same contract
tests as the MongoDB adapters."""

from datetime import UTC, datetime, timedelta
from typing import Any

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
from a2p_shared.events import Envelope, RecordConsent


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

    async def mark_submitted(
        self, tenant_id: str, registration_id: str, event_id: str, at: datetime
    ) -> None:
        row = self.rows.get(registration_id)
        if row is None or row.tenant_id != tenant_id or event_id in self.applied[registration_id]:
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
        self,
        tenant_id: str,
        registration_id: str,
        validation: Validation,
        status: str,
        detail: dict[str, Any],
    ) -> None:
        row = self.rows.get(registration_id)
        if (
            row is None
            or row.tenant_id != tenant_id
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
        tenant_id: str,
        registration_id: str,
        event_id: str,
        set_fields: dict[str, Any],
        push_fields: dict[str, Any],
        timeline: TimelineEntry | None,
    ) -> None:
        row = self.rows.get(registration_id)
        if row is None or row.tenant_id != tenant_id or event_id in self.applied[registration_id]:
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


class RecordingCommands:
    """Records the consent commands sent; `fail_next` makes the next send raise (Kafka down)."""

    def __init__(self) -> None:
        self.sent: list[RecordConsent] = []
        self.fail_next = False

    async def send(self, command: RecordConsent) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("broker unavailable")
        self.sent.append(command)


class InMemoryConsentStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ConsentRecord] = {}

    async def apply(self, tenant_id: str, phone: str, change: ConsentChange) -> None:
        row = self.rows.get((tenant_id, phone))
        history = row.history if row else []
        if any(entry.event_id == change.event_id for entry in history):
            return
        self.rows[(tenant_id, phone)] = ConsentRecord(
            tenant_id=tenant_id,
            phone=phone,
            state=change.state,
            categories=change.categories,
            updated_at=change.recorded_at,
            history=[*history, change],
        )

    async def get(self, tenant_id: str, phone: str) -> ConsentRecord | None:
        return self.rows.get((tenant_id, phone))


class InMemoryConsentReviewStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], ConsentReview] = {}

    async def add(self, review: ConsentReview) -> bool:
        if (review.tenant_id, review.review_id) in self.rows:
            return False
        self.rows[(review.tenant_id, review.review_id)] = review
        return True

    async def get(self, tenant_id: str, review_id: str) -> ConsentReview | None:
        return self.rows.get((tenant_id, review_id))

    async def list_for_tenant(
        self, tenant_id: str, status: ReviewStatus | None, limit: int
    ) -> list[ConsentReview]:
        rows = [
            r
            for r in self.rows.values()
            if r.tenant_id == tenant_id and (status is None or r.status == status)
        ]
        return sorted(rows, key=lambda r: r.received_at, reverse=True)[:limit]

    async def resolve(
        self,
        tenant_id: str,
        review_id: str,
        decision: ReviewDecision,
        note: str | None,
        resolved_by: str,
        at: datetime,
    ) -> bool:
        row = self.rows.get((tenant_id, review_id))
        if row is None or row.status != "open":
            return False
        self.rows[(tenant_id, review_id)] = row.model_copy(
            update={
                "status": "resolved",
                "decision": decision,
                "note": note,
                "resolved_by": resolved_by,
                "resolved_at": at,
            }
        )
        return True


class StepClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current
