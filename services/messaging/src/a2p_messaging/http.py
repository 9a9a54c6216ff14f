"""messaging's HTTP side: Twilio's inbound-message webhook and message status callbacks.

Each request's `X-Twilio-Signature` is checked first, against the public URL Twilio was given
(`MESSAGING_PUBLIC_URL` + path + query); a request that fails it changes nothing. Twilio gets
its 2xx only once the event is in Kafka, and a 503 it retries when Kafka did not take it.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from a2p_messaging import domain, service
from a2p_shared.twilio import signature_valid

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

UseCase = Callable[[service.Deps, Mapping[str, str]], Awaitable[service.Outcome]]

_REFUSALS: dict[int | str, dict[str, str]] = {
    400: {"description": "A field Twilio always sends is missing or invalid (named in `errors`)"},
    403: {"description": "X-Twilio-Signature does not match"},
    413: {"description": "The form is larger than 64 KiB"},
    503: {"description": "Kafka did not acknowledge the event; Twilio should retry"},
}


def build_router(deps: service.Deps, *, auth_token: str, public_url: str) -> APIRouter:
    router = APIRouter(prefix="/twilio", tags=["twilio"])

    async def handle(request: Request, use_case: UseCase, done: Response) -> Response:
        """`done` once the use case has published the event, found it a duplicate, or found the
        number is not ours (nothing to do, and nothing Twilio should retry)."""
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return _error(413, "content_too_large", f"the form exceeds {MAX_FORM_BYTES} bytes")
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        url = domain.signed_url(public_url, request.url.path, request.url.query)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature_valid(auth_token, url, form, signature):
            log.warning("%s refused: X-Twilio-Signature does not match %s", request.url.path, url)
            return _error(403, "forbidden", "X-Twilio-Signature does not match")
        try:
            await use_case(deps, form)
        except domain.InvalidForm as error:
            log.warning("%s refused: %s", request.url.path, error)
            return _error(
                400,
                "invalid_request",
                "the webhook form has an invalid field",
                [{"field": error.field, "reason": error.reason}],
            )
        except service.Unavailable:
            return _error(503, "service_unavailable", "the event could not be stored; retry")
        return done

    @router.post(
        "/inbound",
        response_class=Response,
        responses={200: {"content": {"text/xml": {}}, "description": "Empty TwiML"}, **_REFUSALS},
    )
    async def inbound(request: Request) -> Response:
        """A person texted one of our numbers: `inbound.message`, once per MessageSid."""
        return await handle(
            request, service.receive_inbound, Response(EMPTY_TWIML, media_type="text/xml")
        )

    @router.post("/status", response_class=Response, responses={200: {}, **_REFUSALS})
    async def status(request: Request) -> Response:
        """Twilio reports a message's status: `message.status`, once per MessageSid and status."""
        return await handle(request, service.receive_status, Response(status_code=200))

    return router


def _error(
    status_code: int, error: str, message: str, errors: list[dict[str, str]] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": error, "message": message, "errors": errors or []}, status_code=status_code
    )
