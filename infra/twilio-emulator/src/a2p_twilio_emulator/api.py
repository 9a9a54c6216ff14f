"""The 2010 API, served under `/api`: Addresses, IncomingPhoneNumbers (buying a number) and
Messages (sending; the emulator's own message log)."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from a2p_twilio_emulator.auth import require_account
from a2p_twilio_emulator.carrier import OutboundRequest, accept_outbound, progress_outbound
from a2p_twilio_emulator.clock import now
from a2p_twilio_emulator.errors import TwilioError, invalid_parameter
from a2p_twilio_emulator.forms import Form
from a2p_twilio_emulator.messages import Message
from a2p_twilio_emulator.numbers import E164, US_AREA_CODE, Address, PhoneNumber, available_number
from a2p_twilio_emulator.pages import v2010_page
from a2p_twilio_emulator.sids import new_sid
from a2p_twilio_emulator.state import EmulatorState, current_state, find

router = APIRouter(
    prefix="/api/2010-04-01/Accounts/{AccountSid}", dependencies=[Depends(require_account)]
)
State = Annotated[EmulatorState, Depends(current_state)]

# --- addresses --------------------------------------------------------------------------------


@router.post("/Addresses.json", status_code=201)
async def create_address(request: Request, state: State) -> dict[str, Any]:
    form = await Form.read(request)
    address = Address(
        sid=new_sid("AD"),
        account_sid=state.account_sid,
        customer_name=form.require("CustomerName"),
        street=form.require("Street"),
        city=form.require("City"),
        region=form.require("Region"),
        postal_code=form.require("PostalCode"),
        iso_country=form.require("IsoCountry"),
        friendly_name=form.get("FriendlyName"),
        street_secondary=form.get("StreetSecondary"),
        emergency_enabled=bool(form.bool("EmergencyEnabled", False)),
    )
    state.addresses[address.sid] = address
    return address.to_json()


@router.get("/Addresses.json")
async def list_addresses(request: Request, state: State) -> dict[str, Any]:
    query = request.query_params
    found = [
        address.to_json()
        for address in state.addresses.values()
        if query.get("CustomerName", address.customer_name) == address.customer_name
        and query.get("FriendlyName", address.friendly_name) == address.friendly_name
        and query.get("IsoCountry", address.iso_country) == address.iso_country
    ]
    return v2010_page(request, "addresses", found)


@router.get("/Addresses/{Sid}.json")
async def fetch_address(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.addresses, Sid, request).to_json()


@router.post("/Addresses/{Sid}.json")
async def update_address(Sid: str, request: Request, state: State) -> dict[str, Any]:
    """Every field but `IsoCountry` can change, as on Twilio."""
    address = find(state.addresses, Sid, request)
    form = await Form.read(request)
    for attribute, name in (
        ("customer_name", "CustomerName"),
        ("street", "Street"),
        ("city", "City"),
        ("region", "Region"),
        ("postal_code", "PostalCode"),
        ("friendly_name", "FriendlyName"),
        ("street_secondary", "StreetSecondary"),
    ):
        if name in form:
            setattr(address, attribute, form.get(name))
    address.emergency_enabled = bool(form.bool("EmergencyEnabled", address.emergency_enabled))
    address.date_updated = now()
    return address.to_json()


# --- phone numbers ----------------------------------------------------------------------------


def _apply_number_form(number: PhoneNumber, form: Form) -> None:
    for attribute, name in (
        ("friendly_name", "FriendlyName"),
        ("sms_url", "SmsUrl"),
        ("sms_fallback_url", "SmsFallbackUrl"),
        ("status_callback", "StatusCallback"),
        ("address_sid", "AddressSid"),
        ("bundle_sid", "BundleSid"),
    ):
        if name in form:
            setattr(number, attribute, form.get(name) or None)
    for attribute, name in (
        ("sms_method", "SmsMethod"),
        ("sms_fallback_method", "SmsFallbackMethod"),
        ("status_callback_method", "StatusCallbackMethod"),
    ):
        method = (form.get(name) or getattr(number, attribute)).upper()
        if method not in ("GET", "POST"):
            raise invalid_parameter(name, method, "GET or POST")
        setattr(number, attribute, method)
    number.date_updated = now()


@router.post("/IncomingPhoneNumbers.json", status_code=201)
async def buy_number(request: Request, state: State) -> dict[str, Any]:
    """Buys `PhoneNumber`, or any free number in `AreaCode` (one of the two is required)."""
    form = await Form.read(request)
    taken = {number.phone_number for number in state.numbers.values()}
    wanted, area_code = form.get("PhoneNumber"), form.get("AreaCode")
    if wanted:
        if not E164.match(wanted):
            raise TwilioError(400, 21421, f"PhoneNumber is invalid: {wanted}")
        if wanted in taken:
            raise TwilioError(
                400, 21422, f"PhoneNumber {wanted} is not available: the account already owns it"
            )
    elif area_code:
        if not US_AREA_CODE.match(area_code):
            raise invalid_parameter("AreaCode", area_code, "a 3-digit US area code")
    else:
        raise TwilioError(400, 21421, "A PhoneNumber or an AreaCode is required.")
    phone_number = wanted or available_number(area_code, taken)
    number = PhoneNumber(
        sid=new_sid("PN"),
        account_sid=state.account_sid,
        phone_number=phone_number,
        friendly_name=phone_number,
    )
    _apply_number_form(number, form)
    state.numbers[number.sid] = number
    return number.to_json()


@router.get("/IncomingPhoneNumbers.json")
async def list_numbers(request: Request, state: State) -> dict[str, Any]:
    """`PhoneNumber` matches any part of the number, as Twilio's filter does."""
    query = request.query_params
    found = [
        number.to_json()
        for number in state.numbers.values()
        if query.get("PhoneNumber", "") in number.phone_number
        and query.get("FriendlyName", number.friendly_name) == number.friendly_name
    ]
    return v2010_page(request, "incoming_phone_numbers", found)


@router.get("/IncomingPhoneNumbers/{Sid}.json")
async def fetch_number(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.numbers, Sid, request).to_json()


@router.post("/IncomingPhoneNumbers/{Sid}.json")
async def update_number(Sid: str, request: Request, state: State) -> dict[str, Any]:
    number = find(state.numbers, Sid, request)
    _apply_number_form(number, await Form.read(request))
    return number.to_json()


# --- messages ---------------------------------------------------------------------------------


@router.post("/Messages.json", status_code=201)
async def send_message(request: Request, state: State) -> dict[str, Any]:
    form = await Form.read(request)
    if state.message_behaviour.call_latency_s:
        await asyncio.sleep(state.message_behaviour.call_latency_s)
    message = accept_outbound(
        state,
        OutboundRequest(
            to=form.get("To"),
            from_=form.get("From"),
            messaging_service_sid=form.get("MessagingServiceSid"),
            body=form.get("Body") or "",
            media_urls=form.list("MediaUrl"),
            status_callback=form.get("StatusCallback"),
        ),
    )
    state.spawn(progress_outbound(state, message))
    answer = message.to_json()  # as it was when accepted, even if the response is held
    behaviour = state.message_behaviour
    if behaviour.timeout_after_accept:
        await state.hang(behaviour.hang_s)
    return answer


@router.get("/Messages.json")
async def list_messages(request: Request, state: State) -> dict[str, Any]:
    """Newest first; `To`, `From`, `DateSent`, `DateSent<` and `DateSent>` filters."""
    query = request.query_params
    window = _date_sent_window(
        query.get("DateSent"), query.get("DateSent>"), query.get("DateSent<")
    )
    found = [
        message.to_json()
        for message in sorted(state.messages.values(), key=_sent_at, reverse=True)
        if query.get("To", message.to) == message.to
        and query.get("From", message.from_) == message.from_
        and window[0] <= _sent_at(message) < window[1]
    ]
    return v2010_page(request, "messages", found)


@router.get("/Messages/{Sid}.json")
async def fetch_message(Sid: str, request: Request, state: State) -> dict[str, Any]:
    return find(state.messages, Sid, request).to_json()


@router.delete("/Messages/{Sid}.json", status_code=204)
async def delete_message(Sid: str, request: Request, state: State) -> Response:
    find(state.messages, Sid, request)
    del state.messages[Sid]
    return Response(status_code=204)


def _sent_at(message: Message) -> datetime:
    return message.date_sent or message.date_created


def _date_sent_window(
    on: str | None, after: str | None, before: str | None
) -> tuple[datetime, datetime]:
    """`[start, end)`: a date covers its whole day (UTC); a date-time is an instant."""
    start = datetime.min.replace(tzinfo=UTC)
    end = datetime.max.replace(tzinfo=UTC)
    if on:
        start, end = (
            _bound(on, "DateSent", end_of_day=False),
            _bound(on, "DateSent", end_of_day=True),
        )
    if after:
        start = max(start, _bound(after, "DateSent>", end_of_day=False))
    if before:
        end = min(end, _bound(before, "DateSent<", end_of_day=True))
    return start, end


def _bound(raw: str, name: str, *, end_of_day: bool) -> datetime:
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day, time.min, tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_parameter(name, raw, "YYYY-MM-DD or an ISO 8601 date-time") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment + timedelta(microseconds=1) if end_of_day else moment
