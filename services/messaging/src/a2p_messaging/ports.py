"""What the webhook and projection use cases need from the outside world."""

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from a2p_messaging.domain import TenantNumber
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
        self, message_sid: str, tenant_id: str, event_id: UUID, at: datetime
    ) -> None: ...

    async def status_recorded(self, key: str) -> bool: ...

    async def record_status(self, key: str, tenant_id: str, event_id: UUID, at: datetime) -> None:
        """`key` is `domain.status_key(sid, status)`: one entry per message and status."""
        ...


class MessageIds(Protocol):
    async def message_id_for(self, twilio_sid: str) -> str | None:
        """Our id of the message Twilio knows as `twilio_sid`, if we sent it."""
        ...


class EventPublisher(Protocol):
    async def publish(self, event: Envelope[Any]) -> None:
        """Returns once Kafka has acknowledged the event (acks=all)."""
        ...
