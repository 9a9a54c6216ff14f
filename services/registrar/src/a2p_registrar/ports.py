"""What the onboarding use cases need from the outside world."""

from datetime import datetime
from typing import Any, Protocol

from a2p_registrar.domain import Onboarding
from a2p_shared.events import Envelope, RegistrationRequest


class OnboardingStore(Protocol):
    async def record_request(
        self, registration_id: str, tenant_id: str, revision: int, request: RegistrationRequest
    ) -> None:
        """Raises `AnotherTenantsRegistration` when the registration is not `tenant_id`'s."""

    async def record_verdict(
        self,
        registration_id: str,
        tenant_id: str,
        revision: int,
        passed: bool,
        trace: dict[str, str],
    ) -> None:
        """Raises `AnotherTenantsRegistration` when the registration is not `tenant_id`'s."""

    async def get(self, registration_id: str) -> Onboarding | None: ...

    async def claim(
        self, registration_id: str | None, now: datetime, lease_s: float
    ) -> Onboarding | None:
        """Lease one onboarding that is due (or the named one, if due): one worker at a time."""
        ...

    async def save(
        self, onboarding: Onboarding, *, release: bool = False, lease_until: datetime | None = None
    ) -> bool:
        """Write the workflow's progress if this worker still holds the lease; False if not.
        `lease_until` extends the lease for the next step; `release` gives it back.

        Requests and verdicts that arrived meanwhile are kept (they are written apart), and
        one that arrived while the lease was held wakes the onboarding once it is released.
        """
        ...

    async def wake_by_bundle(self, bundle_sid: str) -> bool:
        """Make the onboarding whose customer profile or trust product this is due now."""
        ...

    async def release(self, onboarding: Onboarding) -> None:
        """Give the lease back without writing progress: the current step is due again."""
        ...


class EventPublisher(Protocol):
    async def publish(self, event: Envelope[Any]) -> None: ...


class Twilio(Protocol):
    """Twilio's ISV onboarding, each call safe to repeat: what already exists is adopted."""

    async def customer_profile(self, ref: str, request: RegistrationRequest) -> dict[str, str]: ...

    async def trust_product(
        self, ref: str, request: RegistrationRequest, customer_profile_sid: str
    ) -> dict[str, str]: ...

    async def update_business_data(
        self, sids: dict[str, Any], request: RegistrationRequest
    ) -> None: ...

    async def brand(
        self, customer_profile_sid: str, trust_product_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]: ...

    async def resubmit_brand(self, brand_sid: str) -> dict[str, Any]: ...

    async def fetch_brand(self, brand_sid: str) -> dict[str, Any]: ...

    async def messaging_service(self, ref: str) -> str: ...

    async def campaign(
        self, messaging_service_sid: str, brand_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]: ...

    async def update_campaign(
        self, messaging_service_sid: str, campaign_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]: ...

    async def fetch_campaign(
        self, messaging_service_sid: str, campaign_sid: str
    ) -> dict[str, Any]: ...

    async def add_number(self, messaging_service_sid: str, phone: str) -> str: ...

    async def close(self) -> None: ...
