"""The consent use cases: a person's text, consent a platform recorded, a refused send.

Every effect is published before it is recorded as applied, with an id derived from what
caused it (the text's sid, the platform's key, the failed send): a crash between the two makes
the redelivered cause publish the very same events again, which their consumers apply once
(and the messaging service sends a reply once per idempotency key). A person's records share
one partition (`tenant:+1E164`), so their texts are decided in the order they arrived.
"""

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from opentelemetry import trace

from a2p_optout import domain
from a2p_optout.domain import Outcome, TenantProfile
from a2p_optout.ports import ConsentStore, EventPublisher
from a2p_shared.clock import Clock
from a2p_shared.events import (
    ConsentEvidence,
    ConsentReviewRequestedV1,
    ConsentSource,
    Envelope,
    InboundMessageV1,
    MessageRequestedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    Purpose,
    RecordConsent,
    RegistrationRequest,
)
from a2p_shared.events.registration import Category

log = logging.getLogger(__name__)

_IDS = uuid.UUID("0b7f3c52-8e0a-4d5e-a3f4-6d2c9b1e7a40")


@dataclass
class Deps:
    store: ConsentStore
    events: EventPublisher
    clock: Clock
    twilio_answers_keywords: bool = False
    tracer: trace.Tracer = field(default_factory=lambda: trace.get_tracer("a2p.optout"))


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(_IDS, ":".join(parts))


async def remember_registration(
    deps: Deps, tenant_id: str, request: RegistrationRequest, at: datetime
) -> None:
    await deps.store.remember_profile(tenant_id, TenantProfile.of(request), at)


async def handle_inbound(deps: Deps, event: Envelope[InboundMessageV1]) -> None:
    text = event.payload
    tenant_id, phone = event.tenant_id, text.from_number
    stored = await deps.store.person(tenant_id, phone)
    if text.message_sid in stored.applied:
        return
    profile = await deps.store.profile(tenant_id) or TenantProfile()
    reading = domain.read(text.body, profile)
    outcome = domain.decide(
        reading, stored.person, profile, twilio_answers_keywords=deps.twilio_answers_keywords
    )
    span = trace.get_current_span()
    span.set_attribute("a2p.consent.intent", reading.intent.value)
    span.set_attribute("a2p.consent.change", outcome.change or "none")

    effects: list[Envelope[Any]] = []
    history = []
    if outcome.change is not None:
        payload = _change(
            outcome,
            phone=phone,
            source=reading.source or ConsentSource.KEYWORD,
            keyword=reading.keyword,
            via_number=text.to_number,
            message_sid=text.message_sid,
            recorded_at=text.received_at,
        )
        change = Envelope.caused_by(event, payload, event_id=_id("consent", text.message_sid))
        effects.append(change)
        history.append(_history(change))
    if outcome.review is not None:
        review = ConsentReviewRequestedV1(
            review_id=text.message_sid,
            phone=phone,
            via_number=text.to_number,
            body=text.body,
            received_at=text.received_at,
            reason=outcome.review,
        )
        effects.append(Envelope.caused_by(event, review, event_id=_id("review", text.message_sid)))
    effects += [
        _reply(event, profile, purpose, phone, text.to_number, text.message_sid)
        for purpose in outcome.replies
    ]
    # Different topics, no order between them: one round trip for all, each acknowledged.
    await asyncio.gather(*(deps.events.publish(effect) for effect in effects))
    await deps.store.apply(
        tenant_id,
        phone,
        text.message_sid,
        outcome.person,
        history,
        open_review=(text.message_sid, text.to_number) if outcome.review else None,
        at=deps.clock.now(),
    )


async def handle_recorded_consent(deps: Deps, command: RecordConsent, source_id: str) -> None:
    """Consent the platform collected itself, or a staff decision on a reviewed text."""
    tenant_id, phone = command.tenant_id, command.phone
    stored = await deps.store.person(tenant_id, phone)
    if source_id in stored.applied:
        return
    outcome = domain.platform_change(
        stored.person, command.action.value, frozenset(command.categories)
    )
    staff = command.source == "staff_review"
    via_number = stored.open_reviews.get(command.review_id or "") if staff else None
    history = []
    if outcome.change is not None:
        payload = _change(
            outcome,
            phone=phone,
            source=ConsentSource.STAFF_REVIEW if staff else ConsentSource.PLATFORM,
            via_number=via_number,
            message_sid=command.review_id if staff else None,
            recorded_at=command.evidence.collected_at if command.evidence else deps.clock.now(),
            evidence=command.evidence,
        )
        change = Envelope.new(
            payload,
            tenant_id=tenant_id,
            correlation_id=source_id,
            event_id=_id("consent", source_id),
        )
        await deps.events.publish(change)
        history.append(_history(change))
        if staff and outcome.change == "opt_out" and via_number is not None:
            # The person asked by text; the staff decision is confirmed to them like a STOP.
            profile = await deps.store.profile(tenant_id) or TenantProfile()
            await deps.events.publish(
                _reply(change, profile, Purpose.OPTOUT_CONFIRMATION, phone, via_number, source_id)
            )
    await deps.store.apply(
        tenant_id,
        phone,
        source_id,
        outcome.person,
        history,
        close_review=command.review_id if staff else None,
        at=deps.clock.now(),
    )


async def handle_refused_send(
    deps: Deps,
    parent: Envelope[Any],
    *,
    phone: str,
    via_number: str | None,
    source_id: str,
) -> None:
    """Twilio refused a send with 21610: the person replied STOP to Twilio itself (perhaps to a
    number or service we did not hear it from). Ours becomes the same, for every number."""
    stored = await deps.store.person(parent.tenant_id, phone)
    if source_id in stored.applied:
        return
    outcome = domain.platform_change(stored.person, "opt_out", frozenset())
    history = []
    if outcome.change is not None:
        payload = _change(
            outcome,
            phone=phone,
            source=ConsentSource.CARRIER,
            via_number=via_number,
            recorded_at=deps.clock.now(),
        )
        change = Envelope.caused_by(parent, payload, event_id=_id("consent", source_id))
        await deps.events.publish(change)
        history.append(_history(change))
    await deps.store.apply(
        parent.tenant_id, phone, source_id, outcome.person, history, at=deps.clock.now()
    )


def _change(
    outcome: Outcome,
    *,
    phone: str,
    source: ConsentSource,
    recorded_at: datetime,
    keyword: str | None = None,
    via_number: str | None = None,
    message_sid: str | None = None,
    evidence: ConsentEvidence | None = None,
) -> OptOutRecordedV1 | OptInRecordedV1:
    common: dict[str, Any] = {
        "phone": phone,
        "source": source,
        "keyword": keyword,
        "via_number": via_number,
        "message_sid": message_sid,
        "recorded_at": recorded_at,
    }
    if outcome.change == "opt_out":
        return OptOutRecordedV1(**common)
    categories = sorted(outcome.person.categories, key=lambda c: c.value)
    return OptInRecordedV1(**common, categories=categories, evidence=evidence)


def _history(change: Envelope[OptOutRecordedV1] | Envelope[OptInRecordedV1]) -> dict[str, Any]:
    payload = change.payload
    entry = payload.model_dump(mode="json", exclude={"phone"})
    entry |= {
        "state": "opted_out" if isinstance(payload, OptOutRecordedV1) else "opted_in",
        "event_id": str(change.event_id),
    }
    return entry


def _reply(
    parent: Envelope[Any],
    profile: TenantProfile,
    purpose: Purpose,
    phone: str,
    from_number: str,
    cause: str,
) -> Envelope[MessageRequestedV1]:
    # The first-contact reply is owed once per person, whatever text caused it.
    key = (
        f"optout:{purpose.value}:{parent.tenant_id}:{phone}"
        if purpose is Purpose.FIRST_CONTACT
        else f"optout:{purpose.value}:{cause}"
    )
    request = MessageRequestedV1(
        message_id=str(_id("message", key)),
        to=phone,
        idempotency_key=key,
        body=profile.reply_text(purpose),
        category=Category.TRANSACTIONAL,
        purpose=purpose,
        from_number=from_number,
    )
    return Envelope.caused_by(parent, request, event_id=_id("event", key))
