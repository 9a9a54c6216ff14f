"""A2P 10DLC registrations: brands (`BN…`) and the one campaign (`Usa2p`) of a messaging service.

Brand `status`: `PENDING` -> `APPROVED` | `FAILED`; a FAILED brand is resubmitted by an empty
update (`POST …/BrandRegistrations/{Sid}`, 202) and is `PENDING` again.
Campaign `campaign_status`: `IN_PROGRESS` -> `VERIFIED` | `FAILED`.
"""

import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from a2p_twilio_emulator.canonical import MESSAGING
from a2p_twilio_emulator.clock import iso8601, now
from a2p_twilio_emulator.errors import TwilioError
from a2p_twilio_emulator.review import ReviewError

# Twilio gives every campaign of every service this one SID (one campaign per service).
CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b"

DEFAULT_OPT_OUT_KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]
DEFAULT_OPT_OUT_MESSAGE = (
    "You have successfully been unsubscribed. You will not receive any more messages from this "
    "number. Reply START to resubscribe."
)
DEFAULT_HELP_MESSAGE = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."

_USECASE_ROWS = (
    # code, name, description, post_approval_required
    ("2FA", "Two-Factor authentication (2FA)", "One-time passwords, password reset", False),
    ("ACCOUNT_NOTIFICATION", "Account Notification", "Reminders, alerts, notifications", False),
    ("AGENTS_FRANCHISES", "Agents and Franchises", "Local numbers per agent or office", True),
    ("CHARITY", "Charity", "501(c)(3) charities; not religious organizations", False),
    ("PROXY", "Proxy", "Peer-to-peer app-based messaging with pooled numbers", True),
    ("CUSTOMER_CARE", "Customer Care", "Account management and support", False),
    ("DELIVERY_NOTIFICATION", "Delivery Notification", "Status of a product's delivery", False),
    ("EMERGENCY", "Emergency", "Public safety and health during emergencies", True),
    ("FRAUD_ALERT", "Fraud Alert Messaging", "Potential fraudulent activity", False),
    ("HIGHER_EDUCATION", "Higher Education", "Colleges, universities, school districts", False),
    ("K12_EDUCATION", "K-12 Education", "Messaging for or on behalf of K-12 schools", True),
    ("LOW_VOLUME", "Low Volume Mixed", "Low throughput, any combination of use cases", False),
    ("MARKETING", "Marketing", "Marketing and/or promotional content", False),
    ("MIXED", "Mixed", "Mixed messaging for specific consumer service industries", False),
    ("POLITICAL", "Political", "Organized effort to influence decision making", False),
    ("POLLING_VOTING", "Polling and voting", "Customer feedback or survey responses", False),
    ("PUBLIC_SERVICE_ANNOUNCEMENT", "Public Service Announcement", "Raising awareness", False),
    ("SECURITY_ALERT", "Security Alert", "A system's security has been compromised", False),
    ("SOCIAL", "Social", "Communication within or between closed communities", True),
    ("SWEEPSTAKE", "Sweepstake", "Sweepstakes and contests", True),
)
USECASES: list[dict[str, Any]] = [
    {"code": code, "name": name, "description": description, "post_approval_required": post}
    for code, name, description, post in _USECASE_ROWS
]
SOLE_PROPRIETOR_USECASE: dict[str, Any] = {
    "code": "SOLE_PROPRIETOR",
    "name": "Sole Proprietor",
    "description": "Limited to sole proprietor brands; one campaign per brand.",
    "post_approval_required": False,
}


def usecases_for(brand: "Brand") -> list[dict[str, Any]]:
    return [SOLE_PROPRIETOR_USECASE] if brand.brand_type == "SOLE_PROPRIETOR" else USECASES


def _tcr_id(first: str) -> str:
    return first + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))


def _error_items(errors: list[ReviewError]) -> list[dict[str, Any]]:
    return [
        {
            "url": f"https://www.twilio.com/docs/api/errors/{error.code}",
            "error_code": error.code,
            "description": error.description,
            "fields": list(error.fields),
        }
        for error in errors
    ]


@dataclass
class Brand:
    sid: str
    account_sid: str
    customer_profile_bundle_sid: str
    a2p_profile_bundle_sid: str
    brand_type: str = "STANDARD"
    mock: bool = False
    skip_automatic_sec_vet: bool = False
    status: str = "PENDING"
    tcr_id: str | None = None
    brand_score: int | None = None
    identity_status: str = "UNVERIFIED"
    errors: list[dict[str, Any]] = field(default_factory=list)
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    @property
    def url(self) -> str:
        return f"{MESSAGING}/v1/a2p/BrandRegistrations/{self.sid}"

    def to_json(self) -> dict[str, Any]:
        failure = "; ".join(error["description"] for error in self.errors) or None
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "customer_profile_bundle_sid": self.customer_profile_bundle_sid,
            "a2p_profile_bundle_sid": self.a2p_profile_bundle_sid,
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "brand_type": self.brand_type,
            "status": self.status,
            "tcr_id": self.tcr_id,
            "failure_reason": failure if self.status == "FAILED" else None,
            "errors": self.errors,
            "url": self.url,
            "brand_score": self.brand_score,
            "brand_feedback": None,
            "identity_status": self.identity_status,
            "russell_3000": False,
            "government_entity": False,
            "tax_exempt_status": None,
            "skip_automatic_sec_vet": self.skip_automatic_sec_vet,
            "mock": self.mock,
            "links": {
                "brand_vettings": f"{self.url}/Vettings",
                "brand_registration_otps": f"{self.url}/SmsOtp",
            },
        }


def approve_brand(brand: Brand, score: int | None) -> None:
    brand.status = "APPROVED"
    brand.errors = []
    brand.tcr_id = brand.tcr_id or _tcr_id("B")
    brand.identity_status = "VERIFIED"
    if brand.brand_type == "SOLE_PROPRIETOR":
        brand.brand_score = None
    elif brand.skip_automatic_sec_vet:
        brand.brand_score = 0  # Low-Volume Standard: secondary vetting skipped
    else:
        brand.brand_score = 75 if score is None else score
    brand.date_updated = now()


def fail_brand(brand: Brand, errors: list[ReviewError]) -> None:
    brand.status = "FAILED"
    brand.errors = _error_items(errors)
    brand.identity_status = "UNVERIFIED"
    brand.date_updated = now()


def resubmit_brand(brand: Brand) -> None:
    if brand.status != "FAILED":
        raise TwilioError(
            400,
            20001,
            f"Brand Registration {brand.sid} is {brand.status}; only a FAILED brand can be "
            "resubmitted",
        )
    brand.status = "PENDING"
    brand.errors = []
    brand.date_updated = now()


@dataclass
class Campaign:
    messaging_service_sid: str
    account_sid: str
    brand_registration_sid: str
    description: str
    message_flow: str
    message_samples: list[str]
    us_app_to_person_usecase: str
    has_embedded_links: bool
    has_embedded_phone: bool
    opt_in_message: str | None = None
    opt_out_message: str | None = None
    help_message: str | None = None
    opt_in_keywords: list[str] | None = None
    opt_out_keywords: list[str] | None = None
    help_keywords: list[str] | None = None
    subscriber_opt_in: bool = False
    age_gated: bool = False
    direct_lending: bool = False
    privacy_policy_url: str | None = None
    terms_and_conditions_url: str | None = None
    mock: bool = False
    campaign_status: str = "IN_PROGRESS"
    campaign_id: str = field(default_factory=lambda: _tcr_id("C"))
    rate_limits: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    @property
    def url(self) -> str:
        return (
            f"{MESSAGING}/v1/Services/{self.messaging_service_sid}/Compliance/Usa2p/{CAMPAIGN_SID}"
        )

    def to_json(self, api_version: str | None = None) -> dict[str, Any]:
        """`api_version` `v1.2` (header `X-Twilio-Api-Version`) adds the policy URLs."""
        body: dict[str, Any] = {
            "sid": CAMPAIGN_SID,
            "account_sid": self.account_sid,
            "brand_registration_sid": self.brand_registration_sid,
            "messaging_service_sid": self.messaging_service_sid,
            "description": self.description,
            "message_samples": self.message_samples,
            "us_app_to_person_usecase": self.us_app_to_person_usecase,
            "has_embedded_links": self.has_embedded_links,
            "has_embedded_phone": self.has_embedded_phone,
            "subscriber_opt_in": self.subscriber_opt_in,
            "age_gated": self.age_gated,
            "direct_lending": self.direct_lending,
            "campaign_status": self.campaign_status,
            "campaign_id": self.campaign_id,
            "is_externally_registered": False,
            "rate_limits": self.rate_limits,
            "message_flow": self.message_flow,
            "opt_in_message": self.opt_in_message,
            "opt_out_message": self.opt_out_message or DEFAULT_OPT_OUT_MESSAGE,
            "help_message": self.help_message or DEFAULT_HELP_MESSAGE,
            "opt_in_keywords": self.opt_in_keywords or ["START"],
            "opt_out_keywords": self.opt_out_keywords or DEFAULT_OPT_OUT_KEYWORDS,
            "help_keywords": self.help_keywords or ["HELP", "INFO"],
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "url": self.url,
            "mock": self.mock,
            "errors": self.errors,
        }
        if api_version == "v1.2":
            body["privacy_policy_url"] = self.privacy_policy_url
            body["terms_and_conditions_url"] = self.terms_and_conditions_url
        return body


def verify_campaign(campaign: Campaign, brand_score: int | None) -> None:
    campaign.campaign_status = "VERIFIED"
    campaign.errors = []
    campaign.rate_limits = _rate_limits(campaign.us_app_to_person_usecase, brand_score)
    campaign.date_updated = now()


def fail_campaign(campaign: Campaign, errors: list[ReviewError]) -> None:
    campaign.campaign_status = "FAILED"
    campaign.errors = _error_items(errors)
    campaign.date_updated = now()


def resubmit_campaign(campaign: Campaign) -> bool:
    """An update of a FAILED campaign sends it back to review; of another, only edits it."""
    if campaign.campaign_status != "FAILED":
        return False
    campaign.campaign_status = "IN_PROGRESS"
    campaign.errors = []
    campaign.date_updated = now()
    return True


def _rate_limits(usecase: str, brand_score: int | None) -> dict[str, Any]:
    """An approximation of the carriers' classes from the brand score (AT&T MPS, T-Mobile tier)."""
    if usecase in ("LOW_VOLUME", "SOLE_PROPRIETOR") or not brand_score:
        return {"att": {"mps": 0.25, "msg_class": "T"}, "tmobile": {"brand_tier": "LOW"}}
    if brand_score >= 75:
        return {"att": {"mps": 75, "msg_class": "A"}, "tmobile": {"brand_tier": "TOP"}}
    if brand_score >= 50:
        return {"att": {"mps": 40, "msg_class": "C"}, "tmobile": {"brand_tier": "HIGH"}}
    return {"att": {"mps": 4, "msg_class": "E"}, "tmobile": {"brand_tier": "LOW"}}
