"""The official `twilio` SDK, talking to Twilio or, unchanged, to a Twilio-compatible emulator.

The SDK addresses three hosts (`api`, `messaging`, `trusthub` `.twilio.com`). With
`TWILIO_API_URL` set, every request to them goes to that base URL instead, the product as the
first path segment: `https://messaging.twilio.com/v1/Services` ->
`http://127.0.0.1:8089/messaging/v1/Services`. Absolute URLs the emulator returns (a list's
`next_page_url`) name Twilio's hosts as Twilio does, and are rewritten the same way. Without
`TWILIO_API_URL` nothing is rewritten: the same code talks to Twilio.
"""

import base64
import json
import re
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from a2p_shared.telemetry import Telemetry

TWILIO_HOST = re.compile(r"^https://(?P<product>[a-z]+)\.twilio\.com(?P<rest>/.*)?$")
PRODUCTS = ("api", "messaging", "trusthub")
# A Twilio resource SID: two letters and 32 hex digits. Replaced in metrics' resource paths, which
# must name a few resources, not every account, message and brand.
SID = re.compile(r"\b[A-Z]{2}[0-9a-f]{32}\b")

# The account every local run and test uses with the emulator; real deployments set their own.
LOCAL_ACCOUNT_SID = "AC" + "a2" * 16
LOCAL_AUTH_TOKEN = "local-emulator-auth-token"  # noqa: S105 - the emulator's, not a secret


class TwilioSettings(BaseSettings):
    """Twilio credentials and where Twilio is; unprefixed, as the SDK's own variables are."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    account_sid: str = Field(
        default=LOCAL_ACCOUNT_SID,
        pattern=r"^AC[0-9a-fA-F]{32}$",
        validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "account_sid"),
    )
    auth_token: SecretStr = Field(
        default=SecretStr(LOCAL_AUTH_TOKEN),
        validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "auth_token"),
        description="Also the key Twilio signs webhooks with",
    )
    api_url: str = Field(
        default="",
        validation_alias=AliasChoices("TWILIO_API_URL", "api_url"),
        description="A Twilio-compatible base URL (the emulator); empty means Twilio itself",
    )
    timeout_s: float = Field(
        default=10.0,
        gt=0,
        validation_alias=AliasChoices("TWILIO_TIMEOUT_S", "timeout_s"),
    )


def rewrite(url: str, base_url: str) -> str:
    """`https://messaging.twilio.com/v1/X` -> `<base_url>/messaging/v1/X`; other URLs unchanged."""
    match = TWILIO_HOST.match(url)
    if not match or match["product"] not in PRODUCTS:
        return url
    return f"{base_url.rstrip('/')}/{match['product']}{match['rest'] or ''}"


class TwilioHttpClient(AsyncTwilioHttpClient):
    """The SDK's own async HTTP client, sending Twilio's hosts to `base_url` when one is given.

    Credentials go in the `Authorization` header: the SDK hands aiohttp a `BasicAuth`, which
    aiohttp deprecates, and deprecation warnings are errors in our tests. The client's timeout
    is applied to every request: the SDK's async client keeps it but never passes it on.
    """

    def __init__(
        self,
        base_url: str = "",
        timeout: float | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url
        tracer_provider = telemetry.tracer_provider if telemetry else trace.get_tracer_provider()
        meter_provider = telemetry.meter_provider if telemetry else metrics.get_meter_provider()
        self._tracer = tracer_provider.get_tracer("a2p.twilio")
        self._duration = meter_provider.get_meter("a2p.twilio").create_histogram(
            "a2p.twilio.call.duration",
            unit="s",
            description="Twilio API calls, by resource, status code, Twilio error code and error",
        )

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK's signature
        allow_redirects: bool = False,
    ) -> Response:
        headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        path = TWILIO_HOST.sub(lambda m: f"{m['product']}{m['rest'] or ''}", url)
        # The path (resource SIDs) is the search key; parameters and bodies hold people's data.
        with self._tracer.start_as_current_span(
            f"twilio {method} {path}",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": method,
                "url.path": path,
                "server.address": urlsplit(url).hostname or "",
            },
        ) as span:
            started = time.perf_counter()
            measured: dict[str, str | int] = {
                "http.request.method": method,
                "a2p.twilio.resource": SID.sub("{sid}", path),
            }
            try:
                response = await super().request(
                    method,
                    rewrite(url, self.base_url) if self.base_url else url,
                    params=params,
                    data=data,
                    headers=headers,
                    auth=None,
                    timeout=timeout or self.timeout,
                    allow_redirects=allow_redirects,
                )
            except Exception as error:  # timed out, refused: no answer at all
                measured["error.type"] = type(error).__qualname__
                self._duration.record(time.perf_counter() - started, measured)
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            measured["http.response.status_code"] = response.status_code
            if response.status_code >= 400:
                code = error_code(response.text)
                measured["error.type"] = str(response.status_code)
                if code is not None:
                    measured["a2p.twilio.error_code"] = str(code)
                    span.set_attribute("a2p.twilio.error_code", code)
                span.set_status(Status(StatusCode.ERROR, f"Twilio answered {response.status_code}"))
            self._duration.record(time.perf_counter() - started, measured)
            return response


def twilio_client(settings: TwilioSettings, telemetry: Telemetry | None = None) -> Client:
    """An SDK client whose `*_async` calls go to Twilio, or to `settings.api_url` when set.

    Call it inside the running event loop (the HTTP session belongs to it) and close the client
    with `close_twilio_client` on shutdown.
    """
    return Client(
        settings.account_sid,
        settings.auth_token.get_secret_value(),
        http_client=TwilioHttpClient(
            settings.api_url, timeout=settings.timeout_s, telemetry=telemetry
        ),
    )


async def close_twilio_client(client: Client) -> None:
    http_client = client.http_client
    if isinstance(http_client, AsyncTwilioHttpClient):
        await http_client.close()


def error_code(body: str) -> int | None:
    """Twilio's error code from an error response's JSON body (`{"code": 21610, ...}`)."""
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


def signature_valid(
    auth_token: str, public_url: str, params: Mapping[str, str], signature: str
) -> bool:
    """Whether `X-Twilio-Signature` is Twilio's (or the emulator's) for this request.

    `public_url` is the URL Twilio was given (scheme, host, port, path and query as configured),
    not the one this process sees behind a proxy.
    """
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(public_url, dict(params), signature))
