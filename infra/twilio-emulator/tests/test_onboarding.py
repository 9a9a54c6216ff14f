"""The ISV onboarding sequence through the real SDK: TrustHub bundles and their evaluation,
brand, messaging service, campaign and numbers; scripted failures and resubmissions."""

import re
from collections.abc import Awaitable

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.trusthub.v1.customer_profiles import CustomerProfilesInstance

from a2p_twilio_emulator.testing import (
    CAMPAIGN,
    RunningEmulator,
    WebhookServer,
    approved_brand,
    brand_status,
    buy_number,
    campaign_status,
    customer_profile,
    eventually,
    onboard,
    trust_product,
)

CUSTOMER_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
PRIMARY = "BU" + "a2" * 16
CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b"


def sid(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{prefix}[0-9a-f]{{32}}$")


class TestTheWholeSequence:
    async def test_ends_with_an_approved_brand_and_a_verified_campaign(
        self, twilio: Client, hooks: WebhookServer
    ) -> None:
        profile_sid = await customer_profile(twilio, PRIMARY, status_callback=hooks.url("/cp"))
        product_sid = await trust_product(twilio, profile_sid, status_callback=hooks.url("/tp"))
        trusthub = twilio.trusthub.v1
        profile = await eventually(lambda: _bundle_reviewed(twilio, profile_sid))
        assert profile.status == "twilio-approved"
        assert profile.valid_until is not None
        assert [hook.params["Status"] for hook in hooks.at("/cp")] == [
            "in-review",
            "twilio-approved",
        ]
        assert all(hook.signed for hook in hooks.at("/cp"))
        assert hooks.at("/cp")[0].params["BundleSid"] == profile_sid
        product = await trusthub.trust_products(product_sid).fetch_async()
        assert product.status == "twilio-approved"

        brand = await twilio.messaging.v1.brand_registrations.create_async(
            customer_profile_bundle_sid=profile_sid, a2p_profile_bundle_sid=product_sid
        )
        assert sid("BN").match(brand.sid)
        assert (brand.status, brand.brand_type, brand.tcr_id) == ("PENDING", "STANDARD", None)
        assert await eventually(lambda: _settled_brand(twilio, brand.sid)) == "APPROVED"
        brand = await twilio.messaging.v1.brand_registrations(brand.sid).fetch_async()
        assert re.fullmatch(r"B[A-Z0-9]{6}", brand.tcr_id)
        assert (brand.brand_score, brand.identity_status, brand.errors) == (75, "VERIFIED", [])

        service = await twilio.messaging.v1.services.create_async(
            friendly_name="Springfield 311", inbound_request_url=hooks.url("/inbound")
        )
        assert sid("MG").match(service.sid)
        assert service.us_app_to_person_registered is False
        usecases = await twilio.messaging.v1.services(
            service.sid
        ).us_app_to_person_usecases.fetch_async(brand_registration_sid=brand.sid)
        codes = [usecase["code"] for usecase in usecases.us_app_to_person_usecases]
        assert {"2FA", "ACCOUNT_NOTIFICATION", "MARKETING", "LOW_VOLUME", "K12_EDUCATION"} <= set(
            codes
        )
        campaign = await twilio.messaging.v1.services(service.sid).us_app_to_person.create_async(
            brand_registration_sid=brand.sid, **CAMPAIGN
        )
        assert (campaign.sid, campaign.campaign_status) == (CAMPAIGN_SID, "IN_PROGRESS")
        assert re.fullmatch(r"C[A-Z0-9]{6}", campaign.campaign_id)
        assert await eventually(lambda: campaign_status(twilio, service.sid)) in (
            "IN_PROGRESS",
            "VERIFIED",
        )
        await eventually(lambda: _is(campaign_status(twilio, service.sid), "VERIFIED"))
        verified = (
            await twilio.messaging.v1.services(service.sid)
            .us_app_to_person(CAMPAIGN_SID)
            .fetch_async()
        )
        assert verified.rate_limits["att"]["msg_class"] == "A"
        assert verified.opt_out_keywords[:2] == ["STOP", "STOPALL"]

        number_sid, phone = await buy_number(twilio)
        sender = await twilio.messaging.v1.services(service.sid).phone_numbers.create_async(
            phone_number_sid=number_sid
        )
        assert (sender.sid, sender.phone_number, sender.country_code) == (number_sid, phone, "US")
        senders = await twilio.messaging.v1.services(service.sid).phone_numbers.list_async()
        assert [sender.sid for sender in senders] == [number_sid]
        service = await twilio.messaging.v1.services(service.sid).fetch_async()
        assert service.us_app_to_person_registered is True

    async def test_onboard_helper_registers_a_service_with_numbers(self, twilio: Client) -> None:
        registered = await onboard(twilio, numbers=2)
        assert len(set(registered.phone_numbers)) == 2
        assert await campaign_status(twilio, registered.service_sid) == "VERIFIED"


async def _bundle_reviewed(twilio: Client, profile_sid: str) -> CustomerProfilesInstance | None:
    profile = await twilio.trusthub.v1.customer_profiles(profile_sid).fetch_async()
    return profile if profile.status in ("twilio-approved", "twilio-rejected") else None


async def _settled_brand(twilio: Client, brand_sid: str) -> str | None:
    status = await brand_status(twilio, brand_sid)
    return status if status != "PENDING" else None


async def _is(reading: Awaitable[str | None], wanted: str) -> bool:
    return (await reading) == wanted


class TestEvaluations:
    async def test_an_empty_profile_lists_every_missing_requirement(self, twilio: Client) -> None:
        trusthub = twilio.trusthub.v1
        profile = await trusthub.customer_profiles.create_async(
            friendly_name="Empty", email="isv@example.com", policy_sid=CUSTOMER_PROFILE_POLICY
        )
        evaluation = await trusthub.customer_profiles(
            profile.sid
        ).customer_profiles_evaluations.create_async(policy_sid=CUSTOMER_PROFILE_POLICY)
        assert sid("EL").match(evaluation.sid)
        assert evaluation.status == "noncompliant"
        codes = {result["requirement_name"]: result["error_code"] for result in evaluation.results}
        assert codes == {
            "business_info": 22214,
            "authorized_representative_1": 22214,
            "customer_profile_address": 22216,
            "primary_customer_profile": 22216,
        }
        listed = await trusthub.customer_profiles(
            profile.sid
        ).customer_profiles_evaluations.list_async()
        assert [item.sid for item in listed] == [evaluation.sid]

    async def test_missing_fields_and_unknown_addresses_are_named(self, twilio: Client) -> None:
        trusthub = twilio.trusthub.v1
        profile = await trusthub.customer_profiles.create_async(
            friendly_name="Partial", email="isv@example.com", policy_sid=CUSTOMER_PROFILE_POLICY
        )
        assignments = trusthub.customer_profiles(profile.sid).customer_profiles_entity_assignments
        business = await trusthub.end_users.create_async(
            friendly_name="no website",
            type="customer_profile_business_information",
            attributes={"business_name": "Springfield"},
        )
        document = await trusthub.supporting_documents.create_async(
            friendly_name="bad address",
            type="customer_profile_address",
            attributes={"address_sids": "AD" + "0" * 32},
        )
        assert document.status == "DRAFT"
        for object_sid in (business.sid, document.sid):
            assignment = await assignments.create_async(object_sid=object_sid)
            assert sid("BV").match(assignment.sid)
        evaluation = await trusthub.customer_profiles(
            profile.sid
        ).customer_profiles_evaluations.create_async(policy_sid=CUSTOMER_PROFILE_POLICY)
        results = {result["requirement_name"]: result for result in evaluation.results}
        business_result = results["business_info"]
        assert business_result["passed"] is False
        assert business_result["error_code"] == 22215
        assert "website_url" in {item["object_field"] for item in business_result["invalid"]}
        assert results["customer_profile_address"]["error_code"] == 22219

    async def test_a_noncompliant_profile_is_rejected_after_review(
        self, twilio: Client, hooks: WebhookServer
    ) -> None:
        trusthub = twilio.trusthub.v1
        profile = await trusthub.customer_profiles.create_async(
            friendly_name="Empty",
            email="isv@example.com",
            policy_sid=CUSTOMER_PROFILE_POLICY,
            status_callback=hooks.url("/cp"),
        )
        submitted = await trusthub.customer_profiles(profile.sid).update_async(
            status="pending-review"
        )
        assert submitted.status in ("pending-review", "in-review")
        rejected = await eventually(lambda: _bundle_reviewed(twilio, profile.sid))
        assert rejected.status == "twilio-rejected"
        assert {error["code"] for error in rejected.errors} == {22214, 22216}
        assert hooks.at("/cp")[-1].params["Status"] == "twilio-rejected"

    async def test_a_scripted_rejection_and_a_resubmission(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        await admin.post("/customer-profiles/outcomes", json={"outcome": "failed"})
        profile_sid = await customer_profile(twilio, PRIMARY)
        rejected = await eventually(lambda: _bundle_reviewed(twilio, profile_sid))
        assert rejected.status == "twilio-rejected"
        await twilio.trusthub.v1.customer_profiles(profile_sid).update_async(
            status="pending-review"
        )
        approved = await eventually(lambda: _bundle_reviewed(twilio, profile_sid))
        assert approved.status == "twilio-approved"


class TestBrands:
    async def test_a_failed_brand_is_resubmitted_and_approved(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        failure = {
            "outcome": "failed",
            "errors": [{"code": 30794, "description": "EIN does not match", "fields": ["ein"]}],
        }
        (await admin.post("/brands/outcomes", json=failure)).raise_for_status()
        profile_sid = await customer_profile(twilio, PRIMARY)
        product_sid = await trust_product(twilio, profile_sid)
        brands = twilio.messaging.v1.brand_registrations
        brand = await brands.create_async(
            customer_profile_bundle_sid=profile_sid,
            a2p_profile_bundle_sid=product_sid,
            skip_automatic_sec_vet=True,
        )
        assert brand.skip_automatic_sec_vet is True
        assert await eventually(lambda: _settled_brand(twilio, brand.sid)) == "FAILED"
        failed = await brands(brand.sid).fetch_async()
        assert failed.errors == [
            {
                "url": "https://www.twilio.com/docs/api/errors/30794",
                "error_code": 30794,
                "description": "EIN does not match",
                "fields": ["ein"],
            }
        ]
        assert failed.failure_reason == "EIN does not match"

        response = await brands(brand.sid).update_with_http_info_async()
        assert response.status_code == 202
        assert response.data.status == "PENDING"
        assert await eventually(lambda: _settled_brand(twilio, brand.sid)) == "APPROVED"
        approved = await brands(brand.sid).fetch_async()
        assert (approved.errors, approved.failure_reason, approved.brand_score) == ([], None, 0)

    async def test_only_a_failed_brand_can_be_resubmitted(self, twilio: Client) -> None:
        _, _, brand_sid = await approved_brand(twilio, PRIMARY)
        with pytest.raises(TwilioRestException) as refused:
            await twilio.messaging.v1.brand_registrations(brand_sid).update_async()
        assert (refused.value.status, refused.value.code) == (400, 20001)

    async def test_outcomes_are_taken_in_order_then_the_default(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        await admin.put("/brands/behaviour", json={"outcome": "failed"})
        await admin.post("/brands/outcomes", json=[{"outcome": "approved"}, {"outcome": "pending"}])
        profile_sid = await customer_profile(twilio, PRIMARY)
        product_sid = await trust_product(twilio, profile_sid)
        statuses = []
        for _ in range(3):
            brand = await twilio.messaging.v1.brand_registrations.create_async(
                customer_profile_bundle_sid=profile_sid, a2p_profile_bundle_sid=product_sid
            )
            statuses.append(brand.sid)
        assert await eventually(lambda: _settled_brand(twilio, statuses[0])) == "APPROVED"
        assert await eventually(lambda: _settled_brand(twilio, statuses[2])) == "FAILED"
        assert await brand_status(twilio, statuses[1]) == "PENDING"
        behaviour = (await admin.get("/brands/behaviour")).json()
        assert behaviour["queued"] == []
        assert behaviour["default"]["outcome"] == "failed"

    async def test_a_brand_needs_existing_bundles(self, twilio: Client) -> None:
        with pytest.raises(TwilioRestException) as refused:
            await twilio.messaging.v1.brand_registrations.create_async(
                customer_profile_bundle_sid="BU" + "0" * 32, a2p_profile_bundle_sid=PRIMARY
            )
        assert (refused.value.status, refused.value.code) == (400, 20001)


class TestCampaigns:
    async def test_a_failed_campaign_carries_its_errors(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        _, _, brand_sid = await approved_brand(twilio, PRIMARY)
        await admin.post("/campaigns/outcomes", json={"outcome": "failed"})
        service = await twilio.messaging.v1.services.create_async(friendly_name="Failing")
        compliance = twilio.messaging.v1.services(service.sid).us_app_to_person
        await compliance.create_async(brand_registration_sid=brand_sid, **CAMPAIGN)
        await eventually(lambda: _is(campaign_status(twilio, service.sid), "FAILED"))
        failed = (
            await twilio.messaging.v1.services(service.sid)
            .us_app_to_person(CAMPAIGN_SID)
            .fetch_async()
        )
        assert failed.errors[0]["error_code"] == 30897
        assert failed.errors[0]["fields"] == ["MESSAGE_FLOW"]
        assert failed.errors[0]["url"] == "https://www.twilio.com/docs/api/errors/30897"

        await (
            twilio.messaging.v1.services(service.sid)
            .us_app_to_person(CAMPAIGN_SID)
            .update_async(
                has_embedded_links=False,
                has_embedded_phone=False,
                message_samples=CAMPAIGN["message_samples"],
                message_flow=CAMPAIGN["message_flow"],
                description=CAMPAIGN["description"],
                age_gated=False,
                direct_lending=False,
            )
        )
        await eventually(lambda: _is(campaign_status(twilio, service.sid), "VERIFIED"))

    async def test_a_campaign_needs_an_approved_brand(
        self, twilio: Client, admin: httpx.AsyncClient
    ) -> None:
        await admin.put("/brands/behaviour", json={"outcome": "pending"})
        profile_sid = await customer_profile(twilio, PRIMARY)
        product_sid = await trust_product(twilio, profile_sid)
        brand = await twilio.messaging.v1.brand_registrations.create_async(
            customer_profile_bundle_sid=profile_sid, a2p_profile_bundle_sid=product_sid
        )
        service = await twilio.messaging.v1.services.create_async(friendly_name="Too early")
        with pytest.raises(TwilioRestException) as refused:
            await twilio.messaging.v1.services(service.sid).us_app_to_person.create_async(
                brand_registration_sid=brand.sid, **CAMPAIGN
            )
        assert (refused.value.status, refused.value.code) == (400, 20001)
        assert "APPROVED" in refused.value.msg

    async def test_one_campaign_per_service_and_policy_urls_only_in_v1_2(
        self, twilio: Client
    ) -> None:
        _, _, brand_sid = await approved_brand(twilio, PRIMARY)
        service = await twilio.messaging.v1.services.create_async(friendly_name="Once")
        compliance = twilio.messaging.v1.services(service.sid).us_app_to_person
        created = await compliance.create_async(
            brand_registration_sid=brand_sid,
            x_twilio_api_version="v1.2",
            privacy_policy_url="https://springfield.example.gov/privacy",
            terms_and_conditions_url="https://springfield.example.gov/terms",
            **CAMPAIGN,
        )
        assert created.privacy_policy_url == "https://springfield.example.gov/privacy"
        plain = (
            await twilio.messaging.v1.services(service.sid)
            .us_app_to_person(CAMPAIGN_SID)
            .fetch_async()
        )
        assert plain.privacy_policy_url is None
        with pytest.raises(TwilioRestException) as refused:
            await compliance.create_async(brand_registration_sid=brand_sid, **CAMPAIGN)
        assert refused.value.status == 400
        assert (
            await twilio.messaging.v1.services(service.sid)
            .us_app_to_person(CAMPAIGN_SID)
            .delete_async()
        )
        assert await compliance.list_async() == []

    async def test_short_descriptions_are_refused(self, twilio: Client) -> None:
        _, _, brand_sid = await approved_brand(twilio, PRIMARY)
        service = await twilio.messaging.v1.services.create_async(friendly_name="Short")
        with pytest.raises(TwilioRestException) as refused:
            await twilio.messaging.v1.services(service.sid).us_app_to_person.create_async(
                brand_registration_sid=brand_sid, **{**CAMPAIGN, "description": "Too short."}
            )
        assert "Description" in refused.value.msg


class TestNumbers:
    async def test_a_number_belongs_to_one_service(self, twilio: Client) -> None:
        number_sid, _ = await buy_number(twilio)
        first = await twilio.messaging.v1.services.create_async(friendly_name="First")
        second = await twilio.messaging.v1.services.create_async(friendly_name="Second")
        await twilio.messaging.v1.services(first.sid).phone_numbers.create_async(
            phone_number_sid=number_sid
        )
        for service in (first, second):
            with pytest.raises(TwilioRestException) as refused:
                await twilio.messaging.v1.services(service.sid).phone_numbers.create_async(
                    phone_number_sid=number_sid
                )
            assert refused.value.code == 21710
        assert (
            await twilio.messaging.v1.services(first.sid).phone_numbers(number_sid).delete_async()
        )
        await twilio.messaging.v1.services(second.sid).phone_numbers.create_async(
            phone_number_sid=number_sid
        )

    async def test_buy_by_number_and_filter_the_list(self, twilio: Client) -> None:
        bought = await twilio.incoming_phone_numbers.create_async(
            phone_number="+12175550199", sms_url="https://example.com/sms"
        )
        assert sid("PN").match(bought.sid)
        assert bought.sms_url == "https://example.com/sms"
        await buy_number(twilio)
        found = await twilio.incoming_phone_numbers.list_async(phone_number="+12175550199")
        assert [number.sid for number in found] == [bought.sid]
        updated = await twilio.incoming_phone_numbers(bought.sid).update_async(
            sms_url="https://example.com/other", sms_method="GET"
        )
        assert (updated.sms_url, updated.sms_method) == ("https://example.com/other", "GET")
        with pytest.raises(TwilioRestException) as refused:
            await twilio.incoming_phone_numbers.create_async(phone_number="+12175550199")
        assert refused.value.status == 400


class TestLists:
    async def test_v1_lists_page_through_canonical_urls(
        self, twilio: Client, emulator: RunningEmulator
    ) -> None:
        for index in range(5):
            await twilio.messaging.v1.services.create_async(friendly_name=f"Service {index}")
        page = await twilio.messaging.v1.services.page_async(page_size=2)
        assert page.next_page_url.startswith("https://messaging.twilio.com/v1/Services?")
        everything = await twilio.messaging.v1.services.list_async(page_size=2)
        assert [service.friendly_name for service in everything] == [
            f"Service {index}" for index in range(5)
        ]
        credentials = (
            emulator.settings.account_sid,
            emulator.settings.auth_token.get_secret_value(),
        )
        async with httpx.AsyncClient(auth=credentials) as http:
            response = await http.get(f"{emulator.url}/messaging/v1/Services?PageSize=2&Page=2")
        raw = response.json()
        assert raw["meta"]["next_page_url"] is None
        assert raw["meta"]["key"] == "services"
        assert len(raw["services"]) == 1
