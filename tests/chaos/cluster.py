"""The platform as separate processes on a Kafka broker and a FerretDB of its own (in
`.run/chaos`, ports 29000-29999), every dependency reached through a fault proxy.

    services --> kafka proxy    :29192 --> Kafka    :29092 (advertised as :29192)
             --> mongo proxy    :29117 --> FerretDB :29017
             --> twilio proxy   :29189 --> emulator :29089
    emulator --> messaging LB   :29183 --> messaging :29083, :29085 (Twilio's webhooks)
"""

import asyncio
import contextlib
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from a2p_devstack import ferretdb, kafka, processes
from a2p_devstack.paths import log_file, pid_file, repo_root
from a2p_devstack.topics import ensure_topics_async, topic_specs
from a2p_shared.events import MessageRequestedV1, OptOutRecordedV1
from a2p_shared.kafka import Topics

from tests.chaos.proxy import HOST, FaultProxy

KAFKA, KAFKA_CONTROLLER, KAFKA_PROXY = 29092, 29093, 29192
MONGO, MONGO_PROXY = 29017, 29117
EMULATOR, TWILIO_PROXY = 29089, 29189
MESSAGING_LB = 29183
SERVICE_PORTS = {
    "intake": 29080,
    "validator": 29081,
    "registrar": 29082,
    "messaging-1": 29083,
    "optout": 29084,
    "messaging-2": 29085,
}
PARTITIONS = 4
_MODULES = {
    "intake": "a2p_intake",
    "validator": "tests.chaos.validator",
    "registrar": "a2p_registrar",
    "messaging-1": "a2p_messaging",
    "messaging-2": "a2p_messaging",
    "optout": "a2p_optout",
}


@dataclass
class Service:
    name: str
    port: int
    module: str
    env: dict[str, str]
    pid: int | None = None

    @property
    def health(self) -> str:
        return f"http://{HOST}:{self.port}/health"


@dataclass
class Cluster:
    run: Path
    numbers: list[str]
    daily_cap: int
    proxies: dict[str, FaultProxy] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)

    bootstrap = f"{HOST}:{KAFKA_PROXY}"
    mongodb_url = f"mongodb://{HOST}:{MONGO}/"  # the harness's own reads go around the proxy
    emulator_url = f"http://{HOST}:{EMULATOR}"
    intake_url = f"http://{HOST}:{SERVICE_PORTS['intake']}"

    async def start(self) -> None:
        await asyncio.to_thread(self._stop_processes)
        shutil.rmtree(self.run, ignore_errors=True)
        self.run.mkdir(parents=True)
        self.proxies = {
            "kafka": FaultProxy("kafka", KAFKA_PROXY, [KAFKA]),
            "mongo": FaultProxy("mongo", MONGO_PROXY, [MONGO]),
            "twilio": FaultProxy("twilio", TWILIO_PROXY, [EMULATOR]),
            "messaging-lb": FaultProxy(
                "messaging-lb",
                MESSAGING_LB,
                [SERVICE_PORTS["messaging-1"], SERVICE_PORTS["messaging-2"]],
            ),
        }
        for proxy in self.proxies.values():
            await proxy.start()
        await asyncio.gather(self.start_kafka(), self.start_database())
        await ensure_topics_async(
            self.bootstrap, partitions={"tenant": PARTITIONS, "tenant_phone": PARTITIONS}
        )
        await self._broker_timestamps()
        self._start_emulator()
        self.services = self._services()
        for service in self.services.values():
            self._spawn(service)
        await self.healthy(*self.services)

    async def stop(self) -> None:
        """Services first (TERM, KILL after 10 s: one whose broker is gone may hang on its way
        out), then the emulator, Kafka and FerretDB, then the proxies."""
        for service in self.services.values():
            self._signal(service, signal.SIGCONT)
        await asyncio.to_thread(self._stop_processes)
        for proxy in self.proxies.values():
            await proxy.stop()

    # --- faults -------------------------------------------------------------------------------

    def kill(self, name: str) -> None:
        self._signal(self.services[name], signal.SIGKILL)

    async def restart(self, name: str) -> None:
        service = self.services[name]
        if service.pid is not None:
            await asyncio.to_thread(_reap, service.pid)
        self._spawn(service)
        await self.healthy(name)

    def pause(self, name: str) -> None:
        self._signal(self.services[name], signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self._signal(self.services[name], signal.SIGCONT)

    async def stop_kafka(self) -> None:
        await asyncio.to_thread(kafka.stop, self.run)

    async def stop_database(self) -> None:
        await asyncio.to_thread(ferretdb.stop, self.run)

    # --- processes ----------------------------------------------------------------------------

    async def start_kafka(self) -> None:
        with _ports():
            launched = await asyncio.to_thread(kafka.launch, self.run)
            await asyncio.to_thread(
                kafka.wait_ready, launched.pid, kafka.KafkaLayout(self.run), self.bootstrap, 90
            )

    async def start_database(self) -> None:
        with _ports():
            launched = await asyncio.to_thread(ferretdb.launch, self.run)
            await asyncio.to_thread(
                ferretdb.wait_ready,
                launched.pid,
                ferretdb.FerretLayout(self.run),
                launched.address,
                60,
            )

    def _stop_processes(self) -> None:
        """Everything this run (or an interrupted one in the same folder) started."""
        modules = {**_MODULES, "emulator": "a2p_twilio_emulator"}
        processes.stop([(pid_file(self.run, n), ("-m", m)) for n, m in modules.items()], 10.0)
        self._stop_infra()

    def _stop_infra(self) -> None:
        kafka.stop(self.run)
        ferretdb.stop(self.run)

    async def healthy(self, *names: str, within: float = 90.0) -> None:
        async with httpx.AsyncClient(timeout=2) as http:
            deadline = asyncio.get_running_loop().time() + within
            for name in names:
                service = self.services[name]
                while True:
                    with contextlib.suppress(httpx.HTTPError):
                        if (await http.get(service.health)).status_code == 200:
                            break
                    if asyncio.get_running_loop().time() > deadline:
                        log = log_file(self.run, name)
                        raise RuntimeError(f"{name} not healthy; see {log}")
                    await asyncio.sleep(0.3)

    def _spawn(self, service: Service) -> None:
        service.pid = processes.spawn(
            processes.ProcessSpec(
                name=service.name,
                argv=(sys.executable, "-m", service.module),
                signature=("-m", service.module),
                run=self.run,
                env={**os.environ, **service.env},
                cwd=repo_root(),
            )
        )

    def _signal(self, service: Service, sig: signal.Signals) -> None:
        if service.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(service.pid, sig)

    def _start_emulator(self) -> None:
        env = {
            "EMULATOR_HTTP_PORT": str(EMULATOR),
            "EMULATOR_OWNED_NUMBERS": ",".join(self.numbers),
            "EMULATOR_REVIEW_DELAY_S": "0.2",
            "EMULATOR_MESSAGE_LATENCY_S": "0.05",
        }
        self._spawn(Service("emulator", EMULATOR, "a2p_twilio_emulator", env))

    def _services(self) -> dict[str, Service]:
        common = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "MONGODB_URL": f"mongodb://{HOST}:{MONGO_PROXY}/",
            "TWILIO_API_URL": f"http://{HOST}:{TWILIO_PROXY}",
            "OTEL_TRACES_EXPORTER": "none",
            "PYTHONUNBUFFERED": "1",
        }
        messaging = {
            "MESSAGING_PUBLIC_URL": f"http://{HOST}:{MESSAGING_LB}",
            "MESSAGING_DAILY_CAP_LOW_VOLUME": str(self.daily_cap),
            "MESSAGING_DAILY_CAP_STANDARD": str(self.daily_cap),
            "MESSAGING_DAILY_CAP_SOLE_PROPRIETOR": str(self.daily_cap),
        }
        services = {}
        env_of = {
            "validator": {"VALIDATOR_ALLOW_PRIVATE_NETWORK": "true"},
            "registrar": {
                "REGISTRAR_PUBLIC_URL": f"http://{HOST}:{SERVICE_PORTS['registrar']}",
                "REGISTRAR_WEBHOOK_BASE_URL": f"http://{HOST}:{MESSAGING_LB}",
                "REGISTRAR_A2P_CALL_INTERVAL_S": "0",
                "REGISTRAR_REVIEW_POLL_FIRST_S": "0.5",
                "REGISTRAR_REVIEW_POLL_CAP_S": "2",
                "REGISTRAR_LEASE_S": "5",
            },
            "messaging-1": messaging,
            "messaging-2": messaging,
        }
        for name, module in _MODULES.items():
            env = env_of.get(name, {})
            port_env = name.split("-")[0].upper() + "_HTTP_PORT"
            services[name] = Service(
                name,
                SERVICE_PORTS[name],
                module,
                {**common, **env, port_env: str(SERVICE_PORTS[name])},
            )
        return services

    async def _broker_timestamps(self) -> None:
        """The opt-outs and the requests get the broker's append time, so "published after the
        opt-out was acknowledged" is an order of broker times, not of two processes' clocks."""
        topics = Topics()
        names = {topics.of(payload) for payload in (OptOutRecordedV1, MessageRequestedV1)}
        # AlterConfigs replaces a topic's whole configuration: keep compaction where it is.
        resources = [
            ConfigResource(
                ConfigResourceType.TOPIC,
                spec.name,
                {"message.timestamp.type": "LogAppendTime"}
                | ({"cleanup.policy": "compact"} if spec.compacted else {}),
            )
            for spec in topic_specs()
            if spec.name in names
        ]
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            await admin.alter_configs(resources)
        finally:
            await admin.close()


@contextlib.contextmanager
def _ports() -> Iterator[None]:
    """devstack reads its ports from the environment when it launches."""
    wanted = {
        "A2P_KAFKA_PORT": str(KAFKA),
        "A2P_KAFKA_CONTROLLER_PORT": str(KAFKA_CONTROLLER),
        "A2P_KAFKA_ADVERTISED_PORT": str(KAFKA_PROXY),
        "A2P_MONGO_PORT": str(MONGO),
    }
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _reap(pid: int) -> None:
    processes.wait_until(lambda: not processes.is_alive(pid), timeout=30)
