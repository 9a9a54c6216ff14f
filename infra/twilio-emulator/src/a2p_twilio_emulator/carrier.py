"""What happens to a message once Twilio has it: outbound sends progress to their final status
with a signed status callback for each change; inbound messages apply opt-out keywords and are
posted, signed, to the number's (or its service's) webhook. TwiML `<Message>` replies are sent."""

import asyncio
import logging
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from a2p_twilio_emulator.canonical import API_VERSION
from a2p_twilio_emulator.clock import now
from a2p_twilio_emulator.errors import TwilioError
from a2p_twilio_emulator.messages import (
    MAX_BODY_CHARS,
    Message,
    carrier_outcome,
    segments,
)
from a2p_twilio_emulator.numbers import E164, PhoneNumber
from a2p_twilio_emulator.optout import KeywordType, keyword_type
from a2p_twilio_emulator.services import MessagingService
from a2p_twilio_emulator.sids import new_sid
from a2p_twilio_emulator.state import EmulatorState
from a2p_twilio_emulator.webhooks import Delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboundRequest:
    to: str | None
    from_: str | None
    messaging_service_sid: str | None
    body: str
    media_urls: list[str]
    status_callback: str | None


def accept_outbound(state: EmulatorState, request: OutboundRequest) -> Message:
    """Check a create-message request as Twilio does and record the message, or raise."""
    if not request.to:
        raise TwilioError(400, 21604, "A 'To' phone number is required.")
    if not E164.match(request.to):
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {request.to}")
    if not request.from_ and not request.messaging_service_sid:
        raise TwilioError(400, 21603, "A 'From' phone number is required.")
    if not request.body and not request.media_urls:
        raise TwilioError(400, 21602, "Message body is required.")
    if len(request.body) > MAX_BODY_CHARS:
        raise TwilioError(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    service = None
    if request.messaging_service_sid:
        service = state.services.get(request.messaging_service_sid)
        if service is None:
            raise TwilioError(
                400, 21701, f"The Messaging Service Sid {request.messaging_service_sid} is invalid."
            )
    sender = None
    if request.from_:
        sender = state.number_by_phone(request.from_)
        if sender is None:
            raise TwilioError(
                400,
                21606,
                f"The From phone number {request.from_} is not a valid, SMS-capable inbound "
                "phone number or short code for your account.",
            )
        if request.from_ == request.to:
            raise TwilioError(400, 21266, "'To' and 'From' number cannot be the same")
        if state.blocks.is_blocked(request.to, block_scopes(sender)):
            raise TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
    elif service is not None and not service.sender_sids:
        raise TwilioError(400, 21704, "The Messaging Service contains no phone numbers")

    message = Message(
        sid=new_sid("SM" if not request.media_urls else "MM"),
        account_sid=state.account_sid,
        to=request.to,
        body=request.body,
        direction="outbound-api",
        status="queued" if sender else "accepted",
        from_=sender.phone_number if sender else None,
        messaging_service_sid=service.sid if service else None,
        status_callback=request.status_callback or (service.status_callback if service else None),
        num_media=len(request.media_urls),
        date_sent=None,
    )
    state.messages[message.sid] = message
    return message


def block_scopes(number: PhoneNumber) -> list[str]:
    """An opt-out recorded for the number itself, or for its whole messaging service."""
    return [number.sid, number.service_sid] if number.service_sid else [number.sid]


def pick_sender(
    state: EmulatorState, service: MessagingService, recipient: str
) -> PhoneNumber | None:
    """The service's sender for this recipient: the same one every time while it stays."""
    if not service.sender_sids:
        return None
    key = (service.sid, recipient)
    sticky = state.sticky_senders.get(key)
    if sticky not in service.sender_sids:
        sticky = state.rng.choice(service.sender_sids)
        state.sticky_senders[key] = sticky
    return state.numbers[sticky]


async def progress_outbound(state: EmulatorState, message: Message) -> None:
    """(accepted ->) queued -> sending -> sent -> delivered | undelivered | failed."""
    latency = state.message_latency()
    if message.status == "accepted":
        service = state.services.get(message.messaging_service_sid or "")
        sender = pick_sender(state, service, message.to) if service else None
        if sender is None:
            await _change(state, message, "failed", 21704)
            return
        message.from_ = sender.phone_number
        if state.blocks.is_blocked(message.to, block_scopes(sender)):
            await _change(state, message, "failed", 21610)
            return
        await _change(state, message, "queued")
    sender = state.number_by_phone(message.from_ or "")
    service = state.service_of(sender) if sender else None
    registered = service is not None and service.campaign_verified
    final, error_code = carrier_outcome(message, state.message_behaviour, registered, state.rng)
    await asyncio.sleep(latency)
    await _change(state, message, "sending")
    if error_code != 30034:
        await asyncio.sleep(latency)
        await _change(state, message, "sent")
    await asyncio.sleep(latency)
    await _change(state, message, final, error_code)


async def _change(
    state: EmulatorState, message: Message, status: str, error_code: int | None = None
) -> None:
    message.set_status(status, error_code)
    if not message.status_callback:
        return
    params = {
        "MessageSid": message.sid,
        "MessageStatus": status,
        "SmsSid": message.sid,
        "SmsStatus": status,
        "AccountSid": message.account_sid,
        "From": message.from_ or "",
        "To": message.to,
        "ApiVersion": API_VERSION,
    }
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    if status in ("delivered", "undelivered"):
        params["RawDlrDoneDate"] = now().strftime("%y%m%d%H%M")
    await state.webhooks.send("status-callback", message.status_callback, params)


# --- inbound ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    message: Message
    keyword: KeywordType | None
    delivery: Delivery | None
    replies: list[Message]


async def receive(state: EmulatorState, sender: str, number: PhoneNumber, body: str) -> Inbound:
    """A text from `sender` to one of the account's numbers, as Twilio handles it."""
    service = state.service_of(number)
    message = Message(
        sid=new_sid("SM"),
        account_sid=state.account_sid,
        to=number.phone_number,
        from_=sender,
        body=body,
        direction="inbound",
        status="received",
        messaging_service_sid=service.sid if service else None,
        date_sent=now(),
    )
    state.messages[message.sid] = message
    keyword = keyword_type(body)
    # Twilio records the opt-out (or lifts it) first, then still forwards the message.
    if keyword == "STOP":
        state.blocks.block(sender, service.sid if service else number.sid, number.phone_number)
    elif keyword == "START":
        state.blocks.unblock(sender, block_scopes(number))
    delivery = await _deliver_inbound(state, message, number, service)
    replies = [
        _reply(state, message, text)
        for text in (_twiml_messages(delivery) if delivery is not None else [])
    ]
    return Inbound(message, keyword, delivery, replies)


async def _deliver_inbound(
    state: EmulatorState, message: Message, number: PhoneNumber, service: MessagingService | None
) -> Delivery | None:
    if service is not None and not service.use_inbound_webhook_on_number:
        hooks = [
            (service.inbound_request_url, service.inbound_method),
            (service.fallback_url, service.fallback_method),
        ]
    else:
        hooks = [
            (number.sms_url, number.sms_method),
            (number.sms_fallback_url, number.sms_fallback_method),
        ]
    params = {
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "SmsMessageSid": message.sid,
        "AccountSid": message.account_sid,
        "From": message.from_ or "",
        "To": message.to,
        "Body": message.body,
        "NumMedia": "0",
        "NumSegments": str(segments(message.body)),
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
    }
    if service is not None:
        params["MessagingServiceSid"] = service.sid
    delivery = None
    for url, method in hooks:  # the fallback URL only when the first one fails
        if not url:
            continue
        delivery = await state.webhooks.send("inbound", url, params, method)
        if delivery.status is not None and delivery.status < 400:
            break
    return delivery


def _twiml_messages(delivery: Delivery) -> list[str]:
    """The text of each `<Message>` in a TwiML answer (`<Message>text</Message>` or `<Body>`)."""
    if delivery.status is None or delivery.status >= 300 or "xml" not in delivery.content_type:
        return []
    try:
        # The TwiML comes from the account's own webhook server, as it does to Twilio.
        root = ElementTree.fromstring(delivery.response_body)  # noqa: S314
    except ElementTree.ParseError:
        log.info("webhook answered malformed TwiML: %r", delivery.response_body[:200])
        return []
    texts = []
    for element in root.iter("Message"):
        body = element.find("Body")
        text = body.text if body is not None else element.text
        if text and text.strip():
            texts.append(text.strip())
    return texts


def _reply(state: EmulatorState, inbound: Message, text: str) -> Message:
    number = state.number_by_phone(inbound.to)
    reply = Message(
        sid=new_sid("SM"),
        account_sid=state.account_sid,
        to=inbound.from_ or "",
        from_=inbound.to,
        body=text[:MAX_BODY_CHARS],
        direction="outbound-reply",
        status="queued",
        messaging_service_sid=inbound.messaging_service_sid,
    )
    state.messages[reply.sid] = reply
    if number is not None and state.blocks.is_blocked(reply.to, block_scopes(number)):
        reply.set_status("failed", 21610)
    else:
        state.spawn(progress_outbound(state, reply))
    return reply
