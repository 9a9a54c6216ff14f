"""No secret or personal data in logs, traces or error answers, after a workload through every
service on real Kafka and MongoDB and the Twilio emulator.

The workload: a registration (EIN, the representative's e-mail and phone), a consent opt-in, a
text sent to the person and its delivery statuses, the person's own text and their STOP (with
the confirmation sent back), and requests refused for bad input carrying the same data. Then
every log line (as the services write them: JSON lines), every recorded span (name, attributes,
events, status, links) and every refusal's body is searched for a US phone number in E.164,
the EIN, an e-mail address, the texts' bodies, the API key's secret and the Twilio auth token.
"""

import io
import logging
import re
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from twilio.request_validator import RequestValidator

from a2p_shared.events import MessageSentV1, MessageStatusV1
from a2p_shared.logs import JsonLogFormatter
from a2p_shared.testing.kafka import read_topic
from a2p_shared.testing.waiting import eventually
from a2p_shared.traces import PHONE
from a2p_shared.twilio import LOCAL_AUTH_TOKEN, TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.testing import serve

from tests.support import (
    SERVICES,
    Infra,
    IssueKey,
    Key,
    Running,
    RunService,
    free_port,
    listening,
    onboarded,
    register_numbers,
)

pytestmark = pytest.mark.infra

NUMBER = "+12175550100"  # the tenant's, from the example registration
PERSON = "+13125550142"
EIN = "12-3456789"
EMAIL = "dreyes@springfield.example"
SENT_BODY = "Springfield 311: permit 4711 for 742 Evergreen Terrace is ready."
RECEIVED_BODY = "Is the pothole on Elm St fixed yet? My kid rides past it."
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def leaks(text: str, secrets: list[str]) -> list[str]:
    found = [match.group(0) for match in PHONE.finditer(text)]
    found += [match.group(0) for match in EMAIL_ADDRESS.finditer(text)]
    found += [
        s for s in (EIN, EIN.replace("-", ""), SENT_BODY, RECEIVED_BODY, *secrets) if s in text
    ]
    return found


def span_texts(span: ReadableSpan) -> Iterator[str]:
    yield span.name
    if span.status.description:
        yield span.status.description
    attribute_sets = [span.attributes or {}]
    attribute_sets += [event.attributes or {} for event in span.events]
    attribute_sets += [link.attributes or {} for link in span.links]
    yield from (event.name for event in span.events)
    for attributes in attribute_sets:
        for key, value in attributes.items():
            values = value if isinstance(value, tuple | list) else [value]
            yield from (f"{key}={v}" for v in values)


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every record of every logger at INFO and above, as the services' JSON lines."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonLogFormatter("any"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class Workload:
    """The requests of a platform for one tenant, keeping every refusal it got."""

    def __init__(self, intake: Running, key: Key, tenant: str) -> None:
        self.intake, self.key, self.tenant = intake, key, tenant
        self.refusals: list[httpx.Response] = []

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.key.headers, **kwargs.pop("headers", {})}
        answer = await self.intake.http.request(
            method, f"/v1/tenants/{self.tenant}{path}", headers=headers, **kwargs
        )
        if answer.status_code >= 400:
            self.refusals.append(answer)
        return answer

    async def consent_is(self, state: str) -> bool:
        shown = await self.call("GET", f"/consent/{PERSON}")
        return shown.status_code == 200 and shown.json()["state"] == state


OPT_IN = {
    "phone": PERSON,
    "action": "opt_in",
    "categories": ["transactional"],
    "evidence": {
        "method": "web_form",
        "text": "Text me updates about my 311 request.",
        "url": "https://www.springfield.example/311",
        "collected_at": "2026-11-20T15:04:05Z",
    },
}


async def workload(
    work: Workload,
    infra: Infra,
    mongo_db: Any,
    admin: httpx.AsyncClient,
    url: str,
    registration_document: dict[str, Any],
    stranger: Key,
) -> list[httpx.Response]:
    """Runs it; returns the webhook refusals (intake's are on `work`)."""
    await register_numbers(infra, mongo_db, {NUMBER: work.tenant})
    posted = await work.call("POST", "/registrations", json=registration_document)
    assert posted.status_code == 202, posted.text
    shown = posted.headers["Location"].removeprefix(f"/v1/tenants/{work.tenant}")

    async def validated() -> bool:
        return (await work.call("GET", shown)).json()["status"] != "submitted"

    await eventually(validated)
    assert (await work.call("POST", "/consent", json=OPT_IN)).status_code == 202
    await eventually(lambda: work.consent_is("opted_in"))
    message = {"to": PERSON, "body": SENT_BODY, "category": "transactional"}
    requested = await work.call(
        "POST", "/messages", json=message, headers={"Idempotency-Key": "permit-4711"}
    )
    assert requested.status_code == 202, requested.text
    await read_topic(infra.kafka_bootstrap, infra.topics.of(MessageStatusV1), expect=2)
    for body in (RECEIVED_BODY, "STOP"):
        texted = await admin.post("/inbound", json={"from": PERSON, "to": NUMBER, "body": body})
        assert texted.json()["webhook_status"] == 200, texted.json()
    await eventually(lambda: work.consent_is("opted_out"))
    await read_topic(infra.kafka_bootstrap, infra.topics.of(MessageSentV1), expect=2)

    # Refused, each with the same personal data in it.
    broken = {
        **registration_document,
        "representative": {
            **registration_document["representative"],
            "email": EMAIL.replace("@", "@@"),
            "phone": PERSON + "9",
        },
        "brand": {**registration_document["brand"], "ein": EIN + "0"},
    }
    assert (await work.call("POST", "/registrations", json=broken)).status_code == 422
    incomplete = {"phone": PERSON, "action": "opt_in"}
    assert (await work.call("POST", "/consent", json=incomplete)).status_code == 422
    too_long = {**message, "body": SENT_BODY * 30}
    headers = {"Idempotency-Key": "too-long"}
    assert (await work.call("POST", "/messages", json=too_long, headers=headers)).status_code == 422
    guessed = {"Authorization": f"Bearer a2p_{work.key.key_id}.{EIN}"}
    assert (await work.call("GET", f"/consent/{PERSON}", headers=guessed)).status_code == 401
    assert (await work.call("GET", shown, headers=stranger.headers)).status_code == 403

    refused = []
    form = {"MessageSid": "SM" + "7" * 32, "From": PERSON, "To": NUMBER, "Body": RECEIVED_BODY}
    async with httpx.AsyncClient(base_url=url) as client:
        for changed, signature in (
            ({"From": PERSON[:-1]}, True),
            ({"Body": RECEIVED_BODY * 40}, True),
            ({}, False),
        ):
            sent = {**form, **changed}
            signed = RequestValidator(LOCAL_AUTH_TOKEN).compute_signature(
                f"{url}/twilio/inbound", sent
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signed if signature else "forged",
            }
            answer = await client.post("/twilio/inbound", content=urlencode(sent), headers=headers)
            assert answer.status_code in (400, 403), answer.text
            refused.append(answer)
    return refused


async def test_a_workload_leaves_no_personal_data_or_secret_behind(
    infra: Infra,
    run_service: RunService,
    mongo_db: Any,
    issue_key: IssueKey,
    tenant: str,
    registration_document: dict[str, Any],
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    key, stranger = await issue_key(tenant), await issue_key(f"{tenant}-stranger")
    running: dict[str, Running] = {}
    with captured_logs() as lines:
        async with serve() as emulator, AsyncExitStack() as stack:
            twilio = twilio_client(TwilioSettings(api_url=emulator.url))
            try:
                await onboarded(
                    twilio, tenant, [NUMBER], inbound_request_url=f"{url}/twilio/inbound"
                )
            finally:
                await close_twilio_client(twilio)
            for name, service in SERVICES.items():
                adapters = service.adapters()
                overrides: dict[str, Any] = {}
                if name == "messaging":
                    adapters = {"twilio_settings": TwilioSettings(api_url=emulator.url)}
                    overrides = {"public_url": url}
                settings = infra.settings(service.settings, **overrides)
                running[name] = await stack.enter_async_context(
                    run_service(service.create, settings, **adapters)
                )
            await stack.enter_async_context(listening(running["messaging"].app, port))
            admin = await stack.enter_async_context(
                httpx.AsyncClient(base_url=f"{emulator.url}/_emulator")
            )
            work = Workload(running["intake"], key, tenant)
            webhook_refusals = await workload(
                work, infra, mongo_db, admin, url, registration_document, stranger
            )

    secrets = [key.token.split(".", 1)[1], LOCAL_AUTH_TOKEN]
    log_lines = lines.getvalue().splitlines()
    spans = {name: service.recorded.spans() for name, service in running.items()}
    assert len(log_lines) > 10
    assert all(spans.values()), {name: len(found) for name, found in spans.items()}
    assert leaks(f"{PERSON} {EMAIL} {EIN} {SENT_BODY}", secrets), "the search finds them"

    found = {f"log: {line}": leaks(line, secrets) for line in log_lines}
    for name, recorded in spans.items():
        for span in recorded:
            for text in span_texts(span):
                found[f"{name} span {span.name}: {text}"] = leaks(text, secrets)
    for refusal in [*work.refusals, *webhook_refusals]:
        where = f"{refusal.request.method} {refusal.request.url.path} {refusal.status_code}"
        found[f"{where}: {refusal.text}"] = leaks(refusal.text, secrets)
    assert {where: what for where, what in found.items() if what} == {}
