"""registrar's HTTP side: TrustHub status callbacks, signed by Twilio.

Twilio calls back when a customer profile or trust product changes status; brand registrations
and campaigns have no callback, so those are polled (see `handlers.poller`).
"""

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from a2p_registrar import service
from a2p_shared.twilio import signature_valid

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 16 * 1024


def build_router(deps: service.Deps, *, auth_token: str, callback_url: str) -> APIRouter:
    router = APIRouter(tags=["twilio"])

    @router.post(
        "/twilio/trusthub-status",
        status_code=204,
        responses={403: {"description": "X-Twilio-Signature does not match"}},
    )
    async def trusthub_status(request: Request) -> Response:
        """A customer profile or trust product changed status: its onboarding looks again now."""
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return Response(status_code=413)
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature_valid(auth_token, callback_url, form, signature):
            log.warning("TrustHub callback refused: X-Twilio-Signature does not match")
            return Response(status_code=403)
        bundle_sid, status = form.get("BundleSid", ""), form.get("Status", "")
        if bundle_sid:
            await service.bundle_status_changed(deps, bundle_sid, status)
        return Response(status_code=204)

    return router
