"""Intake's HTTP API: registrations, consent and messages per tenant, behind per-platform API
keys."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from a2p_intake import domain, service
from a2p_intake.domain import IdempotencyConflict
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
    OnboardingView,
    Registration,
    RegistrationStore,
)
from a2p_shared.clock import Clock
from a2p_shared.events import (
    ConsentAction,
    ConsentEvidence,
    Envelope,
    MessageRequestedV1,
    RecordConsent,
    RegistrationRequest,
)
from a2p_shared.events.policy import FeeItem, Finding
from a2p_shared.events.registration import Category
from a2p_shared.events.values import USPhone, WebUrl
from a2p_shared.service_app import Refused

TenantPath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Repeat a request with the same key to get the same registration, once",
    ),
]
RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Required: a retry with the same key is the same message, sent once",
    ),
]


class TimelineView(BaseModel):
    status: str
    at: datetime
    event_id: str | None = None
    detail: dict[str, Any] | None = None


class ValidationView(BaseModel):
    """The validator's verdict on the current revision: every finding with its fix, and what
    submitting will cost."""

    revision: int
    verdict: str
    findings: list[Finding]
    fees: list[FeeItem]
    at: datetime


class RegistrationView(BaseModel):
    registration_id: str
    tenant_id: str
    revision: int
    status: str
    channel: str
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineView]
    validation: ValidationView | None = None
    onboarding: OnboardingView | None = Field(
        default=None,
        description="Twilio onboarding: step, what happens next or what the tenant must "
        "correct, fees paid, Twilio's reasons for a rejection, numbers live",
    )
    request: RegistrationRequest

    @classmethod
    def of(cls, registration: Registration) -> "RegistrationView":
        return cls.model_validate(registration.model_dump())


class RegistrationList(BaseModel):
    registrations: list[RegistrationView]


class ConsentRequest(BaseModel):
    """Consent the platform collected itself (web form, booking page, call, paper), or an
    opt-out it received: `RecordConsent` without the tenant, which the path names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: ConsentAction
    phone: USPhone
    categories: list[Category] = Field(
        default_factory=list,
        max_length=2,
        validate_default=True,
        description="An opt-in's categories; an opt-out is tenant-wide and needs none",
    )
    evidence: ConsentEvidence | None = Field(
        default=None,
        validate_default=True,
        description="How and when an opt-in was collected (required for an opt-in)",
    )

    @field_validator("categories", "evidence")
    @classmethod
    def _an_opt_in_is_complete(cls, value: Any, info: ValidationInfo) -> Any:
        # The contract checks this too, but on the whole command and one gap at a time; checked
        # per field, a platform learns every missing field in one answer.
        if info.data.get("action") is ConsentAction.OPT_IN and not value:
            raise ValueError(f"an opt-in needs its {info.field_name}")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _errors_name_their_field(
        cls, data: Any, handler: ModelWrapValidatorHandler["ConsentRequest"]
    ) -> "ConsentRequest":
        try:
            return handler(data)
        except ValidationError as exc:
            errors = []
            for error in exc.errors():
                relocated = InitErrorDetails(
                    type=error["type"],
                    loc=domain.consent_error_loc(error["loc"], error["msg"]),
                    input=error["input"],
                )
                if "ctx" in error:
                    relocated["ctx"] = error["ctx"]
                errors.append(relocated)
            raise ValidationError.from_exception_data(exc.title, errors) from None


class ConsentAccepted(BaseModel):
    tenant_id: str
    phone: str
    action: ConsentAction
    status: Literal["accepted"] = "accepted"
    idempotency_key: str = Field(
        description="The Idempotency-Key sent, or the one intake made from the body"
    )

    @classmethod
    def of(cls, command: RecordConsent) -> "ConsentAccepted":
        return cls.model_validate(
            command.model_dump(include={"tenant_id", "phone", "action", "idempotency_key"})
        )


class MessageRequest(BaseModel):
    """One SMS to one person: `message.requested` without the ids, which intake makes from the
    tenant and the `Idempotency-Key`, and without the purpose (always a campaign message)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to: USPhone
    body: str = Field(min_length=1, max_length=1600, description="The text, up to 1600 characters")
    category: Category = Field(description="Which consent the person must have given")
    from_number: USPhone | None = Field(
        default=None, description="A specific tenant number; otherwise the tenant's pool"
    )
    media_url: WebUrl | None = Field(default=None, description="A picture to send with it (MMS)")


class MessageAccepted(BaseModel):
    message_id: str = Field(description="The same for the same tenant and Idempotency-Key")
    tenant_id: str
    to: str
    status: Literal["accepted"] = "accepted"
    idempotency_key: str

    @classmethod
    def of(cls, event: Envelope[MessageRequestedV1]) -> "MessageAccepted":
        return cls(
            message_id=event.payload.message_id,
            tenant_id=event.tenant_id,
            to=event.payload.to,
            idempotency_key=event.payload.idempotency_key,
        )


class ConsentChangeView(BaseModel):
    event_id: str
    state: Literal["opted_out", "opted_in"]
    source: str
    keyword: str | None
    via_number: str | None
    message_sid: str | None
    categories: list[Category]
    evidence: ConsentEvidence | None
    recorded_at: datetime

    @classmethod
    def of(cls, change: ConsentChange) -> "ConsentChangeView":
        return cls.model_validate(change.model_dump())


class ConsentView(BaseModel):
    """A person's consent at the tenant, and every change to it in the order it happened."""

    tenant_id: str
    phone: str
    state: Literal["opted_out", "opted_in"]
    categories: list[Category]
    updated_at: datetime
    history: list[ConsentChangeView]

    @classmethod
    def of(cls, record: ConsentRecord) -> "ConsentView":
        return cls.model_validate(record.model_dump())


class ReviewView(BaseModel):
    review_id: str
    status: Literal["open", "resolved"]
    phone: str
    via_number: str
    body: str
    received_at: datetime
    reason: str
    decision: Literal["opt_out", "keep"] | None = None
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None

    @classmethod
    def of(cls, review: ConsentReview) -> "ReviewView":
        return cls.model_validate(review.model_dump(exclude={"tenant_id", "event_id"}))


class ReviewList(BaseModel):
    reviews: list[ReviewView]


class ReviewDecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decision: Literal["opt_out", "keep"] = Field(
        description="`opt_out` records an opt-out for the person; `keep` leaves consent as it is"
    )
    note: str | None = Field(default=None, max_length=1000)


class ErrorBody(BaseModel):
    error: str
    message: str
    errors: list[dict[str, str]] = []


@dataclass(frozen=True, slots=True)
class IntakeDeps:
    registrations: RegistrationStore
    api_keys: ApiKeyStore
    events: EventPublisher
    clock: Clock
    consent: ConsentStore
    reviews: ConsentReviewStore
    commands: ConsentCommands


_bearer = HTTPBearer(auto_error=False, description="A platform API key: `a2p_<id>.<secret>`")


def build_router(deps: IntakeDeps) -> APIRouter:
    router = APIRouter(prefix="/v1/tenants/{tenant_id}")

    async def caller(
        tenant_id: TenantPath,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiKey:
        token = credentials.credentials if credentials else None
        try:
            return await service.authorize(deps.api_keys, token, tenant_id)
        except service.Unauthenticated:
            raise Refused(
                status.HTTP_401_UNAUTHORIZED,
                "Authorization (header)",
                "missing, unknown or revoked API key",
                headers={"WWW-Authenticate": "Bearer"},
            ) from None
        except service.Forbidden:
            raise Refused(
                status.HTTP_403_FORBIDDEN,
                "tenant_id (path)",
                "this API key may not act for this tenant",
            ) from None

    Caller = Annotated[ApiKey, Depends(caller)]
    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorBody},
        403: {"model": ErrorBody},
        413: {"model": ErrorBody},
        422: {"model": ErrorBody, "description": "Every offending field, and why"},
    }

    @router.post(
        "/registrations",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=RegistrationView,
        responses={**errors, 409: {"model": ErrorBody}},
        summary="Submit a tenant's A2P 10DLC registration",
        tags=["registrations"],
    )
    async def submit(
        tenant_id: TenantPath,
        registration: RegistrationRequest,
        key: Caller,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> RegistrationView:
        try:
            submission = await service.submit_registration(
                deps.registrations,
                deps.events,
                deps.clock,
                tenant_id=tenant_id,
                request=registration,
                idempotency_key=idempotency_key,
                channel="http",
                platform_id=key.platform,
            )
        except IdempotencyConflict:
            raise Refused(
                status.HTTP_409_CONFLICT,
                "Idempotency-Key (header)",
                "this Idempotency-Key was already used with a different request body",
            ) from None
        view = RegistrationView.of(submission.registration)
        response.headers["Location"] = (
            f"/v1/tenants/{tenant_id}/registrations/{view.registration_id}"
        )
        if not submission.created:
            response.headers["Idempotent-Replayed"] = "true"
        return view

    @router.put(
        "/registrations/{registration_id}",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=RegistrationView,
        responses={**errors, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
        summary="Correct a registration: a new revision, validated again",
        tags=["registrations"],
        description="After `changes_required` (the validator's findings, or Twilio's reasons "
        "for a rejected brand or campaign), send the whole corrected request. It is validated "
        "again; a rejected brand or campaign is then resubmitted, not started over. The same "
        "body again is a replay (`Idempotent-Replayed: true`), not another revision.",
    )
    async def correct(
        tenant_id: TenantPath,
        registration_id: str,
        registration: RegistrationRequest,
        key: Caller,
        response: Response,
    ) -> RegistrationView:
        try:
            submission = await service.correct_registration(
                deps.registrations,
                deps.events,
                deps.clock,
                tenant_id=tenant_id,
                registration_id=registration_id,
                request=registration,
                platform_id=key.platform,
            )
        except service.NotFound:
            raise Refused(
                status.HTTP_404_NOT_FOUND,
                "registration_id (path)",
                "no such registration for this tenant",
            ) from None
        except service.ConcurrentCorrection:
            raise Refused(
                status.HTTP_409_CONFLICT,
                "registration_id (path)",
                "another correction was accepted first; GET and retry",
            ) from None
        if not submission.created:
            response.headers["Idempotent-Replayed"] = "true"
        return RegistrationView.of(submission.registration)

    @router.get(
        "/registrations/{registration_id}",
        response_model=RegistrationView,
        responses={**errors, 404: {"model": ErrorBody}},
        summary="A registration, its status and its timeline",
        tags=["registrations"],
    )
    async def get(tenant_id: TenantPath, registration_id: str, _: Caller) -> RegistrationView:
        registration = await service.get_registration(
            deps.registrations, tenant_id, registration_id
        )
        if registration is None:
            raise Refused(
                status.HTTP_404_NOT_FOUND,
                "registration_id (path)",
                "no such registration for this tenant",
            )
        return RegistrationView.of(registration)

    @router.get(
        "/registrations",
        response_model=RegistrationList,
        responses=errors,
        summary="A tenant's registrations, newest first",
        tags=["registrations"],
    )
    async def list_(
        tenant_id: TenantPath, _: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> RegistrationList:
        found = await service.list_registrations(deps.registrations, tenant_id, limit)
        return RegistrationList(registrations=[RegistrationView.of(r) for r in found])

    @router.post(
        "/consent",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ConsentAccepted,
        responses=errors,
        summary="Record consent the platform collected, or an opt-out it received",
        description="Published to `a2p.intake.consent` once Kafka has it; the optout service "
        "records it from there. The same `Idempotency-Key` (or, without one, the same body) "
        "again is the same command.",
        tags=["consent"],
    )
    async def record_consent(
        tenant_id: TenantPath,
        consent: ConsentRequest,
        _: Caller,
        idempotency_key: IdempotencyKey = None,
    ) -> ConsentAccepted:
        try:
            command = await service.record_consent(
                deps.commands,
                tenant_id=tenant_id,
                phone=consent.phone,
                action=consent.action,
                categories=consent.categories,
                evidence=consent.evidence,
                idempotency_key=idempotency_key,
            )
        except ValidationError as exc:
            raise RequestValidationError(
                [
                    error | {"loc": ("body", *domain.consent_error_loc(error["loc"], error["msg"]))}
                    for error in exc.errors()
                ]
            ) from None
        return ConsentAccepted.of(command)

    @router.get(
        "/consent/{phone}",
        response_model=ConsentView,
        responses={**errors, 404: {"model": ErrorBody}},
        summary="A person's consent and its whole history, for export or a dispute",
        tags=["consent"],
    )
    async def get_consent(tenant_id: TenantPath, phone: USPhone, _: Caller) -> ConsentView:
        record = await service.get_consent(deps.consent, tenant_id, phone)
        if record is None:
            raise Refused(
                status.HTTP_404_NOT_FOUND,
                "phone (path)",
                "no consent recorded for this number at this tenant",
            )
        return ConsentView.of(record)

    @router.get(
        "/consent-reviews",
        response_model=ReviewList,
        responses=errors,
        summary="Texts that may revoke consent, for staff to decide; newest first",
        tags=["consent"],
    )
    async def list_reviews(
        tenant_id: TenantPath,
        _: Caller,
        status_: Annotated[Literal["open", "resolved", "all"], Query(alias="status")] = "open",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> ReviewList:
        found = await service.list_reviews(
            deps.reviews, tenant_id, None if status_ == "all" else status_, limit
        )
        return ReviewList(reviews=[ReviewView.of(review) for review in found])

    @router.post(
        "/consent-reviews/{review_id}",
        response_model=ReviewView,
        responses={**errors, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
        summary="Decide a reviewed text: record an opt-out, or keep consent as it is",
        description="`opt_out` publishes the opt-out (source `staff_review`) before the review "
        "is marked resolved. The same decision again is a replay (`Idempotent-Replayed: "
        "true`); another decision on a resolved review is `409`.",
        tags=["consent"],
    )
    async def resolve_review(
        tenant_id: TenantPath,
        review_id: Annotated[str, Path(max_length=64)],
        decision: ReviewDecisionRequest,
        key: Caller,
        response: Response,
    ) -> ReviewView:
        try:
            resolution = await service.resolve_review(
                deps.reviews,
                deps.commands,
                deps.clock,
                tenant_id=tenant_id,
                review_id=review_id,
                decision=decision.decision,
                note=decision.note,
                resolved_by=key.platform,
            )
        except service.NotFound:
            raise Refused(
                status.HTTP_404_NOT_FOUND, "review_id (path)", "no such review for this tenant"
            ) from None
        except domain.ReviewConflict as exc:
            raise Refused(
                status.HTTP_409_CONFLICT, "decision", f"this review was already resolved: {exc}"
            ) from None
        if resolution.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return ReviewView.of(resolution.review)

    @router.post(
        "/messages",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=MessageAccepted,
        responses=errors,
        summary="Ask for one SMS to one person",
        description="Published as `message.requested` (`a2p.message.requested.v1`, key "
        "`tenant:+1E164`) once Kafka has it; the messaging service checks registration, consent "
        "and caps, and sends it from there. `Idempotency-Key` is required: the same key again "
        "is the same message (same `message_id`), sent once.",
        tags=["messages"],
    )
    async def request_message(
        tenant_id: TenantPath,
        message: MessageRequest,
        _: Caller,
        idempotency_key: RequiredIdempotencyKey,
    ) -> MessageAccepted:
        event = await service.request_message(
            deps.events,
            tenant_id=tenant_id,
            idempotency_key=idempotency_key,
            to=message.to,
            body=message.body,
            category=message.category,
            from_number=message.from_number,
            media_url=message.media_url,
        )
        return MessageAccepted.of(event)

    return router
