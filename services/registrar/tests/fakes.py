"""In-memory stand-ins for the registrar's ports, for unit tests of its own logic.

The flows on real Kafka, MongoDB and the Twilio emulator are in `integration/` and `tests/`.
"""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from a2p_registrar.domain import AnotherTenantsRegistration, Onboarding
from a2p_shared.events import Envelope, RegistrationRequest


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def pass_time(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class MemoryStore:
    """Same lease, wake and due semantics as the MongoDB store, in a dict."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    def _doc(self, registration_id: str, tenant_id: str) -> dict[str, Any]:
        known = self.documents.get(registration_id)
        if known is not None and known["tenant_id"] != tenant_id:
            raise AnotherTenantsRegistration(registration_id)
        return self.documents.setdefault(
            registration_id,
            {
                "registration_id": registration_id,
                "tenant_id": tenant_id,
                "requests": {},
                "passed": [],
                "wake": True,
                "lease": None,
                "lease_until": None,
            },
        )

    async def record_request(
        self, registration_id: str, tenant_id: str, revision: int, request: RegistrationRequest
    ) -> None:
        doc = self._doc(registration_id, tenant_id)
        doc["requests"][str(revision)] = request
        doc["wake"] = True

    async def record_verdict(
        self,
        registration_id: str,
        tenant_id: str,
        revision: int,
        passed: bool,
        trace: dict[str, str],
    ) -> None:
        doc = self._doc(registration_id, tenant_id)
        if passed and revision not in doc["passed"]:
            doc["passed"].append(revision)
            doc.setdefault("trace", trace)
        doc["wake"] = True

    async def get(self, registration_id: str) -> Onboarding | None:
        doc = self.documents.get(registration_id)
        return _model(doc) if doc else None

    async def claim(
        self, registration_id: str | None, now: datetime, lease_s: float
    ) -> Onboarding | None:
        for doc in self.documents.values():
            if registration_id is not None and doc["registration_id"] != registration_id:
                continue
            free = doc["lease_until"] is None or doc["lease_until"] <= now
            due = doc["wake"] or (doc.get("due_at") is not None and doc["due_at"] <= now)
            if free and due:
                doc["lease"], doc["lease_until"], doc["wake"] = (
                    uuid.uuid4().hex,
                    now + timedelta(seconds=lease_s),
                    False,
                )
                onboarding = _model(doc)
                onboarding.lease = doc["lease"]
                return onboarding
        return None

    async def save(
        self, onboarding: Onboarding, *, release: bool = False, lease_until: datetime | None = None
    ) -> bool:
        doc = self.documents[onboarding.registration_id]
        if doc["lease"] != onboarding.lease:
            return False
        doc.update(
            onboarding.model_dump(
                include={
                    "revision",
                    "step",
                    "state",
                    "sids",
                    "brand_attempts",
                    "campaign_attempts",
                    "polls",
                    "due_at",
                    "ledger",
                    "history",
                }
            )
        )
        if release:
            doc["lease"], doc["lease_until"] = None, None
        elif lease_until is not None:
            doc["lease_until"] = lease_until
        return True

    async def wake_by_bundle(self, bundle_sid: str) -> bool:
        for doc in self.documents.values():
            sids = doc.get("sids", {})
            if bundle_sid in (sids.get("customer_profile"), sids.get("trust_product")):
                doc["wake"] = True
                return True
        return False

    async def release(self, onboarding: Onboarding) -> None:
        doc = self.documents[onboarding.registration_id]
        if doc["lease"] == onboarding.lease:
            doc["lease"], doc["lease_until"] = None, None


def _model(doc: dict[str, Any]) -> Onboarding:
    return Onboarding.model_validate(
        {k: v for k, v in doc.items() if k not in ("lease", "lease_until", "wake")}
    )


class Published:
    def __init__(self) -> None:
        self.events: list[Envelope[Any]] = []

    async def publish(self, event: Envelope[Any]) -> None:
        self.events.append(event)

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def of(self, event_type: str) -> list[Envelope[Any]]:
        return [event for event in self.events if event.type == event_type]


class FakeTwilio:
    """Twilio's answers, scripted: brand and campaign statuses are set by the test."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.brand_status = "PENDING"
        self.brand_errors: list[dict[str, Any]] = []
        self.campaign_status = "IN_PROGRESS"
        self.campaign_errors: list[dict[str, Any]] = []
        self.updated_with: list[RegistrationRequest] = []
        self.campaign_params: list[dict[str, Any]] = []
        self.brand_params: dict[str, Any] = {}

    async def customer_profile(self, ref: str, request: RegistrationRequest) -> dict[str, str]:
        self.calls["customer_profile"] += 1
        return {
            "customer_profile": "BU1",
            "business_end_user": "IT1",
            "representative_end_user": "IT2",
            "address": "AD1",
            "address_document": "RD1",
        }

    async def trust_product(
        self, ref: str, request: RegistrationRequest, customer_profile_sid: str
    ) -> dict[str, str]:
        self.calls["trust_product"] += 1
        return {"trust_product": "BU2", "messaging_profile_end_user": "IT3"}

    async def update_business_data(
        self, sids: dict[str, Any], request: RegistrationRequest
    ) -> None:
        self.calls["update_business_data"] += 1
        self.updated_with.append(request)

    async def brand(
        self, customer_profile_sid: str, trust_product_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        self.calls["brand"] += 1
        self.brand_params = params
        return {"sid": "BN1", "status": "PENDING"}

    async def resubmit_brand(self, brand_sid: str) -> dict[str, Any]:
        self.calls["resubmit_brand"] += 1
        self.brand_status, self.brand_errors = "PENDING", []
        return {"sid": brand_sid, "status": "PENDING"}

    async def fetch_brand(self, brand_sid: str) -> dict[str, Any]:
        self.calls["fetch_brand"] += 1
        return {
            "sid": brand_sid,
            "status": self.brand_status,
            "errors": self.brand_errors,
            "tcr_id": "BTCR1" if self.brand_status == "APPROVED" else None,
            "brand_score": 80,
            "failure_reason": None,
        }

    async def messaging_service(self, ref: str) -> str:
        self.calls["messaging_service"] += 1
        return "MG1"

    async def campaign(
        self, messaging_service_sid: str, brand_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        self.calls["campaign"] += 1
        self.campaign_params.append(params)
        return {"sid": "QE1", "campaign_status": "IN_PROGRESS"}

    async def update_campaign(
        self, messaging_service_sid: str, campaign_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        self.calls["update_campaign"] += 1
        self.campaign_params.append(params)
        self.campaign_status, self.campaign_errors = "IN_PROGRESS", []
        return {"sid": campaign_sid, "campaign_status": "IN_PROGRESS"}

    async def fetch_campaign(self, messaging_service_sid: str, campaign_sid: str) -> dict[str, Any]:
        self.calls["fetch_campaign"] += 1
        return {
            "sid": campaign_sid,
            "campaign_status": self.campaign_status,
            "campaign_id": "CTCR1",
            "errors": self.campaign_errors,
        }

    async def add_number(self, messaging_service_sid: str, phone: str) -> str:
        self.calls["add_number"] += 1
        return "PN" + phone[-4:]

    async def close(self) -> None:
        return None
