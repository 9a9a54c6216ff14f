"""intake's HTTP API fuzzed from its own OpenAPI document, in-process on real Kafka and MongoDB.

schemathesis generates requests for every operation the running app documents (so a new route
is fuzzed without touching this file): valid ones, and invalid ones (negative mode). Whatever
comes, intake answers without a server error, as documented (status, content type, response
schema), refuses invalid data, and every 4xx names the field at fault and why.

Hypothesis runs in a worker thread and each request is awaited on the test's event loop, where
the service's consumers keep running; schemathesis' own pytest integration would block that
loop with a loop of its own.
"""

import asyncio
import json
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import IssueKey, Running

pytestmark = pytest.mark.infra

EXAMPLES = 15
"""Per operation and mode: ~300 requests in all, well under a minute."""

CHECKS = {
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ],
    GenerationMode.NEGATIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ],
}


def as_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    request = {k: v for k, v in kwargs.items() if k in ("method", "url", "headers", "params")}
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    if "data" in kwargs:
        data = kwargs["data"]
        request["content" if isinstance(data, bytes | str) else "data"] = data
    return request


def assert_a_refusal_names_its_fields(response: httpx.Response) -> None:
    if not 400 <= response.status_code < 500:
        return
    body = response.json()
    assert body["error"], body
    assert body["message"], body
    assert body["errors"], f"a {response.status_code} that names no field: {body}"
    for error in body["errors"]:
        assert error["field"], body
        assert error["reason"], body


def fuzz(
    operation: Any, mode: GenerationMode, send: Callable[[Any], httpx.Response], **fixed: Any
) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def requests(case: Any) -> None:
        response = send(case)
        case.validate_response(response, checks=CHECKS[mode])
        assert_a_refusal_names_its_fields(response)

    return requests


# schemathesis' negative-mode strategies draw from the `random` module, which Hypothesis warns
# about and the suite turns into an error that only some draws hit.
@pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)
async def test_generated_requests_get_no_server_error_and_every_refusal_names_its_field(
    intake: Running, issue_key: IssueKey, tenant: str
) -> None:
    key = await issue_key(tenant)
    loop = asyncio.get_running_loop()

    def send(case: Any) -> httpx.Response:
        request = as_httpx(case.as_transport_kwargs(base_url=str(intake.http.base_url)))
        answer = asyncio.run_coroutine_threadsafe(intake.http.request(**request), loop)
        return answer.result(timeout=30)

    schema = schemathesis.openapi.from_dict(intake.app.openapi())
    failures: dict[str, BaseException] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9, [op.label for op in operations]
    for operation in operations:
        # Most requests are for the key's own tenant, so they get past authorisation.
        fixed: dict[str, Any] = {"headers": key.headers}
        if "tenant_id" in {p.name for p in operation.path_parameters}:
            fixed["path_parameters"] = {"tenant_id": tenant}
        for mode in GenerationMode:
            try:
                await asyncio.to_thread(fuzz(operation, mode, send, **fixed))
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing left to make invalid
            except (Exception, BaseExceptionGroup) as failure:  # each operation; all reported
                failures[f"{operation.label} ({mode.value})"] = failure

    assert not failures, "\n\n".join(
        f"{label}:\n{''.join(traceback.format_exception(error))}"
        for label, error in failures.items()
    )


def _leaves(value: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [at, *(p for k, inner in value.items() for p in _leaves(inner, (*at, k)))]
    if isinstance(value, list):
        return [at, *(p for i, inner in enumerate(value) for p in _leaves(inner, (*at, i)))]
    return [at]


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=40),
    st.sampled_from(["", " ", "+442071838750", "12-345", "ftp://x", "x" * 5000, [], {}]),
)


async def test_a_mutated_registration_is_accepted_or_refused_naming_the_fields(
    intake: Running, issue_key: IssueKey, tenant: str, registration_document: dict[str, Any]
) -> None:
    """One field of REGISTRATION.md's example deleted or replaced by an odd value: 202, or 422
    naming fields of the document (a missing one by its own name)."""
    key = await issue_key(tenant)
    loop = asyncio.get_running_loop()
    seen: list[int] = []

    @settings(max_examples=40, deadline=None, database=None)
    @given(data=st.data())
    def mutations(data: st.DataObject) -> None:
        document = json.loads(json.dumps(registration_document))
        path = data.draw(st.sampled_from(_leaves(document)[1:]), label="path")
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans(), label="delete"):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(ODD_VALUES, label="value")

        answer = asyncio.run_coroutine_threadsafe(
            intake.http.post(
                f"/v1/tenants/{tenant}/registrations", json=document, headers=key.headers
            ),
            loop,
        ).result(timeout=30)

        seen.append(answer.status_code)
        assert answer.status_code in (202, 422), answer.text
        assert_a_refusal_names_its_fields(answer)
        for error in answer.json().get("errors", []):
            field = tuple(error["field"].split("."))
            assert ".".join(map(str, path)).startswith(error["field"]) or _exists(
                registration_document, field
            ), (path, error)

    await asyncio.to_thread(mutations)
    assert {202, 422} <= set(seen), seen


def _exists(document: Any, field: tuple[str, ...]) -> bool:
    for step in field:
        if isinstance(document, list) and step.isdigit() and int(step) < len(document):
            document = document[int(step)]
        elif isinstance(document, dict) and step in document:
            document = document[step]
        else:
            return False
    return True
