"""TrustHub: customer profiles and trust products (both `BU…` bundles), the end users and
supporting documents assigned to them, and the policy evaluation Twilio runs on them.

Status of a bundle: `draft` -> `pending-review` (set by the client) -> `in-review` ->
`twilio-approved` | `twilio-rejected` (set by Twilio after its review).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from a2p_twilio_emulator.canonical import TRUSTHUB
from a2p_twilio_emulator.clock import iso8601, now
from a2p_twilio_emulator.errors import TwilioError

CUSTOMER_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
TRUST_PRODUCT_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b"
STARTER_PROFILE_POLICY = "RN806dd6cd175f314e1f96a9727ee271f4"
SOLE_PROPRIETOR_TRUST_PRODUCT_POLICY = "RN670d5d2e282a6130ae063b234b6019c8"

BundleKind = Literal["customer_profile", "trust_product"]
BUNDLE_COLLECTIONS: dict[BundleKind, str] = {
    "customer_profile": "CustomerProfiles",
    "trust_product": "TrustProducts",
}
BUNDLE_LINK_PREFIX: dict[BundleKind, str] = {
    "customer_profile": "customer_profiles",
    "trust_product": "trust_products",
}

END_USER_TYPES = frozenset(
    {
        "customer_profile_business_information",
        "authorized_representative_1",
        "authorized_representative_2",
        "us_a2p_messaging_profile_information",
        "starter_customer_profile_information",
        "sole_proprietor_information",
    }
)
DOCUMENT_TYPES = frozenset({"customer_profile_address"})
REVIEWED = ("twilio-approved", "twilio-rejected")


@dataclass
class Bundle:
    kind: BundleKind
    sid: str
    account_sid: str
    policy_sid: str
    friendly_name: str
    email: str
    status_callback: str | None = None
    status: str = "draft"
    errors: list[dict[str, Any]] | None = None
    valid_until: datetime | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    @property
    def url(self) -> str:
        return f"{TRUSTHUB}/v1/{BUNDLE_COLLECTIONS[self.kind]}/{self.sid}"

    def to_json(self) -> dict[str, Any]:
        prefix = BUNDLE_LINK_PREFIX[self.kind]
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "policy_sid": self.policy_sid,
            "friendly_name": self.friendly_name,
            "status": self.status,
            "valid_until": iso8601(self.valid_until),
            "email": self.email,
            "status_callback": self.status_callback,
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "url": self.url,
            "links": {
                f"{prefix}_entity_assignments": f"{self.url}/EntityAssignments",
                f"{prefix}_evaluations": f"{self.url}/Evaluations",
                f"{prefix}_channel_endpoint_assignment": f"{self.url}/ChannelEndpointAssignments",
            },
            "errors": self.errors,
        }


@dataclass
class EndUser:
    sid: str
    account_sid: str
    type: str
    friendly_name: str
    attributes: dict[str, Any]
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "friendly_name": self.friendly_name,
            "type": self.type,
            "attributes": self.attributes,
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "url": f"{TRUSTHUB}/v1/EndUsers/{self.sid}",
        }


@dataclass
class SupportingDocument:
    sid: str
    account_sid: str
    type: str
    friendly_name: str
    attributes: dict[str, Any]
    status: str = "DRAFT"
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "friendly_name": self.friendly_name,
            "mime_type": None,
            "status": self.status,
            "type": self.type,
            "attributes": self.attributes,
            "date_created": iso8601(self.date_created),
            "date_updated": iso8601(self.date_updated),
            "url": f"{TRUSTHUB}/v1/SupportingDocuments/{self.sid}",
        }


@dataclass
class EntityAssignment:
    sid: str
    account_sid: str
    bundle: Bundle
    object_sid: str
    date_created: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            f"{self.bundle.kind}_sid": self.bundle.sid,
            "account_sid": self.account_sid,
            "object_sid": self.object_sid,
            "date_created": iso8601(self.date_created),
            "url": f"{self.bundle.url}/EntityAssignments/{self.sid}",
        }


@dataclass
class Evaluation:
    sid: str
    account_sid: str
    bundle: Bundle
    policy_sid: str
    results: list[dict[str, Any]]
    date_created: datetime = field(default_factory=now)

    @property
    def status(self) -> str:
        return "compliant" if all(result["passed"] for result in self.results) else "noncompliant"

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "policy_sid": self.policy_sid,
            f"{self.bundle.kind}_sid": self.bundle.sid,
            "status": self.status,
            "results": self.results,
            "date_created": iso8601(self.date_created),
            "url": f"{self.bundle.url}/Evaluations/{self.sid}",
        }


# --- policy evaluation ------------------------------------------------------------------------

Assigned = EndUser | SupportingDocument | Bundle


@dataclass(frozen=True)
class Requirement:
    """One line of a policy: an object of `object_type` must be assigned, with `fields` set."""

    name: str
    friendly_name: str
    object_type: str
    fields: tuple[str, ...]
    missing_code: int  # 22214 a missing end user, 22216 a missing document or bundle


BUSINESS_FIELDS = (
    "business_name",
    "business_type",
    "business_registration_identifier",
    "business_registration_number",
    "business_identity",
    "business_industry",
    "website_url",
    "business_regions_of_operation",
)
REPRESENTATIVE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "business_title",
    "job_position",
)

POLICIES: dict[str, tuple[Requirement, ...]] = {
    CUSTOMER_PROFILE_POLICY: (
        Requirement(
            "business_info",
            "Business Information",
            "customer_profile_business_information",
            BUSINESS_FIELDS,
            22214,
        ),
        Requirement(
            "authorized_representative_1",
            "Authorized Representative 1",
            "authorized_representative_1",
            REPRESENTATIVE_FIELDS,
            22214,
        ),
        Requirement(
            "customer_profile_address",
            "Customer Profile Address",
            "customer_profile_address",
            ("address_sids",),
            22216,
        ),
        Requirement(
            "primary_customer_profile",
            "Primary Customer Profile",
            "primary_customer_profile_type_business",
            ("bundle_sid",),
            22216,
        ),
    ),
    TRUST_PRODUCT_POLICY: (
        Requirement(
            "us_a2p_messaging_profile_information",
            "US A2P Messaging Profile Information",
            "us_a2p_messaging_profile_information",
            ("company_type",),
            22214,
        ),
        Requirement(
            "customer_profile",
            "Secondary Customer Profile",
            "customer_profile",
            ("bundle_sid",),
            22216,
        ),
    ),
}


def evaluate(
    policy_sid: str,
    assigned: list[Assigned],
    address_sids: set[str],
    primary_profile_sid: str,
) -> list[dict[str, Any]]:
    """The `results[]` of an evaluation: one item per requirement of the policy.

    A policy this emulator does not model has no requirements, so every bundle complies.
    """
    return [
        _check(requirement, assigned, address_sids, primary_profile_sid)
        for requirement in POLICIES.get(policy_sid, ())
    ]


def _check(
    requirement: Requirement,
    assigned: list[Assigned],
    address_sids: set[str],
    primary_profile_sid: str,
) -> dict[str, Any]:
    candidate = next(
        (
            item
            for item in assigned
            if _object_type(item, primary_profile_sid) == requirement.object_type
        ),
        None,
    )
    if candidate is None:
        return _result(
            requirement,
            valid=[],
            invalid=[],
            failure=(
                f"A {requirement.friendly_name} is missing. "
                "Please add one to the regulatory bundle."
            ),
            code=requirement.missing_code,
        )
    valid: list[dict[str, Any]] = []
    invalid: list[dict[str, Any]] = []
    for name in _required_fields(requirement, candidate):
        problem = _field_problem(name, candidate, address_sids)
        title = name.replace("_", " ").title()
        if problem is None:
            valid.append(
                {
                    "friendly_name": title,
                    "object_field": name,
                    "passed": True,
                    "failure_reason": None,
                    "error_code": None,
                }
            )
        else:
            reason, code = problem
            invalid.append(
                {
                    "friendly_name": title,
                    "object_field": name,
                    "failure_reason": reason.format(title=title),
                    "error_code": code,
                }
            )
    if not invalid:
        return _result(requirement, valid=valid, invalid=[], failure=None, code=None)
    return _result(
        requirement,
        valid=valid,
        invalid=invalid,
        failure=f"The {requirement.friendly_name} is incomplete.",
        code=invalid[0]["error_code"],
    )


def _object_type(item: Assigned, primary_profile_sid: str) -> str:
    if isinstance(item, Bundle):
        if item.sid == primary_profile_sid:
            return "primary_customer_profile_type_business"
        return item.kind
    return item.type


def _required_fields(requirement: Requirement, candidate: Assigned) -> tuple[str, ...]:
    if isinstance(candidate, EndUser) and candidate.attributes.get("company_type") == "public":
        return (*requirement.fields, "stock_exchange", "stock_ticker")
    return requirement.fields


def _field_problem(
    name: str, candidate: Assigned, address_sids: set[str]
) -> tuple[str, int] | None:
    if isinstance(candidate, Bundle):
        return None
    value = candidate.attributes.get(name)
    if value in (None, "", []):
        if name == "address_sids":
            return "The Address is missing. Please add an address to the document.", 22219
        return "The {title} is missing. Please enter a {title}.", 22215
    if name == "address_sids":
        sids = value if isinstance(value, list) else [value]
        if not all(sid in address_sids for sid in sids):
            return f"The Address {value} does not exist on this account.", 22219
    return None


def _result(
    requirement: Requirement,
    *,
    valid: list[dict[str, Any]],
    invalid: list[dict[str, Any]],
    failure: str | None,
    code: int | None,
) -> dict[str, Any]:
    return {
        "friendly_name": requirement.friendly_name,
        "object_type": requirement.object_type,
        "passed": failure is None,
        "failure_reason": failure,
        "error_code": code,
        "valid": valid,
        "invalid": invalid,
        "requirement_friendly_name": requirement.friendly_name,
        "requirement_name": requirement.name,
    }


# --- status machine ---------------------------------------------------------------------------


def submit_for_review(bundle: Bundle) -> None:
    """The client's only status change: `draft` (or `twilio-rejected`) -> `pending-review`."""
    if bundle.status not in ("draft", "twilio-rejected"):
        raise TwilioError(
            400,
            20001,
            f"Bundle {bundle.sid} is {bundle.status}; only a draft or twilio-rejected "
            "bundle can be submitted for review",
        )
    _set_status(bundle, "pending-review")
    bundle.errors = None


def start_review(bundle: Bundle) -> bool:
    if bundle.status != "pending-review":
        return False
    _set_status(bundle, "in-review")
    return True


def approve(bundle: Bundle, valid_until: datetime) -> None:
    _set_status(bundle, "twilio-approved")
    bundle.errors = None
    bundle.valid_until = valid_until


def reject(bundle: Bundle, errors: list[dict[str, Any]]) -> None:
    _set_status(bundle, "twilio-rejected")
    bundle.errors = errors


def _set_status(bundle: Bundle, status: str) -> None:
    bundle.status = status
    bundle.date_updated = now()
