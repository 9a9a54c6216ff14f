"""What the webhook and projection use cases need from the outside world."""

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from a2p_messaging.domain import SendRecord, TenantNumber
from a2p_messaging.sending import ConsentView, TenantRules
from a2p_shared.events import Envelope


class NumberDirectory(Protocol):
    """The `numbers` projection: which tenant each registered number belongs to."""

    async def save(self, number: TenantNumber) -> None:
        """Insert or replace the number's entry; saving the same entry again changes nothing."""
        ...

    async def get(self, phone: str) -> TenantNumber | None: ...


class WebhookLedger(Protocol):
    """The webhooks whose event Kafka has acknowledged: a redelivery finds its entry here."""

    async def inbound_recorded(self, message_sid: str) -> bool: ...

    async def record_inbound(
        self, message_sid: str, tenant_id: str, event_id: UUID, at: datetime, sender: str = ""
    ) -> None:
        """Also remembers that `sender` texted the tenant (a conversation they started)."""
        ...

    async def status_recorded(self, key: str) -> bool: ...

    async def record_status(self, key: str, tenant_id: str, event_id: UUID, at: datetime) -> None:
        """`key` is `domain.status_key(sid, status)`: one entry per message and status."""
        ...


class MessageIds(Protocol):
    async def message_id_for(self, twilio_sid: str) -> str | None:
        """Our id of the message Twilio knows as `twilio_sid`, if we sent it."""
        ...

    async def update_status(self, twilio_sid: str, status: str, at: datetime) -> None:
        """The delivery status Twilio last reported, on the message we sent."""
        ...

    async def send_context(self, twilio_sid: str) -> dict[str, str] | None:
        """The trace context the message was sent in, if we sent it."""
        ...


class EventPublisher(Protocol):
    async def publish(self, event: Envelope[Any]) -> None:
        """Returns once Kafka has acknowledged the event (acks=all)."""
        ...


# --- the send pipeline -----------------------------------------------------------------------


class SendRefused(Exception):
    """Twilio refused the message (4xx) with one of its error codes: it was not sent."""

    def __init__(self, code: int | None, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class TwilioUnavailable(Exception):
    """No answer from Twilio (timeout, 5xx, connection): the message may or may not exist."""


class Sender(Protocol):
    async def send(self, *, to: str, from_: str, body: str, media_url: str | None) -> str: ...

    async def find(self, *, to: str, from_: str, body: str, since: datetime) -> str | None: ...


class ConsentLookup(Protocol):
    def get(self, tenant_id: str, phone: str) -> ConsentView | None: ...

    async def caught_up(self, timeout_s: float) -> None: ...


class SendLedger(Protocol):
    """`messages`: one document per tenant and idempotency key, `sending` before Twilio is
    called and `sent` / `failed` / `blocked` after, with the outcome event."""

    async def get_record(self, tenant_id: str, idempotency_key: str) -> SendRecord | None: ...

    async def begin(self, record: SendRecord) -> bool:
        """Insert the record as `sending` (or `blocked`); False if one exists already."""
        ...

    async def finish(self, record: SendRecord) -> None: ...

    async def claim(self, record: SendRecord, now: datetime, until: datetime) -> bool:
        """The right to call Twilio for a `sending` record until `until`, if no other attempt
        holds it past `now` (one conditional write); False when another does."""
        ...

    async def release_claim(self, record: SendRecord) -> None:
        """The attempt ended without Twilio having the text: the next delivery may send."""
        ...

    async def tenant_known(self, tenant_id: str) -> bool: ...

    async def pool(self, tenant_id: str) -> list[TenantNumber]: ...

    async def rules(self, tenant_id: str) -> TenantRules: ...

    async def save_rules(self, tenant_id: str, rules: TenantRules, at: datetime) -> None: ...

    async def texted_us(self, tenant_id: str, phone: str) -> bool: ...

    async def reserve(self, tenant_id: str, day: str, segments: int, cap: int) -> bool:
        """Add `segments` to the tenant's count for `day` unless that would pass `cap`."""
        ...

    async def release(self, tenant_id: str, day: str, segments: int) -> None: ...
