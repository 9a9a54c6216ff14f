"""Traces without a collector: spans as JSON lines in a local folder, and `a2p trace ID` to print
the span tree of a registration or a message from them. Also the processor that keeps phone
numbers out of every span an exporter gets.

`make run` sets `OTEL_TRACES_EXPORTER=file` and `A2P_TRACES_DIR=.run/traces`: each service
appends to `<dir>/<service>.jsonl` (one writer per file).
"""

import argparse
import hashlib
import json
import re
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status

PHONE = re.compile(r"\+1[2-9]\d{2}[2-9]\d{6}")


def hashed_phone(phone: str) -> str:
    """How a phone number appears in telemetry: searchable by its hash, never readable."""
    return "tel:" + hashlib.sha256(phone.encode()).hexdigest()[:12]


def redact(value: str) -> str:
    return PHONE.sub(lambda match: hashed_phone(match.group(0)), value)


class RedactingSpanProcessor(SpanProcessor):
    """Hands `inner` (an exporter's processor) every finished span with each phone number
    replaced by its hash: in the name, attributes, events, links and status, however late they
    were set. FastStream puts the Kafka key (`tenant:+1E164`) on its spans, and HTTP
    instrumentation sets `url.path` (`.../consent/+1E164`) again after the span has started."""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._inner.on_end(redacted(span))

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def redacted(span: ReadableSpan) -> ReadableSpan:
    description = span.status.description
    return ReadableSpan(
        name=redact(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_redacted_attributes(span.attributes),
        events=[
            Event(event.name, _redacted_attributes(event.attributes), event.timestamp)
            for event in span.events
        ],
        links=[Link(link.context, _redacted_attributes(link.attributes)) for link in span.links],
        kind=span.kind,
        status=Status(span.status.status_code, redact(description)) if description else span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _redacted_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: _redacted_value(value) for key, value in (attributes or {}).items()}


def _redacted_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        text = value.decode(errors="replace")
        return redact(text) if PHONE.search(text) else value
    if isinstance(value, tuple | list):
        return tuple(_redacted_value(item) for item in value)
    return value


class JsonLinesSpanExporter(SpanExporter):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = [json.dumps(as_record(span), default=str) for span in spans]
        with self._lock, self._path.open("a") as out:
            out.write("".join(line + "\n" for line in lines))
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def as_record(span: ReadableSpan) -> dict[str, Any]:
    context = span.context
    assert context is not None
    return {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "name": span.name,
        "service": span.resource.attributes.get("service.name", ""),
        "start": span.start_time,
        "end": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [f"{link.context.trace_id:032x}" for link in span.links],
    }


def read_spans(folder: Path) -> list[dict[str, Any]]:
    spans = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                spans.append(json.loads(line))
    return spans


def traces_of(spans: Iterable[dict[str, Any]], ident: str) -> list[str]:
    """The traces a registration, message, event, tenant or Twilio SID appears in (by any
    attribute value, or a span's trace id), oldest first, with the traces they link to."""
    found: dict[str, int] = {}
    everything = list(spans)
    for span in everything:
        values = {str(v) for v in span["attributes"].values()}
        if ident in values or span["trace_id"] == ident:
            found.setdefault(span["trace_id"], span["start"])
    for span in everything:  # status callbacks and later work linked to a found trace
        if set(span["links"]) & found.keys():
            found.setdefault(span["trace_id"], span["start"])
    return sorted(found, key=found.__getitem__)


def tree(spans: Iterable[dict[str, Any]], trace_id: str) -> list[str]:
    """One trace as an indented tree: offset from the trace's start, duration, service, name,
    and the attributes an SRE searches by."""
    members = [s for s in spans if s["trace_id"] == trace_id]
    if not members:
        return []
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    ids = {s["span_id"] for s in members}
    for span in members:
        parent = span["parent_id"] if span["parent_id"] in ids else None
        by_parent.setdefault(parent, []).append(span)
    origin = min(s["start"] for s in members)
    lines = [f"trace {trace_id}"]

    def walk(parent: str | None, depth: int) -> None:
        for span in sorted(by_parent.get(parent, []), key=lambda s: s["start"]):
            offset = (span["start"] - origin) / 1e6
            took = ((span["end"] or span["start"]) - span["start"]) / 1e6
            keys = ", ".join(
                f"{k.removeprefix('a2p.')}={v}"
                for k, v in sorted(span["attributes"].items())
                if k.startswith("a2p.")
            )
            status = " ERROR" if span["status"] == "ERROR" else ""
            lines.append(
                f"{offset:>9.1f} ms {took:>8.1f} ms  {'  ' * depth}{span['service']}: "
                f"{span['name']}{status}" + (f"  [{keys}]" if keys else "")
            )
            walk(span["span_id"], depth + 1)

    walk(None, 0)
    return lines


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "trace", help="print the span tree of a registration, message, event or Twilio SID"
    )
    parser.add_argument("ident", help="registration id, message id, event id, SID or trace id")
    parser.add_argument(
        "--dir", type=Path, default=Path(".run/traces"), help="where the services write spans"
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    spans = read_spans(args.dir)
    found = traces_of(spans, args.ident)
    if not found:
        sys.stderr.write(f"no span mentions {args.ident} in {args.dir}\n")
        return 1
    for trace_id in found:
        sys.stdout.write("\n".join(tree(spans, trace_id)) + "\n")
    return 0
