"""What the figures were measured on, and how busy its CPUs were while they were measured."""

import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Machine:
    cpus: int
    cpu_model: str
    memory_gib: float
    python: str
    system: str
    kafka: str
    database: str


async def describe(bootstrap: str, mongodb_url: str) -> Machine:
    return Machine(
        cpus=os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        system=platform.platform(),
        kafka=await _kafka(bootstrap),
        database=await _database(mongodb_url),
    )


def _cpu_model() -> str:
    try:
        lines = (PROC / "cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        lines = (PROC / "meminfo").read_text().splitlines()
    except OSError:
        return 0.0
    kib = next((int(line.split()[1]) for line in lines if line.startswith("MemTotal:")), 0)
    return round(kib / 1024 / 1024, 1)


async def _kafka(bootstrap: str) -> str:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        brokers = len((await admin.describe_cluster())["brokers"])
    finally:
        await admin.close()
    return f"{brokers} broker{'s' if brokers != 1 else ''} at {bootstrap}"


async def _database(mongodb_url: str) -> str:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    try:
        info = await client.admin.command("buildInfo")
    finally:
        await client.close()
    if "ferretdbVersion" in info:
        return f"FerretDB (MongoDB wire protocol {info['version']})"
    return f"MongoDB {info['version']}"


class CpuMeter:
    """How busy all the machine's CPUs were (any process: services, Kafka, the database, the
    bench itself) from when it was made to each `busy()`; None where /proc/stat is missing."""

    def __init__(self) -> None:
        self._start = _cpu_jiffies()

    def busy(self) -> float | None:
        end = _cpu_jiffies()
        if self._start is None or end is None or end[1] == self._start[1]:
            return None
        return (end[0] - self._start[0]) / (end[1] - self._start[1])


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) time of all CPUs since boot, from the first line of /proc/stat."""
    try:
        first = (PROC / "stat").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice, already in user/nice]
    fields = [int(value) for value in first.split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)
