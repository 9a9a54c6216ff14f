"""messaging's use cases: keep the `numbers` projection, and turn Twilio's webhooks into events.

A webhook's event is published first (`EventPublisher.publish` returns once Kafka acknowledged
it), then its delivery is recorded in the ledger, and only then is Twilio answered 2xx. A
redelivered webhook finds the record and publishes nothing. A crash, or a failed write, between
publish and record lets the next delivery publish again: the same event, since its id is derived
from Twilio's MessageSid (and status), and consumers apply an event id once.
"""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.metrics import Counter
from opentelemetry.trace import Link

from a2p_messaging import domain, sending
from a2p_messaging.domain import SendRecord
from a2p_messaging.ports import (
    ConsentLookup,
    EventPublisher,
    MessageIds,
    NumberDirectory,
    Sender,
    SendLedger,
    SendRefused,
    TwilioUnavailable,
    WebhookLedger,
)
from a2p_shared.clock import Clock
from a2p_shared.events import (
    BlockReason,
    Envelope,
    MessageBlockedV1,
    MessageFailedV1,
    MessageRequestedV1,
    MessageSentV1,
    NumberRegisteredV1,
    Purpose,
    RegistrationCorrectedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.events.registration import Category, Tier
from a2p_shared.telemetry import MESSAGE_ID, TENANT_ID, TWILIO_SID

BLOCK_REASON = "a2p.message.block_reason"

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    PUBLISHED = "published"
    DUPLICATE = "duplicate"
    UNKNOWN_NUMBER = "unknown_number"


class AttemptInFlight(Exception):
    """Another attempt holds the right to call Twilio for this request: redeliver it later,
    when that attempt has finished or its time is up."""


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
    trace.get_current_span().set_attribute(TWILIO_SID, sid)
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
    await deps.ledger.record_inbound(
        sid, number.tenant_id, event.event_id, deps.clock.now(), sender=message.from_number
    )
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
    trace.get_current_span().set_attributes(
        {TWILIO_SID: report.message_sid, "a2p.message.status": report.status}
    )
    sent_in = await deps.messages.send_context(report.message_sid)
    if sent_in:
        # Twilio calls back long after the send: the callback's trace links to the send's.
        linked = trace.get_current_span(propagate.extract(sent_in)).get_span_context()
        trace.get_current_span().add_link(linked, {"a2p.link": "status of sent message"})
    event = Envelope.new(
        domain.message_status(report, message_id, deps.clock.now()),
        tenant_id=number.tenant_id,
        correlation_id=message_id,
        event_id=domain.status_event_id(report.message_sid, report.status),
    )
    await _publish(deps, event)
    await deps.messages.update_status(report.message_sid, report.status, deps.clock.now())
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


# --- the send pipeline ------------------------------------------------------------------------


@dataclass
class SendDeps:
    sends: SendLedger
    sender: Sender
    consent: ConsentLookup
    events: EventPublisher
    clock: Clock
    caps: Mapping[Tier, int]
    consent_wait_s: float = 10.0
    reconcile_window: timedelta = timedelta(minutes=2)
    attempt: timedelta = timedelta(seconds=30)
    """How long one attempt may take to call Twilio (well past the SDK's timeout)."""
    outcomes: Counter | None = None
    tracer: trace.Tracer = field(default_factory=lambda: trace.get_tracer("a2p.messaging"))


async def remember_rules(
    deps: SendDeps, event: Envelope[RegistrationSubmittedV1] | Envelope[RegistrationCorrectedV1]
) -> None:
    policy = event.payload.request.messaging
    rules = sending.TenantRules(policy.transactional_consent)
    await deps.sends.save_rules(event.tenant_id, rules, event.occurred_at)


async def decide_batch(
    deps: SendDeps,
    requests: Sequence[Envelope[MessageRequestedV1]],
    origins: Mapping[str, Context] | None = None,
) -> None:
    """One batch from one partition: the consent table is brought up to the consent topic's
    end (one round trip), then each person's requests are sent in order, people side by side.

    `origins` holds each request's trace context by event id (from its record's headers): each
    request's work continues its own trace, linked to the batch's."""
    await deps.consent.caught_up(deps.consent_wait_s)
    origins = origins or {}
    people: dict[tuple[str, str], list[Envelope[MessageRequestedV1]]] = {}
    for request in requests:
        people.setdefault((request.tenant_id, request.payload.to), []).append(request)

    async def in_order(queue: list[Envelope[MessageRequestedV1]]) -> None:
        for request in queue:
            await send(deps, request, origins.get(request.event_id))

    results = await asyncio.gather(*(in_order(q) for q in people.values()), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]  # the batch is redelivered; what was done is found done


async def send(
    deps: SendDeps, event: Envelope[MessageRequestedV1], origin: Context | None = None
) -> None:
    """Exactly one outcome per request, and at most one text, however often it is delivered."""
    # One span per request, in the trace of whoever asked for it (the platform's HTTP request),
    # linked to the batch it came in: what an SRE finds by message id, with the decision on it.
    batch = trace.get_current_span().get_span_context()
    links = [Link(batch, {"a2p.link": "batch"})] if origin is not None and batch.is_valid else []
    attributes = {
        TENANT_ID: event.tenant_id,
        MESSAGE_ID: event.payload.message_id,
        "a2p.message.category": event.payload.category.value,
        "a2p.message.purpose": event.payload.purpose.value,
    }
    with deps.tracer.start_as_current_span(
        "messaging send", context=origin, links=links, attributes=attributes
    ) as span:
        record = await _send(deps, event)
        if record.outcome is not None:
            span.set_attribute("a2p.message.outcome", record.outcome["type"])
        if record.twilio_sid is not None:
            span.set_attribute(TWILIO_SID, record.twilio_sid)


async def _send(deps: SendDeps, event: Envelope[MessageRequestedV1]) -> SendRecord:
    request, tenant_id = event.payload, event.tenant_id
    record = await deps.sends.get_record(tenant_id, request.idempotency_key)
    began = False
    if record is None:
        record, began = await _start(deps, event)
    if record.state != "sending":
        await _publish_outcome(deps, record)  # decided, or a redelivery: the same event
        return record
    if not began:
        # `sending`, begun by an earlier attempt or by another instance right now (a rebalance
        # hands a partition over while its old owner still works on the batch). Only the
        # holder of the attempt may call Twilio; once it is ours, ask Twilio before sending.
        now = deps.clock.now()
        if not await deps.sends.claim(record, now, now + deps.attempt):
            raise AttemptInFlight(f"another attempt at {request.message_id} may be calling Twilio")
        sid = await _find_at_twilio(deps, record, request)
        if sid is not None:
            await _finish_sent(deps, event, record, sid)
            return record
    await _call_twilio(deps, event, record)
    return record


async def _start(deps: SendDeps, event: Envelope[MessageRequestedV1]) -> tuple[SendRecord, bool]:
    """The request decided and recorded; True when this attempt began it (and holds the right
    to call Twilio), False when another had already."""
    request, tenant_id = event.payload, event.tenant_id
    decision = await _decide(deps, event)
    now = deps.clock.now()
    if isinstance(decision, sending.Send):
        day = sending.cap_day(now)
        count = decision.segments.count
        if await deps.sends.reserve(tenant_id, day, count, deps.caps[decision.sender.tier]):
            record = SendRecord(
                tenant_id=tenant_id,
                idempotency_key=request.idempotency_key,
                message_id=request.message_id,
                to=request.to,
                state="sending",
                from_number=decision.sender.phone,
                segments=count,
                cap_day=day,
                started_at=now,
                attempt_until=now + deps.attempt,
                trace=_current_context(),
            )
            if await deps.sends.begin(record):
                return record, True
            await deps.sends.release(tenant_id, day, count)  # another instance began it
            return await _existing(deps, event), False
        decision = sending.Blocked(
            BlockReason.DAILY_CAP,
            f"{count} segments would pass the tenant's daily cap of "
            f"{deps.caps[decision.sender.tier]} ({decision.sender.tier.value})",
        )
    blocked = Envelope.caused_by(
        event,
        MessageBlockedV1(
            message_id=request.message_id,
            to=request.to,
            reason=decision.reason,
            detail=decision.detail,
        ),
        event_id=domain.outcome_event_id(tenant_id, request.idempotency_key),
    )
    trace.get_current_span().set_attribute(BLOCK_REASON, decision.reason.value)
    record = SendRecord(
        tenant_id=tenant_id,
        idempotency_key=request.idempotency_key,
        message_id=request.message_id,
        to=request.to,
        state="blocked",
        outcome=blocked.model_dump(mode="json"),
    )
    if await deps.sends.begin(record):
        _count(deps, record)
        return record, True
    return await _existing(deps, event), False


async def _existing(deps: SendDeps, event: Envelope[MessageRequestedV1]) -> SendRecord:
    found = await deps.sends.get_record(event.tenant_id, event.payload.idempotency_key)
    if found is None:
        raise RuntimeError("a send record vanished")  # never deleted: retried as transient
    return found


async def _decide(
    deps: SendDeps, event: Envelope[MessageRequestedV1]
) -> sending.Send | sending.Blocked:
    request, tenant_id = event.payload, event.tenant_id
    with deps.tracer.start_as_current_span("messaging decide") as span:
        consent = deps.consent.get(tenant_id, request.to)
        pool = await deps.sends.pool(tenant_id)
        rules = await deps.sends.rules(tenant_id)
        needs_conversation = (
            request.purpose is Purpose.CAMPAIGN
            and request.category is Category.TRANSACTIONAL
            and consent is None
        )
        texted = needs_conversation and await deps.sends.texted_us(tenant_id, request.to)
        decision = sending.decide(request, sending.Facts(pool, consent, texted, rules))
        # The facts the decision rested on, so "why blocked" is answered from the trace alone.
        span.set_attributes(
            {
                "a2p.consent.state": consent.state if consent else "none",
                "a2p.consent.texted_us": texted,
                "a2p.sender.pool_size": len(pool),
                "a2p.message.decision": "send" if isinstance(decision, sending.Send) else "block",
            }
        )
        if isinstance(decision, sending.Blocked):
            span.set_attribute(BLOCK_REASON, decision.reason.value)
        else:
            span.set_attributes(
                {
                    "a2p.sender.tier": decision.sender.tier.value,
                    "a2p.message.segments": decision.segments.count,
                }
            )
        return decision


async def _call_twilio(
    deps: SendDeps, event: Envelope[MessageRequestedV1], record: SendRecord
) -> None:
    request = event.payload
    assert record.from_number is not None
    try:
        sid = await deps.sender.send(
            to=request.to, from_=record.from_number, body=request.body, media_url=request.media_url
        )
    except SendRefused as refused:
        await _finish_failed(deps, event, record, refused)
        return
    except TwilioUnavailable:
        # It may have been accepted before the answer was lost: ask, and send again only later
        # (the request is redelivered) if Twilio has no such message. The next attempt asks
        # Twilio again before it sends, so it may start at once.
        try:
            sid = await _find_at_twilio(deps, record, request)
        except TwilioUnavailable:
            sid = None
        if sid is None:
            await deps.sends.release_claim(record)
            raise
    await _finish_sent(deps, event, record, sid)


async def _find_at_twilio(
    deps: SendDeps, record: SendRecord, request: MessageRequestedV1
) -> str | None:
    assert record.from_number is not None
    assert record.started_at is not None
    return await deps.sender.find(
        to=request.to,
        from_=record.from_number,
        body=request.body,
        since=record.started_at - deps.reconcile_window,
    )


async def _finish_sent(
    deps: SendDeps, event: Envelope[MessageRequestedV1], record: SendRecord, sid: str
) -> None:
    request = event.payload
    assert record.from_number is not None
    counted = sending.segments(request.body)
    sent = Envelope.caused_by(
        event,
        MessageSentV1(
            message_id=request.message_id,
            to=request.to,
            twilio_sid=sid,
            from_number=record.from_number,
            segments=counted.count,
            encoding=counted.encoding,
        ),
        event_id=domain.outcome_event_id(event.tenant_id, request.idempotency_key),
    )
    record.state, record.twilio_sid = "sent", sid
    record.outcome = sent.model_dump(mode="json")
    await deps.sends.finish(record)
    _count(deps, record)
    await deps.events.publish(sent)


async def _finish_failed(
    deps: SendDeps, event: Envelope[MessageRequestedV1], record: SendRecord, refused: SendRefused
) -> None:
    request = event.payload
    if record.cap_day is not None:
        await deps.sends.release(event.tenant_id, record.cap_day, record.segments)
    failed = Envelope.caused_by(
        event,
        MessageFailedV1(
            message_id=request.message_id,
            to=request.to,
            twilio_code=refused.code,
            detail=refused.detail,
            from_number=record.from_number,
        ),
        event_id=domain.outcome_event_id(event.tenant_id, request.idempotency_key),
    )
    record.state, record.outcome = "failed", failed.model_dump(mode="json")
    await deps.sends.finish(record)
    _count(deps, record)
    await deps.events.publish(failed)


_OUTCOMES: dict[str, type[MessageSentV1 | MessageBlockedV1 | MessageFailedV1]] = {
    "message.sent": MessageSentV1,
    "message.blocked": MessageBlockedV1,
    "message.failed": MessageFailedV1,
}


def _current_context() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def _count(deps: SendDeps, record: SendRecord) -> None:
    """Each request's outcome counted once, when it is decided (not when republished)."""
    if deps.outcomes is not None and record.outcome is not None:
        payload = record.outcome["payload"]
        attributes = {"a2p.outcome": record.outcome["type"].removeprefix("message.")}
        if "reason" in payload:
            attributes["a2p.message.block_reason"] = payload["reason"]
        if payload.get("twilio_code") is not None:
            attributes["a2p.twilio.error_code"] = str(payload["twilio_code"])
        deps.outcomes.add(1, attributes)


async def _publish_outcome(deps: SendDeps, record: SendRecord) -> None:
    """The outcome as stored (a redelivery, a blocked request): the same event again."""
    assert record.outcome is not None
    payload_cls = _OUTCOMES[record.outcome["type"]]
    await deps.events.publish(Envelope[payload_cls].model_validate(record.outcome))  # type: ignore[valid-type]
