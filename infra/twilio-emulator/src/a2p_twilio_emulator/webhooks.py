"""Requests Twilio makes to the account's servers: inbound messages, status callbacks.

Each is form-encoded and signed as Twilio signs it: `X-Twilio-Signature` is
base64(HMAC-SHA1(auth token, URL + every param name and value, sorted by name)), computed with
the SDK's own `RequestValidator`, so `RequestValidator.validate` accepts it. The URL is the one
configured (for a GET webhook, with the params in its query string and none in the signature).
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from a2p_twilio_emulator.clock import iso8601, now

log = logging.getLogger(__name__)

WebhookKind = Literal["inbound", "status-callback", "bundle-status"]


@dataclass
class Delivery:
    kind: WebhookKind
    url: str
    method: str
    params: dict[str, str]
    status: int | None = None  # the HTTP status the server answered, None if it did not
    error: str | None = None
    response_body: str = ""
    content_type: str = ""
    at: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "error": self.error,
            "at": iso8601(self.at),
        }


class Webhooks:
    def __init__(self, auth_token: str, timeout_s: float) -> None:
        self._validator = RequestValidator(auth_token)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self.log: list[Delivery] = []

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def signature(self, url: str, params: dict[str, str]) -> str:
        return self._validator.compute_signature(url, params)

    async def send(
        self, kind: WebhookKind, url: str, params: dict[str, str], method: str = "POST"
    ) -> Delivery:
        """Deliver once (Twilio does not retry these by default); never raises."""
        delivery = Delivery(kind, url, method.upper(), params)
        self.log.append(delivery)
        if self._session is None:
            delivery.error = "the emulator is not running"
            return delivery
        headers = {
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        }
        if delivery.method == "GET":
            target = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}" if params else url
            headers["X-Twilio-Signature"] = self.signature(target, {})
            request = self._session.get(target, headers=headers)
        else:
            headers["X-Twilio-Signature"] = self.signature(url, params)
            request = self._session.post(url, data=params, headers=headers)
        try:
            async with request as response:
                delivery.status = response.status
                delivery.content_type = response.headers.get("Content-Type", "")
                delivery.response_body = await response.text()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            delivery.error = f"{type(error).__name__}: {error}"
            log.info("webhook %s %s failed: %s", delivery.method, url, delivery.error)
        return delivery
