"""Commands platforms publish on the intake topics (any Kafka client; JSON)."""

from pydantic import BaseModel, ConfigDict, Field

from a2p_shared.events.envelope import TenantId
from a2p_shared.events.registration import RegistrationRequest


class SubmitRegistration(BaseModel):
    """A registration request published to `a2p.intake.registrations`, keyed by tenant id.

    Without an `idempotency_key`, the record's own topic, partition and offset are the key, so
    a redelivered record never makes a second registration.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: TenantId
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=255)
    registration: RegistrationRequest
