"""Twilio's ISV onboarding through the official SDK, each call safe to repeat.

A registrar killed between Twilio's answer and our write must not create a second profile,
brand or campaign when it runs the step again, so every create is preceded by a look-up of
what the registration already has (by friendly name, by the profile it belongs to, by the
service's own lists). Brand and campaign calls are spaced one second apart, as Twilio asks.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from twilio.rest import Client

from a2p_registrar import domain
from a2p_shared.events import RegistrationRequest
from a2p_shared.telemetry import Telemetry
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client

A2P_CALL_INTERVAL_S = 1.0


class NumberNotOwned(Exception):
    """A tenant's number is not one of the Twilio account's incoming phone numbers."""


class TwilioOnboarding:
    def __init__(
        self,
        settings: TwilioSettings,
        *,
        primary_profile_sid: str,
        isv_email: str,
        inbound_url: str,
        status_callback_url: str,
        trusthub_callback_url: str,
        a2p_call_interval_s: float = A2P_CALL_INTERVAL_S,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._settings = settings
        self._telemetry = telemetry
        self._sdk: Client | None = None
        self._primary_profile_sid = primary_profile_sid
        self._isv_email = isv_email
        self._inbound_url = inbound_url
        self._status_callback_url = status_callback_url
        self._trusthub_callback_url = trusthub_callback_url
        self._interval = a2p_call_interval_s
        self._a2p_lock = asyncio.Lock()
        self._last_a2p_call = 0.0

    @property
    def _client(self) -> Client:
        # Made on first use, inside the running loop its HTTP session belongs to.
        if self._sdk is None:
            self._sdk = twilio_client(self._settings, self._telemetry)
        return self._sdk

    @property
    def _trusthub(self) -> Any:
        return self._client.trusthub.v1

    @property
    def _messaging(self) -> Any:
        return self._client.messaging.v1

    # --- secondary customer profile ----------------------------------------------------------

    async def customer_profile(self, ref: str, request: RegistrationRequest) -> dict[str, str]:
        profile = await _first(
            self._trusthub.customer_profiles.stream_async(
                friendly_name=ref, policy_sid=domain.SECONDARY_PROFILE_POLICY
            ),
            lambda p: p.friendly_name == ref,
        )
        if profile is None:
            profile = await self._trusthub.customer_profiles.create_async(
                friendly_name=ref,
                email=self._isv_email,
                policy_sid=domain.SECONDARY_PROFILE_POLICY,
                status_callback=self._trusthub_callback_url,
            )
        assigned = await self._assigned(self._trusthub.customer_profiles(profile.sid))
        existing = await self._end_users()
        business = await self._end_user(
            existing,
            f"{ref} business",
            "customer_profile_business_information",
            domain.business_attributes(request),
        )
        representative = await self._end_user(
            existing,
            f"{ref} representative",
            "authorized_representative_1",
            domain.representative_attributes(request),
        )
        address = await self._address(ref, request)
        document = await self._address_document(f"{ref} address", address)
        assignments = self._trusthub.customer_profiles(profile.sid)
        for object_sid in (business, representative, document, self._primary_profile_sid):
            if object_sid not in assigned:
                await assignments.customer_profiles_entity_assignments.create_async(
                    object_sid=object_sid
                )
        if profile.status == "draft":
            await assignments.customer_profiles_evaluations.create_async(
                policy_sid=domain.SECONDARY_PROFILE_POLICY
            )
            await assignments.update_async(status="pending-review")
        return {
            "customer_profile": profile.sid,
            "business_end_user": business,
            "representative_end_user": representative,
            "address": address,
            "address_document": document,
        }

    async def _assigned(self, profile: Any) -> set[str]:
        stream = await profile.customer_profiles_entity_assignments.stream_async()
        return {assignment.object_sid async for assignment in stream}

    async def _end_users(self) -> dict[str, str]:
        """The account's end users by friendly name: listed once per step, not once per user."""
        stream = await self._trusthub.end_users.stream_async(page_size=1000)
        return {user.friendly_name: str(user.sid) async for user in stream}

    async def _end_user(
        self, existing: dict[str, str], name: str, kind: str, attributes: dict[str, Any]
    ) -> str:
        if name in existing:
            return existing[name]
        created = await self._trusthub.end_users.create_async(
            friendly_name=name, type=kind, attributes=attributes
        )
        return str(created.sid)

    async def _address(self, ref: str, request: RegistrationRequest) -> str:
        existing = await _first(
            self._client.addresses.stream_async(friendly_name=ref), lambda a: True
        )
        if existing is not None:
            return str(existing.sid)
        created = await self._client.addresses.create_async(
            friendly_name=ref, **domain.address_params(request)
        )
        return str(created.sid)

    async def _address_document(self, name: str, address_sid: str) -> str:
        existing = await _first(
            self._trusthub.supporting_documents.stream_async(page_size=1000),
            lambda document: document.friendly_name == name,
        )
        if existing is not None:
            return str(existing.sid)
        created = await self._trusthub.supporting_documents.create_async(
            friendly_name=name,
            type="customer_profile_address",
            attributes={"address_sids": address_sid},
        )
        return str(created.sid)

    # --- A2P trust product -------------------------------------------------------------------

    async def trust_product(
        self, ref: str, request: RegistrationRequest, customer_profile_sid: str
    ) -> dict[str, str]:
        product = await _first(
            self._trusthub.trust_products.stream_async(
                friendly_name=ref, policy_sid=domain.A2P_TRUST_PRODUCT_POLICY
            ),
            lambda p: p.friendly_name == ref,
        )
        if product is None:
            product = await self._trusthub.trust_products.create_async(
                friendly_name=ref,
                email=self._isv_email,
                policy_sid=domain.A2P_TRUST_PRODUCT_POLICY,
                status_callback=self._trusthub_callback_url,
            )
        context = self._trusthub.trust_products(product.sid)
        stream = await context.trust_products_entity_assignments.stream_async()
        assigned = {assignment.object_sid async for assignment in stream}
        profile_info = await self._end_user(
            await self._end_users(),
            f"{ref} messaging profile",
            "us_a2p_messaging_profile_information",
            domain.messaging_profile_attributes(request),
        )
        for object_sid in (profile_info, customer_profile_sid):
            if object_sid not in assigned:
                await context.trust_products_entity_assignments.create_async(object_sid=object_sid)
        if product.status == "draft":
            await context.trust_products_evaluations.create_async(
                policy_sid=domain.A2P_TRUST_PRODUCT_POLICY
            )
            await context.update_async(status="pending-review")
        return {"trust_product": product.sid, "messaging_profile_end_user": profile_info}

    async def update_business_data(
        self, sids: dict[str, Any], request: RegistrationRequest
    ) -> None:
        """Before a brand is resubmitted: the corrected business data, where Twilio reads it."""
        updates = (
            ("business_end_user", domain.business_attributes(request)),
            ("representative_end_user", domain.representative_attributes(request)),
            ("messaging_profile_end_user", domain.messaging_profile_attributes(request)),
        )
        for key, attributes in updates:
            if key in sids:
                await self._trusthub.end_users(sids[key]).update_async(attributes=attributes)
        if "address" in sids:
            params = domain.address_params(request)
            params.pop("iso_country")
            await self._client.addresses(sids["address"]).update_async(**params)

    # --- brand -------------------------------------------------------------------------------

    async def brand(
        self, customer_profile_sid: str, trust_product_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        existing = await _first(
            self._messaging.brand_registrations.stream_async(page_size=1000),
            lambda b: b.customer_profile_bundle_sid == customer_profile_sid,
        )
        if existing is None:
            await self._pace()
            existing = await self._messaging.brand_registrations.create_async(
                customer_profile_bundle_sid=customer_profile_sid,
                a2p_profile_bundle_sid=trust_product_sid,
                **params,
            )
        return _brand(existing)

    async def resubmit_brand(self, brand_sid: str) -> dict[str, Any]:
        brand = await self._messaging.brand_registrations(brand_sid).fetch_async()
        if brand.status == "FAILED":  # a retried step finds it resubmitted already
            await self._pace()
            brand = await self._messaging.brand_registrations(brand_sid).update_async()
        return _brand(brand)

    async def fetch_brand(self, brand_sid: str) -> dict[str, Any]:
        return _brand(await self._messaging.brand_registrations(brand_sid).fetch_async())

    # --- messaging service, campaign, numbers ------------------------------------------------

    async def messaging_service(self, ref: str) -> str:
        existing = await _first(
            self._messaging.services.stream_async(page_size=1000),
            lambda s: s.friendly_name == ref,
        )
        if existing is not None:
            return str(existing.sid)
        created = await self._messaging.services.create_async(
            friendly_name=ref,
            inbound_request_url=self._inbound_url,
            inbound_method="POST",
            status_callback=self._status_callback_url,
            use_inbound_webhook_on_number=False,
            sticky_sender=True,
        )
        return str(created.sid)

    async def campaign(
        self, messaging_service_sid: str, brand_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        service = self._messaging.services(messaging_service_sid)
        existing = await _first(service.us_app_to_person.stream_async(), lambda c: True)
        if existing is None:
            await self._pace()
            existing = await service.us_app_to_person.create_async(
                brand_registration_sid=brand_sid, x_twilio_api_version="v1.2", **params
            )
        return _campaign(existing)

    async def update_campaign(
        self, messaging_service_sid: str, campaign_sid: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        await self._pace()
        updated = await (
            self._messaging.services(messaging_service_sid)
            .us_app_to_person(campaign_sid)
            .update_async(
                has_embedded_links=params["has_embedded_links"],
                has_embedded_phone=params["has_embedded_phone"],
                message_samples=params["message_samples"],
                message_flow=params["message_flow"],
                description=params["description"],
                age_gated=params["age_gated"],
                direct_lending=params["direct_lending"],
                privacy_policy_url=params["privacy_policy_url"],
                terms_and_conditions_url=params["terms_and_conditions_url"],
                x_twilio_api_version="v1.2",
            )
        )
        return _campaign(updated)

    async def fetch_campaign(self, messaging_service_sid: str, campaign_sid: str) -> dict[str, Any]:
        campaign = (
            await self._messaging.services(messaging_service_sid)
            .us_app_to_person(campaign_sid)
            .fetch_async()
        )
        return _campaign(campaign)

    async def add_number(self, messaging_service_sid: str, phone: str) -> str:
        owned = await self._client.incoming_phone_numbers.list_async(phone_number=phone, limit=1)
        if not owned:
            raise NumberNotOwned(f"{phone} is not a number of this Twilio account")
        number_sid = str(owned[0].sid)
        service = self._messaging.services(messaging_service_sid)
        already = await _first(
            service.phone_numbers.stream_async(page_size=1000), lambda n: n.sid == number_sid
        )
        if already is None:
            await service.phone_numbers.create_async(phone_number_sid=number_sid)
        return number_sid

    async def close(self) -> None:
        if self._sdk is not None:
            await close_twilio_client(self._sdk)

    async def _pace(self) -> None:
        async with self._a2p_lock:
            wait = self._last_a2p_call + self._interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last_a2p_call = time.monotonic()


async def _first(records: Any, matches: Callable[[Any], bool]) -> Any:
    stream: AsyncIterator[Any] = await records
    async for record in stream:
        if matches(record):
            return record
    return None


def _brand(brand: Any) -> dict[str, Any]:
    return {
        "sid": brand.sid,
        "status": brand.status,
        "tcr_id": brand.tcr_id,
        "brand_score": brand.brand_score,
        "errors": brand.errors,
        "failure_reason": brand.failure_reason,
        "customer_profile_bundle_sid": brand.customer_profile_bundle_sid,
    }


def _campaign(campaign: Any) -> dict[str, Any]:
    return {
        "sid": campaign.sid,
        "campaign_status": campaign.campaign_status,
        "campaign_id": campaign.campaign_id,
        "errors": campaign.errors,
    }
