"""Outbound sends, their outcomes and delivery statuses, and inbound texts."""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from a2p_shared.events.envelope import EventPayload
from a2p_shared.events.registration import Category
from a2p_shared.events.values import USPhone, WebUrl


class Purpose(StrEnum):
    """Why a message is sent; replies the platform itself owes a person are not campaigns."""

    CAMPAIGN = "campaign"
    OPTOUT_CONFIRMATION = "optout_confirmation"
    OPTIN_CONFIRMATION = "optin_confirmation"
    HELP_REPLY = "help_reply"
    FIRST_CONTACT = "first_contact"


class BlockReason(StrEnum):
    NOT_REGISTERED = "not_registered"
    OPTED_OUT = "opted_out"
    NO_CONSENT = "no_consent"
    DAILY_CAP = "daily_cap"
    INVALID_RECIPIENT = "invalid_recipient"


class _AboutRecipient(EventPayload):
    message_id: str = Field(description="Our id for the message; the flow's correlation id")
    to: USPhone = Field(description="The person's number")

    @property
    def subject_phone(self) -> str:
        return self.to


class MessageRequestedV1(_AboutRecipient):
    """Sent by a platform (or our optout service) to ask for one SMS to one person."""

    event_type = "message.requested"

    idempotency_key: str = Field(min_length=1, max_length=255)
    body: str = Field(min_length=1, max_length=1600)
    category: Category
    purpose: Purpose = Purpose.CAMPAIGN
    from_number: USPhone | None = Field(
        default=None, description="A specific tenant number; otherwise the tenant's pool"
    )
    media_url: WebUrl | None = None


class MessageSentV1(_AboutRecipient):
    """Sent when Twilio accepted the message for delivery."""

    event_type = "message.sent"

    twilio_sid: str
    from_number: USPhone
    segments: int = Field(ge=1)
    encoding: Literal["GSM-7", "UCS-2"]


class MessageBlockedV1(_AboutRecipient):
    """Sent when we refused to send: not registered, opted out, no consent, or over the cap."""

    event_type = "message.blocked"

    reason: BlockReason
    detail: str


class MessageFailedV1(_AboutRecipient):
    """Sent when Twilio refused the message (with its error code)."""

    event_type = "message.failed"

    twilio_code: int | None
    detail: str
    from_number: USPhone | None = Field(default=None, description="The tenant number tried")


class MessageStatusV1(_AboutRecipient):
    """Sent for each delivery status Twilio reports through the status callback."""

    event_type = "message.status"

    twilio_sid: str
    status: str = Field(description="Twilio's status: queued, sent, delivered, undelivered…")
    error_code: int | None = None
    reported_at: AwareDatetime
    from_number: USPhone | None = Field(default=None, description="The tenant number it left")


class InboundMessageV1(EventPayload):
    """Sent when a person's text to a tenant number reached our webhook (before its 2xx)."""

    event_type = "inbound.message"

    message_sid: str
    from_number: USPhone = Field(description="The person's number")
    to_number: USPhone = Field(description="The tenant's number")
    body: str = Field(max_length=1600)
    num_media: int = Field(default=0, ge=0)
    media_urls: list[str] = Field(default_factory=list)
    messaging_service_sid: str | None = None
    received_at: AwareDatetime

    @property
    def subject_phone(self) -> str:
        return self.from_number
