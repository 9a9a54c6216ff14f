"""The validator's verdict on a registration."""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from a2p_shared.events.envelope import EventPayload


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


class Finding(BaseModel):
    """One problem found in a registration, and how to fix it.

    The same shape carries the validator's findings and Twilio's own rejection reasons, so a
    tenant reads both the same way.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(description="Rule id from the compliance catalogue, e.g. PP-03")
    severity: Severity
    field: str = Field(description="The request field or URL the finding concerns")
    message: str
    fix: str
    twilio_code: int | None = Field(
        default=None, description="The Twilio rejection code this predicts or came with"
    )


class FeeItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str = Field(description="e.g. brand_registration, campaign_vetting")
    amount_usd: float = Field(ge=0)
    recurring: Literal["once", "monthly"] = "once"


class PolicyValidatedV1(EventPayload):
    """Sent when the validator has checked a registration revision; `pass` if nothing blocks."""

    event_type = "policy.validated"

    registration_id: str
    revision: int = Field(ge=1)
    verdict: Literal["pass", "fail"]
    findings: list[Finding]
    fees: list[FeeItem] = Field(
        default_factory=list, description="What submitting this registration will cost"
    )
