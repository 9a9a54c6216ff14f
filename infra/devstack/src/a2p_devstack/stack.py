"""The whole local stack: Kafka, FerretDB, topics, then the services; and tearing it down."""

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from a2p_devstack import ferretdb, kafka, processes
from a2p_devstack.errors import DevstackError
from a2p_devstack.locking import run_lock
from a2p_devstack.paths import logs_dir, repo_root, run_dir
from a2p_devstack.prerequisites import require_tools
from a2p_devstack.services import (
    ServiceSpec,
    default_services,
    emulator_service,
    service_status,
    start_services,
    stop_services,
)
from a2p_devstack.topics import ensure_topics

HARNESS_MARK_SUFFIX = ".harness"
# The numbers of the example registration (shared/src/a2p_shared/testing/data/registration.json),
# owned by the emulator's account from the start as if bought in Console.
EXAMPLE_NUMBERS = "+12175550100,+12175550101"


@dataclass(frozen=True, slots=True)
class Endpoints:
    kafka_bootstrap: str
    mongodb_url: str

    def as_env(self) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap, "MONGODB_URL": self.mongodb_url}


@dataclass(frozen=True, slots=True)
class Stack:
    endpoints: Endpoints
    services: list[ServiceSpec] = field(default_factory=list)
    logs: Path = Path()
    emulator: ServiceSpec | None = None
    """None when TWILIO_API_URL names a Twilio (or an emulator) of the user's own."""
    traces: Path | None = None
    """Where the services write their spans; None when they export elsewhere."""


@dataclass(frozen=True, slots=True)
class External:
    """Infrastructure the user runs themselves, named by the same variables the services read."""

    kafka_bootstrap: str | None
    mongodb_url: str | None

    @classmethod
    def from_env(cls) -> "External":
        kafka_bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip() or None
        mongodb_url = os.environ.get("MONGODB_URL", "").strip() or None
        return cls(kafka_bootstrap, mongodb_url)


def configured_endpoints() -> Endpoints:
    """The addresses `up` would use: explicit ones from the environment, else local ports."""
    external = External.from_env()
    return Endpoints(
        external.kafka_bootstrap or kafka.bootstrap_address(),
        external.mongodb_url or ferretdb.mongodb_url(),
    )


def _needed_tools(external: External) -> list[str]:
    tools = []
    if external.kafka_bootstrap is None:
        tools.append("java")
        if not kafka.libs_ready():
            tools.append("mvn")
    if external.mongodb_url is None and not ferretdb.binary_ready():
        tools.append("go")
    return tools


def _adopt(run: Path) -> None:
    # A user's `up` takes over infrastructure a test harness started, so the harness
    # does not stop it from under the user when its session ends.
    for mark in run.glob(f"*{HARNESS_MARK_SUFFIX}"):
        mark.unlink(missing_ok=True)


def _start_infra_locked(run: Path) -> Endpoints:
    external = External.from_env()
    require_tools(_needed_tools(external))
    undo: list[Callable[[Path], bool]] = []
    waits: list[Callable[[], None]] = []
    try:
        # Launch both before waiting: Kafka boots while FerretDB is (perhaps) being built.
        kafka_address = external.kafka_bootstrap
        if kafka_address is None:
            kafka_launch = kafka.launch(run)
            kafka_address = kafka_launch.address
            if not kafka_launch.reused:
                undo.append(kafka.stop)
            waits.append(
                lambda: kafka.wait_ready(
                    kafka_launch.pid,
                    kafka.KafkaLayout(run),
                    kafka_launch.address,
                    kafka.READY_TIMEOUT,
                )
            )
        mongodb_url = external.mongodb_url
        if mongodb_url is None:
            ferret_launch = ferretdb.launch(run)
            mongodb_url = ferret_launch.address
            if not ferret_launch.reused:
                undo.append(ferretdb.stop)
            waits.append(
                lambda: ferretdb.wait_ready(
                    ferret_launch.pid,
                    ferretdb.FerretLayout(run),
                    ferret_launch.address,
                    ferretdb.READY_TIMEOUT,
                )
            )
        for wait in waits:
            wait()
        ensure_topics(kafka_address)
    except BaseException:
        for stop in undo:
            stop(run)
        raise
    return Endpoints(kafka_address, mongodb_url)


def start_infra(run: Path | None = None) -> Endpoints:
    """Kafka + FerretDB running and healthy, all topics created. Idempotent.

    KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL in the environment name infrastructure that is
    already running: it is used as it is (topics are still created) and nothing local starts.
    """
    run = run or run_dir()
    with run_lock(run):
        _adopt(run)
        return _start_infra_locked(run)


def up(with_services: bool = True, run: Path | None = None) -> Stack:
    """`start_infra`, then (unless told not to) the Twilio emulator and the five services, all
    healthy. Idempotent. TWILIO_API_URL in the environment, even empty (Twilio itself), means
    the services use that and no emulator starts."""
    run = run or run_dir()
    with run_lock(run):
        _adopt(run)
        endpoints = _start_infra_locked(run)
        specs = default_services() if with_services else []
        emulator = None
        env = endpoints.as_env()
        if specs and "TWILIO_API_URL" not in os.environ:
            emulator = emulator_service()
            owned = os.environ.get("EMULATOR_OWNED_NUMBERS") or EXAMPLE_NUMBERS
            start_services([emulator], {"EMULATOR_OWNED_NUMBERS": owned}, run)
            env["TWILIO_API_URL"] = emulator.base_url
        if specs and not _exports_elsewhere():
            # No collector here: each service appends its spans to the run dir, read by
            # `a2p trace ID`.
            env |= {"OTEL_TRACES_EXPORTER": "file", "A2P_TRACES_DIR": str(traces_dir(run))}
        if specs:
            start_services(specs, env, run)
    traces = traces_dir(run) if specs and "A2P_TRACES_DIR" in env else None
    return Stack(endpoints, specs, logs_dir(run), emulator, traces)


def traces_dir(run: Path) -> Path:
    return run / "traces"


def _exports_elsewhere() -> bool:
    return any(
        os.environ.get(name)
        for name in (
            "OTEL_TRACES_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        )
    )


def down(run: Path | None = None) -> None:
    """Services first, then Kafka and FerretDB. Data in the run dir is kept."""
    run = run or run_dir()
    with run_lock(run):
        stop_services([*default_services(), emulator_service()], run)
        kafka_layout, ferret_layout = kafka.KafkaLayout(run), ferretdb.FerretLayout(run)
        processes.stop(
            [
                (kafka_layout.pid_file, kafka_layout.signature),
                (ferret_layout.pid_file, ferret_layout.signature),
            ]
        )
        _adopt(run)


def status(run: Path | None = None) -> list[processes.ComponentStatus]:
    run = run or run_dir()
    return [
        kafka.status(run),
        ferretdb.status(run),
        service_status(emulator_service(), run),
        *(service_status(spec, run) for spec in default_services()),
    ]


def clean(run: Path | None = None) -> None:
    """`down`, then delete the run dir (data, logs, generated configuration)."""
    run = (run or run_dir()).resolve()
    if run in (Path("/"), Path.home().resolve(), repo_root()):
        raise DevstackError(f"refusing to delete {run}: A2P_RUN_DIR must point to its own folder")
    down(run)
    shutil.rmtree(run, ignore_errors=True)
