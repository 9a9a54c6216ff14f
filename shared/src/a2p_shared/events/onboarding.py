"""The registrar's progress through Twilio's A2P onboarding, one event per milestone."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from a2p_shared.events.envelope import EventPayload
from a2p_shared.events.policy import FeeItem, Finding
from a2p_shared.events.registration import Tier, UseCase
from a2p_shared.events.values import USPhone


class TwilioError(BaseModel):
    """An entry of a brand's or campaign's `errors[]` as Twilio reports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: int
    description: str
    fields: list[str] = Field(default_factory=list)


class _RegistrationStep(EventPayload):
    registration_id: str
    revision: int = Field(ge=1)


class BrandSubmittedV1(_RegistrationStep):
    """Sent when a brand registration was created (or resubmitted) at Twilio; fees are incurred."""

    event_type = "brand.submitted"

    customer_profile_sid: str
    trust_product_sid: str
    brand_sid: str
    tier: Tier
    attempt: int = Field(ge=1, description="1 for the first submission, +1 per resubmission")
    fees: list[FeeItem] = Field(default_factory=list, description="What this submission cost")


class BrandApprovedV1(_RegistrationStep):
    """Sent when Twilio reports the brand APPROVED."""

    event_type = "brand.approved"

    brand_sid: str
    tcr_id: str | None = None
    brand_score: int | None = None


class BrandFailedV1(_RegistrationStep):
    """Sent when Twilio reports the brand FAILED; `findings` say what the tenant must correct."""

    event_type = "brand.failed"

    brand_sid: str
    errors: list[TwilioError]
    findings: list[Finding]


class CampaignSubmittedV1(_RegistrationStep):
    """Sent when the A2P campaign was created at Twilio on the tenant's messaging service."""

    event_type = "campaign.submitted"

    messaging_service_sid: str
    campaign_sid: str
    use_case: UseCase
    attempt: int = Field(ge=1)
    fees: list[FeeItem] = Field(default_factory=list, description="What this submission cost")


class CampaignApprovedV1(_RegistrationStep):
    """Sent when Twilio reports the campaign VERIFIED."""

    event_type = "campaign.approved"

    messaging_service_sid: str
    campaign_sid: str
    campaign_id: str | None = Field(default=None, description="The Campaign Registry's id")
    fees: list[FeeItem] = Field(
        default_factory=list, description="Recurring fees that start with the approval"
    )


class CampaignFailedV1(_RegistrationStep):
    """Sent when Twilio reports the campaign FAILED; `findings` say what the tenant must correct."""

    event_type = "campaign.failed"

    messaging_service_sid: str
    campaign_sid: str
    errors: list[TwilioError]
    findings: list[Finding]


class NumberRegisteredV1(_RegistrationStep):
    """Sent when one of the tenant's numbers is live on its verified campaign and may send."""

    event_type = "number.registered"

    phone: USPhone
    phone_number_sid: str
    messaging_service_sid: str
    campaign_sid: str
    tier: Tier


OnboardingStep = Literal[
    "customer_profile",
    "trust_product",
    "brand",
    "messaging_service",
    "brand_review",
    "campaign",
    "numbers",
    "campaign_review",
    "live",
]
StepState = Literal["done", "waiting", "needs_correction"]


class OnboardingProgressedV1(_RegistrationStep):
    """Sent as the registrar finishes a step of Twilio's onboarding, starts waiting on Twilio,
    or stops for the tenant to correct something; the registration's timeline is built from it."""

    event_type = "onboarding.progressed"

    step: OnboardingStep
    state: StepState
    next_action: str = Field(description="What happens next, or what the tenant must do")
    detail: dict[str, Any] = Field(
        default_factory=dict, description="Twilio SIDs and statuses of the step"
    )
