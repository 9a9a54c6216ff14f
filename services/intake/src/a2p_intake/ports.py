from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, field_validator

from a2p_intake.domain import ConsentState, ReviewDecision
from a2p_shared.events import (
    ConsentEvidence,
    ConsentSource,
    Envelope,
    RecordConsent,
    RegistrationRequest,
)
from a2p_shared.events.policy import FeeItem, Finding
from a2p_shared.events.registration import Category


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


class ConsentChange(BaseModel):
    """One opt-out or opt-in of a person's consent history, as the consent topic recorded it."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    state: ConsentState
    source: ConsentSource
    keyword: str | None = None
    via_number: str | None = None
    message_sid: str | None = None
    categories: list[Category] = []
    evidence: ConsentEvidence | None = None
    recorded_at: datetime


class ConsentRecord(BaseModel):
    """The consent projection: a person's consent at a tenant now, and every change to it."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    phone: str
    state: ConsentState
    categories: list[Category]
    updated_at: datetime
    history: list[ConsentChange]

    @field_validator("history")
    @classmethod
    def _in_recorded_order(cls, history: list[ConsentChange]) -> list[ConsentChange]:
        # Stored in arrival order (not every MongoDB-wire server sorts a `$push`); a dispute
        # reads it in the order things happened.
        return sorted(history, key=lambda change: change.recorded_at)


ReviewStatus = Literal["open", "resolved"]


class ConsentReview(BaseModel):
    """A text that may revoke consent, waiting for staff (`open`) or decided (`resolved`)."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    review_id: str
    status: ReviewStatus
    phone: str
    via_number: str
    body: str
    received_at: datetime
    reason: str
    event_id: str
    decision: ReviewDecision | None = None
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class RegistrationStore(Protocol):
    async def insert(self, registration: Registration) -> bool:
        """Insert unless one with the same id exists; True if inserted."""

    async def get(self, tenant_id: str, registration_id: str) -> Registration | None: ...

    async def list_for_tenant(self, tenant_id: str, limit: int) -> list[Registration]: ...

    async def mark_submitted(
        self, tenant_id: str, registration_id: str, event_id: str, at: datetime
    ) -> None:
        """Set status `submitted` and add it to the timeline, once per event id. Like every
        update below, it changes only a registration of `tenant_id`: an event of another tenant
        that names this registration changes nothing."""

    async def correct(self, registration: Registration, expected_revision: int) -> bool:
        """Replace the request with the corrected revision `registration` carries, if the stored
        one is still `expected_revision`; False if another correction came first."""

    async def record_validation(
        self,
        tenant_id: str,
        registration_id: str,
        validation: Validation,
        status: str,
        detail: dict[str, Any],
    ) -> None:
        """Store the verdict of the current revision and add `status` to the timeline, once per
        event id; a verdict on an older revision changes nothing."""

    async def record_onboarding(
        self,
        tenant_id: str,
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


class ConsentCommands(Protocol):
    async def send(self, command: RecordConsent) -> None:
        """Returns once the command is durably in Kafka, on `a2p.intake.consent`."""


class ConsentStore(Protocol):
    async def apply(self, tenant_id: str, phone: str, change: ConsentChange) -> None:
        """Make `change` the person's current consent and add it to the history, once per
        event id."""

    async def get(self, tenant_id: str, phone: str) -> ConsentRecord | None: ...


class ConsentReviewStore(Protocol):
    async def add(self, review: ConsentReview) -> bool:
        """Insert unless the tenant already has this review (open or resolved); True if inserted."""

    async def get(self, tenant_id: str, review_id: str) -> ConsentReview | None: ...

    async def list_for_tenant(
        self, tenant_id: str, status: ReviewStatus | None, limit: int
    ) -> list[ConsentReview]:
        """Newest received first; every status when `status` is None."""

    async def resolve(
        self,
        tenant_id: str,
        review_id: str,
        decision: ReviewDecision,
        note: str | None,
        resolved_by: str,
        at: datetime,
    ) -> bool:
        """Mark an open review resolved; False if it was not open (already resolved, unknown)."""
