"""The compose stack's Grafana dashboard asks Prometheus only for series the services export:
every metric and label in its queries is, once translated the way the collector's Prometheus
exporter names them, one our code, FastStream or the HTTP instrumentation defines. A renamed
metric or attribute fails here instead of leaving an empty panel."""

import json
import re
from pathlib import Path

import faststream.opentelemetry
import opentelemetry.semconv.attributes
import opentelemetry.semconv.metrics
import pytest
import yaml

from tests.test_layout import ROOT, SOURCE_TREES

GRAFANA = ROOT / "infra" / "grafana"
DASHBOARD = json.loads((GRAFANA / "dashboards" / "a2p.json").read_text())
DEPENDENCIES = [
    Path(faststream.opentelemetry.__path__[0]),
    Path(opentelemetry.semconv.metrics.__path__[0]),
    Path(opentelemetry.semconv.attributes.__path__[0]),
]
# Added by the collector (resource_to_telemetry_conversion) and by Prometheus's histograms.
GIVEN_LABELS = {"service_name", "le", "job", "instance"}
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "__rate_interval"}


def defined_names() -> set[str]:
    """Dotted lower-case string literals (metric and attribute names) in the code that exports."""
    literal = re.compile(r"""["']([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)["']""")
    files = [f for tree in [*SOURCE_TREES, *DEPENDENCIES] for f in tree.rglob("*.py")]
    return {name for f in files for name in literal.findall(f.read_text())}


def prometheus_name(name: str) -> str:
    return "_".join(t for t in re.split(r"[^a-zA-Z0-9:]", name) if t)


def queries() -> list[str]:
    return [t["expr"] for p in DASHBOARD["panels"] for t in p.get("targets", [])]


def metrics_in(expr: str) -> set[str]:
    """Metric names: identifiers followed by a selector or a range, or inside a function call."""
    names = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{|\[)", expr))
    names |= set(re.findall(r"(?<!by )\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\)", expr))
    return names - PROMQL_WORDS


def labels_in(expr: str) -> set[str]:
    grouped = re.findall(r"by \(([^)]*)\)", expr)
    selected = re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=|!=|=~|!~)\s*\"", expr)
    return {label.strip() for group in grouped for label in group.split(",")} | set(selected)


def test_the_dashboard_is_a_grafana_dashboard_on_the_provisioned_prometheus() -> None:
    sources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text()
    )
    uids = {source["uid"] for source in sources["datasources"]}
    panels = DASHBOARD["panels"]
    assert DASHBOARD["uid"]
    assert len({p["id"] for p in panels}) == len(panels)
    charts = [p for p in panels if p["type"] != "row"]
    assert len(charts) >= 10
    for panel in charts:
        assert panel["datasource"]["uid"] in uids, panel["title"]
        assert panel["targets"], panel["title"]
        assert {t["datasource"]["uid"] for t in panel["targets"]} <= uids
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounted = [v.split(":")[0] for v in compose["services"]["grafana"]["volumes"]]
    assert all((ROOT / path).is_dir() for path in mounted)


@pytest.mark.parametrize("expr", queries())
def test_every_query_asks_for_a_metric_and_labels_the_services_export(expr: str) -> None:
    defined = defined_names()
    exported = {prometheus_name(name) for name in defined}
    metrics = metrics_in(expr)
    assert metrics
    for metric in metrics:
        base = re.sub(r"_(bucket|sum|count)$", "", metric)
        base = re.sub(r"_total$", "", base)
        base = re.sub(r"_seconds$", "", base)
        assert base in exported, f"{metric}: no metric named like it is defined"
    labels = labels_in(expr) - GIVEN_LABELS
    assert {label for label in labels if label not in exported} == set()
