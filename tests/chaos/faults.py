"""The faults, each a beginning and an end around the time the system spends without help."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from tests.chaos.cluster import Cluster

Step = Callable[[Cluster], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Fault:
    name: str
    begin: Step
    end: Step
    hold_s: float


def killed(*names: str) -> Fault:
    async def begin(cluster: Cluster) -> None:
        for name in names:
            cluster.kill(name)

    async def end(cluster: Cluster) -> None:
        await asyncio.gather(*(cluster.restart(name) for name in names))

    return Fault(f"kill -9 {' + '.join(names)}, restart", begin, end, hold_s=3)


def paused(name: str, seconds: float) -> Fault:
    async def begin(cluster: Cluster) -> None:
        cluster.pause(name)

    async def end(cluster: Cluster) -> None:
        cluster.resume(name)

    return Fault(f"SIGSTOP {name} {seconds:.0f} s (rebalance)", begin, end, hold_s=seconds)


def network(target: str, *, delay_s: float | None, seconds: float) -> Fault:
    async def begin(cluster: Cluster) -> None:
        proxy = cluster.proxies[target]
        if delay_s is None:
            proxy.cut()
        else:
            proxy.slow(delay_s)

    async def end(cluster: Cluster) -> None:
        cluster.proxies[target].heal()

    what = "cut" if delay_s is None else f"slow {delay_s * 1000:.0f} ms"
    return Fault(f"network to {target}: {what} {seconds:.0f} s", begin, end, hold_s=seconds)


def restarted_kafka() -> Fault:
    return Fault("restart the Kafka broker", Cluster.stop_kafka, Cluster.start_kafka, hold_s=2)


def restarted_database() -> Fault:
    return Fault("restart the database", Cluster.stop_database, Cluster.start_database, hold_s=2)


def twilio_hangs(seconds: float, hang_s: float = 12) -> Fault:
    """Twilio records and sends each text, then answers the create call only after `hang_s`
    (longer than the SDK's timeout)."""

    async def behave(cluster: Cluster, hang: bool) -> None:
        async with httpx.AsyncClient(base_url=cluster.emulator_url) as http:
            behaviour = {"timeout_after_accept": hang, "hang_s": hang_s}
            (await http.put("/_emulator/messages/behaviour", json=behaviour)).raise_for_status()

    async def begin(cluster: Cluster) -> None:
        await behave(cluster, True)

    async def end(cluster: Cluster) -> None:
        await behave(cluster, False)

    return Fault(
        f"Twilio accepts, answers after {hang_s:.0f} s, for {seconds:.0f} s", begin, end, seconds
    )


def every_fault() -> list[Fault]:
    return [
        *(killed(name) for name in ("intake", "validator", "registrar", "messaging-1", "optout")),
        killed("messaging-1", "messaging-2"),
        paused("messaging-1", 15),
        restarted_kafka(),
        restarted_database(),
        network("kafka", delay_s=None, seconds=8),
        network("kafka", delay_s=0.2, seconds=10),
        network("mongo", delay_s=None, seconds=8),
        network("mongo", delay_s=0.1, seconds=10),
        network("twilio", delay_s=None, seconds=8),
        network("twilio", delay_s=0.3, seconds=10),
        twilio_hangs(10),
    ]


def short_faults() -> list[Fault]:
    """What `make test` runs: a crash with redelivery, and a broker the services lose."""
    return [killed("messaging-1"), network("kafka", delay_s=None, seconds=5)]
