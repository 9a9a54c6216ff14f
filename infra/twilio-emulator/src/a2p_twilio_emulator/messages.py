"""Messages (`SM…`) and what decides how an outbound one ends.

Outbound status: `queued` (sent with `From`) or `accepted` (with `MessagingServiceSid`), then
`queued` -> `sending` -> `sent` -> `delivered`, or `undelivered` / `failed` with an `error_code`.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from a2p_twilio_emulator.canonical import API_VERSION, account_uri
from a2p_twilio_emulator.clock import now, rfc2822

MAX_BODY_CHARS = 1600
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "received"})

ERROR_MESSAGES = {
    21610: "Attempt to send to unsubscribed recipient",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    30034: "US A2P 10DLC - Message from an Unregistered Number",
}

# GSM 03.38: one septet each, or two for the extension table.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def segments(body: str) -> int:
    """Carrier segments: GSM-7 160 / 153 per part, otherwise UCS-2 70 / 67 per part."""
    if all(char in GSM_BASIC or char in GSM_EXTENDED for char in body):
        units = sum(2 if char in GSM_EXTENDED else 1 for char in body)
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


Direction = Literal["inbound", "outbound-api", "outbound-reply"]


@dataclass
class Message:
    sid: str
    account_sid: str
    to: str
    body: str
    direction: Direction
    status: str
    from_: str | None = None
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    num_media: int = 0
    error_code: int | None = None
    date_sent: datetime | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        uri = account_uri(self.account_sid, f"Messages/{self.sid}")
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": ERROR_MESSAGES.get(self.error_code) if self.error_code else None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": str(self.num_media),
            # A service picks the sender after accepting: no segments are counted until then.
            "num_segments": str(segments(self.body)) if self.from_ else "0",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }

    def set_status(self, status: str, error_code: int | None = None) -> None:
        self.status = status
        self.error_code = error_code
        self.date_updated = now()
        if status == "sent":
            self.date_sent = self.date_updated


class MessageBehaviour(BaseModel):
    """How carriers treat the next outbound messages (admin `PUT /_emulator/messages/behaviour`)."""

    latency_s: float | None = Field(
        default=None, ge=0, description="Time between two status changes; the default when null"
    )
    call_latency_s: float = Field(
        default=0.0, ge=0, le=30, description="Time a create-message call takes to be answered"
    )
    fail_rate: float = Field(default=0.0, ge=0, le=1, description="Share of messages that fail")
    fail_code: int = Field(default=30003, description="ErrorCode of a failed message")
    fail_status: Literal["undelivered", "failed"] = "undelivered"
    fail_to: list[str] = Field(default_factory=list, description="Recipients that always fail")
    timeout_after_accept: bool = Field(
        default=False,
        description="Record and send the message, then hold the create response for hang_s",
    )
    hang_s: float = Field(default=30.0, ge=0)


def carrier_outcome(
    message: Message, behaviour: MessageBehaviour, registered: bool, rng: random.Random
) -> tuple[str, int | None]:
    """The final status of an outbound message and its error code.

    `registered`: the sender is a number of a messaging service with a VERIFIED campaign.
    """
    if not registered:
        return "undelivered", 30034
    if message.to in behaviour.fail_to or rng.random() < behaviour.fail_rate:
        return behaviour.fail_status, behaviour.fail_code
    return "delivered", None
