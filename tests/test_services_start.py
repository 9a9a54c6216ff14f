"""Every service, run as its own process the way `make run` runs it, connects and is healthy."""

import json
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from a2p_devstack.services import ServiceSpec, start_services, stop_services
from a2p_devstack.settings import SERVICE_PORTS
from a2p_shared.kafka import Topics

pytestmark = pytest.mark.infra


@pytest.fixture
def running_services(
    kafka_bootstrap: str,
    mongodb_url: str,
    topics: Topics,
    unique: str,
    tmp_path: Path,
    free_ports: Callable[[int], list[int]],
) -> Iterator[list[ServiceSpec]]:
    ports = free_ports(len(SERVICE_PORTS))
    specs = [
        ServiceSpec(
            name=name,
            port=port,
            argv=(sys.executable, "-m", f"a2p_{name}"),
            signature=("-m", f"a2p_{name}"),
        )
        for name, port in zip(SERVICE_PORTS, ports, strict=True)
    ]
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URL": mongodb_url,
        "MONGODB_DATABASE": unique,
        "A2P_TOPIC_SUFFIX": topics.suffix,
    }
    start_services(specs, env, run=tmp_path)
    try:
        yield specs
    finally:
        stop_services(specs, run=tmp_path)


def test_every_service_starts_and_reports_kafka_and_mongodb_healthy(
    running_services: list[ServiceSpec],
) -> None:
    for spec in running_services:
        with urllib.request.urlopen(spec.health_url, timeout=5) as response:
            health = json.load(response)
        assert response.status == 200
        assert health == {
            "service": spec.name,
            "status": "ok",
            "kafka": "ok",
            "mongodb": "ok",
        }
        with urllib.request.urlopen(f"{spec.base_url}/asyncapi.yaml", timeout=5) as response:
            assert spec.name in response.read().decode()
