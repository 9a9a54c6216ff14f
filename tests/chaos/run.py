"""One chaos run: the cluster, the tenants registered and their people opted in, then for each
fault a wave of workload with the fault in its middle, and what the emulator and Kafka say
happened."""

import asyncio
import random
import sys
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from a2p_devstack.paths import run_dir
from a2p_shared.kafka import Topics

from tests.chaos.cluster import Cluster
from tests.chaos.faults import Fault
from tests.chaos.observe import Observer, Verdict, judge, over_cap, texts_at_twilio
from tests.chaos.workload import (
    People,
    Platform,
    Wave,
    publish_garbage,
    registration_document,
    tenant_numbers,
)
from tests.sites import serve_pages, shelbyville
from tests.support import store_key

TENANTS = 4
PEOPLE = [f"+1312555{2000 + n:04d}" for n in range(10)]
RECOVERY_S = 180.0


@dataclass(frozen=True, slots=True)
class Row:
    fault: str
    requests: int
    texts: int
    registrations: int
    verdict: Verdict
    recovered_s: float | None

    @property
    def clean(self) -> bool:
        v = self.verdict
        return not (
            v.lost
            or v.duplicated
            or v.sent_after_stop
            or v.dead_letters_missing
            or v.registrations_stuck
            or self.recovered_s is None
        )


@dataclass(frozen=True, slots=True)
class Report:
    rows: list[Row]
    over_cap: dict[str, int]
    cap: int
    capped: int  # requests blocked by the cap: it was reached

    @property
    def clean(self) -> bool:
        return all(row.clean for row in self.rows) and not self.over_cap

    def table(self) -> str:
        head = (
            f"{'fault':<52} {'workload':>18} {'lost':>5} {'dup':>4} {'after STOP':>10} "
            f"{'dlq miss':>8} {'stuck':>5} {'recovered':>9}"
        )
        lines = [head, "-" * len(head)]
        for row in self.rows:
            v = row.verdict
            work = f"{row.requests}+{row.texts}+{row.registrations}"
            recovered = f"{row.recovered_s:.1f} s" if row.recovered_s is not None else "never"
            lines.append(
                f"{row.fault:<52} {work:>18} {v.lost:>5} {v.duplicated:>4} "
                f"{v.sent_after_stop:>10} {v.dead_letters_missing:>8} "
                f"{v.registrations_stuck:>5} {recovered:>9}"
            )
        lines.append(
            "workload: sends + people's texts (STOP/START/HELP) + registrations; "
            f"daily cap {self.cap} segments per tenant: "
            + (
                f"held for every tenant ({self.capped} requests blocked by it)"
                if not self.over_cap
                else f"EXCEEDED {self.over_cap}"
            )
        )
        return "\n".join(lines)


class Chaos:
    def __init__(
        self, faults: Sequence[Fault], requests: int, seed: int = 7, progress: bool = False
    ) -> None:
        self.faults, self.requests, self.progress = list(faults), requests, progress
        self.rng = random.Random(seed)
        self.tenants = [f"chaos-t{i}" for i in range(TENANTS)]
        self.numbers = {n: t for i, t in enumerate(self.tenants) for n in tenant_numbers(i)}
        fresh = {f"chaos-r{i}": tenant_numbers(100 + i) for i in range(len(self.faults))}
        self.fresh = fresh
        self.numbers |= {n: t for t, numbers in fresh.items() for n in numbers}
        # The busiest tenant (a third of the requests, plus its replies) passes the cap.
        self.cap = max(4, requests * len(self.faults) // 5)
        self.stopped: set[tuple[str, str]] = set()

    async def run(self, run: Path | None = None) -> Report:
        cluster = Cluster(run or run_dir() / "chaos", sorted(self.numbers), self.cap)
        async with AsyncExitStack() as stack:
            stack.push_async_callback(cluster.stop)  # also what a failed start left running
            await cluster.start()
            pages = await stack.enter_async_context(serve_pages(shelbyville.PAGES))
            mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(cluster.mongodb_url)
            stack.push_async_callback(mongo.close)
            key = await store_key(mongo["a2p"], *self.tenants, *self.fresh, platform="chaos")
            platform = Platform(cluster.intake_url, key)
            stack.push_async_callback(platform.close)
            people = People(cluster.emulator_url)
            stack.push_async_callback(people.close)
            observer = Observer(cluster.bootstrap)
            await observer.start()
            stack.push_async_callback(observer.stop)
            producer = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
            await producer.start()
            stack.push_async_callback(producer.stop)
            self.cluster, self.platform, self.people = cluster, platform, people
            self.observer, self.producer, self.pages = observer, producer, pages

            await self._set_up()
            rows = []
            for index, fault in enumerate(self.faults):
                rows.append(await self._wave(index, fault))
                if self.progress:
                    print(Report(rows, {}, self.cap, 0).table().splitlines()[-2], flush=True)
            texts = await texts_at_twilio(cluster.emulator_url)
            capped = [
                e
                for outcomes in observer.seen.outcomes.values()
                for e in outcomes.values()
                if e["payload"].get("reason") == "daily_cap"
            ]
            return Report(rows, over_cap(texts, self.numbers, self.cap), self.cap, len(capped))

    async def _set_up(self) -> None:
        registrations = {
            await self.platform.register(
                tenant, registration_document(self.pages, tenant_numbers(i))
            ): tenant
            for i, tenant in enumerate(self.tenants)
        }
        if await self._live(registrations) != set(registrations):
            raise RuntimeError("the tenants' registrations did not go live; see .run/chaos/logs")
        await asyncio.gather(
            *(self.platform.opt_in(t, person) for t in self.tenants for person in PEOPLE)
        )

    async def _wave(self, index: int, fault: Fault) -> Row:
        wave = Wave(fault.name)
        load = asyncio.create_task(self._load(index, wave, seconds=fault.hold_s + 6))
        await asyncio.sleep(2)
        await fault.begin(self.cluster)
        await asyncio.sleep(fault.hold_s)
        await fault.end(self.cluster)
        healed = time.monotonic()
        recovery = asyncio.create_task(self._recovered(wave, healed))
        await load
        recovered = await recovery
        await self._settled(wave)
        texts = await texts_at_twilio(self.cluster.emulator_url)
        live = await self._live(wave.registrations, within=0)
        verdict = judge(wave, self.observer.seen, texts, live)
        return Row(
            fault.name,
            len(wave.requests),
            len(wave.texts),
            len(wave.registrations),
            verdict,
            recovered,
        )

    async def _load(self, index: int, wave: Wave, seconds: float) -> None:
        """Requests spread over `seconds`, a STOP, a HELP and (from the second wave) a START
        among them, a tenant registering, and two unreadable records."""
        jobs = []
        busy = self.tenants[0]
        for n in range(self.requests):
            tenant = busy if n % 3 == 0 else self.rng.choice(self.tenants[1:])
            person = self.rng.choice(PEOPLE)
            jobs.append(
                self._request(wave, n * seconds / self.requests, f"w{index}-{n}", tenant, person)
            )
        stop_tenant, stop_person = self.rng.choice(self.tenants), self.rng.choice(PEOPLE)
        jobs.append(self._text(wave, seconds * 0.3, stop_person, stop_tenant, "STOP"))
        jobs.append(self._text(wave, seconds * 0.5, self.rng.choice(PEOPLE), stop_tenant, "HELP"))
        if self.stopped:
            tenant, person = self.rng.choice(sorted(self.stopped))
            jobs.append(self._text(wave, seconds * 0.7, person, tenant, "START"))
        jobs.append(self._register(wave, seconds * 0.4, f"chaos-r{index}"))
        jobs.append(self._garbage(wave, seconds * 0.6, index))
        await asyncio.gather(*jobs)

    async def _request(self, wave: Wave, at: float, token: str, tenant: str, person: str) -> None:
        await asyncio.sleep(at)
        wave.asked[token] = time.monotonic()
        wave.requests.append(await self.platform.send(token, tenant, person))

    async def _text(self, wave: Wave, at: float, person: str, tenant: str, body: str) -> None:
        await asyncio.sleep(at)
        number = self.rng.choice([n for n, t in self.numbers.items() if t == tenant])
        text = await self.people.text(person, tenant, number, body)
        wave.texts.append(text)
        if body == "STOP":
            self.stopped.add((tenant, person))
        elif body == "START":
            self.stopped.discard((tenant, person))

    async def _register(self, wave: Wave, at: float, tenant: str) -> None:
        await asyncio.sleep(at)
        document = registration_document(self.pages, self.fresh[tenant])
        wave.registrations[await self.platform.register(tenant, document)] = tenant

    async def _garbage(self, wave: Wave, at: float, index: int) -> None:
        await asyncio.sleep(at)
        deadline = time.monotonic() + 120
        while True:
            try:
                wave.garbage += await publish_garbage(self.producer, Topics(), f"w{index}")
                return
            except Exception:  # the broker is being restarted or cut off: a producer retries
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1)

    async def _recovered(self, wave: Wave, healed: float) -> float | None:
        """Seconds from the fault's end until every request asked for until then (some retried
        while intake or Kafka was away) is accepted and has its outcome."""
        seen = self.observer.seen
        before = [token for token, at in wave.asked.items() if at <= healed]
        while time.monotonic() < healed + RECOVERY_S:
            accepted = {r.token: r.message_id for r in wave.requests}
            if all(t in accepted and seen.outcomes.get(accepted[t]) for t in before):
                return time.monotonic() - healed
            await asyncio.sleep(0.2)
        return None

    async def _settled(self, wave: Wave) -> None:
        """Until every request has its outcome, every registration is live and every unreadable
        record is in its dead-letter topic, or RECOVERY_S: what is missing then is counted (and
        named on stderr, for whoever investigates)."""
        deadline = time.monotonic() + RECOVERY_S
        while True:
            missing = await self._missing(wave)
            if not missing:
                return
            if time.monotonic() > deadline:
                print(
                    f"{wave.name}: still missing after {RECOVERY_S:.0f} s: {missing}",
                    file=sys.stderr,
                )
                return
            await asyncio.sleep(0.5)

    async def _missing(self, wave: Wave) -> list[str]:
        self.observer.check()
        seen = self.observer.seen
        live = await self._live(wave.registrations, within=0)
        return (
            [
                f"outcome of {r.token} ({r.message_id})"
                for r in wave.requests
                if not seen.outcomes.get(r.message_id)
            ]
            + [f"registration {rid} live" for rid in wave.registrations if rid not in live]
            + [
                f"dead letter of {value[:40]!r} from {topic}"
                for topic, value in wave.garbage
                if value not in seen.dead_letters
            ]
        )

    async def _live(self, registrations: dict[str, str], within: float = 120) -> set[str]:
        deadline = time.monotonic() + within
        while True:
            live = {
                rid
                for rid, tenant in registrations.items()
                if await self.platform.status(tenant, rid) == "live"
            }
            if live == set(registrations) or time.monotonic() >= deadline:
                return live
            await asyncio.sleep(1)
