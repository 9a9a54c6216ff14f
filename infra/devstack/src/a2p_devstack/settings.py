"""Ports and partition overrides, read from the environment at call time (tests change them)."""

import os

from a2p_devstack.errors import DevstackError
from a2p_shared.events.topics import KeyKind

HOST = "127.0.0.1"

SERVICE_PORTS: dict[str, int] = {
    "intake": 8080,
    "validator": 8081,
    "registrar": 8082,
    "messaging": 8083,
    "optout": 8084,
}


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise DevstackError(f"{name}={raw!r} is not an integer") from None


def kafka_port() -> int:
    return _int_env("A2P_KAFKA_PORT", 19092)


def kafka_advertised_port() -> int:
    """The port clients are told to use: the broker's own, unless a proxy stands in front of it
    (the chaos harness's fault proxy)."""
    return _int_env("A2P_KAFKA_ADVERTISED_PORT", kafka_port())


def kafka_controller_port() -> int:
    return _int_env("A2P_KAFKA_CONTROLLER_PORT", 19093)


def mongo_port() -> int:
    return _int_env("A2P_MONGO_PORT", 27018)


def service_port(name: str) -> int:
    return _int_env(f"{name.upper()}_HTTP_PORT", SERVICE_PORTS[name])


def emulator_port() -> int:
    return _int_env("EMULATOR_HTTP_PORT", 8089)


def partition_overrides() -> dict[KeyKind, int]:
    overrides: dict[KeyKind, int] = {}
    tenant = _int_env("A2P_PARTITIONS_TENANT", 0)
    tenant_phone = _int_env("A2P_PARTITIONS_TENANT_PHONE", 0)
    if tenant > 0:
        overrides["tenant"] = tenant
    if tenant_phone > 0:
        overrides["tenant_phone"] = tenant_phone
    return overrides
