"""`a2p_shared.traces`: phone numbers hashed in spans, spans as JSON lines, the span tree."""

from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from a2p_shared import traces
from a2p_shared.cli import main

PHONE = "+12175550142"


def provider(*exporters: object, service: str = "a2p-test") -> TracerProvider:
    tracer_provider = TracerProvider(resource=Resource.create({"service.name": service}))
    for exporter in exporters:
        tracer_provider.add_span_processor(
            traces.RedactingSpanProcessor(SimpleSpanProcessor(exporter))  # type: ignore[arg-type]
        )
    return tracer_provider


def test_a_phone_number_in_a_starting_attribute_is_replaced_by_its_hash() -> None:
    exporter = InMemorySpanExporter()
    tracer = provider(exporter).get_tracer("t")

    key = f"springfield-il:{PHONE}"
    with tracer.start_as_current_span("consume", attributes={"messaging.kafka.message.key": key}):
        pass

    [span] = exporter.get_finished_spans()
    value = span.attributes["messaging.kafka.message.key"]  # type: ignore[index]
    assert PHONE not in value
    assert value == f"springfield-il:{traces.hashed_phone(PHONE)}"
    assert traces.hashed_phone(PHONE) == traces.hashed_phone(PHONE), "searchable: stable"


def test_a_phone_number_set_after_the_start_or_in_an_event_or_link_is_hashed_too() -> None:
    exporter = InMemorySpanExporter()
    tracer = provider(exporter).get_tracer("t")
    path = f"/v1/tenants/springfield-il/consent/{PHONE}"
    linked = trace.Link(trace.INVALID_SPAN_CONTEXT, {"a2p.link": f"status for {PHONE}"})

    with tracer.start_as_current_span(f"GET {path}", links=[linked]) as span:
        span.set_attribute("url.path", path)
        span.set_attribute("a2p.recipients", (PHONE, "+13125550199"))
        span.add_event("exception", {"exception.message": f"input_value='{PHONE}'"})
        span.set_status(trace.Status(trace.StatusCode.ERROR, f"no consent for {PHONE}"))

    [exported] = exporter.get_finished_spans()
    texts = [
        exported.name,
        exported.status.description,
        *map(str, exported.attributes.values()),  # type: ignore[union-attr]
        *(str(v) for e in exported.events for v in (e.attributes or {}).values()),
        *(str(v) for link in exported.links for v in (link.attributes or {}).values()),
    ]
    assert [t for t in texts if t and traces.PHONE.search(t)] == []
    assert exported.attributes["url.path"].endswith(traces.hashed_phone(PHONE))  # type: ignore[index]


def test_spans_written_as_json_lines_print_as_one_tree_per_trace(tmp_path: Path) -> None:
    intake = provider(
        traces.JsonLinesSpanExporter(tmp_path / "a2p-intake.jsonl"), service="a2p-intake"
    )
    registrar = provider(
        traces.JsonLinesSpanExporter(tmp_path / "a2p-registrar.jsonl"), service="a2p-registrar"
    )
    with (
        intake.get_tracer("t").start_as_current_span(
            "POST /registrations", attributes={"a2p.registration.id": "reg-1"}
        ) as root,
        registrar.get_tracer("t").start_as_current_span(
            "registrar brand", attributes={"a2p.onboarding.step": "brand"}
        ),
    ):
        pass
    callback = registrar.get_tracer("t").start_span(
        "twilio status", links=[trace.Link(root.get_span_context())]
    )
    callback.end()
    with intake.get_tracer("t").start_as_current_span("unrelated"):
        pass

    spans = traces.read_spans(tmp_path)
    found = traces.traces_of(spans, "reg-1")
    printed = [traces.tree(spans, t) for t in found]

    assert len(found) == 2, "the registration's trace and the callback linked to it"
    first = printed[0]
    assert first[0] == f"trace {found[0]}"
    assert "a2p-intake: POST /registrations  [registration.id=reg-1]" in first[1]
    assert "  a2p-registrar: registrar brand  [onboarding.step=brand]" in first[2]
    assert "twilio status" in printed[1][1]
    assert all("unrelated" not in line for lines in printed for line in lines)


def test_the_cli_prints_the_tree_or_says_nothing_was_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exporter = traces.JsonLinesSpanExporter(tmp_path / "a2p-messaging.jsonl")
    with (
        provider(exporter, service="a2p-messaging")
        .get_tracer("t")
        .start_as_current_span("send", attributes={"a2p.message.id": "m-1"})
    ):
        pass
    assert main(["trace", "m-1", "--dir", str(tmp_path)]) == 0
    assert "a2p-messaging: send  [message.id=m-1]" in capsys.readouterr().out
    assert main(["trace", "m-2", "--dir", str(tmp_path)]) == 1
