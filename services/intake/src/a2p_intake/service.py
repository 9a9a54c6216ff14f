"""Intake's use cases, shared by the HTTP API and the intake topic: registrations, platform
consent, the consent projections kept for export and staff review, and platforms' sends."""

from dataclasses import dataclass
from typing import Any

from a2p_intake import domain
from a2p_intake.ports import (
    ApiKey,
    ApiKeyStore,
    ConsentChange,
    ConsentCommands,
    ConsentRecord,
    ConsentReview,
    ConsentReviewStore,
    ConsentStore,
    EventPublisher,
    Registration,
    RegistrationStore,
    ReviewStatus,
    TimelineEntry,
    Validation,
)
from a2p_shared.clock import Clock
from a2p_shared.events import (
    ConsentAction,
    ConsentEvidence,
    ConsentReviewRequestedV1,
    Envelope,
    EventPayload,
    MessageRequestedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
    Purpose,
    RecordConsent,
    RegistrationCorrectedV1,
    RegistrationRequest,
    RegistrationSubmittedV1,
)
from a2p_shared.events.policy import PolicyValidatedV1, Severity
from a2p_shared.events.registration import Category, SubmissionChannel


@dataclass(frozen=True, slots=True)
class Submission:
    registration: Registration
    created: bool


async def submit_registration(
    store: RegistrationStore,
    events: EventPublisher,
    clock: Clock,
    *,
    tenant_id: str,
    request: RegistrationRequest,
    idempotency_key: str | None,
    channel: SubmissionChannel,
    platform_id: str | None = None,
) -> Submission:
    """Record the registration, publish `registration.submitted`, and mark it submitted.

    Safe to repeat with the same idempotency key at any point of a crash: the same id and the
    same event (same event id) come out, and the event is published until it is marked.
    Raises `IdempotencyConflict` if the key was used with a different request.
    """
    registration_id = domain.registration_id(tenant_id, idempotency_key)
    now = clock.now()
    event = Envelope.new(
        RegistrationSubmittedV1(
            registration_id=registration_id,
            revision=1,
            request=request,
            channel=channel,
            platform_id=platform_id,
        ),
        tenant_id=tenant_id,
        correlation_id=registration_id,
        event_id=domain.submitted_event_id(registration_id, 1),
    )
    candidate = Registration(
        registration_id=registration_id,
        tenant_id=tenant_id,
        revision=1,
        status="received",
        request=request,
        timeline=[],
        channel=channel,
        platform_id=platform_id,
        idempotency_key=idempotency_key,
        fingerprint=domain.fingerprint(request),
        submitted_event=event.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    created = await store.insert(candidate)
    registration = candidate if created else await store.get(tenant_id, registration_id)
    if registration is None or registration.fingerprint != candidate.fingerprint:
        raise domain.IdempotencyConflict(registration_id)
    if registration.status == "received":
        registration = await _publish_stored(store, events, clock, registration)
    return Submission(registration, created)


async def _publish_stored(
    store: RegistrationStore, events: EventPublisher, clock: Clock, registration: Registration
) -> Registration:
    """Publish the revision's event as first built, then mark it: safe to repeat after a crash."""
    event_cls = RegistrationSubmittedV1 if registration.revision == 1 else RegistrationCorrectedV1
    stored: Envelope[Any] = Envelope[event_cls].model_validate(  # type: ignore[valid-type]
        registration.submitted_event
    )
    await events.publish(stored)
    await store.mark_submitted(
        registration.tenant_id, registration.registration_id, str(stored.event_id), clock.now()
    )
    return await store.get(registration.tenant_id, registration.registration_id) or registration


class NotFound(Exception):
    pass


class ConcurrentCorrection(Exception):
    pass


async def correct_registration(
    store: RegistrationStore,
    events: EventPublisher,
    clock: Clock,
    *,
    tenant_id: str,
    registration_id: str,
    request: RegistrationRequest,
    platform_id: str | None = None,
) -> Submission:
    """Replace a registration's request with a corrected revision and publish
    `registration.corrected`: the validator checks it again, and the registrar resumes a
    rejected brand or campaign from it. The same body again is a replay, not a new revision.
    """
    registration = await store.get(tenant_id, registration_id)
    if registration is None:
        raise NotFound(registration_id)
    if registration.fingerprint == domain.fingerprint(request):
        if registration.status == "received":
            registration = await _publish_stored(store, events, clock, registration)
        return Submission(registration, created=False)
    revision = registration.revision + 1
    now = clock.now()
    event = Envelope.new(
        RegistrationCorrectedV1(
            registration_id=registration_id,
            revision=revision,
            request=request,
            channel="http",
            platform_id=platform_id,
        ),
        tenant_id=tenant_id,
        correlation_id=registration_id,
        event_id=domain.corrected_event_id(registration_id, revision),
    )
    corrected = registration.model_copy(
        update={
            "revision": revision,
            "request": request,
            "fingerprint": domain.fingerprint(request),
            "submitted_event": event.model_dump(mode="json"),
            "status": "received",
            "validation": None,
            "updated_at": now,
        }
    )
    if not await store.correct(corrected, registration.revision):
        raise ConcurrentCorrection(registration_id)
    return Submission(await _publish_stored(store, events, clock, corrected), created=True)


async def record_submitted(
    store: RegistrationStore, clock: Clock, event: Envelope[RegistrationSubmittedV1]
) -> None:
    """Projection: a `registration.submitted` seen on the topic marks its registration submitted
    (it closes the gap when a process stopped between publishing and marking)."""
    await store.mark_submitted(
        event.tenant_id, event.payload.registration_id, str(event.event_id), clock.now()
    )


async def record_validated(
    store: RegistrationStore, clock: Clock, event: Envelope[PolicyValidatedV1]
) -> None:
    """Projection: the validator's verdict joins the registration and its timeline."""
    payload = event.payload
    blocking = sum(1 for f in payload.findings if f.severity is Severity.BLOCK)
    validation = Validation(
        revision=payload.revision,
        verdict=payload.verdict,
        findings=payload.findings,
        fees=payload.fees,
        event_id=str(event.event_id),
        at=clock.now(),
    )
    await store.record_validation(
        event.tenant_id,
        payload.registration_id,
        validation,
        domain.validation_status(payload.verdict),
        {"blocking": blocking, "warnings": len(payload.findings) - blocking},
    )


async def record_onboarding(store: RegistrationStore, event: Envelope[EventPayload]) -> None:
    """Projection: the registrar's progress at Twilio joins the registration and its timeline."""
    change = domain.onboarding_change(event.payload)
    timeline = (
        TimelineEntry(
            status=change.timeline_status,
            at=event.occurred_at,
            event_id=str(event.event_id),
            detail=change.detail,
        )
        if change.timeline_status
        else None
    )
    await store.record_onboarding(
        event.tenant_id,
        event.payload.registration_id,  # type: ignore[attr-defined]
        str(event.event_id),
        change.set,
        change.push,
        timeline,
    )


async def get_registration(
    store: RegistrationStore, tenant_id: str, registration_id: str
) -> Registration | None:
    return await store.get(tenant_id, registration_id)


async def list_registrations(
    store: RegistrationStore, tenant_id: str, limit: int = 50
) -> list[Registration]:
    return await store.list_for_tenant(tenant_id, limit)


class Unauthenticated(Exception):
    pass


class Forbidden(Exception):
    pass


async def authorize(keys: ApiKeyStore, token: str | None, tenant_id: str) -> ApiKey:
    """The API key behind `token`, if it is valid and may act for `tenant_id`."""
    parsed = domain.parse_token(token) if token else None
    if parsed is None:
        raise Unauthenticated
    key = await keys.get(parsed[0])
    if (
        key is None
        or key.revoked_at is not None
        or not domain.secret_matches(parsed[1], key.secret_sha256)
    ):
        raise Unauthenticated
    if not domain.may_act_for(key.tenants, tenant_id):
        raise Forbidden
    return key


async def create_api_key(
    keys: ApiKeyStore, clock: Clock, *, platform: str, tenants: list[str]
) -> tuple[ApiKey, str]:
    """A new key for `platform`, scoped to `tenants` ('*' for all); returns it and its token."""
    if not tenants:
        raise ValueError("an API key must be scoped to at least one tenant (or '*')")
    issued = domain.issue_key()
    key = ApiKey(
        key_id=issued.key_id,
        platform=platform,
        tenants=sorted(set(tenants)),
        secret_sha256=issued.secret_sha256,
        created_at=clock.now(),
    )
    await keys.add(key)
    return key, issued.token


async def revoke_api_key(keys: ApiKeyStore, clock: Clock, key_id: str) -> bool:
    return await keys.revoke(key_id, clock.now())


async def record_consent(
    commands: ConsentCommands,
    *,
    tenant_id: str,
    phone: str,
    action: ConsentAction,
    categories: list[Category],
    evidence: ConsentEvidence | None,
    idempotency_key: str | None,
) -> RecordConsent:
    """Publish consent a platform collected (or an opt-out it received) as a `RecordConsent`
    command; returns it once Kafka has it. The optout service records it from there.

    Raises pydantic's `ValidationError` when the contract refuses it (`domain.consent_error_loc`
    names the field).
    """
    command = domain.platform_consent(
        tenant_id,
        phone=phone,
        action=action,
        categories=categories,
        evidence=evidence,
        idempotency_key=idempotency_key,
    )
    await commands.send(command)
    return command


async def record_consent_change(
    store: ConsentStore, event: Envelope[OptOutRecordedV1] | Envelope[OptInRecordedV1]
) -> None:
    """Projection: an opt-out or opt-in becomes the person's consent and joins its history."""
    payload = event.payload
    now = domain.consent_state(payload)
    change = ConsentChange(
        event_id=str(event.event_id),
        state=now.state,
        source=payload.source,
        keyword=payload.keyword,
        via_number=payload.via_number,
        message_sid=payload.message_sid,
        categories=now.categories,
        evidence=now.evidence,
        recorded_at=payload.recorded_at,
    )
    await store.apply(event.tenant_id, payload.phone, change)


async def get_consent(store: ConsentStore, tenant_id: str, phone: str) -> ConsentRecord | None:
    return await store.get(tenant_id, phone)


async def record_review_requested(
    store: ConsentReviewStore, event: Envelope[ConsentReviewRequestedV1]
) -> None:
    """Projection: a text staff must read joins the tenant's review list, open, once."""
    payload = event.payload
    await store.add(
        ConsentReview(
            tenant_id=event.tenant_id,
            review_id=payload.review_id,
            status="open",
            phone=payload.phone,
            via_number=payload.via_number,
            body=payload.body,
            received_at=payload.received_at,
            reason=payload.reason,
            event_id=str(event.event_id),
        )
    )


async def list_reviews(
    store: ConsentReviewStore, tenant_id: str, status: ReviewStatus | None, limit: int = 50
) -> list[ConsentReview]:
    return await store.list_for_tenant(tenant_id, status, limit)


@dataclass(frozen=True, slots=True)
class Resolution:
    review: ConsentReview
    replayed: bool


async def resolve_review(
    store: ConsentReviewStore,
    commands: ConsentCommands,
    clock: Clock,
    *,
    tenant_id: str,
    review_id: str,
    decision: domain.ReviewDecision,
    note: str | None,
    resolved_by: str,
) -> Resolution:
    """Staff's decision on a reviewed text: `opt_out` publishes the opt-out (keyed by the review,
    so a retry records it once) before the review is marked resolved; `keep` only marks it.

    The same decision again is a replay. Raises `NotFound` for a review the tenant does not have
    and `domain.ReviewConflict` for a different decision on a resolved review.
    """
    review = await store.get(tenant_id, review_id)
    if review is None:
        raise NotFound(review_id)
    if domain.is_replay(review.decision, decision):
        return Resolution(review, replayed=True)
    if decision == "opt_out":
        await commands.send(domain.staff_opt_out(tenant_id, review.phone, review_id))
    if await store.resolve(tenant_id, review_id, decision, note, resolved_by, clock.now()):
        return Resolution(await store.get(tenant_id, review_id) or review, replayed=False)
    # Someone resolved it between our read and our write: their decision stands. An opt-out we
    # published meanwhile stands too; of the two mistakes, it is the one that texts nobody.
    current = await store.get(tenant_id, review_id) or review
    domain.is_replay(current.decision, decision)
    return Resolution(current, replayed=True)


async def request_message(
    events: EventPublisher,
    *,
    tenant_id: str,
    idempotency_key: str,
    to: str,
    body: str,
    category: Category,
    from_number: str | None = None,
    media_url: str | None = None,
) -> Envelope[MessageRequestedV1]:
    """Publish `message.requested` for one SMS a platform asks for; returns it once Kafka has it.

    The message id and the event id follow the tenant and the idempotency key, so a retried
    request publishes the very same event again, which the messaging service applies once. A
    platform's message is always a campaign message: the other purposes are the replies the
    platform itself owes people.
    """
    message_id = domain.message_id(tenant_id, idempotency_key)
    event = Envelope.new(
        MessageRequestedV1(
            message_id=message_id,
            to=to,
            idempotency_key=idempotency_key,
            body=body,
            category=category,
            purpose=Purpose.CAMPAIGN,
            from_number=from_number,
            media_url=media_url,
        ),
        tenant_id=tenant_id,
        correlation_id=message_id,
        event_id=domain.message_requested_event_id(tenant_id, idempotency_key),
    )
    await events.publish(event)
    return event
