"""Pure rules of intake: registration identity, idempotency, API keys and their scope."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from a2p_shared.events import RegistrationRequest

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:a2p:registration")
KEY_PREFIX = "a2p_"
ALL_TENANTS = "*"

Status = Literal["received", "submitted", "validated", "changes_required"]


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
