from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from a2p_shared.events import Envelope, RegistrationRequest
from a2p_shared.events.policy import FeeItem, Finding


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: str
    at: datetime
    event_id: str | None = None
    detail: dict[str, Any] | None = None


class Validation(BaseModel):
    """The validator's latest verdict on the current revision."""

    model_config = ConfigDict(frozen=True)

    revision: int
    verdict: str
    findings: list[Finding]
    fees: list[FeeItem]
    event_id: str
    at: datetime


class OnboardingView(BaseModel):
    """Where Twilio onboarding stands, as the registrar's events told it."""

    model_config = ConfigDict(frozen=True)

    step: str | None = None
    state: str | None = None
    next_action: str | None = None
    revision: int | None = None
    sids: dict[str, str] = {}
    fees: list[FeeItem] = []
    review_findings: list[Finding] = []
    numbers_live: list[str] = []


class Registration(BaseModel):
    """The registrations projection: the request, where it stands, and how it got there."""

    model_config = ConfigDict(frozen=True)

    registration_id: str
    tenant_id: str
    revision: int
    status: str
    request: RegistrationRequest
    timeline: list[TimelineEntry]
    channel: str
    platform_id: str | None
    idempotency_key: str | None
    fingerprint: str
    submitted_event: dict[str, Any]
    """The `registration.submitted` envelope as first built, re-published as-is on retry."""
    validation: Validation | None = None
    onboarding: OnboardingView = OnboardingView()
    """An object from the start, so the registrar's events can set fields inside it."""
    created_at: datetime
    updated_at: datetime


class ApiKey(BaseModel):
    model_config = ConfigDict(frozen=True)

    key_id: str
    platform: str
    tenants: list[str]
    secret_sha256: str
    created_at: datetime
    revoked_at: datetime | None = None


class RegistrationStore(Protocol):
    async def insert(self, registration: Registration) -> bool:
        """Insert unless one with the same id exists; True if inserted."""

    async def get(self, tenant_id: str, registration_id: str) -> Registration | None: ...

    async def list_for_tenant(self, tenant_id: str, limit: int) -> list[Registration]: ...

    async def mark_submitted(self, registration_id: str, event_id: str, at: datetime) -> None:
        """Set status `submitted` and add it to the timeline, once per event id."""

    async def correct(self, registration: Registration, expected_revision: int) -> bool:
        """Replace the request with the corrected revision `registration` carries, if the stored
        one is still `expected_revision`; False if another correction came first."""

    async def record_validation(
        self, registration_id: str, validation: Validation, status: str, detail: dict[str, Any]
    ) -> None:
        """Store the verdict of the current revision and add `status` to the timeline, once per
        event id; a verdict on an older revision changes nothing."""

    async def record_onboarding(
        self,
        registration_id: str,
        event_id: str,
        set_fields: dict[str, Any],
        push_fields: dict[str, Any],
        timeline: TimelineEntry | None,
    ) -> None:
        """Apply one registrar event to the projection, once per event id."""


class ApiKeyStore(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def get(self, key_id: str) -> ApiKey | None: ...

    async def revoke(self, key_id: str, at: datetime) -> bool: ...

    async def list(self) -> list[ApiKey]: ...


class EventPublisher(Protocol):
    async def publish(self, envelope: Envelope[Any]) -> None:
        """Returns once the event is durably in Kafka."""
