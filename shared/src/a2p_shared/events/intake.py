"""Commands platforms publish on the intake topics (any Kafka client; JSON)."""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from a2p_shared.events.consent import ConsentEvidence
from a2p_shared.events.envelope import TenantId, field_refused
from a2p_shared.events.registration import Category, RegistrationRequest
from a2p_shared.events.values import USPhone


class SubmitRegistration(BaseModel):
    """A registration request published to `a2p.intake.registrations`, keyed by tenant id.

    Without an `idempotency_key`, the record's own topic, partition and offset are the key, so
    a redelivered record never makes a second registration.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: TenantId
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=255)
    registration: RegistrationRequest


class ConsentAction(StrEnum):
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"


class RecordConsent(BaseModel):
    """Consent a platform collected itself (a web form, a booking page, a call, paper), or a
    staff decision on a reviewed text, published to `a2p.intake.consent` keyed by
    `tenant:+1E164` (intake's `POST /v1/tenants/{t}/consent` publishes the same).

    An opt-in needs its categories and its evidence; an opt-out is tenant-wide and needs
    neither. Without an `idempotency_key` the record's own coordinates stand in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: TenantId
    phone: USPhone
    action: ConsentAction
    categories: list[Category] = Field(default_factory=list, max_length=2)
    evidence: ConsentEvidence | None = None
    source: Literal["platform", "staff_review"] = "platform"
    review_id: str | None = Field(
        default=None, max_length=64, description="The reviewed text's sid (staff decisions)"
    )
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=255)

    @model_validator(mode="after")
    def _complete(self) -> "RecordConsent":
        if self.action is ConsentAction.OPT_IN:
            if not self.categories:
                raise field_refused(
                    "RecordConsent",
                    "categories",
                    self.categories,
                    "an opt-in needs its categories (transactional, promotional)",
                )
            if self.evidence is None:
                raise field_refused(
                    "RecordConsent",
                    "evidence",
                    None,
                    "an opt-in needs its evidence: how and when it was collected",
                )
        if self.source == "staff_review" and not self.review_id:
            raise field_refused(
                "RecordConsent",
                "review_id",
                self.review_id,
                "a staff decision names the review it resolves (review_id)",
            )
        return self
