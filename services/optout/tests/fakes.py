"""In-memory stand-ins for optout's ports, for unit tests of its own logic.

The flows on real Kafka, MongoDB and the Twilio emulator are in `integration/` and `tests/`.
"""

from datetime import UTC, datetime
from typing import Any

from a2p_optout.domain import Person, TenantProfile
from a2p_optout.ports import StoredPerson
from a2p_shared.events import Envelope


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class MemoryStore:
    """Same once-per-source semantics as the MongoDB store, in dicts."""

    def __init__(self) -> None:
        self.people: dict[tuple[str, str], dict[str, Any]] = {}
        self.profiles: dict[str, tuple[TenantProfile, datetime]] = {}

    async def person(self, tenant_id: str, phone: str) -> StoredPerson:
        doc = self.people.get((tenant_id, phone))
        if doc is None:
            return StoredPerson()
        return StoredPerson(doc["person"], frozenset(doc["applied"]), dict(doc["reviews"]))

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
        doc = self.people.setdefault(
            (tenant_id, phone), {"person": Person(), "applied": [], "reviews": {}, "history": []}
        )
        if source_id in doc["applied"]:
            return False
        doc["person"] = person
        doc["applied"].append(source_id)
        doc["history"].extend(history)
        if open_review:
            doc["reviews"][open_review[0]] = open_review[1]
        if close_review:
            doc["reviews"].pop(close_review, None)
        return True

    async def profile(self, tenant_id: str) -> TenantProfile | None:
        kept = self.profiles.get(tenant_id)
        return kept[0] if kept else None

    async def remember_profile(
        self, tenant_id: str, profile: TenantProfile, registered_at: datetime
    ) -> None:
        kept = self.profiles.get(tenant_id)
        if kept is None or kept[1] <= registered_at:
            self.profiles[tenant_id] = (profile, registered_at)


class Published:
    def __init__(self) -> None:
        self.events: list[Envelope[Any]] = []

    async def publish(self, envelope: Envelope[Any]) -> None:
        self.events.append(envelope)

    def of(self, event_type: str) -> list[Envelope[Any]]:
        return [e for e in self.events if e.type == event_type]
