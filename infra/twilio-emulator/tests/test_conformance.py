"""The emulator against Twilio's own OpenAPI documents (`twilio-oai/`).

1. Every Twilio route the app serves exists in the product's spec, with that method.
2. Every one of them is driven once through the real SDK, and each JSON response validates
   against the spec's schema for the status code returned. The schemas are made strict: a field
   the spec does not name is an error, as is a wrong type, a malformed SID, date or URL.
3. The checker itself is shown to fail on a wrong type, an unknown field and an unknown path.
"""

import email.utils
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import APIRouter, FastAPI
from jsonschema import Draft202012Validator, FormatChecker
from twilio.rest import Client

from a2p_shared.twilio import TwilioSettings, close_twilio_client, twilio_client
from a2p_twilio_emulator.app import create_app
from a2p_twilio_emulator.review import Outcome
from a2p_twilio_emulator.testing import (
    AUTHORIZED_REPRESENTATIVE,
    BUSINESS_INFORMATION,
    CAMPAIGN,
    RunningEmulator,
    brand_status,
    campaign_status,
    eventually,
)

SPECS = Path(__file__).parent / "twilio-oai"
SPEC_FILES = {
    "api": "twilio_api_v2010.json",
    "messaging": "twilio_messaging_v1.json",
    "trusthub": "twilio_trusthub_v1.json",
}
HOSTS = {
    "api.twilio.com": "api",
    "messaging.twilio.com": "messaging",
    "trusthub.twilio.com": "trusthub",
}
CUSTOMER_PROFILE_POLICY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"
TRUST_PRODUCT_POLICY = "RNb0d4771c2c98518d916a3d4cd70a8f8b"
PRIMARY = "BU" + "a2" * 16
CAMPAIGN_SID = "QE2c6890da8086d771620e9b13fadeba0b"
METHODS = ("get", "post", "delete")


@cache
def spec(product: str) -> dict[str, Any]:
    return json.loads((SPECS / SPEC_FILES[product]).read_text())


# --- routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    product: str
    path: str  # Twilio's, without the emulator's product prefix: /v1/Services/{Sid}
    method: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(self.path)) + "$")


def served_operations(app: FastAPI) -> set[Operation]:
    """The Twilio operations the app serves, as its OpenAPI document lists them."""
    served = set()
    for path, operations in app.openapi()["paths"].items():
        product, _, rest = path.lstrip("/").partition("/")
        if product not in SPEC_FILES:
            continue
        served |= {Operation(product, f"/{rest}", method) for method in operations}
    return served


def _shape(path: str) -> str:
    return re.sub(r"\{[^/]+?\}", "{}", path)


def spec_path(operation: Operation) -> str | None:
    """The spec's path for the operation: the same template, parameters compared by position."""
    paths = spec(operation.product)["paths"]
    if operation.path in paths:
        return operation.path
    return next((path for path in paths if _shape(path) == _shape(operation.path)), None)


def unknown_operations(operations: set[Operation]) -> list[Operation]:
    unknown = []
    for operation in sorted(operations, key=lambda op: (op.product, op.path, op.method)):
        path = spec_path(operation)
        if path is None or operation.method not in spec(operation.product)["paths"][path]:
            unknown.append(operation)
    return unknown


def test_every_served_route_is_in_twilios_spec() -> None:
    served = served_operations(create_app())
    assert len(served) > 50
    assert unknown_operations(served) == []


def test_an_unknown_path_is_caught() -> None:
    app = create_app()
    extra = APIRouter(prefix="/messaging/v1")

    @extra.get("/Services/{Sid}/Gossip")
    async def gossip() -> dict[str, str]:
        return {}

    @extra.put("/Services/{Sid}")
    async def put_service() -> dict[str, str]:
        return {}

    app.include_router(extra)
    unknown = unknown_operations(served_operations(app))
    assert unknown == [
        Operation("messaging", "/v1/Services/{Sid}", "put"),
        Operation("messaging", "/v1/Services/{Sid}/Gossip", "get"),
    ]


# --- schemas ----------------------------------------------------------------------------------


def json_schema(node: Any, document: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """OpenAPI 3.0 -> JSON Schema: `$ref`s inlined, `nullable` as a type union, and objects
    closed (`additionalProperties: false`) unless the spec says otherwise."""
    if isinstance(node, list):
        return [json_schema(item, document, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        reference = node["$ref"]
        if reference in seen:
            return {}
        target: Any = document
        for part in reference.removeprefix("#/").split("/"):
            target = target[part]
        return json_schema(target, document, (*seen, reference))
    converted = {
        key: (
            {name: json_schema(value, document, seen) for name, value in child.items()}
            if key == "properties"
            else json_schema(child, document, seen)
        )
        for key, child in node.items()
        if key != "nullable"
    }
    if node.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    if "properties" in node and "additionalProperties" not in node:
        converted["additionalProperties"] = False
    return converted


def response_schema(operation: Operation, status: int) -> dict[str, Any] | None:
    """The operation's schema for `status`; None when the spec has no such response."""
    path = spec_path(operation)
    assert path is not None, operation
    responses = spec(operation.product)["paths"][path][operation.method]["responses"]
    response = responses.get(str(status))
    if response is None:
        return None
    content = response.get("content", {}).get("application/json", {})
    return json_schema(content.get("schema", {}), spec(operation.product))


FORMATS = FormatChecker(())


@FORMATS.checks("date-time")
def _iso8601(value: object) -> bool:
    return not isinstance(value, str) or bool(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)
    )


@FORMATS.checks("date-time-rfc-2822")
def _rfc2822(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(
        re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000", value)
    ) and (email.utils.parsedate_to_datetime(value) is not None)


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    """An absolute http(s) URL, or (2010 paging URIs) a path from the root."""
    return not isinstance(value, str) or bool(re.fullmatch(r"(https?://[^\s/]+)?/\S*", value))


@FORMATS.checks("uri-map")
def _uri_map(value: object) -> bool:
    return not isinstance(value, dict) or all(_uri(item) for item in value.values())


@FORMATS.checks("phone-number")
def _phone_number(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"\+[1-9]\d{1,14}", value))


def schema_errors(schema: dict[str, Any], body: Any) -> list[str]:
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(body)
    ]


# --- driving every operation ------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    method: str
    product: str
    path: str
    status: int
    body: str


def recording(client: Client, exchanges: list[Exchange]) -> Client:
    """Record every response the SDK receives (the URL as the SDK names it: Twilio's)."""
    request = client.http_client.request

    async def record(method: str, url: str, **kwargs: Any) -> Any:
        response = await request(method, url, **kwargs)
        parts = urlsplit(url)
        exchanges.append(
            Exchange(
                method.lower(),
                HOSTS[parts.hostname or ""],
                parts.path,
                response.status_code,
                response.text,
            )
        )
        return response

    client.http_client.request = record  # type: ignore[method-assign]
    return client


async def drive_every_operation(client: Client, emulator: RunningEmulator) -> None:
    trusthub, messaging = client.trusthub.v1, client.messaging.v1

    profile = await trusthub.customer_profiles.create_async(
        friendly_name="Conformance", email="isv@example.com", policy_sid=CUSTOMER_PROFILE_POLICY
    )
    await trusthub.customer_profiles.list_async()
    await trusthub.customer_profiles(profile.sid).fetch_async()
    business = await trusthub.end_users.create_async(
        friendly_name="business",
        type="customer_profile_business_information",
        attributes=BUSINESS_INFORMATION,
    )
    representative = await trusthub.end_users.create_async(
        friendly_name="rep",
        type="authorized_representative_1",
        attributes=AUTHORIZED_REPRESENTATIVE,
    )
    await trusthub.end_users.list_async()
    await trusthub.end_users(business.sid).fetch_async()
    await trusthub.end_users(business.sid).update_async(friendly_name="business information")
    address = await client.addresses.create_async(
        customer_name="City of Springfield",
        street="800 E Monroe St",
        city="Springfield",
        region="IL",
        postal_code="62701",
        iso_country="US",
    )
    await client.addresses.list_async()
    await client.addresses(address.sid).fetch_async()
    await client.addresses(address.sid).update_async(street_secondary="Room 100")
    document = await trusthub.supporting_documents.create_async(
        friendly_name="address",
        type="customer_profile_address",
        attributes={"address_sids": address.sid},
    )
    await trusthub.supporting_documents.list_async()
    await trusthub.supporting_documents(document.sid).fetch_async()
    await trusthub.supporting_documents(document.sid).update_async(friendly_name="legal address")

    assignments = trusthub.customer_profiles(profile.sid).customer_profiles_entity_assignments
    for sid in (business.sid, representative.sid, document.sid, PRIMARY):
        assignment = await assignments.create_async(object_sid=sid)
    await assignments.list_async()
    await (
        trusthub.customer_profiles(profile.sid)
        .customer_profiles_entity_assignments(assignment.sid)
        .fetch_async()
    )
    evaluations = trusthub.customer_profiles(profile.sid).customer_profiles_evaluations
    evaluation = await evaluations.create_async(policy_sid=CUSTOMER_PROFILE_POLICY)
    await evaluations.list_async()
    await (
        trusthub.customer_profiles(profile.sid)
        .customer_profiles_evaluations(evaluation.sid)
        .fetch_async()
    )
    await trusthub.customer_profiles(profile.sid).update_async(status="pending-review")

    product = await trusthub.trust_products.create_async(
        friendly_name="A2P", email="isv@example.com", policy_sid=TRUST_PRODUCT_POLICY
    )
    await trusthub.trust_products.list_async()
    await trusthub.trust_products(product.sid).fetch_async()
    information = await trusthub.end_users.create_async(
        friendly_name="a2p",
        type="us_a2p_messaging_profile_information",
        attributes={"company_type": "private"},
    )
    product_assignments = trusthub.trust_products(product.sid).trust_products_entity_assignments
    await product_assignments.create_async(object_sid=information.sid)
    extra = await product_assignments.create_async(object_sid=profile.sid)
    await product_assignments.list_async()
    await (
        trusthub.trust_products(product.sid)
        .trust_products_entity_assignments(extra.sid)
        .fetch_async()
    )
    product_evaluations = trusthub.trust_products(product.sid).trust_products_evaluations
    product_evaluation = await product_evaluations.create_async(policy_sid=TRUST_PRODUCT_POLICY)
    await product_evaluations.list_async()
    await (
        trusthub.trust_products(product.sid)
        .trust_products_evaluations(product_evaluation.sid)
        .fetch_async()
    )
    await trusthub.trust_products(product.sid).update_async(status="pending-review")

    emulator.state.scripts["brands"].queued.append(Outcome(outcome="failed"))
    brand = await messaging.brand_registrations.create_async(
        customer_profile_bundle_sid=profile.sid, a2p_profile_bundle_sid=product.sid
    )
    await messaging.brand_registrations.list_async()
    await eventually(lambda: _is(brand_status(client, brand.sid), "FAILED"))
    await messaging.brand_registrations(brand.sid).fetch_async()
    await messaging.brand_registrations(brand.sid).update_async()
    await eventually(lambda: _is(brand_status(client, brand.sid), "APPROVED"))
    await messaging.brand_registrations(brand.sid).fetch_async()

    service = await messaging.services.create_async(
        friendly_name="Conformance", status_callback="https://example.com/s"
    )
    await messaging.services.list_async()
    await messaging.services(service.sid).fetch_async()
    await messaging.services(service.sid).update_async(inbound_request_url="https://example.com/in")
    await messaging.services(service.sid).us_app_to_person_usecases.fetch_async(
        brand_registration_sid=brand.sid
    )
    compliance = messaging.services(service.sid).us_app_to_person
    await compliance.create_async(
        brand_registration_sid=brand.sid,
        x_twilio_api_version="v1.2",
        privacy_policy_url="https://springfield.example.gov/privacy",
        terms_and_conditions_url="https://springfield.example.gov/terms",
        **CAMPAIGN,
    )
    await eventually(lambda: _is(campaign_status(client, service.sid), "VERIFIED"))
    await compliance.list_async()
    campaign = messaging.services(service.sid).us_app_to_person(CAMPAIGN_SID)
    await campaign.fetch_async()
    await campaign.fetch_async(x_twilio_api_version="v1.2")
    await campaign.update_async(
        has_embedded_links=True,
        has_embedded_phone=False,
        message_samples=CAMPAIGN["message_samples"],
        message_flow=CAMPAIGN["message_flow"],
        description=CAMPAIGN["description"],
        age_gated=False,
        direct_lending=False,
    )

    number = await client.incoming_phone_numbers.create_async(area_code="217")
    await client.incoming_phone_numbers.list_async()
    await client.incoming_phone_numbers(number.sid).fetch_async()
    await client.incoming_phone_numbers(number.sid).update_async(sms_url="https://example.com/sms")
    senders = messaging.services(service.sid).phone_numbers
    await senders.create_async(phone_number_sid=number.sid)
    await senders.list_async()
    await messaging.services(service.sid).phone_numbers(number.sid).fetch_async()

    sent = await client.messages.create_async(
        to="+12175550142", from_=number.phone_number, body="hello"
    )
    accepted = await client.messages.create_async(
        to="+12175550143", messaging_service_sid=service.sid, body="hello"
    )
    await eventually(lambda: _message_status(client, accepted.sid, "delivered"))
    await client.messages.list_async()
    await client.messages(sent.sid).fetch_async()
    await client.messages(accepted.sid).fetch_async()
    await client.messages(sent.sid).delete_async()

    await messaging.services(service.sid).phone_numbers(number.sid).delete_async()
    await campaign.delete_async()
    await messaging.services(service.sid).delete_async()
    await (
        trusthub.trust_products(product.sid)
        .trust_products_entity_assignments(extra.sid)
        .delete_async()
    )
    await (
        trusthub.customer_profiles(profile.sid)
        .customer_profiles_entity_assignments(assignment.sid)
        .delete_async()
    )
    await trusthub.trust_products(product.sid).delete_async()
    await trusthub.customer_profiles(profile.sid).delete_async()


async def _is(reading: Any, wanted: str) -> bool:
    return (await reading) == wanted


async def _message_status(client: Client, sid: str, wanted: str) -> bool:
    return (await client.messages(sid).fetch_async()).status == wanted


@pytest.fixture(scope="module")
async def exchanges(emulator: RunningEmulator) -> list[Exchange]:
    recorded: list[Exchange] = []
    client = recording(twilio_client(TwilioSettings(api_url=emulator.url)), recorded)
    try:
        await drive_every_operation(client, emulator)
    finally:
        await close_twilio_client(client)
    return recorded


def operation_of(exchange: Exchange, served: set[Operation]) -> Operation:
    matches = [
        operation
        for operation in served
        if operation.product == exchange.product
        and operation.method == exchange.method
        and operation.pattern.match(exchange.path)
    ]
    # The most specific route wins, as in routing: `Usa2p/Usecases` over `Usa2p/{Sid}`.
    return min(matches, key=lambda operation: operation.path.count("{"))


def test_every_served_operation_was_driven(exchanges: list[Exchange]) -> None:
    served = served_operations(create_app())
    driven = {operation_of(exchange, served) for exchange in exchanges if exchange.status < 300}
    assert sorted(served - driven, key=str) == []


def test_every_response_matches_twilios_schema(exchanges: list[Exchange]) -> None:
    served = served_operations(create_app())
    problems = []
    for exchange in exchanges:
        operation = operation_of(exchange, served)
        schema = response_schema(operation, exchange.status)
        where = f"{exchange.method.upper()} {exchange.product}{exchange.path} -> {exchange.status}"
        if schema is None:
            problems.append(f"{where}: the spec has no {exchange.status} response")
            continue
        if exchange.status == 204:
            if exchange.body:
                problems.append(f"{where}: a 204 with a body")
            continue
        problems += [
            f"{where}: {error}" for error in schema_errors(schema, json.loads(exchange.body))
        ]
    assert problems == []


def test_resource_urls_name_twilios_hosts(exchanges: list[Exchange]) -> None:
    """`url`, `links` and paging URLs are Twilio's, never the emulator's address."""
    urls = [
        url
        for exchange in exchanges
        if exchange.status < 300 and exchange.body
        for url in _resource_urls(json.loads(exchange.body))
    ]
    assert len(urls) > 100
    twilio = (
        "https://api.twilio.com/",
        "https://messaging.twilio.com/",
        "https://trusthub.twilio.com/",
        "/2010-04-01/Accounts/",
        "https://www.twilio.com/docs/",  # error pages, in `errors[].url`
    )
    assert [url for url in urls if not url.startswith(twilio)] == []


RESOURCE_URL_KEYS = re.compile(r"(url|uri|(first|next|previous)_page_ur[il])")


def _resource_urls(node: Any) -> list[str]:
    if isinstance(node, list):
        return [url for item in node for url in _resource_urls(item)]
    if not isinstance(node, dict):
        return []
    found = [
        value
        for key, value in node.items()
        if isinstance(value, str) and RESOURCE_URL_KEYS.fullmatch(key)
    ]
    for key in ("links", "subresource_uris"):
        if isinstance(node.get(key), dict):
            found += list(node[key].values())
    return found + [url for value in node.values() for url in _resource_urls(value)]


def test_the_checker_refuses_a_wrong_type_and_an_unknown_field(exchanges: list[Exchange]) -> None:
    brand_fetch = Operation("messaging", "/v1/a2p/BrandRegistrations/{Sid}", "get")
    schema = response_schema(brand_fetch, 200)
    assert schema is not None
    recorded = next(
        json.loads(exchange.body)
        for exchange in exchanges
        if exchange.method == "get"
        and exchange.status == 200
        and exchange.path.startswith("/v1/a2p/BrandRegistrations/BN")
    )
    assert schema_errors(schema, recorded) == []
    assert schema_errors(schema, {**recorded, "brand_score": "75"}) != []
    assert schema_errors(schema, {**recorded, "sid": "XX" + "0" * 32}) != []
    assert (
        schema_errors(schema, {**recorded, "date_created": "Thu, 24 Aug 2023 05:01:45 +0000"}) != []
    )
    assert schema_errors(schema, {**recorded, "tenant_id": "springfield"}) != []
    assert schema_errors(schema, {**recorded, "status": "DONE"}) != []
