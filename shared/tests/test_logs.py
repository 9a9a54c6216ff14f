"""`a2p_shared.logs`: JSON log lines that carry the trace id and no phone number."""

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from a2p_shared.logs import JsonLogFormatter, log_config
from a2p_shared.traces import hashed_phone


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("a2p.test", logging.WARNING, __file__, 1, message, args, None)


def test_a_line_inside_a_span_names_its_trace_and_hashes_phone_numbers() -> None:
    formatter = JsonLogFormatter("a2p-optout")
    tracer = TracerProvider().get_tracer("t")

    with tracer.start_as_current_span("consume") as span:
        line = json.loads(formatter.format(record("opt-out of %s recorded", "+12175550142")))
    context = span.get_span_context()

    assert line["trace_id"] == f"{context.trace_id:032x}"
    assert line["span_id"] == f"{context.span_id:016x}"
    assert line["message"] == f"opt-out of {hashed_phone('+12175550142')} recorded"
    assert (line["level"], line["service"], line["logger"]) == ("WARNING", "a2p-optout", "a2p.test")


def test_a_line_outside_a_span_has_no_trace_and_the_config_routes_uvicorn_to_it() -> None:
    line = json.loads(JsonLogFormatter("a2p-intake").format(record("started")))
    config = log_config("a2p-intake")

    assert "trace_id" not in line
    assert config["formatters"]["json"]["()"] is JsonLogFormatter
    assert config["loggers"]["uvicorn.access"] == {"handlers": [], "propagate": True}
