"""Messaging v1, served under `/messaging`: A2P brand registrations, messaging services, their
sender numbers and their A2P campaign (`Compliance/Usa2p`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response

from a2p_twilio_emulator import registrations
from a2p_twilio_emulator.approvals import review_brand, review_campaign
from a2p_twilio_emulator.auth import require_account
from a2p_twilio_emulator.clock import now
from a2p_twilio_emulator.errors import TwilioError, invalid_parameter
from a2p_twilio_emulator.forms import Form
from a2p_twilio_emulator.pages import v1_page
from a2p_twilio_emulator.registrations import CAMPAIGN_SID, Brand, Campaign, usecases_for
from a2p_twilio_emulator.services import MessagingService
from a2p_twilio_emulator.sids import new_sid
from a2p_twilio_emulator.state import EmulatorState, current_state, find, not_found_here

router = APIRouter(prefix="/messaging/v1", dependencies=[Depends(require_account)])
State = Annotated[EmulatorState, Depends(current_state)]
ApiVersion = Annotated[str | None, Header(alias="X-Twilio-Api-Version")]

BRAND_TYPES = ("STANDARD", "SOLE_PROPRIETOR")

# --- brand registrations ----------------------------------------------------------------------


@router.post("/a2p/BrandRegistrations", status_code=201)
async def create_brand(request: Request, state: State) -> dict[str, Any]:
    form = await Form.read(request)
    profile_sid = form.require("CustomerProfileBundleSid")
    trust_product_sid = form.require("A2PProfileBundleSid")
    for name, sid, kind in (
        ("CustomerProfileBundleSid", profile_sid, "customer_profile"),
        ("A2PProfileBundleSid", trust_product_sid, "trust_product"),
    ):
        bundle = state.bundles.get(sid)
        if bundle is None or bundle.kind != kind:
            raise invalid_parameter(name, sid, f"no such {kind.replace('_', ' ')}")
    brand_type = form.get("BrandType") or "STANDARD"
    if brand_type not in BRAND_TYPES:
        raise invalid_parameter("BrandType", brand_type, "STANDARD or SOLE_PROPRIETOR")
    brand = Brand(
        sid=new_sid("BN"),
        account_sid=state.account_sid,
        customer_profile_bundle_sid=profile_sid,
        a2p_profile_bundle_sid=trust_product_sid,
        brand_type=brand_type,
        mock=bool(form.bool("Mock", False)),
        skip_automatic_sec_vet=bool(form.bool("SkipAutomaticSecVet", False)),
    )
    state.brands[brand.sid] = brand
    state.spawn(review_brand(state, brand))
    return brand.to_json()


@router.get("/a2p/BrandRegistrations")
async def list_brands(request: Request, state: State) -> dict[str, Any]:
    return v1_page(request, "data", [brand.to_json() for brand in state.brands.values()])


@router.get("/a2p/BrandRegistrations/{Sid}")
async def fetch_brand(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.brands, Sid, request).to_json()


@router.post("/a2p/BrandRegistrations/{Sid}", status_code=202)
async def resubmit_brand(Sid: str, request: Request, state: State) -> dict[str, Any]:
    brand = find(state.brands, Sid, request)
    registrations.resubmit_brand(brand)
    state.spawn(review_brand(state, brand))
    return brand.to_json()


# --- messaging services -----------------------------------------------------------------------


def _apply_service_form(service: MessagingService, form: Form) -> None:
    friendly_name = form.get("FriendlyName")
    if friendly_name is not None:
        if not 1 <= len(friendly_name) <= 64:
            raise invalid_parameter("FriendlyName", friendly_name, "1 to 64 characters")
        service.friendly_name = friendly_name
    for attribute, name in (
        ("inbound_request_url", "InboundRequestUrl"),
        ("fallback_url", "FallbackUrl"),
        ("status_callback", "StatusCallback"),
        ("scan_message_content", "ScanMessageContent"),
        ("usecase", "Usecase"),
    ):
        if name in form:
            setattr(service, attribute, form.get(name) or None)
    for attribute, name in (
        ("inbound_method", "InboundMethod"),
        ("fallback_method", "FallbackMethod"),
    ):
        method = (form.get(name) or getattr(service, attribute)).upper()
        if method not in ("GET", "POST"):
            raise invalid_parameter(name, method, "GET or POST")
        setattr(service, attribute, method)
    for attribute, name in (
        ("sticky_sender", "StickySender"),
        ("mms_converter", "MmsConverter"),
        ("smart_encoding", "SmartEncoding"),
        ("fallback_to_long_code", "FallbackToLongCode"),
        ("area_code_geomatch", "AreaCodeGeomatch"),
        ("synchronous_validation", "SynchronousValidation"),
        ("use_inbound_webhook_on_number", "UseInboundWebhookOnNumber"),
    ):
        setattr(service, attribute, form.bool(name, getattr(service, attribute)))
    if "ValidityPeriod" in form:
        raw = form.get("ValidityPeriod") or ""
        if not raw.isdigit() or not 1 <= int(raw) <= 36000:
            raise invalid_parameter("ValidityPeriod", raw, "1 to 36000 seconds")
        service.validity_period = int(raw)
    service.date_updated = now()


@router.post("/Services", status_code=201)
async def create_service(request: Request, state: State) -> dict[str, Any]:
    form = await Form.read(request)
    service = MessagingService(
        sid=new_sid("MG"), account_sid=state.account_sid, friendly_name=form.require("FriendlyName")
    )
    _apply_service_form(service, form)
    state.services[service.sid] = service
    return service.to_json()


@router.get("/Services")
async def list_services(request: Request, state: State) -> dict[str, Any]:
    return v1_page(request, "services", [s.to_json() for s in state.services.values()])


@router.get("/Services/{Sid}")
async def fetch_service(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.services, Sid, request).to_json()


@router.post("/Services/{Sid}")
async def update_service(Sid: str, request: Request, state: State) -> dict[str, Any]:
    service = find(state.services, Sid, request)
    _apply_service_form(service, await Form.read(request))
    return service.to_json()


@router.delete("/Services/{Sid}", status_code=204)
async def delete_service(Sid: str, request: Request, state: State) -> Response:
    """Deleting a service releases its numbers and ends its campaign at once."""
    service = find(state.services, Sid, request)
    for sid in service.sender_sids:
        state.numbers[sid].service_sid = None
    del state.services[Sid]
    return Response(status_code=204)


# --- a service's sender numbers ---------------------------------------------------------------


@router.post("/Services/{ServiceSid}/PhoneNumbers", status_code=201)
async def add_sender(ServiceSid: str, request: Request, state: State) -> dict[str, Any]:
    service = find(state.services, ServiceSid, request)
    number_sid = (await Form.read(request)).require("PhoneNumberSid")
    number = state.numbers.get(number_sid)
    if number is None:
        raise invalid_parameter("PhoneNumberSid", number_sid, "not a phone number of this account")
    if number.service_sid == service.sid:
        raise TwilioError(
            409, 21710, "Phone Number or Short Code is already in the Messaging Service."
        )
    if number.service_sid is not None:
        raise TwilioError(
            409,
            21710,
            f"Phone Number {number.phone_number} is already in another Messaging Service "
            f"({number.service_sid}); a number belongs to at most one.",
        )
    number.service_sid = service.sid
    number.date_updated = now()
    service.sender_sids.append(number.sid)
    return number.sender_json()


@router.get("/Services/{ServiceSid}/PhoneNumbers")
async def list_senders(ServiceSid: str, request: Request, state: State) -> dict[str, Any]:
    service = find(state.services, ServiceSid, request)
    senders = [state.numbers[sid].sender_json() for sid in service.sender_sids]
    return v1_page(request, "phone_numbers", senders)


@router.get("/Services/{ServiceSid}/PhoneNumbers/{Sid}")
async def fetch_sender(ServiceSid: str, Sid: str, request: Request, state: State) -> dict[str, Any]:
    service = find(state.services, ServiceSid, request)
    if Sid not in service.sender_sids:
        raise not_found_here(request)
    return state.numbers[Sid].sender_json()


@router.delete("/Services/{ServiceSid}/PhoneNumbers/{Sid}", status_code=204)
async def remove_sender(ServiceSid: str, Sid: str, request: Request, state: State) -> Response:
    service = find(state.services, ServiceSid, request)
    if Sid not in service.sender_sids:
        raise not_found_here(request)
    service.sender_sids.remove(Sid)
    state.numbers[Sid].service_sid = None
    return Response(status_code=204)


# --- the service's A2P campaign ---------------------------------------------------------------


def _text(form: Form, name: str, low: int, high: int) -> str:
    value = form.require(name)
    if not low <= len(value) <= high:
        raise invalid_parameter(name, value, f"{low} to {high} characters")
    return value


def _samples(form: Form) -> list[str]:
    samples = form.list("MessageSamples")
    if not samples:
        raise invalid_parameter("MessageSamples", samples, "at least one sample is required")
    if len(samples) > 5 or any(not 20 <= len(sample) <= 1024 for sample in samples):
        raise invalid_parameter(
            "MessageSamples", samples, "1 to 5 samples of 20 to 1024 characters"
        )
    return samples


@router.post("/Services/{MessagingServiceSid}/Compliance/Usa2p", status_code=201)
async def create_campaign(
    MessagingServiceSid: str, request: Request, state: State, api_version: ApiVersion = None
) -> dict[str, Any]:
    service = find(state.services, MessagingServiceSid, request)
    form = await Form.read(request)
    brand_sid = form.require("BrandRegistrationSid")
    brand = state.brands.get(brand_sid)
    if brand is None:
        raise invalid_parameter("BrandRegistrationSid", brand_sid, "no such brand registration")
    if brand.status != "APPROVED":
        raise TwilioError(
            400,
            20001,
            f"Brand Registration {brand.sid} is {brand.status}: a campaign can only be "
            "registered for an APPROVED brand.",
        )
    if service.campaign is not None:
        raise TwilioError(
            400,
            20001,
            f"Messaging Service {service.sid} already has an A2P campaign ({CAMPAIGN_SID}); "
            "a service has at most one.",
        )
    usecase = form.require("UsAppToPersonUsecase")
    if usecase not in {item["code"] for item in usecases_for(brand)}:
        raise invalid_parameter("UsAppToPersonUsecase", usecase, "not a use case of this brand")
    campaign = Campaign(
        messaging_service_sid=service.sid,
        account_sid=state.account_sid,
        brand_registration_sid=brand.sid,
        description=_text(form, "Description", 40, 4096),
        message_flow=_text(form, "MessageFlow", 40, 2048),
        message_samples=_samples(form),
        us_app_to_person_usecase=usecase,
        has_embedded_links=form.require_bool("HasEmbeddedLinks"),
        has_embedded_phone=form.require_bool("HasEmbeddedPhone"),
        opt_in_message=form.get("OptInMessage"),
        opt_out_message=form.get("OptOutMessage"),
        help_message=form.get("HelpMessage"),
        opt_in_keywords=form.list("OptInKeywords") or None,
        opt_out_keywords=form.list("OptOutKeywords") or None,
        help_keywords=form.list("HelpKeywords") or None,
        subscriber_opt_in=bool(form.bool("SubscriberOptIn", False)),
        age_gated=bool(form.bool("AgeGated", False)),
        direct_lending=bool(form.bool("DirectLending", False)),
        privacy_policy_url=form.get("PrivacyPolicyUrl"),
        terms_and_conditions_url=form.get("TermsAndConditionsUrl"),
        mock=brand.mock,
    )
    service.campaign = campaign
    state.spawn(review_campaign(state, service))
    return campaign.to_json(api_version)


@router.get("/Services/{MessagingServiceSid}/Compliance/Usa2p")
async def list_campaigns(
    MessagingServiceSid: str, request: Request, state: State, api_version: ApiVersion = None
) -> dict[str, Any]:
    service = find(state.services, MessagingServiceSid, request)
    found = [service.campaign.to_json(api_version)] if service.campaign else []
    return v1_page(request, "compliance", found)


@router.get("/Services/{MessagingServiceSid}/Compliance/Usa2p/Usecases")
async def list_usecases(MessagingServiceSid: str, request: Request, state: State) -> dict[str, Any]:
    find(state.services, MessagingServiceSid, request)
    brand_sid = request.query_params.get("BrandRegistrationSid")
    brand = state.brands.get(brand_sid) if brand_sid else None
    if brand_sid and brand is None:
        raise invalid_parameter("BrandRegistrationSid", brand_sid, "no such brand registration")
    usecases = usecases_for(brand) if brand else registrations.USECASES
    return {"us_app_to_person_usecases": usecases}


def _campaign(state: EmulatorState, service_sid: str, sid: str, request: Request) -> Campaign:
    service = find(state.services, service_sid, request)
    if sid != CAMPAIGN_SID or service.campaign is None:
        raise not_found_here(request)
    return service.campaign


@router.get("/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}")
async def fetch_campaign(
    MessagingServiceSid: str,
    Sid: str,
    request: Request,
    state: State,
    api_version: ApiVersion = None,
) -> dict[str, Any]:
    return _campaign(state, MessagingServiceSid, Sid, request).to_json(api_version)


@router.post("/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}")
async def update_campaign(
    MessagingServiceSid: str,
    Sid: str,
    request: Request,
    state: State,
    api_version: ApiVersion = None,
) -> dict[str, Any]:
    """Edits a campaign; a FAILED one goes back to review (the next scripted outcome)."""
    campaign = _campaign(state, MessagingServiceSid, Sid, request)
    form = await Form.read(request)
    campaign.has_embedded_links = form.require_bool("HasEmbeddedLinks")
    campaign.has_embedded_phone = form.require_bool("HasEmbeddedPhone")
    campaign.message_samples = _samples(form)
    campaign.message_flow = _text(form, "MessageFlow", 40, 2048)
    campaign.description = _text(form, "Description", 40, 4096)
    campaign.age_gated = form.require_bool("AgeGated")
    campaign.direct_lending = form.require_bool("DirectLending")
    campaign.privacy_policy_url = form.get("PrivacyPolicyUrl", campaign.privacy_policy_url)
    campaign.terms_and_conditions_url = form.get(
        "TermsAndConditionsUrl", campaign.terms_and_conditions_url
    )
    campaign.date_updated = now()
    if registrations.resubmit_campaign(campaign):
        state.spawn(review_campaign(state, state.services[MessagingServiceSid]))
    return campaign.to_json(api_version)


@router.delete("/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}", status_code=204)
async def delete_campaign(
    MessagingServiceSid: str, Sid: str, request: Request, state: State
) -> Response:
    """Stops A2P messaging from the service at once."""
    _campaign(state, MessagingServiceSid, Sid, request)
    state.services[MessagingServiceSid].campaign = None
    return Response(status_code=204)
