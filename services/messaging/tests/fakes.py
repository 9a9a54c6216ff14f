"""In-memory stand-ins for messaging's ports, for unit tests of its own logic.

The same behaviour on real MongoDB is checked in `integration/test_mongo_store.py`; the
webhooks on real Kafka, MongoDB and the Twilio emulator in `tests/test_messaging_webhooks.py`.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from a2p_messaging.domain import TenantNumber
from a2p_shared.events import Envelope
from a2p_shared.events.registration import Tier

TENANT_A = "springfield-il"
TENANT_B = "shelbyville-il"
NUMBER_A = "+12175550100"
NUMBER_B = "+13175550100"
PERSON = "+12175550142"


def a_number(phone: str = NUMBER_A, tenant_id: str = TENANT_A) -> TenantNumber:
    return TenantNumber(
        phone=phone,
        tenant_id=tenant_id,
        registration_id=f"reg_{tenant_id}",
        messaging_service_sid="MG" + "1" * 32,
        campaign_sid="QE" + "2" * 32,
        tier=Tier.STANDARD,
        phone_number_sid="PN" + "3" * 32,
    )


SID = "SM" + "0a" * 16


def inbound_form(**changes: str | None) -> dict[str, str]:
    """An inbound webhook as Twilio posts it for a text to a number in a messaging service."""
    form = {
        "MessageSid": SID,
        "SmsSid": SID,
        "SmsMessageSid": SID,
        "AccountSid": "AC" + "a2" * 16,
        "MessagingServiceSid": "MG" + "1" * 32,
        "From": PERSON,
        "To": NUMBER_A,
        "Body": "Is the pothole on Elm St fixed?",
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        "FromCountry": "US",
    }
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


def status_form(**changes: str | None) -> dict[str, str]:
    form = {
        "MessageSid": SID,
        "MessageStatus": "delivered",
        "SmsSid": SID,
        "SmsStatus": "delivered",
        "AccountSid": "AC" + "a2" * 16,
        "From": NUMBER_A,
        "To": PERSON,
        "ApiVersion": "2010-04-01",
        "RawDlrDoneDate": "2611241200",
    }
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def pass_time(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class MemoryStore:
    """The `numbers` projection, the webhook ledger and the `messages` look-up, in dicts."""

    def __init__(self) -> None:
        self.numbers: dict[str, TenantNumber] = {}
        self.inbound: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, str] = {}
        """Twilio SID -> our message id, as the send pipeline will record it."""
        self.fail_records = False

    async def save(self, number: TenantNumber) -> None:
        self.numbers[number.phone] = number

    async def get(self, phone: str) -> TenantNumber | None:
        return self.numbers.get(phone)

    async def inbound_recorded(self, message_sid: str) -> bool:
        return message_sid in self.inbound

    async def record_inbound(
        self, message_sid: str, tenant_id: str, event_id: UUID, at: datetime
    ) -> None:
        self._maybe_fail()
        self.inbound.setdefault(
            message_sid, {"tenant_id": tenant_id, "event_id": str(event_id), "at": at}
        )

    async def status_recorded(self, key: str) -> bool:
        return key in self.statuses

    async def record_status(self, key: str, tenant_id: str, event_id: UUID, at: datetime) -> None:
        self._maybe_fail()
        self.statuses.setdefault(key, {"tenant_id": tenant_id, "event_id": str(event_id), "at": at})

    async def message_id_for(self, twilio_sid: str) -> str | None:
        return self.messages.get(twilio_sid)

    def _maybe_fail(self) -> None:
        if self.fail_records:
            raise ConnectionError("the database went away after Kafka acknowledged")


class Published:
    """Events Kafka acknowledged, in order. `unreachable` makes a publish fail as with a broker
    that is down; `hanging` makes it wait for an acknowledgement that never comes."""

    def __init__(self) -> None:
        self.events: list[Envelope[Any]] = []
        self.unreachable = False
        self.hanging = False

    async def publish(self, event: Envelope[Any]) -> None:
        if self.hanging:
            await asyncio.sleep(3600)
        if self.unreachable:
            raise ConnectionError("Unable to bootstrap from 127.0.0.1:19092")
        self.events.append(event)
