"""In-memory stand-ins for messaging's ports, for unit tests of its own logic.

The same behaviour on real MongoDB is checked in `integration/test_mongo_store.py`; the
webhooks on real Kafka, MongoDB and the Twilio emulator in `tests/test_messaging_webhooks.py`.
"""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from a2p_messaging.domain import SendRecord, TenantNumber
from a2p_messaging.ports import SendRefused, TwilioUnavailable
from a2p_messaging.sending import ConsentView, TenantRules
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
        self.conversations: set[tuple[str, str]] = set()
        self.message_statuses: dict[str, str] = {}

    async def save(self, number: TenantNumber) -> None:
        self.numbers[number.phone] = number

    async def get(self, phone: str) -> TenantNumber | None:
        return self.numbers.get(phone)

    async def inbound_recorded(self, message_sid: str) -> bool:
        return message_sid in self.inbound

    async def record_inbound(
        self, message_sid: str, tenant_id: str, event_id: UUID, at: datetime, sender: str = ""
    ) -> None:
        self._maybe_fail()
        if sender:
            self.conversations.add((tenant_id, sender))
        self.inbound.setdefault(
            message_sid, {"tenant_id": tenant_id, "event_id": str(event_id), "at": at}
        )

    async def status_recorded(self, key: str) -> bool:
        return key in self.statuses

    async def record_status(self, key: str, tenant_id: str, event_id: UUID, at: datetime) -> None:
        self._maybe_fail()
        self.statuses.setdefault(key, {"tenant_id": tenant_id, "event_id": str(event_id), "at": at})

    async def update_status(self, twilio_sid: str, status: str, at: datetime) -> None:
        self.message_statuses[twilio_sid] = status

    async def send_context(self, twilio_sid: str) -> dict[str, str] | None:
        return None

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


class SendStore(MemoryStore):
    """The send ledger, pools, rules and daily counts on top of the webhook store, in dicts."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[tuple[str, str], SendRecord] = {}
        self.rules_by_tenant: dict[str, TenantRules] = {}
        self.daily: dict[tuple[str, str], int] = {}

    async def get_record(self, tenant_id: str, idempotency_key: str) -> SendRecord | None:
        found = self.records.get((tenant_id, idempotency_key))
        return dataclasses.replace(found) if found else None

    async def begin(self, record: SendRecord) -> bool:
        key = (record.tenant_id, record.idempotency_key)
        if key in self.records:
            return False
        self.records[key] = dataclasses.replace(record)
        return True

    async def finish(self, record: SendRecord) -> None:
        self.records[(record.tenant_id, record.idempotency_key)] = dataclasses.replace(record)

    async def claim(self, record: SendRecord, now: datetime, until: datetime) -> bool:
        found = self.records[(record.tenant_id, record.idempotency_key)]
        if found.state != "sending" or (found.attempt_until and found.attempt_until >= now):
            return False
        found.attempt_until = until
        return True

    async def release_claim(self, record: SendRecord) -> None:
        self.records[(record.tenant_id, record.idempotency_key)].attempt_until = None

    async def tenant_known(self, tenant_id: str) -> bool:
        return any(n.tenant_id == tenant_id for n in self.numbers.values())

    async def pool(self, tenant_id: str) -> list[TenantNumber]:
        return [n for n in self.numbers.values() if n.tenant_id == tenant_id]

    async def rules(self, tenant_id: str) -> TenantRules:
        return self.rules_by_tenant.get(tenant_id, TenantRules())

    async def save_rules(self, tenant_id: str, rules: TenantRules, at: datetime) -> None:
        self.rules_by_tenant[tenant_id] = rules

    async def texted_us(self, tenant_id: str, phone: str) -> bool:
        return (tenant_id, phone) in self.conversations

    async def reserve(self, tenant_id: str, day: str, segments: int, cap: int) -> bool:
        used = self.daily.get((tenant_id, day), 0)
        if used + segments > cap:
            return False
        self.daily[(tenant_id, day)] = used + segments
        return True

    async def release(self, tenant_id: str, day: str, segments: int) -> None:
        self.daily[(tenant_id, day)] -= segments


class FakeSender:
    """Twilio's Messages API, scripted: `refuse` a code, be `unavailable`, or accept and then
    lose the answer (`lose_answers`), as a timeout after acceptance does."""

    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []
        self.refuse: int | None = None
        self.unavailable = False
        self.lose_answers = 0

    async def send(self, *, to: str, from_: str, body: str, media_url: str | None) -> str:
        if self.unavailable:
            raise TwilioUnavailable("connection refused")
        if self.refuse is not None:
            raise SendRefused(self.refuse, "Attempt to send to unsubscribed recipient")
        sid = f"SM{len(self.accepted):032d}"
        self.accepted.append({"sid": sid, "to": to, "from": from_, "body": body})
        if self.lose_answers:
            self.lose_answers -= 1
            raise TwilioUnavailable("read timeout")
        return sid

    async def find(self, *, to: str, from_: str, body: str, since: datetime) -> str | None:
        if self.unavailable:
            raise TwilioUnavailable("connection refused")
        return next(
            (
                m["sid"]
                for m in self.accepted
                if (m["to"], m["from"], m["body"]) == (to, from_, body)
            ),
            None,
        )


class FakeConsent:
    def __init__(self) -> None:
        self.people: dict[tuple[str, str], ConsentView] = {}
        self.catch_ups = 0

    def get(self, tenant_id: str, phone: str) -> ConsentView | None:
        return self.people.get((tenant_id, phone))

    async def caught_up(self, timeout_s: float) -> None:
        self.catch_ups += 1
