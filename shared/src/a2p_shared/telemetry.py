"""OpenTelemetry for every service: one tracer and meter provider, configured by `OTEL_*`.

Traces cross services in Kafka headers (W3C trace context, injected and extracted by
FastStream's telemetry middleware), so a registration or a message is one trace end to end.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from opentelemetry import metrics, trace
from opentelemetry.metrics import MeterProvider
from opentelemetry.sdk.metrics import MeterProvider as SdkMeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import TracerProvider as ApiTracerProvider

from a2p_shared.traces import JsonLinesSpanExporter, RedactingSpanProcessor

# Attribute names SREs search by. Phone numbers, bodies and EINs never go in a span.
TENANT_ID = "a2p.tenant.id"
REGISTRATION_ID = "a2p.registration.id"
MESSAGE_ID = "a2p.message.id"
TWILIO_SID = "a2p.twilio.sid"
EVENT_TYPE = "a2p.event.type"
EVENT_ID = "a2p.event.id"


@dataclass(frozen=True, slots=True)
class Telemetry:
    tracer_provider: ApiTracerProvider
    meter_provider: MeterProvider

    def tracer(self, name: str) -> trace.Tracer:
        return self.tracer_provider.get_tracer(name)


def setup_telemetry(service_name: str) -> Telemetry:
    """Providers for a service process, exporting over OTLP when an endpoint is configured.

    `OTEL_EXPORTER_OTLP_ENDPOINT` (or the per-signal variants) turns on export;
    `OTEL_TRACES_EXPORTER=console` prints spans instead, `=file` appends them as JSON lines to
    `A2P_TRACES_DIR/<service>.jsonl` (what `make run` uses, read by `a2p trace`); with none of
    these, spans are made (so context still propagates) but not exported. `OTEL_SERVICE_NAME`
    overrides the name. Phone numbers in exported spans are replaced by their hash.
    """
    name = os.environ.get("OTEL_SERVICE_NAME", service_name)
    resource = Resource.create({SERVICE_NAME: name})
    tracer_provider = TracerProvider(resource=resource)
    readers = []
    exporter_choice = os.environ.get("OTEL_TRACES_EXPORTER", "otlp")
    otlp_configured = any(
        os.environ.get(name)
        for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    if exporter_choice == "file":
        folder = Path(os.environ.get("A2P_TRACES_DIR", ".run/traces"))
        exporter: SpanExporter | None = JsonLinesSpanExporter(folder / f"{name}.jsonl")
    elif exporter_choice == "console":
        exporter = ConsoleSpanExporter()
    elif exporter_choice == "otlp" and otlp_configured:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    else:
        exporter = None
    if exporter is not None:
        tracer_provider.add_span_processor(RedactingSpanProcessor(BatchSpanProcessor(exporter)))
    meter_provider = SdkMeterProvider(resource=resource, metric_readers=readers)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    return Telemetry(tracer_provider, meter_provider)


def shutdown_telemetry(telemetry: Telemetry) -> None:
    for provider in (telemetry.tracer_provider, telemetry.meter_provider):
        shutdown = getattr(provider, "shutdown", None)
        if shutdown is not None:
            shutdown()
