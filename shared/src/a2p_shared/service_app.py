"""The shell every service runs in: an ASGI app with the broker's lifespan, a health check,
the AsyncAPI document, HTTP tracing and a request-size limit.

Each service's `create_app` builds its adapters and routers and hands them to `service_app`;
the service itself never starts or stops anything.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import yaml
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.specification import AsyncAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pymongo import AsyncMongoClient
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from a2p_shared.kafka import ACK_POLICY
from a2p_shared.lag import lag_gauge
from a2p_shared.logs import log_config
from a2p_shared.settings import ServiceSettings
from a2p_shared.telemetry import Telemetry

VERSION = "0.1.0"

Hook = Callable[[], Awaitable[None]]


def service_app(
    *,
    settings: ServiceSettings,
    description: str,
    broker: KafkaBroker,
    mongo: AsyncMongoClient[dict[str, Any]],
    telemetry: Telemetry,
    kafka_routers: Sequence[KafkaRouter] = (),
    http_routers: Sequence[APIRouter] = (),
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    background: Sequence[Hook] = (),
    max_body_bytes: int = 256 * 1024,
) -> FastAPI:
    """`background` loops (a poller) run while the broker runs; they are cancelled before it
    stops, so none of them publishes into a stopped broker."""
    for router in kafka_routers:
        broker.include_router(router)
    careless = [s.topic_names for s in broker.subscribers if s.ack_policy is not ACK_POLICY]
    if careless:
        raise RuntimeError(
            f"subscribers of {careless} would commit offsets before processing: make their "
            "router with a2p_shared.kafka.kafka_router()"
        )
    asyncapi = AsyncAPI(
        broker, title=f"a2p-{settings.service_name}", version=VERSION, description=description
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Indexes and other start-up work finish before the first record is consumed.
        for hook in on_startup:
            await hook()
        await broker.start()
        lag = lag_gauge(
            settings.kafka_bootstrap_servers, f"{settings.group_id}.", telemetry.meter_provider
        )
        loops = [*background, lag]
        tasks = [asyncio.create_task(loop(), name=loop.__qualname__) for loop in loops]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await broker.stop()
            for hook in on_shutdown:
                await hook()
            await mongo.close()

    app = FastAPI(
        title=f"a2p-{settings.service_name}",
        version=VERSION,
        description=description,
        lifespan=lifespan,
    )
    app.state.asyncapi = asyncapi
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for router in http_routers:
        app.include_router(router)

    @app.get(
        "/health",
        tags=["operations"],
        summary="Liveness and readiness",
        responses={503: {"description": "Kafka or MongoDB cannot be reached (named)"}},
    )
    async def health() -> JSONResponse:
        checks = {
            "kafka": "ok" if await broker.ping(timeout=2.0) else "unreachable",
            "mongodb": await _mongo_status(mongo),
        }
        ok = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"service": settings.service_name, "status": "ok" if ok else "degraded", **checks},
            status_code=200 if ok else 503,
        )

    @app.get(
        "/asyncapi.yaml",
        tags=["operations"],
        summary="The events this service uses",
        response_class=PlainTextResponse,
        responses={200: {"content": {"application/yaml": {}}}},
    )
    async def asyncapi_document() -> PlainTextResponse:
        return PlainTextResponse(asyncapi_yaml(app), media_type="application/yaml")

    # The stable HTTP conventions measure latency by route (`/v1/tenants/{tenant_id}/...`, a few
    # series); the old ones by raw path, a series per tenant and id.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
        excluded_urls="health",
    )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    return app


async def _invalid_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        where, *path = error["loc"]
        field = ".".join(str(part) for part in path) or "(body)"
        if error["type"] == "json_invalid":
            field = "(body)"
        elif where in ("header", "query", "path"):
            field = f"{field} ({where})"
        errors.append({"field": field, "reason": error["msg"]})
    return _invalid(errors)


def _invalid(errors: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse(
        {"error": "invalid_request", "message": "the request has invalid fields", "errors": errors},
        status_code=422,
    )


class Refused(StarletteHTTPException):
    """A refusal that names what the caller must change, as a 422's `errors` do: the field
    (`registration_id (path)`, `Authorization (header)`) and why."""

    def __init__(
        self, status_code: int, field: str, reason: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code, reason, headers)
        self.field = field


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI answers a JSON body that is not UTF-8 with a bare 400 (its other undecodable
        # bodies get 422): it is refused like them, naming the body.
        return _invalid([{"field": "(body)", "reason": "not valid UTF-8 JSON"}])
    slug = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    errors = [{"field": exc.field, "reason": exc.detail}] if isinstance(exc, Refused) else []
    return JSONResponse(
        {"error": slug, "message": exc.detail, "errors": errors},
        status_code=exc.status_code,
        headers=exc.headers,
    )


async def _mongo_status(mongo: AsyncMongoClient[dict[str, Any]]) -> str:
    try:
        await mongo.admin.command("ping")
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"unreachable: {type(exc).__name__}"
    return "ok"


def asyncapi_yaml(app: FastAPI) -> str:
    """The service's AsyncAPI document, in a stable order so it can be committed and diffed.

    FastStream keeps subscribers in a WeakSet, so its own order changes from run to run.
    """
    spec: AsyncAPI = app.state.asyncapi
    document = spec.to_specification().to_jsonable()
    for section in (document, document.get("components", {})):
        for name in ("channels", "operations", "messages", "schemas"):
            if isinstance(section.get(name), dict):
                section[name] = dict(sorted(section[name].items()))
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            {
                "error": "content_too_large",
                "message": "the request body is too large",
                "errors": [
                    {"field": "(body)", "reason": f"must be at most {self.max_bytes} bytes"}
                ],
            },
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run a service until SIGTERM/SIGINT; its lifespan stops consumers before exit. Logs are
    JSON lines with the trace id (`A2P_LOG_FORMAT=text` for uvicorn's plain ones)."""
    import uvicorn

    text = os.environ.get("A2P_LOG_FORMAT", "json") == "text"
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="info",
        **({} if text else {"log_config": log_config(f"a2p-{settings.service_name}")}),
    )
