"""messaging's use cases: keep the `numbers` projection, and turn Twilio's webhooks into events.

A webhook's event is published first (`EventPublisher.publish` returns once Kafka acknowledged
it), then its delivery is recorded in the ledger, and only then is Twilio answered 2xx. A
redelivered webhook finds the record and publishes nothing. A crash, or a failed write, between
publish and record lets the next delivery publish again: the same event, since its id is derived
from Twilio's MessageSid (and status), and consumers apply an event id once.
"""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from opentelemetry import trace

from a2p_messaging import domain
from a2p_messaging.ports import EventPublisher, MessageIds, NumberDirectory, WebhookLedger
from a2p_shared.clock import Clock
from a2p_shared.events import Envelope, NumberRegisteredV1
from a2p_shared.telemetry import MESSAGE_ID, TENANT_ID

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    PUBLISHED = "published"
    DUPLICATE = "duplicate"
    UNKNOWN_NUMBER = "unknown_number"


class Unavailable(Exception):
    """Kafka did not acknowledge the event in time: nothing was recorded, Twilio should retry."""


@dataclass
class Deps:
    numbers: NumberDirectory
    ledger: WebhookLedger
    messages: MessageIds
    events: EventPublisher
    clock: Clock
    publish_timeout_s: float = 10.0


async def register_number(deps: Deps, event: Envelope[NumberRegisteredV1]) -> None:
    await deps.numbers.save(domain.tenant_number(event.tenant_id, event.payload))


async def receive_inbound(deps: Deps, form: Mapping[str, str]) -> Outcome:
    """A person's text to one of our numbers. Raises `domain.InvalidForm` and `Unavailable`."""
    message = domain.inbound_message(form, deps.clock.now())
    sid = message.message_sid
    number = await deps.numbers.get(message.to_number)
    if number is None:
        log.warning(
            "inbound %s to %s ignored: not a registered number",
            sid,
            domain.masked(message.to_number),
        )
        return Outcome.UNKNOWN_NUMBER
    _annotate(number.tenant_id, sid)
    if await deps.ledger.inbound_recorded(sid):
        log.info("inbound %s delivered again; its event is already in Kafka", sid)
        return Outcome.DUPLICATE
    event = Envelope.new(
        message,
        tenant_id=number.tenant_id,
        correlation_id=sid,
        event_id=domain.inbound_event_id(sid),
    )
    await _publish(deps, event)
    await deps.ledger.record_inbound(sid, number.tenant_id, event.event_id, deps.clock.now())
    return Outcome.PUBLISHED


async def receive_status(deps: Deps, form: Mapping[str, str]) -> Outcome:
    """A delivery status of a message sent from one of our numbers. Raises
    `domain.InvalidForm` and `Unavailable`."""
    report = domain.status_report(form)
    number = await deps.numbers.get(report.from_number)
    if number is None:
        log.warning(
            "status %s of %s ignored: sent from %s, not a registered number",
            report.status,
            report.message_sid,
            domain.masked(report.from_number),
        )
        return Outcome.UNKNOWN_NUMBER
    key = domain.status_key(report.message_sid, report.status)
    if await deps.ledger.status_recorded(key):
        log.info("status %s reported again; its event is already in Kafka", key)
        return Outcome.DUPLICATE
    # Messages we sent are found by Twilio's SID; any other (sent before this service, or
    # from Console) is known by the SID alone.
    message_id = await deps.messages.message_id_for(report.message_sid) or report.message_sid
    _annotate(number.tenant_id, message_id)
    event = Envelope.new(
        domain.message_status(report, message_id, deps.clock.now()),
        tenant_id=number.tenant_id,
        correlation_id=message_id,
        event_id=domain.status_event_id(report.message_sid, report.status),
    )
    await _publish(deps, event)
    await deps.ledger.record_status(key, number.tenant_id, event.event_id, deps.clock.now())
    return Outcome.PUBLISHED


async def _publish(deps: Deps, event: Envelope[Any]) -> None:
    try:
        async with asyncio.timeout(deps.publish_timeout_s):
            await deps.events.publish(event)
    except Exception as error:
        # Whatever the broker raised (unreachable, timed out, no leader), the event is not known
        # to be durable: Twilio must deliver the webhook again. A record that did get through
        # after all is republished then with the same id, which consumers apply once.
        log.warning("%s %s not acknowledged by Kafka", event.type, event.event_id, exc_info=True)
        raise Unavailable(f"{event.type} {event.event_id} was not acknowledged") from error


def _annotate(tenant_id: str, message_id: str) -> None:
    trace.get_current_span().set_attributes({TENANT_ID: tenant_id, MESSAGE_ID: message_id})
