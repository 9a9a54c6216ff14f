"""Consent changes: the compacted consent topic, whose latest record per person is the truth."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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
    TENANT_KEYWORD = "tenant_keyword"
    """One of the tenant's own extra keywords (from its campaign registration)."""
    PLATFORM = "platform"
    """Recorded by the platform: web form, booking page, call, paper."""
    CARRIER = "carrier"
    """Twilio refused a send with 21610: the person had replied STOP to Twilio directly."""


class ConsentEvidence(BaseModel):
    """What a platform kept when it collected consent, enough to answer a dispute."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: str = Field(
        min_length=1, max_length=100, description="web_form, booking_page, call, paper, keyword…"
    )
    text: str | None = Field(default=None, max_length=4096, description="The exact consent text")
    text_version: str | None = Field(
        default=None, max_length=100, description="Which version of a consent text was shown"
    )
    url: WebUrl | None = Field(default=None, description="The page the consent was given on")
    script: str | None = Field(
        default=None, max_length=4096, description="The call script or paper form, if any"
    )
    collected_at: AwareDatetime

    @model_validator(mode="after")
    def _says_what_was_agreed(self) -> "ConsentEvidence":
        if not self.text and not self.text_version and not self.script:
            raise ValueError("evidence needs the consent text, its version, or the script")
        return self


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
    """Sent when a person opted (back) in to a tenant's texts."""

    event_type = "optin.recorded"

    categories: list[Category] = Field(
        min_length=1,
        description="Every category the person now consents to (not only this change's): the "
        "latest record per key is the whole state",
    )
    evidence: ConsentEvidence | None = None


class ConsentReviewRequestedV1(EventPayload):
    """Sent when a text may revoke consent but does not plainly say so (reasonable-means mode):
    staff decide. Until they do, the person's consent is unchanged."""

    event_type = "consent.review_requested"

    review_id: str = Field(description="The inbound message's sid")
    phone: USPhone = Field(description="The person's number")
    via_number: USPhone = Field(description="The tenant number it came to")
    body: str = Field(max_length=1600)
    received_at: AwareDatetime
    reason: str = Field(description="Why it was not taken as an opt-out on its own")

    @property
    def subject_phone(self) -> str:
        return self.phone
