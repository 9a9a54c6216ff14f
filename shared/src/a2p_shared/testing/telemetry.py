from dataclasses import dataclass

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from a2p_shared.telemetry import Telemetry
from a2p_shared.traces import RedactingSpanProcessor


@dataclass(frozen=True, slots=True)
class RecordedTelemetry:
    """Telemetry for a service under test whose finished spans the test can read back."""

    telemetry: Telemetry
    exporter: InMemorySpanExporter

    def spans(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()


def recorded_telemetry() -> RecordedTelemetry:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(RedactingSpanProcessor())  # as setup_telemetry does
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return RecordedTelemetry(Telemetry(tracer_provider, meter_provider), exporter)
