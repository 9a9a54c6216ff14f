"""Infrastructure addresses for test fixtures: explicit env, else Docker, else local processes.

    with kafka_bootstrap() as bootstrap, mongodb_url() as url:
        ...

Order: (a) KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL from the environment; (b) testcontainers when
a Docker engine answers (TESTS_NO_DOCKER=1 skips it); (c) the local Kafka / FerretDB processes of
`devstack`, reused when already running. Only what the harness itself started is stopped, and
only when no other test process (pytest-xdist worker) still holds a lease on it.
"""

import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from a2p_devstack import ferretdb, kafka
from a2p_devstack.locking import run_lock
from a2p_devstack.paths import run_dir
from a2p_devstack.prerequisites import require_tools
from a2p_devstack.processes import ComponentStatus, is_alive
from a2p_devstack.stack import HARNESS_MARK_SUFFIX
from a2p_devstack.sync_bridge import run_blocking
from a2p_devstack.topics import delete_topics_async, list_topics_async

# Every test names its topics, consumer groups and database with a fresh suffix of this shape.
_TEST_SUFFIX = re.compile(r"\.t[0-9a-f]{12}(\.dlq)?$")

KAFKA_IMAGE = "apache/kafka:4.1.1"
MONGO_IMAGE = "mongo:7.0"
_DOCKER_STARTUP_TIMEOUT = 120


def docker_available() -> bool:
    if os.environ.get("TESTS_NO_DOCKER", "").strip() not in ("", "0"):
        return False
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        # Without this, docker-py's failed connect leaks its unix socket on every probe.
        return False
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@contextmanager
def kafka_bootstrap() -> Iterator[str]:
    explicit = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if explicit:
        yield explicit
    elif docker_available():
        with _kafka_container() as bootstrap:
            yield bootstrap
    else:
        with _local_component(
            kafka.NAME, _start_local_kafka, kafka.stop, kafka.status, _purge_test_topics
        ) as address:
            yield address


@contextmanager
def mongodb_url() -> Iterator[str]:
    explicit = os.environ.get("MONGODB_URL", "").strip()
    if explicit:
        yield explicit
    elif docker_available():
        with _mongo_container() as url:
            yield url
    else:
        with _local_component(
            ferretdb.NAME, _start_local_ferretdb, ferretdb.stop, ferretdb.status
        ) as url:
            yield url


def unique_suffix() -> str:
    """A fresh name part for one test's topics, consumer groups and database."""
    return "t" + uuid.uuid4().hex[:12]


def is_test_topic(name: str) -> bool:
    return _TEST_SUFFIX.search(name) is not None


def _start_local_kafka(run: Path) -> str:
    require_tools(["java"] if kafka.libs_ready() else ["java", "mvn"])
    return kafka.start(run).address


def _purge_test_topics(bootstrap: str) -> None:
    """Drop topics an interrupted earlier test run left behind (only ever test-suffixed ones)."""
    names = run_blocking(lambda: list_topics_async(bootstrap))
    stale = [name for name in names if is_test_topic(name)]
    if stale:
        run_blocking(lambda: delete_topics_async(bootstrap, stale))


def _start_local_ferretdb(run: Path) -> str:
    require_tools([] if ferretdb.binary_ready() else ["go"])
    return ferretdb.start(run).address


def _lease_pid(lease: Path) -> int | None:
    found = re.match(r".*-(\d+)-[0-9a-f]+$", lease.name)
    return int(found.group(1)) if found else None


@contextmanager
def _local_component(
    name: str,
    start: Callable[[Path], str],
    stop: Callable[[Path], bool],
    status: Callable[[Path], ComponentStatus],
    on_first_start: Callable[[str], None] | None = None,
) -> Iterator[str]:
    run = run_dir()
    mark = run / f"{name}{HARNESS_MARK_SUFFIX}"
    leases = run / "leases"
    lease = leases / f"{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with run_lock(run):
        was_running = status(run).running
        address = start(run)
        if not was_running:
            mark.touch()
            if on_first_start is not None:
                # Nobody else can be using it yet, so clearing up after earlier runs is safe.
                on_first_start(address)
        leases.mkdir(parents=True, exist_ok=True)
        lease.touch()
    try:
        yield address
    finally:
        with run_lock(run):
            lease.unlink(missing_ok=True)
            holders = []
            for other in leases.glob(f"{name}-*"):
                pid = _lease_pid(other)
                if pid is not None and is_alive(pid):
                    holders.append(other)
                else:
                    other.unlink(missing_ok=True)
            if mark.exists() and not holders:
                stop(run)
                mark.unlink(missing_ok=True)


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@contextmanager
def _kafka_container() -> Iterator[str]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    # Host clients need an advertised address that is valid before the container starts, so
    # the host port is chosen here and mapped to the same port inside; the broker talks to
    # itself over a separate in-container listener, as in the image's own defaults.
    (port,) = free_ports(1)
    container: Any = DockerContainer(KAFKA_IMAGE).with_bind_ports(port, port)
    host = container.get_docker_client().host()
    container.with_envs(
        CLUSTER_ID="4L6g3nShT-eMCtK--X86sw",
        KAFKA_NODE_ID="1",
        KAFKA_PROCESS_ROLES="broker,controller",
        KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:29093",
        KAFKA_LISTENERS=(
            f"PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093,HOST://0.0.0.0:{port}"
        ),
        KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://localhost:29092,HOST://{host}:{port}",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT",
        KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
        KAFKA_INTER_BROKER_LISTENER_NAME="PLAINTEXT",
        KAFKA_LOG_DIRS="/tmp/kraft-combined-logs",  # noqa: S108 (inside the throwaway container)
        KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
        KAFKA_NUM_PARTITIONS="1",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS="1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
        KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS="1",
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR="1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
    )
    container.waiting_for(
        LogMessageWaitStrategy("Kafka Server started").with_startup_timeout(_DOCKER_STARTUP_TIMEOUT)
    )
    with container:
        yield f"{host}:{port}"


@contextmanager
def _mongo_container() -> Iterator[str]:
    try:
        from testcontainers.community.mongodb import MongoDbContainer
    except ImportError:
        from testcontainers.mongodb import MongoDbContainer

    with MongoDbContainer(MONGO_IMAGE) as container:
        yield str(container.get_connection_url())
