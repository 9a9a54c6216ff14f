"""The onboarding workflow as data: its steps, what Twilio is sent, what its answers mean.

Pure: no I/O. The service walks a registration through `STEPS`; the Twilio adapter turns the
`*_attributes` and `*_params` below into SDK calls.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from a2p_shared.events import FeeItem, Finding, RegistrationRequest, Severity, TwilioError
from a2p_shared.events.onboarding import OnboardingStep
from a2p_shared.events.registration import Category, EntityType, Tier
from a2p_shared.fees import FeeTable

STEPS: tuple[OnboardingStep, ...] = (
    "customer_profile",
    "trust_product",
    "brand",
    "messaging_service",
    "brand_review",
    "campaign",
    "numbers",
    "campaign_review",
    "live",
)

# Twilio's policies for an ISV's secondary customer profile and A2P trust product.
SECONDARY_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
A2P_TRUST_PRODUCT_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b"

State = Literal["running", "waiting", "needs_correction", "live"]


class AnotherTenantsRegistration(Exception):
    """An event names a registration that belongs to another tenant: never applied to it."""


class LedgerEntry(BaseModel):
    fee: FeeItem
    revision: int
    step: OnboardingStep
    at: datetime


class HistoryEntry(BaseModel):
    step: OnboardingStep
    state: str
    revision: int
    at: datetime
    detail: dict[str, Any] = Field(default_factory=dict)


class Onboarding(BaseModel):
    """One registration's way through Twilio, as stored: durable, resumable, leased."""

    registration_id: str
    tenant_id: str
    requests: dict[str, RegistrationRequest] = Field(
        default_factory=dict, description="Each revision's request, by revision number"
    )
    passed: list[int] = Field(default_factory=list, description="Revisions validation passed")
    revision: int | None = Field(default=None, description="The revision being onboarded")
    step: OnboardingStep = "customer_profile"
    state: State | None = None
    sids: dict[str, Any] = Field(default_factory=dict)
    brand_attempts: int = 0
    campaign_attempts: int = 0
    polls: int = 0
    due_at: datetime | None = None
    ledger: list[LedgerEntry] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    trace: dict[str, str] = Field(
        default_factory=dict, description="The flow's trace context, so later steps join it"
    )
    lease: str | None = Field(default=None, exclude=True, description="This worker's claim")

    @property
    def request(self) -> RegistrationRequest:
        assert self.revision is not None
        return self.requests[str(self.revision)]

    def ready_revision(self) -> int | None:
        """The newest revision that both arrived and passed validation."""
        ready = [r for r in self.passed if str(r) in self.requests]
        return max(ready) if ready else None


def resume(onboarding: Onboarding, now: datetime) -> bool:
    """Start, or continue after a correction, when a newer revision is ready; True if it did.

    A correction after a rejection resumes at the rejected submission (update and resubmit),
    never from the start: the profile, trust product and brand that exist are kept.
    """
    ready = onboarding.ready_revision()
    if ready is None or (onboarding.revision is not None and ready <= onboarding.revision):
        return False
    onboarding.revision = ready
    if onboarding.state is None:
        onboarding.step, onboarding.state = "customer_profile", "running"
    elif onboarding.state == "needs_correction":
        onboarding.step = "brand" if onboarding.step == "brand_review" else "campaign"
        onboarding.state = "running"
    onboarding.due_at = now
    onboarding.polls = 0
    return True


def step_after(step: OnboardingStep) -> OnboardingStep:
    return STEPS[STEPS.index(step) + 1]


def reference(registration_id: str) -> str:
    """The friendly name every Twilio resource of a registration carries.

    Resources are found again by it after a crash between Twilio's answer and our write, so a
    restarted step adopts what it already created instead of creating it twice.
    """
    return f"a2p {registration_id}"


# --- what Twilio is sent ---------------------------------------------------------------------


def business_attributes(request: RegistrationRequest) -> dict[str, Any]:
    brand = request.brand
    attributes: dict[str, Any] = {
        "business_name": brand.legal_name,
        "business_identity": "direct_customer",
        "business_type": brand.business_type.value,
        "business_industry": brand.industry.value,
        "business_registration_identifier": "EIN",
        "business_registration_number": brand.ein or "",
        "business_regions_of_operation": ",".join(region.value for region in brand.regions),
        "website_url": str(brand.website),
    }
    if brand.ein is None:
        attributes["business_registration_identifier"] = "Other"
    return attributes


def representative_attributes(request: RegistrationRequest) -> dict[str, Any]:
    rep = request.representative
    return {
        "first_name": rep.first_name,
        "last_name": rep.last_name,
        "email": str(rep.email),
        "phone_number": rep.phone,
        "business_title": rep.title,
        "job_position": rep.job_position.value,
    }


_COMPANY_TYPE = {
    EntityType.PUBLIC_PROFIT: "public",
    EntityType.PRIVATE_PROFIT: "private",
    EntityType.NON_PROFIT: "non_profit",
    EntityType.GOVERNMENT: "government",
    EntityType.SOLE_PROPRIETOR: "private",
}


def messaging_profile_attributes(request: RegistrationRequest) -> dict[str, Any]:
    brand = request.brand
    attributes: dict[str, Any] = {"company_type": _COMPANY_TYPE[brand.entity_type]}
    if brand.entity_type is EntityType.PUBLIC_PROFIT:
        attributes["stock_exchange"] = brand.stock_exchange or ""
        attributes["stock_ticker"] = brand.stock_symbol or ""
        attributes["brand_contact_email"] = str(request.representative.email)
    return attributes


def address_params(request: RegistrationRequest) -> dict[str, Any]:
    address = request.brand.address
    params = {
        "customer_name": request.brand.legal_name,
        "street": address.street,
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "iso_country": address.country,
    }
    if address.street_secondary:
        params["street_secondary"] = address.street_secondary
    return params


def brand_params(tier: Tier) -> dict[str, Any]:
    """Low-volume standard is a STANDARD brand that skips automatic secondary vetting."""
    if tier is Tier.SOLE_PROPRIETOR:
        return {"brand_type": "SOLE_PROPRIETOR"}
    if tier is Tier.LOW_VOLUME_STANDARD:
        return {"brand_type": "STANDARD", "skip_automatic_sec_vet": True}
    return {"brand_type": "STANDARD"}


def campaign_params(request: RegistrationRequest) -> dict[str, Any]:
    campaign = request.campaign
    params: dict[str, Any] = {
        "description": campaign.description,
        "message_flow": campaign.message_flow,
        "message_samples": list(campaign.message_samples),
        "us_app_to_person_usecase": campaign.use_case.value,
        "has_embedded_links": campaign.has_embedded_links,
        "has_embedded_phone": campaign.has_embedded_phone,
        "subscriber_opt_in": True,
        "age_gated": campaign.age_gated,
        "direct_lending": campaign.direct_lending,
        "opt_in_keywords": list(campaign.opt_in_keywords),
        "opt_out_keywords": list(campaign.opt_out_keywords),
        "help_keywords": list(campaign.help_keywords),
        "privacy_policy_url": str(request.policies.privacy_policy_url),
        "terms_and_conditions_url": str(request.policies.terms_url),
    }
    for name in ("opt_in_message", "opt_out_message", "help_message"):
        value = getattr(campaign, name)
        if value:
            params[name] = value
    return params


def promotional(request: RegistrationRequest) -> bool:
    return Category.PROMOTIONAL in request.campaign.categories


# --- what Twilio's answers mean --------------------------------------------------------------

# Twilio's brand and campaign error codes, with the request field a tenant corrects and how.
_REJECTIONS: dict[int, tuple[str, str]] = {
    30701: ("brand", "Correct the named brand fields so they match the IRS record for the EIN."),
    30532: ("campaign.description", "Register only the organisation's own messages (no P2P)."),
    30825: ("campaign.description", "Remove the disallowed content (see the content rules)."),
    30831: ("campaign.opt_in_methods", "Collect express written consent for marketing texts."),
    30882: ("policies.terms_url", "Add the SMS terms: program, frequency, rates, HELP, STOP."),
    30885: ("campaign.use_case", "High-risk use: this campaign cannot be resubmitted."),
    30886: ("campaign.description", "Describe who sends, to whom, why and which kinds of texts."),
    30889: ("campaign.has_embedded_links", "Declare embedded links and phone numbers truly."),
    30893: ("campaign.message_samples", "Give samples that name the brand and say how to opt out."),
    30896: ("policies.privacy_policy_url", "Say that mobile numbers are never shared or sold."),
    30897: ("campaign.description", "Remove the disallowed content (see the content rules)."),
    30908: ("policies.privacy_policy_url", "Publish the privacy policy with its SMS clauses."),
    30909: ("campaign.message_flow", "Describe every opt-in method completely, with public URLs."),
    30919: ("policies.privacy_policy_url", "Publish the privacy policy with its SMS clauses."),
    30920: ("brand.website", "Give the organisation's main website, publicly reachable."),
}
_FIELD_NAMES = {
    "region": "brand.address.region",
    "postal_code": "brand.address.postal_code",
    "street": "brand.address.street",
    "city": "brand.address.city",
    "business_name": "brand.legal_name",
    "ein": "brand.ein",
    "website": "brand.website",
    "MESSAGE_FLOW": "campaign.message_flow",
    "DESCRIPTION": "campaign.description",
    "MESSAGE_SAMPLES": "campaign.message_samples",
}


def rejection_findings(
    errors: list[TwilioError], what: Literal["brand", "campaign"]
) -> list[Finding]:
    """Twilio's rejection reasons in the validator's findings format: what to fix, and where."""
    findings = []
    for error in errors or [TwilioError(code=0, description=f"Twilio rejected the {what}.")]:
        field, fix = _REJECTIONS.get(
            error.code,
            (
                f"{what}",
                "Read Twilio's reason, correct the registration and submit it again.",
            ),
        )
        named = [_FIELD_NAMES.get(name, name) for name in error.fields]
        findings.append(
            Finding(
                rule=f"TWILIO-{error.code}",
                severity=Severity.BLOCK,
                field=", ".join(named) if named else field,
                message=error.description,
                fix=fix,
                twilio_code=error.code or None,
            )
        )
    return findings


def twilio_errors(
    raw: list[dict[str, Any]] | None, failure_reason: str | None = None
) -> list[TwilioError]:
    errors = [
        TwilioError(
            code=int(item.get("error_code") or item.get("code") or 0),
            description=str(item.get("description") or failure_reason or ""),
            fields=[str(name) for name in item.get("fields") or []],
        )
        for item in raw or []
    ]
    if not errors and failure_reason:
        errors.append(TwilioError(code=0, description=failure_reason))
    return errors


# --- fees ------------------------------------------------------------------------------------


def brand_fees(tier: Tier, attempt: int, table: FeeTable) -> list[FeeItem]:
    """The first submission pays the brand registration; each retry pays the retry fee."""
    if attempt == 1:
        return [FeeItem(item="brand_registration", amount_usd=table.brand_registration[tier])]
    return [FeeItem(item="vetting_retry", amount_usd=table.vetting_retry)]


def campaign_fees(table: FeeTable) -> list[FeeItem]:
    """Every campaign submission, resubmissions included, pays the verification fee."""
    return [FeeItem(item="campaign_vetting", amount_usd=table.campaign_vetting)]


def monthly_fees(request: RegistrationRequest, table: FeeTable) -> list[FeeItem]:
    if request.brand.tier is Tier.SOLE_PROPRIETOR:
        amount = table.campaign_monthly_sole_proprietor
    elif request.campaign.expected_daily_segments * 30 > table.high_volume_monthly_segments:
        amount = table.campaign_monthly_high_volume
    else:
        return []
    return [FeeItem(item="campaign_monthly", amount_usd=amount, recurring="monthly")]


# --- waiting on Twilio -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backoff:
    """Polling Twilio for a review's outcome: quick at first, then no more than every `cap`."""

    first: timedelta = timedelta(seconds=1)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=10)

    def delay(self, polls: int) -> timedelta:
        seconds = self.first.total_seconds() * self.factor**polls
        return min(timedelta(seconds=seconds), self.cap)

    def next_poll(self, now: datetime, polls: int) -> datetime:
        return now + self.delay(polls)


@dataclass(slots=True)
class StepResult:
    """What running one step decided."""

    state: State
    sids: dict[str, Any] = field(default_factory=dict)
    next_action: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    errors: list[TwilioError] = field(default_factory=list)
