"""What the consent use cases need from the outside world."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from a2p_optout.domain import Person, TenantProfile
from a2p_shared.events import Envelope


@dataclass(frozen=True, slots=True)
class StoredPerson:
    person: Person = field(default_factory=Person)
    applied: frozenset[str] = frozenset()
    """Ids of the texts, commands and failures already applied: a redelivery changes nothing."""
    open_reviews: dict[str, str] = field(default_factory=dict)
    """Texts waiting for staff (review id -> the tenant number they came to)."""


class ConsentStore(Protocol):
    async def person(self, tenant_id: str, phone: str) -> StoredPerson: ...

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
        """Write the new consent and its history once per `source_id`; False if done before."""
        ...

    async def profile(self, tenant_id: str) -> TenantProfile | None: ...

    async def remember_profile(
        self, tenant_id: str, profile: TenantProfile, registered_at: datetime
    ) -> None:
        """Keep the profile of the tenant's latest registration (an older one changes nothing)."""
        ...


class EventPublisher(Protocol):
    async def publish(self, envelope: Envelope[Any]) -> None: ...
