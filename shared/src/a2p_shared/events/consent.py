"""Consent changes: the compacted consent topic, whose latest record per person is the truth."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from a2p_shared.events.envelope import EventPayload
from a2p_shared.events.registration import Category
from a2p_shared.events.values import USPhone, WebUrl


class ConsentSource(StrEnum):
    KEYWORD = "keyword"
    """An exact opt-out/opt-in keyword texted by the person (STOP, START…)."""
    REASONABLE_MEANS = "reasonable_means"
    """Free text that plainly revokes consent (FCC 47 CFR 64.1200(a)(10)); per-tenant mode."""
    STAFF_REVIEW = "staff_review"
    """A message staff read and resolved from the review list."""
    PLATFORM = "platform"
    """Recorded by the platform: web form, booking page, call, paper."""
    CARRIER = "carrier"
    """Twilio refused a send with 21610: the person had replied STOP to Twilio directly."""


class ConsentEvidence(BaseModel):
    """What a platform kept when it collected consent, enough to answer a dispute."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str = Field(description="web_form, booking_link, verbal, paper, keyword…")
    text: str | None = Field(default=None, max_length=4096, description="The exact consent text")
    text_version: str | None = Field(default=None, max_length=100)
    url: WebUrl | None = None
    collected_at: AwareDatetime


class _ConsentChange(EventPayload):
    phone: USPhone = Field(description="The person's number")
    source: ConsentSource
    keyword: str | None = Field(default=None, description="The keyword as texted, if any")
    via_number: USPhone | None = Field(default=None, description="The tenant number it came to")
    message_sid: str | None = Field(default=None, description="The inbound message it came from")
    recorded_at: AwareDatetime

    @property
    def subject_phone(self) -> str:
        return self.phone


class OptOutRecordedV1(_ConsentChange):
    """Sent when a person opted out of all of a tenant's texts, from every number of the tenant."""

    event_type = "optout.recorded"


class OptInRecordedV1(_ConsentChange):
    """Sent when a person opted (back) in to a tenant's texts, for the given categories."""

    event_type = "optin.recorded"

    categories: list[Category] = Field(min_length=1)
    evidence: ConsentEvidence | None = None
