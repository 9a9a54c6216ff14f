"""Pure rules of intake: registration and message identity, idempotency, API keys and their
scope, and consent commands and their review."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from a2p_shared.events import (
    BrandApprovedV1,
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    CampaignSubmittedV1,
    ConsentAction,
    ConsentEvidence,
    EventPayload,
    NumberRegisteredV1,
    OnboardingProgressedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    RecordConsent,
    RegistrationRequest,
)
from a2p_shared.events.registration import Category

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:a2p:registration")
_MESSAGE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:a2p:message")
KEY_PREFIX = "a2p_"
ALL_TENANTS = "*"

Status = Literal[
    "received",
    "submitted",
    "validated",
    "changes_required",
    "onboarding",
    "brand_review",
    "campaign_review",
    "live",
]


def validation_status(verdict: str) -> Status:
    """`validated` when nothing blocks; `changes_required` when the tenant must fix something
    before any fee is paid."""
    return "validated" if verdict == "pass" else "changes_required"


def registration_id(tenant_id: str, idempotency_key: str | None) -> str:
    """Stable for the same tenant and key, so a retried request finds its registration."""
    if idempotency_key is None:
        return str(uuid4())
    return str(uuid5(_NAMESPACE, f"{tenant_id}\x00{idempotency_key}"))


def submitted_event_id(registration_id: str, revision: int) -> UUID:
    """The `registration.submitted` event of a revision always has the same id (dedup key)."""
    return uuid5(UUID(registration_id), f"registration.submitted:{revision}")


def corrected_event_id(registration_id: str, revision: int) -> UUID:
    return uuid5(UUID(registration_id), f"registration.corrected:{revision}")


def message_id(tenant_id: str, idempotency_key: str) -> str:
    """Stable for the same tenant and key, so a retried send names the same message."""
    # A tenant id has no ':' (its pattern), so tenant and key cannot run into each other.
    return str(uuid5(_MESSAGE_NAMESPACE, f"{tenant_id}:{idempotency_key}"))


def message_requested_event_id(tenant_id: str, idempotency_key: str) -> UUID:
    """The `message.requested` of a retried send is the very same event (same id)."""
    return uuid5(_MESSAGE_NAMESPACE, f"event:{tenant_id}:{idempotency_key}")


def fingerprint(request: RegistrationRequest) -> str:
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request body."""


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    secret_sha256: str
    token: str
    """Shown to the caller once; only its hash is stored."""


def issue_key() -> IssuedKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedKey(key_id, _hash(secret), f"{KEY_PREFIX}{key_id}.{secret}")


def parse_token(token: str) -> tuple[str, str] | None:
    """`a2p_<key id>.<secret>` -> (key id, secret), or None for anything else."""
    if not token.startswith(KEY_PREFIX) or "." not in token:
        return None
    key_id, _, secret = token[len(KEY_PREFIX) :].partition(".")
    if not key_id or not secret:
        return None
    return key_id, secret


def secret_matches(secret: str, secret_sha256: str) -> bool:
    # API keys are 256-bit random secrets, so a fast hash is enough (no password stretching);
    # the comparison is constant-time.
    return hmac.compare_digest(_hash(secret), secret_sha256)


def may_act_for(tenants: list[str], tenant_id: str) -> bool:
    return ALL_TENANTS in tenants or tenant_id in tenants


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class OnboardingChange:
    """What one registrar event changes in a registration's projection."""

    set: dict[str, Any]
    push: dict[str, Any]
    timeline_status: str | None
    detail: dict[str, Any]


def onboarding_change(payload: EventPayload) -> OnboardingChange:
    """The projection's view of Twilio onboarding: step, what happens next, fees paid, Twilio's
    reasons when it rejected something, and the numbers that are live."""
    match payload:
        case OnboardingProgressedV1(step=step, state=state):
            status: Status = "onboarding"
            if state == "needs_correction":
                status = "changes_required"
            elif state == "waiting" and step in ("brand_review", "campaign_review"):
                status = step
            elif step in ("campaign_review", "live") and state == "done":
                status = "live"
            return OnboardingChange(
                set={
                    "status": status,
                    "onboarding.step": step,
                    "onboarding.state": state,
                    "onboarding.next_action": payload.next_action,
                    "onboarding.revision": payload.revision,
                },
                push={},
                timeline_status=f"{step}:{state}",
                detail=payload.detail,
            )
        case BrandSubmittedV1() | CampaignSubmittedV1() | CampaignApprovedV1():
            sids = {
                key: value for key, value in payload.model_dump().items() if key.endswith("_sid")
            }
            return OnboardingChange(
                set={f"onboarding.sids.{key}": value for key, value in sids.items()},
                push={"onboarding.fees": {"$each": [f.model_dump() for f in payload.fees]}},
                timeline_status=payload.event_type,
                detail={"fees": [f.model_dump() for f in payload.fees]},
            )
        case BrandApprovedV1(brand_sid=brand_sid, tcr_id=tcr_id, brand_score=score):
            return OnboardingChange(
                set={"onboarding.sids.brand_sid": brand_sid},
                push={},
                timeline_status=payload.event_type,
                detail={"tcr_id": tcr_id, "brand_score": score},
            )
        case BrandFailedV1() | CampaignFailedV1():
            return OnboardingChange(
                set={"onboarding.review_findings": [f.model_dump() for f in payload.findings]},
                push={},
                timeline_status=payload.event_type,
                detail={"errors": [e.model_dump() for e in payload.errors]},
            )
        case NumberRegisteredV1(phone=phone):
            return OnboardingChange(
                set={},
                push={"onboarding.numbers_live": phone},
                timeline_status=None,
                detail={},
            )
    raise ValueError(f"{payload.event_type} does not change the onboarding projection")


def platform_consent(
    tenant_id: str,
    *,
    phone: str,
    action: ConsentAction,
    categories: list[Category],
    evidence: ConsentEvidence | None,
    idempotency_key: str | None,
) -> RecordConsent:
    """The command for consent a platform recorded. Without the platform's key, the command's
    own content is the key, so an identical retry is the same command, not a second one."""
    command = RecordConsent(
        tenant_id=tenant_id,
        phone=phone,
        action=action,
        categories=categories,
        evidence=evidence,
        source="platform",
    )
    key = (
        idempotency_key
        or "sha256:" + hashlib.sha256(command.model_dump_json().encode()).hexdigest()
    )
    return command.model_copy(update={"idempotency_key": key})


# The contract's checks that span several fields say what is missing, not where; a platform
# fixing its request needs the field.
_CONSENT_FIELDS = (
    ("needs its categories", ("categories",)),
    ("needs its evidence", ("evidence",)),
    ("consent text", ("evidence", "text")),
    ("names the review it resolves", ("review_id",)),
)


def consent_error_loc(loc: tuple[str | int, ...], message: str) -> tuple[str | int, ...]:
    """Where an error of `RecordConsent` belongs: the field its message names, for the
    contract's cross-field checks (reported on the whole model or the whole evidence)."""
    if loc in ((), ("evidence",)):
        for phrase, field in _CONSENT_FIELDS:
            if phrase in message and field[: len(loc)] == loc:
                return field
    return loc


ConsentState = Literal["opted_out", "opted_in"]


@dataclass(frozen=True, slots=True)
class ConsentChangeState:
    state: ConsentState
    categories: list[Category]
    evidence: ConsentEvidence | None


def consent_state(payload: EventPayload) -> ConsentChangeState:
    """A person's consent after a change: an opt-out covers everything; an opt-in names every
    category consented to, not only this change's."""
    match payload:
        case OptOutRecordedV1():
            return ConsentChangeState("opted_out", [], None)
        case OptInRecordedV1(categories=categories, evidence=evidence):
            return ConsentChangeState("opted_in", list(categories), evidence)
    raise ValueError(f"{payload.event_type} is not a consent change")


ReviewDecision = Literal["opt_out", "keep"]


class ReviewConflict(Exception):
    """The review was already resolved with another decision."""


def is_replay(resolved_decision: str | None, decision: ReviewDecision) -> bool:
    """Whether resolving a review with `decision` repeats what was already decided (None: still
    open). Raises `ReviewConflict` when it was decided otherwise: a decision is not undone here."""
    if resolved_decision is None:
        return False
    if resolved_decision != decision:
        raise ReviewConflict(resolved_decision)
    return True


def staff_opt_out(tenant_id: str, phone: str, review_id: str) -> RecordConsent:
    """Staff read the text and took it as an opt-out; the key follows the review, so resolving it
    again never records a second opt-out."""
    return RecordConsent(
        tenant_id=tenant_id,
        phone=phone,
        action=ConsentAction.OPT_OUT,
        source="staff_review",
        review_id=review_id,
        idempotency_key=f"review:{review_id}",
    )
