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
    reader: InMemoryMetricReader

    def spans(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()

    def points(self, name: str) -> list[tuple[dict[str, object], float]]:
        """The current data points of metric `name`: (attributes, value), a histogram's value
        being how many it recorded."""
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        for point in metric.data.data_points:
                            value = getattr(point, "value", None)
                            found.append(
                                (
                                    dict(point.attributes or {}),
                                    value if value is not None else point.count,
                                )
                            )
        return found


def recorded_telemetry() -> RecordedTelemetry:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    # Redacted as setup_telemetry's exporters get them.
    tracer_provider.add_span_processor(RedactingSpanProcessor(SimpleSpanProcessor(exporter)))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    return RecordedTelemetry(Telemetry(tracer_provider, meter_provider), exporter, reader)
