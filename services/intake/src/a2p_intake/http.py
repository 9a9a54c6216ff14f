"""Intake's HTTP API: registrations per tenant, behind per-platform API keys."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from a2p_intake import service
from a2p_intake.domain import IdempotencyConflict
from a2p_intake.ports import (
    ApiKey,
    ApiKeyStore,
    EventPublisher,
    OnboardingView,
    Registration,
    RegistrationStore,
)
from a2p_shared.clock import Clock
from a2p_shared.events import RegistrationRequest
from a2p_shared.events.policy import FeeItem, Finding

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


_bearer = HTTPBearer(auto_error=False, description="A platform API key: `a2p_<id>.<secret>`")


def build_router(deps: IntakeDeps) -> APIRouter:
    router = APIRouter(prefix="/v1/tenants/{tenant_id}", tags=["registrations"])

    async def caller(
        tenant_id: TenantPath,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiKey:
        token = credentials.credentials if credentials else None
        try:
            return await service.authorize(deps.api_keys, token, tenant_id)
        except service.Unauthenticated:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing, unknown or revoked API key",
                headers={"WWW-Authenticate": "Bearer"},
            ) from None
        except service.Forbidden:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "this API key may not act for this tenant"
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
            raise HTTPException(
                status.HTTP_409_CONFLICT,
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
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, "no such registration for this tenant"
            ) from None
        except service.ConcurrentCorrection:
            raise HTTPException(
                status.HTTP_409_CONFLICT, "another correction was accepted first; GET and retry"
            ) from None
        if not submission.created:
            response.headers["Idempotent-Replayed"] = "true"
        return RegistrationView.of(submission.registration)

    @router.get(
        "/registrations/{registration_id}",
        response_model=RegistrationView,
        responses={**errors, 404: {"model": ErrorBody}},
        summary="A registration, its status and its timeline",
    )
    async def get(tenant_id: TenantPath, registration_id: str, _: Caller) -> RegistrationView:
        registration = await service.get_registration(
            deps.registrations, tenant_id, registration_id
        )
        if registration is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such registration for this tenant")
        return RegistrationView.of(registration)

    @router.get(
        "/registrations",
        response_model=RegistrationList,
        responses=errors,
        summary="A tenant's registrations, newest first",
    )
    async def list_(
        tenant_id: TenantPath, _: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> RegistrationList:
        found = await service.list_registrations(deps.registrations, tenant_id, limit)
        return RegistrationList(registrations=[RegistrationView.of(r) for r in found])

    return router
