"""Pure rules of the Twilio edge: what a webhook form means, which event it becomes, and the
ids and URLs that make a redelivered webhook the very same event."""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from a2p_shared.events import InboundMessageV1, MessageStatusV1, NumberRegisteredV1
from a2p_shared.events.registration import Tier
from a2p_shared.events.values import USPhone

# Fixed forever: event ids derived from it must not change between releases.
_EVENT_IDS = uuid.UUID("0c7d8a53-5a43-4b0e-9d7e-3e8f5d1b2a61")
_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
_MEDIA_URL = re.compile(r"^MediaUrl([0-9]{1,4})$")
# ASCII digits only, and few: "²".isdigit() is true but int("²") fails, and int() refuses
# more than 4300 digits.
_NUMBER = re.compile(r"[0-9]{1,9}")
_US_PHONE: TypeAdapter[str] = TypeAdapter(USPhone)
_MAX_BODY = 1600


class InvalidForm(ValueError):
    """A webhook form Twilio would not send: `field` is the form field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TenantNumber:
    """One of a tenant's numbers, live on its verified campaign (the `numbers` projection)."""

    phone: str
    tenant_id: str
    registration_id: str
    messaging_service_sid: str
    campaign_sid: str
    tier: Tier
    phone_number_sid: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A status callback's facts; the event also needs our message id, looked up by the SID."""

    message_sid: str
    status: str
    to: str
    from_number: str
    error_code: int | None


def tenant_number(tenant_id: str, registered: NumberRegisteredV1) -> TenantNumber:
    return TenantNumber(
        phone=registered.phone,
        tenant_id=tenant_id,
        registration_id=registered.registration_id,
        messaging_service_sid=registered.messaging_service_sid,
        campaign_sid=registered.campaign_sid,
        tier=registered.tier,
        phone_number_sid=registered.phone_number_sid,
    )


def inbound_message(form: Mapping[str, str], received_at: datetime) -> InboundMessageV1:
    """The inbound webhook's form as the event; `InvalidForm` names the first bad field."""
    sid = _sid(form, "MessageSid")
    from_number = _phone(form, "From")
    to_number = _phone(form, "To")
    body = form.get("Body", "")
    if len(body) > _MAX_BODY:
        raise InvalidForm("Body", f"longer than {_MAX_BODY} characters")
    media_urls = _media_urls(form)
    num_media = _count(form, "NumMedia", default=len(media_urls))
    service_sid = form.get("MessagingServiceSid") or None
    return InboundMessageV1(
        message_sid=sid,
        from_number=from_number,
        to_number=to_number,
        body=body,
        num_media=num_media,
        media_urls=media_urls,
        messaging_service_sid=service_sid,
        received_at=received_at,
    )


def status_report(form: Mapping[str, str]) -> StatusReport:
    """The status callback's form; `InvalidForm` names the first bad field."""
    sid = _sid(form, "MessageSid")
    status = form.get("MessageStatus", "")
    if not re.fullmatch(r"[a-z_-]{1,32}", status):
        raise InvalidForm("MessageStatus", "missing, or not a Twilio message status")
    from_number = _phone(form, "From")
    to = _phone(form, "To")
    error_code = form.get("ErrorCode") or None
    if error_code is not None and not _NUMBER.fullmatch(error_code):
        raise InvalidForm("ErrorCode", "not a Twilio error code")
    return StatusReport(
        message_sid=sid,
        status=status,
        to=to,
        from_number=from_number,
        error_code=int(error_code) if error_code is not None else None,
    )


def message_status(report: StatusReport, message_id: str, reported_at: datetime) -> MessageStatusV1:
    return MessageStatusV1(
        message_id=message_id,
        to=report.to,
        from_number=report.from_number,
        twilio_sid=report.message_sid,
        status=report.status,
        error_code=report.error_code,
        reported_at=reported_at,
    )


def inbound_event_id(message_sid: str) -> uuid.UUID:
    """Twilio's MessageSid decides the id: every delivery of one text is the same event."""
    return uuid.uuid5(_EVENT_IDS, message_sid)


def status_key(message_sid: str, status: str) -> str:
    return f"{message_sid}:{status}"


def status_event_id(message_sid: str, status: str) -> uuid.UUID:
    """One event per message and status, however often Twilio reports it."""
    return uuid.uuid5(_EVENT_IDS, status_key(message_sid, status))


def signed_url(public_url: str, path: str, query: str = "") -> str:
    """The URL Twilio signed: the public base it was configured with, never the one this
    process sees behind a proxy, plus the request's path and query."""
    return public_url.rstrip("/") + path + (f"?{query}" if query else "")


def masked(phone: str) -> str:
    """`+12175550142` -> `+1217***0142`: enough to tell numbers apart in a log, no more."""
    if len(phone) < 9:
        return "***"
    return f"{phone[:5]}***{phone[-4:]}"


def _sid(form: Mapping[str, str], field: str) -> str:
    value = form.get(field, "")
    if not value:
        raise InvalidForm(field, "missing")
    if not _SID.fullmatch(value):
        raise InvalidForm(field, "not a Twilio SID")
    return value


def _phone(form: Mapping[str, str], field: str) -> str:
    value = form.get(field, "")
    if not value:
        raise InvalidForm(field, "missing")
    try:
        return _US_PHONE.validate_python(value)
    except ValidationError as error:
        raise InvalidForm(field, error.errors()[0]["msg"].removeprefix("Value error, ")) from None


def _count(form: Mapping[str, str], field: str, default: int) -> int:
    value = form.get(field, "")
    if not value:
        return default
    if not _NUMBER.fullmatch(value):
        raise InvalidForm(field, "not a count")
    return int(value)


def _media_urls(form: Mapping[str, str]) -> list[str]:
    indexed = sorted(
        (int(match[1]), url) for name, url in form.items() if (match := _MEDIA_URL.match(name))
    )
    return [url for _, url in indexed]


# --- the send pipeline's record of each request ----------------------------------------------

SendState = Literal["sending", "sent", "failed", "blocked"]


@dataclass(slots=True)
class SendRecord:
    """One request (tenant and idempotency key) in the `messages` collection."""

    tenant_id: str
    idempotency_key: str
    message_id: str
    to: str
    state: SendState
    from_number: str | None = None
    segments: int = 0
    cap_day: str | None = None
    started_at: datetime | None = None
    attempt_until: datetime | None = None
    """While set and not past, one attempt (this process's or another's) may be calling Twilio:
    nobody else calls it for this request until then."""
    twilio_sid: str | None = None
    outcome: dict[str, Any] | None = None
    """The outcome event as published; a redelivered request republishes it unchanged."""
    status: str | None = None
    status_at: datetime | None = None
    trace: dict[str, str] | None = None
    """The send's trace context: Twilio's status callbacks, later, link to it."""


def outcome_event_id(tenant_id: str, idempotency_key: str) -> uuid.UUID:
    """One outcome per request: its id depends only on the request."""
    return uuid.uuid5(_EVENT_IDS, f"outcome:{tenant_id}:{idempotency_key}")
