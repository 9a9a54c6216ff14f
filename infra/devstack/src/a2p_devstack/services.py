"""Our Python services as detached processes, each answering `GET /health` when ready."""

import os
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

from a2p_devstack import processes
from a2p_devstack.errors import DevstackError
from a2p_devstack.paths import log_file, pid_file, run_dir
from a2p_devstack.settings import HOST, SERVICE_PORTS, emulator_port, service_port

READY_TIMEOUT = 60.0

# Loopback health checks must never go through an HTTP proxy configured in the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    port: int
    argv: tuple[str, ...]
    signature: tuple[str, ...]
    """Arguments that identify the running service in its command line."""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.base_url}/health"

    @property
    def port_env(self) -> str:
        return f"{self.name.upper()}_HTTP_PORT"


def default_services() -> list[ServiceSpec]:
    """intake, validator, registrar, messaging, optout: `python -m a2p_<name>`."""
    return [
        ServiceSpec(
            name=name,
            port=service_port(name),
            argv=(sys.executable, "-m", f"a2p_{name}"),
            signature=("-m", f"a2p_{name}"),
        )
        for name in SERVICE_PORTS
    ]


def emulator_service() -> ServiceSpec:
    """The Twilio emulator (infra/twilio-emulator), started in place of Twilio."""
    return ServiceSpec(
        name="emulator",
        port=emulator_port(),
        argv=(sys.executable, "-m", "a2p_twilio_emulator"),
        signature=("-m", "a2p_twilio_emulator"),
    )


def healthy(url: str, timeout: float = 1.0) -> bool:
    try:
        with _opener.open(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (URLError, OSError, ValueError):
        return False


def _pid_file(run: Path, spec: ServiceSpec) -> Path:
    return pid_file(run, spec.name)


def start_services(
    specs: Sequence[ServiceSpec],
    env: Mapping[str, str],
    run: Path | None = None,
    timeout: float = READY_TIMEOUT,
) -> dict[str, int]:
    """Start what is not running yet, then wait until every service's /health answers 200.

    `env` is added to our own environment (e.g. KAFKA_BOOTSTRAP_SERVERS, MONGODB_URL).
    Returns name -> pid. On failure the tail of the failing service's log is in the error.
    """
    run = run or run_dir()
    child_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
    child_env.update({spec.port_env: str(spec.port) for spec in specs})
    pids: dict[str, int] = {}
    launched: list[ServiceSpec] = []
    for spec in specs:
        pid = processes.live_pid(_pid_file(run, spec), spec.signature)
        if pid is None:
            if processes.port_in_use(HOST, spec.port):
                raise DevstackError(
                    f"port {HOST}:{spec.port} for {spec.name} is already in use by another "
                    f"process; choose another with {spec.port_env}"
                )
            pid = processes.spawn(
                processes.ProcessSpec(
                    name=spec.name, argv=spec.argv, signature=spec.signature, run=run, env=child_env
                )
            )
            launched.append(spec)
        pids[spec.name] = pid
    try:
        _wait_healthy(specs, pids, run, timeout)
    except DevstackError:
        stop_services(launched, run)
        raise
    return pids


def _wait_healthy(
    specs: Sequence[ServiceSpec], pids: Mapping[str, int], run: Path, timeout: float
) -> None:
    pending = list(specs)
    deadline = time.monotonic() + timeout
    while pending:
        for spec in list(pending):
            if not processes.is_alive(pids[spec.name]):
                raise _failure(spec, run, f"{spec.name} exited during startup")
            if healthy(spec.health_url):
                pending.remove(spec)
        if not pending:
            return
        if time.monotonic() >= deadline:
            names = ", ".join(spec.name for spec in pending)
            raise _failure(pending[0], run, f"not healthy after {timeout:.0f} s: {names}")
        time.sleep(0.25)


def _failure(spec: ServiceSpec, run: Path, reason: str) -> DevstackError:
    log = log_file(run, spec.name)
    return DevstackError(f"{reason}; last lines of {log}:\n{processes.tail(log)}")


def stop_services(specs: Sequence[ServiceSpec], run: Path | None = None) -> list[int]:
    run = run or run_dir()
    return processes.stop([(_pid_file(run, spec), spec.signature) for spec in specs])


def service_status(spec: ServiceSpec, run: Path | None = None) -> processes.ComponentStatus:
    pid = processes.live_pid(_pid_file(run or run_dir(), spec), spec.signature)
    return processes.ComponentStatus(spec.name, pid, spec.base_url)
