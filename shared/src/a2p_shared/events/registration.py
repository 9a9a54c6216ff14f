"""The registration request (REGISTRATION.md) and the events that carry it.

Intake enforces structure and Twilio's hard limits here (types, enums, formats, maximum lengths),
so a malformed request is refused with the field and the reason. Whether a well-formed request
will pass carrier review (minimum lengths, wording, policy pages) is the validator's job: it
answers with findings and fixes instead of a refusal.
"""

from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator

from a2p_shared.events.envelope import EventPayload
from a2p_shared.events.values import EIN, USPhone, USState, WebUrl, ZipCode


class EntityType(StrEnum):
    PRIVATE_PROFIT = "PRIVATE_PROFIT"
    PUBLIC_PROFIT = "PUBLIC_PROFIT"
    NON_PROFIT = "NON_PROFIT"
    GOVERNMENT = "GOVERNMENT"
    SOLE_PROPRIETOR = "SOLE_PROPRIETOR"


class BusinessType(StrEnum):
    SOLE_PROPRIETORSHIP = "Sole Proprietorship"
    PARTNERSHIP = "Partnership"
    CORPORATION = "Corporation"
    CO_OPERATIVE = "Co-operative"
    LLC = "Limited Liability Corporation"
    NON_PROFIT_CORPORATION = "Non-profit Corporation"


class Industry(StrEnum):
    AGRICULTURE = "AGRICULTURE"
    AUTOMOTIVE = "AUTOMOTIVE"
    BANKING = "BANKING"
    CONSUMER = "CONSUMER"
    EDUCATION = "EDUCATION"
    ELECTRONICS = "ELECTRONICS"
    ENERGY = "ENERGY"
    ENGINEERING = "ENGINEERING"
    FAST_MOVING_CONSUMER_GOODS = "FAST_MOVING_CONSUMER_GOODS"
    FINANCIAL = "FINANCIAL"
    FINTECH = "FINTECH"
    FOOD_AND_BEVERAGE = "FOOD_AND_BEVERAGE"
    GOVERNMENT = "GOVERNMENT"
    HEALTHCARE = "HEALTHCARE"
    HOSPITALITY = "HOSPITALITY"
    INSURANCE = "INSURANCE"
    JEWELRY = "JEWELRY"
    LEGAL = "LEGAL"
    MANUFACTURING = "MANUFACTURING"
    MEDIA = "MEDIA"
    NOT_FOR_PROFIT = "NOT_FOR_PROFIT"
    OIL_AND_GAS = "OIL_AND_GAS"
    ONLINE = "ONLINE"
    RAW_MATERIALS = "RAW_MATERIALS"
    REAL_ESTATE = "REAL_ESTATE"
    RELIGION = "RELIGION"
    RETAIL = "RETAIL"
    TECHNOLOGY = "TECHNOLOGY"
    TELECOMMUNICATIONS = "TELECOMMUNICATIONS"
    TRANSPORTATION = "TRANSPORTATION"
    TRAVEL = "TRAVEL"


class Region(StrEnum):
    AFRICA = "AFRICA"
    ASIA = "ASIA"
    EUROPE = "EUROPE"
    LATIN_AMERICA = "LATIN_AMERICA"
    USA_AND_CANADA = "USA_AND_CANADA"
    AUSTRALIA = "AUSTRALIA"


class Tier(StrEnum):
    """Decides fees, the daily segment cap and the Twilio brand call."""

    STANDARD = "STANDARD"
    LOW_VOLUME_STANDARD = "LOW_VOLUME_STANDARD"
    SOLE_PROPRIETOR = "SOLE_PROPRIETOR"


class JobPosition(StrEnum):
    DIRECTOR = "Director"
    GM = "GM"
    VP = "VP"
    CEO = "CEO"
    CFO = "CFO"
    GENERAL_COUNSEL = "General Counsel"
    OTHER = "Other"


class UseCase(StrEnum):
    """Twilio's `us_app_to_person_usecase` codes."""

    TWO_FACTOR = "2FA"
    ACCOUNT_NOTIFICATION = "ACCOUNT_NOTIFICATION"
    AGENTS_FRANCHISES = "AGENTS_FRANCHISES"
    CHARITY = "CHARITY"
    PROXY = "PROXY"
    CUSTOMER_CARE = "CUSTOMER_CARE"
    DELIVERY_NOTIFICATION = "DELIVERY_NOTIFICATION"
    EMERGENCY = "EMERGENCY"
    FRAUD_ALERT = "FRAUD_ALERT"
    HIGHER_EDUCATION = "HIGHER_EDUCATION"
    K12_EDUCATION = "K12_EDUCATION"
    LOW_VOLUME = "LOW_VOLUME"
    MARKETING = "MARKETING"
    MIXED = "MIXED"
    POLITICAL = "POLITICAL"
    POLLING_VOTING = "POLLING_VOTING"
    PUBLIC_SERVICE_ANNOUNCEMENT = "PUBLIC_SERVICE_ANNOUNCEMENT"
    SECURITY_ALERT = "SECURITY_ALERT"
    SOCIAL = "SOCIAL"
    SWEEPSTAKE = "SWEEPSTAKE"
    SOLE_PROPRIETOR = "SOLE_PROPRIETOR"


class Category(StrEnum):
    TRANSACTIONAL = "transactional"
    PROMOTIONAL = "promotional"


class OptInKind(StrEnum):
    WEB_FORM = "web_form"
    BOOKING_LINK = "booking_link"
    VERBAL = "verbal"
    KEYWORD = "keyword"
    INBOUND_TEXT = "inbound_text"
    PAPER = "paper"


def _unique(items: list[Any]) -> list[Any]:
    if len(set(items)) != len(items):
        raise ValueError("must not repeat an entry")
    return items


Unique = AfterValidator(_unique)
Categories = Annotated[list[Category], Field(min_length=1, max_length=2), Unique]
Keyword = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{1,30}$")]
KeywordList = Annotated[list[Keyword], Field(max_length=40)]
SmsText = Annotated[str, Field(max_length=320)]


class _Strict(BaseModel):
    # Unknown fields are refused rather than ignored: a misspelt `privacy_url` silently dropped
    # would cost the tenant a rejected registration.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Address(_Strict):
    street: str = Field(min_length=1, max_length=100)
    street_secondary: str | None = Field(default=None, max_length=100)
    city: str = Field(min_length=1, max_length=60)
    region: USState
    postal_code: ZipCode
    country: Literal["US"]


class Brand(_Strict):
    legal_name: str = Field(min_length=1, max_length=255)
    dba_name: str | None = Field(default=None, max_length=255)
    entity_type: EntityType
    business_type: BusinessType
    industry: Industry
    ein: EIN | None = None
    regions: Annotated[list[Region], Unique] = Field(min_length=1, max_length=6)
    website: WebUrl
    address: Address
    stock_symbol: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.\-]{1,10}$")
    stock_exchange: str | None = Field(default=None, pattern=r"^[A-Z]{2,10}$")
    tier: Tier

    @model_validator(mode="after")
    def _ein_unless_sole_proprietor(self) -> Self:
        if self.ein is None and self.entity_type is not EntityType.SOLE_PROPRIETOR:
            raise ValueError("ein is required unless entity_type is SOLE_PROPRIETOR")
        return self


class Representative(_Strict):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    phone: USPhone
    title: str = Field(min_length=1, max_length=100)
    job_position: JobPosition


class Policies(_Strict):
    privacy_policy_url: WebUrl
    terms_url: WebUrl
    attested: bool


class OptInMethod(_Strict):
    kind: OptInKind
    text: str | None = Field(
        default=None, max_length=4096, description="The exact consent language shown or spoken"
    )
    url: WebUrl | None = Field(default=None, description="Where the opt-in can be seen publicly")
    checkbox_prechecked: bool = False
    categories: Categories


class Campaign(_Strict):
    use_case: UseCase
    categories: Categories
    description: str = Field(min_length=1, max_length=4096)
    message_flow: str = Field(min_length=1, max_length=2048)
    opt_in_methods: list[OptInMethod] = Field(min_length=1, max_length=10)
    message_samples: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        min_length=1, max_length=5
    )
    has_embedded_links: bool
    has_embedded_phone: bool
    direct_lending: bool = False
    age_gated: bool = False
    opt_in_keywords: KeywordList = Field(default_factory=lambda: ["START"])
    opt_out_keywords: KeywordList = Field(default_factory=lambda: ["STOP"])
    help_keywords: KeywordList = Field(default_factory=lambda: ["HELP"])
    opt_in_message: SmsText | None = None
    opt_out_message: SmsText | None = None
    help_message: SmsText | None = None
    auto_response: str | None = Field(
        default=None,
        max_length=1600,
        description="The first-contact reply to a person who texts the tenant first",
    )
    expected_daily_segments: int = Field(ge=0, le=10_000_000)


class OptOutMode(StrEnum):
    KEYWORD = "keyword"
    """Only a text that is one opt-out keyword alone opts out (Twilio's and the carriers' rule)."""
    REASONABLE_MEANS = "reasonable_means"
    """Also short texts that plainly revoke consent (FCC 47 CFR 64.1200(a)(10)); unclear ones
    go to staff review."""


class TransactionalConsent(StrEnum):
    OPT_IN = "opt_in"
    """Transactional texts need a recorded opt-in."""
    OPT_IN_OR_CONVERSATION = "opt_in_or_conversation"
    """...or the person texted the tenant first."""


class MessagingPolicy(_Strict):
    """How the tenant's texts are handled once it is live; defaults suit most tenants."""

    opt_out_mode: OptOutMode = OptOutMode.KEYWORD
    transactional_consent: TransactionalConsent = TransactionalConsent.OPT_IN_OR_CONVERSATION


class RegistrationRequest(_Strict):
    """What a platform sends, per tenant, to register it for A2P 10DLC texting."""

    brand: Brand
    representative: Representative
    policies: Policies
    campaign: Campaign
    numbers: Annotated[list[USPhone], Unique] = Field(min_length=1, max_length=400)
    messaging: MessagingPolicy = Field(default_factory=MessagingPolicy)


SubmissionChannel = Literal["http", "topic"]


class RegistrationSubmittedV1(EventPayload):
    """Sent when intake has accepted a well-formed registration request for a tenant."""

    event_type = "registration.submitted"

    registration_id: str
    revision: int = Field(ge=1)
    request: RegistrationRequest
    channel: SubmissionChannel
    platform_id: str | None = Field(default=None, description="Who submitted it (API key owner)")


class RegistrationCorrectedV1(EventPayload):
    """Sent when a tenant replaces its registration request after a failed validation or review."""

    event_type = "registration.corrected"

    registration_id: str
    revision: int = Field(ge=2)
    request: RegistrationRequest
    channel: SubmissionChannel
    platform_id: str | None = None
