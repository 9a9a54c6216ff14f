"""Apache Kafka as one KRaft node (broker + controller) on loopback, from Maven Central jars."""

import asyncio
import base64
import logging
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from a2p_devstack import processes
from a2p_devstack.errors import DevstackError
from a2p_devstack.locking import cache_lock
from a2p_devstack.paths import cache_dir, log_file, pid_file, repo_root, run_dir
from a2p_devstack.settings import (
    HOST,
    kafka_advertised_port,
    kafka_controller_port,
    kafka_port,
)
from a2p_devstack.sync_bridge import run_blocking

NAME = "kafka"
READY_TIMEOUT = 90.0
_COMPLETE_MARKER = ".complete"
_MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

LOG4J2_PROPERTIES = """\
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=OUT
appender.out.type=Console
appender.out.name=OUT
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
# keeps the "[KafkaRaftServer nodeId=1] Kafka Server started" line
logger.started.name=kafka.server.KafkaRaftServer
logger.started.level=INFO
"""


def pom_path() -> Path:
    return repo_root() / "infra" / "kafka" / "pom.xml"


def kafka_version() -> str:
    found = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom_path().read_text())
    if found is None:
        raise DevstackError(f"no <kafka.version> property in {pom_path()}")
    return found.group(1).strip()


def kafka_home() -> Path:
    return cache_dir() / f"kafka-{kafka_version()}"


def libs_dir() -> Path:
    return kafka_home() / "libs"


def libs_ready() -> bool:
    return (kafka_home() / _COMPLETE_MARKER).is_file()


def ensure_libs(run: Path) -> Path:
    """Resolve the broker classpath once; the marker is written only after a complete copy."""
    libs = libs_dir()
    if libs_ready():
        return libs
    home = kafka_home()
    with cache_lock(cache_dir()):
        if libs_ready():
            return libs
        staging = home / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(libs, ignore_errors=True)
        staging.mkdir(parents=True)
        download_log = log_file(run, "kafka-download")
        download_log.parent.mkdir(parents=True, exist_ok=True)
        with download_log.open("w") as log:
            result = subprocess.run(
                [
                    "mvn",
                    "-B",
                    "-q",
                    "-f",
                    str(pom_path()),
                    f"{_MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={staging}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        core_jar = staging / f"kafka_2.13-{kafka_version()}.jar"
        if result.returncode != 0 or not core_jar.is_file():
            raise DevstackError(
                f"downloading the Kafka jars with Maven failed (see {download_log}):\n"
                f"{processes.tail(download_log)}"
            )
        staging.rename(libs)
        (home / _COMPLETE_MARKER).write_text(f"{kafka_version()}\n")
    return libs


@dataclass(frozen=True, slots=True)
class KafkaLayout:
    run: Path

    @property
    def home(self) -> Path:
        return self.run / "kafka"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def server_properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def log4j_properties(self) -> Path:
        return self.home / "log4j2.properties"

    @property
    def pid_file(self) -> Path:
        return pid_file(self.run, NAME)

    @property
    def log_file(self) -> Path:
        return log_file(self.run, NAME)

    @property
    def signature(self) -> tuple[str, ...]:
        return ("kafka.Kafka", str(self.server_properties))


def bootstrap_address() -> str:
    return f"{HOST}:{kafka_advertised_port()}"


def server_properties(
    data: Path, port: int, controller_port: int, advertised_port: int | None = None
) -> str:
    # Static quorum: StorageTool needs no --standalone and formats idempotently.
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{controller_port}
listeners=PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}
advertised.listeners=PLAINTEXT://{HOST}:{advertised_port or port}
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs={data}
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
"""


def _cluster_id() -> str:
    # Same rule as Kafka's Uuid.randomUuid(): url-safe base64 without padding, no leading "-".
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


def _java_base(libs: Path, layout: KafkaLayout) -> list[str]:
    return [
        "java",
        f"-Dlog4j2.configurationFile={layout.log4j_properties}",
        f"-Dkafka.logs.dir={layout.log_file.parent}",
        "-Djava.awt.headless=true",
        "-cp",
        f"{libs}/*",
    ]


def _format_storage(libs: Path, layout: KafkaLayout) -> None:
    if (layout.data / "meta.properties").is_file():
        return
    argv = [
        *_java_base(libs, layout),
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "kafka.tools.StorageTool",
        "format",
        "-t",
        _cluster_id(),
        "-c",
        str(layout.server_properties),
        "--ignore-formatted",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise DevstackError(f"formatting Kafka storage in {layout.data} failed:\n{output}")


@contextmanager
def _aiokafka_quiet() -> Iterator[None]:
    # While the broker boots, aiokafka logs every refused connection at ERROR level, which
    # would reach stderr through logging's last-resort handler; the probe result is enough.
    logger = logging.getLogger("aiokafka")
    previous = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(previous)


async def probe(bootstrap: str, timeout_ms: int = 3000) -> bool:
    """One real metadata round trip: the broker answers and lists at least one broker."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    try:
        with _aiokafka_quiet():
            await admin.start()
            cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        with _aiokafka_quiet():
            await admin.close()


async def _wait_ready(pid: int, bootstrap: str, within: float) -> str | None:
    deadline = time.monotonic() + within
    while True:
        if not processes.is_alive(pid):
            return "Kafka exited during startup"
        if await probe(bootstrap):
            return None
        if time.monotonic() >= deadline:
            return f"Kafka did not answer a metadata request on {bootstrap} within {within:.0f} s"
        await asyncio.sleep(0.5)


def wait_ready(pid: int, layout: KafkaLayout, bootstrap: str, timeout: float) -> None:
    failure = run_blocking(lambda: _wait_ready(pid, bootstrap, timeout))
    if failure is not None:
        raise DevstackError(
            f"{failure}; last lines of {layout.log_file}:\n{processes.tail(layout.log_file)}"
        )


@dataclass(frozen=True, slots=True)
class Launch:
    pid: int
    address: str
    reused: bool


def launch(run: Path | None = None) -> Launch:
    """Start Kafka detached (or find the one already running from `run`), without waiting."""
    run = run or run_dir()
    layout = KafkaLayout(run)
    port, controller_port = kafka_port(), kafka_controller_port()
    advertised = kafka_advertised_port()
    bootstrap = f"{HOST}:{advertised}"
    wanted = server_properties(layout.data, port, controller_port, advertised)

    pid = processes.live_pid(layout.pid_file, layout.signature)
    if pid is not None:
        if _read(layout) != wanted:
            raise DevstackError(
                f"Kafka (pid {pid}) from {run} runs with other settings than requested "
                "(ports changed?); stop it first with `devstack down`"
            )
        return Launch(pid, bootstrap, reused=True)

    for busy in (port, controller_port):
        if processes.port_in_use(HOST, busy):
            raise DevstackError(
                f"port {HOST}:{busy} is already in use by another process; "
                "choose others with A2P_KAFKA_PORT / A2P_KAFKA_CONTROLLER_PORT"
            )
    libs = ensure_libs(run)
    layout.data.mkdir(parents=True, exist_ok=True)
    layout.server_properties.write_text(wanted)
    layout.log4j_properties.write_text(LOG4J2_PROPERTIES)
    _format_storage(libs, layout)
    argv = [
        *_java_base(libs, layout),
        "-Xms256m",
        "-Xmx1g",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExplicitGCInvokesConcurrent",
        "kafka.Kafka",
        str(layout.server_properties),
    ]
    pid = processes.spawn(
        processes.ProcessSpec(name=NAME, argv=argv, signature=layout.signature, run=run)
    )
    return Launch(pid, bootstrap, reused=False)


def start(run: Path | None = None, timeout: float = READY_TIMEOUT) -> Launch:
    """Kafka running and answering metadata requests; reuses a healthy one from `run`."""
    run = run or run_dir()
    started = launch(run)
    try:
        wait_ready(started.pid, KafkaLayout(run), started.address, timeout)
    except DevstackError:
        if not started.reused:
            stop(run)
        raise
    return started


def stop(run: Path | None = None) -> bool:
    layout = KafkaLayout(run or run_dir())
    return bool(processes.stop([(layout.pid_file, layout.signature)]))


def status(run: Path | None = None) -> processes.ComponentStatus:
    layout = KafkaLayout(run or run_dir())
    pid = processes.live_pid(layout.pid_file, layout.signature)
    address = bootstrap_address()
    if pid is not None:
        found = re.search(r"^advertised\.listeners=PLAINTEXT://(\S+)$", _read(layout), re.M)
        address = found.group(1) if found else address
    return processes.ComponentStatus(NAME, pid, address)


def _read(layout: KafkaLayout) -> str:
    try:
        return layout.server_properties.read_text()
    except OSError:
        return ""
