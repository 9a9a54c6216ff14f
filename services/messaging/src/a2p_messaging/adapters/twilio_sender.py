"""Sending through the official `twilio` SDK, and asking Twilio whether a send happened."""

from datetime import datetime

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from a2p_messaging.ports import SendRefused, TwilioUnavailable
from a2p_shared.telemetry import Telemetry
from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client


class TwilioSender:
    def __init__(
        self,
        settings: TwilioSettings,
        status_callback_url: str,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._settings = settings
        self._telemetry = telemetry
        self._status_callback = status_callback_url
        self._sdk: Client | None = None

    @property
    def _client(self) -> Client:
        # Made on first use, inside the running loop its HTTP session belongs to.
        if self._sdk is None:
            self._sdk = twilio_client(self._settings, self._telemetry)
        return self._sdk

    async def warm_up(self) -> None:
        """The SDK imports each resource's modules on first use (~0.6 s here): do it at start,
        not in the first person's send."""
        _ = self._client.messages

    async def close(self) -> None:
        if self._sdk is not None:
            await close_twilio_client(self._sdk)

    async def send(self, *, to: str, from_: str, body: str, media_url: str | None) -> str:
        """Twilio's SID for the new message. Raises `SendRefused` (Twilio said no, with its
        code) or `TwilioUnavailable` (no answer: it may or may not have accepted it)."""
        extra = {"media_url": [media_url]} if media_url else {}
        try:
            message = await self._client.messages.create_async(
                to=to, from_=from_, body=body, status_callback=self._status_callback, **extra
            )
        except TwilioRestException as error:
            if error.status >= 500 or error.status == 429:
                raise TwilioUnavailable(f"Twilio answered {error.status}") from error
            raise SendRefused(error.code, error.msg) from error
        except (TwilioException, aiohttp.ClientError, TimeoutError) as error:
            raise TwilioUnavailable(str(error) or type(error).__name__) from error
        return str(message.sid)

    async def find(self, *, to: str, from_: str, body: str, since: datetime) -> str | None:
        """The SID of a message Twilio has from `from_` to `to` with `body`, sent after
        `since`, if any. Raises `TwilioUnavailable`."""
        try:
            messages = await self._client.messages.list_async(
                to=to, from_=from_, date_sent_after=since, limit=50
            )
        except (TwilioException, aiohttp.ClientError, TimeoutError) as error:
            raise TwilioUnavailable(str(error) or type(error).__name__) from error
        return next((str(m.sid) for m in messages if m.body == body), None)
