"""The composition root: `create_app(settings)` builds the emulator's FastAPI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from a2p_twilio_emulator import admin, api, messaging, trusthub
from a2p_twilio_emulator.canonical import HOSTS
from a2p_twilio_emulator.errors import TwilioError, not_found
from a2p_twilio_emulator.settings import EmulatorSettings
from a2p_twilio_emulator.state import EmulatorState
from a2p_twilio_emulator.webhooks import Webhooks

DESCRIPTION = (
    "A local stand-in for Twilio's TrustHub, A2P 10DLC, Messaging Service and Messages APIs. "
    "Twilio's paths are served under /api, /messaging and /trusthub; the admin API under "
    "/_emulator."
)


def create_app(settings: EmulatorSettings | None = None) -> FastAPI:
    settings = settings or EmulatorSettings()
    webhooks = Webhooks(settings.auth_token.get_secret_value(), settings.webhook_timeout_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await webhooks.start()
        app.state.emulator = EmulatorState(settings, webhooks)
        try:
            yield
        finally:
            await app.state.emulator.stop_background()
            await webhooks.close()

    app = FastAPI(title="a2p-twilio-emulator", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.add_exception_handler(TwilioError, _twilio_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for router in (trusthub.router, messaging.router, api.router, admin.router):
        app.include_router(router)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _is_twilio_path(request: Request) -> bool:
    return request.url.path.split("/")[1] in HOSTS


async def _twilio_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, TwilioError)
    return JSONResponse(error.body(), status_code=error.status)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """Unknown Twilio paths answer as Twilio does (404, 20404); the admin API keeps FastAPI's."""
    assert isinstance(error, StarletteHTTPException)
    if not _is_twilio_path(request):
        return JSONResponse({"detail": error.detail}, status_code=error.status_code)
    if error.status_code == 404:
        product = request.url.path.split("/")[1]
        twilio = not_found(request.url.path.removeprefix(f"/{product}") or "/")
    else:
        code = 20004 if error.status_code == 405 else 20001
        twilio = TwilioError(error.status_code, code, str(error.detail))
    return JSONResponse(twilio.body(), status_code=twilio.status)


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    if not _is_twilio_path(request):
        return JSONResponse({"detail": error.errors()}, status_code=422)
    first = error.errors()[0] if error.errors() else {}
    name = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
    twilio = TwilioError(400, 20001, f"Invalid parameter {name}: {first.get('msg', 'invalid')}")
    return JSONResponse(twilio.body(), status_code=400)
