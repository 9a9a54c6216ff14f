"""Real Kafka and FerretDB started by devstack in a temporary run dir on free ports."""

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from pymongo import AsyncMongoClient, MongoClient

from a2p_devstack import cli, ferretdb, harness, kafka, processes, stack
from a2p_devstack.services import (
    ServiceSpec,
    emulator_service,
    healthy,
    service_status,
    stop_services,
)
from a2p_devstack.topics import ensure_topics, ensure_topics_async

pytestmark = [pytest.mark.infra, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def local_stack(
    tmp_path_factory: pytest.TempPathFactory, free_ports: Callable[[int], list[int]]
) -> Iterator[stack.Endpoints]:
    run = tmp_path_factory.mktemp("run")
    kafka_port, controller_port, mongo_port, emulator_port = free_ports(4)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("A2P_RUN_DIR", str(run))
        env.setenv("A2P_KAFKA_PORT", str(kafka_port))
        env.setenv("A2P_KAFKA_CONTROLLER_PORT", str(controller_port))
        env.setenv("A2P_MONGO_PORT", str(mongo_port))
        env.setenv("EMULATOR_HTTP_PORT", str(emulator_port))
        env.delenv("TWILIO_API_URL", raising=False)
        for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"):
            env.delenv(name, raising=False)
        env.setenv("TESTS_NO_DOCKER", "1")
        env.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
        env.delenv("MONGODB_URL", raising=False)
        env.delenv("A2P_PARTITIONS_TENANT", raising=False)
        env.delenv("A2P_PARTITIONS_TENANT_PHONE", raising=False)
        endpoints = stack.start_infra()
        try:
            yield endpoints
        finally:
            stack.down()


def pids() -> tuple[int | None, int | None]:
    return kafka.status().pid, ferretdb.status().pid


def test_start_infra_gives_loopback_addresses(local_stack: stack.Endpoints) -> None:
    assert local_stack.kafka_bootstrap == f"127.0.0.1:{os.environ['A2P_KAFKA_PORT']}"
    assert local_stack.mongodb_url == f"mongodb://127.0.0.1:{os.environ['A2P_MONGO_PORT']}/"
    kafka_pid, ferret_pid = pids()
    assert kafka_pid is not None
    assert ferret_pid is not None
    log = Path(os.environ["A2P_RUN_DIR"]) / "logs" / "kafka.log"
    assert "Kafka Server started" in log.read_text()


async def test_topics_exist_with_partitions_and_compaction(
    local_stack: stack.Endpoints,
) -> None:
    suffix = f"t{uuid.uuid4().hex[:8]}"
    specs = await ensure_topics_async(local_stack.kafka_bootstrap, suffix)
    again = await ensure_topics_async(local_stack.kafka_bootstrap, suffix)
    assert [s.name for s in again] == [s.name for s in specs]

    admin = AIOKafkaAdminClient(bootstrap_servers=local_stack.kafka_bootstrap)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics([s.name for s in specs])}
        for spec in specs:
            partitions = described[spec.name]["partitions"]
            assert len(partitions) == spec.partitions, spec.name
            assert all(p["leader"] >= 0 for p in partitions), spec.name

        compacted = [s for s in specs if s.compacted]
        plain = next(s for s in specs if not s.compacted)
        assert compacted, "the topic list has a compacted (consent) topic"
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, s.name) for s in [*compacted, plain]]
        )
        policies = {
            resource[3]: dict((entry[0], entry[1]) for entry in resource[4])["cleanup.policy"]
            for response in responses
            for resource in response.resources
        }
        assert {s.name: policies[s.name] for s in compacted} == {
            s.name: "compact" for s in compacted
        }
        assert policies[plain.name] == "delete"
    finally:
        await admin.close()


def test_partition_counts_follow_env_overrides(
    local_stack: stack.Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("A2P_PARTITIONS_TENANT", "2")
    monkeypatch.setenv("A2P_PARTITIONS_TENANT_PHONE", "4")
    specs = ensure_topics(local_stack.kafka_bootstrap, f"p{uuid.uuid4().hex[:8]}")
    counts = {spec.key: spec.partitions for spec in specs}
    assert counts == {"tenant": 2, "tenant_phone": 4, "source": 1}


async def test_produce_and_consume_one_record(local_stack: stack.Endpoints) -> None:
    suffix = f"r{uuid.uuid4().hex[:8]}"
    specs = await ensure_topics_async(local_stack.kafka_bootstrap, suffix)
    topic = specs[0].name

    producer = AIOKafkaProducer(bootstrap_servers=local_stack.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"hello": "kafka"}', key=b"tenant-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=local_stack.kafka_bootstrap,
        group_id=f"devstack-test-{suffix}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"tenant-1", b'{"hello": "kafka"}')


async def test_insert_and_read_a_document(local_stack: stack.Endpoints) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(local_stack.mongodb_url)
    try:
        collection = client[f"devstack_{uuid.uuid4().hex[:8]}"]["registrations"]
        await collection.insert_one({"_id": "reg-1", "tenant": "t-1", "status": "submitted"})
        found = await collection.find_one({"_id": "reg-1"})
    finally:
        await client.close()
    assert found == {"_id": "reg-1", "tenant": "t-1", "status": "submitted"}


async def test_concurrent_updates_to_one_document_all_land(local_stack: stack.Endpoints) -> None:
    """MongoDB applies each single-document update atomically; the launcher's write gate keeps
    FerretDB's SQLite backend from losing concurrent ones."""
    writers = 30
    clients: list[AsyncMongoClient[dict[str, object]]] = [
        AsyncMongoClient(local_stack.mongodb_url) for _ in range(writers)
    ]
    name = f"devstack_{uuid.uuid4().hex[:8]}"
    try:
        await clients[0][name]["docs"].insert_one({"_id": 1, "items": [], "n": 0})
        await asyncio.gather(
            *(
                client[name]["docs"].update_one(
                    {"_id": 1}, {"$push": {"items": i}, "$inc": {"n": 1}}
                )
                for i, client in enumerate(clients)
            )
        )
        found = await clients[0][name]["docs"].find_one({"_id": 1})
        await clients[0].drop_database(name)
    finally:
        await asyncio.gather(*(client.close() for client in clients))
    assert found is not None
    assert sorted(found["items"]) == list(range(writers))  # type: ignore[arg-type]
    assert found["n"] == writers


async def test_a_conditional_write_by_id_still_checks_every_condition(
    local_stack: stack.Endpoints,
) -> None:
    """The launcher's FerretDB pushes only the `_id` part of a filter down to SQLite (so it uses
    the index); the rest must still decide whether the write happens."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(local_stack.mongodb_url)
    name = f"devstack_{uuid.uuid4().hex[:8]}"
    docs = client[name]["docs"]
    try:
        await docs.insert_many([{"_id": f"p{i}", "done": ["e1"]} for i in range(50)])
        again = await docs.update_one(
            {"_id": "p7", "done": {"$ne": "e1"}}, {"$push": {"done": "e1"}}
        )
        new = await docs.update_one({"_id": "p7", "done": {"$ne": "e2"}}, {"$push": {"done": "e2"}})
        other = await docs.update_one({"_id": "p8", "done": "e2"}, {"$set": {"x": 1}})
        found = await docs.find_one({"_id": "p7", "done": "e2"})
        await client.drop_database(name)
    finally:
        await client.close()
    assert (again.matched_count, new.modified_count, other.matched_count) == (0, 1, 0)
    assert found == {"_id": "p7", "done": ["e1", "e2"]}


def test_up_twice_is_idempotent(local_stack: stack.Endpoints) -> None:
    before = pids()
    assert stack.start_infra() == local_stack
    assert pids() == before


def test_harness_reuses_running_infra_and_leaves_it_running(
    local_stack: stack.Endpoints,
) -> None:
    before = pids()
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as url:
        assert bootstrap == local_stack.kafka_bootstrap
        assert url == local_stack.mongodb_url
    assert pids() == before


def test_harness_prefers_explicit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker.example:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://db.example:27017/")
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as url:
        assert (bootstrap, url) == ("broker.example:9092", "mongodb://db.example:27017/")


def test_harness_stops_only_what_it_started(
    local_stack: stack.Endpoints,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    free_ports: Callable[[int], list[int]],
) -> None:
    (port,) = free_ports(1)
    monkeypatch.setenv("A2P_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("A2P_MONGO_PORT", str(port))
    with harness.mongodb_url() as url:
        assert url == f"mongodb://127.0.0.1:{port}/"
        assert ferretdb.ping(url)
        pid = ferretdb.status(tmp_path).pid
        assert pid is not None
    assert not processes.is_alive(pid)
    assert ferretdb.status(tmp_path).pid is None


def test_cli_status_and_env(
    local_stack: stack.Endpoints, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["kafka", "running"]
    assert local_stack.kafka_bootstrap in lines[0]
    assert lines[1].split()[:2] == ["ferretdb", "running"]
    assert [line.split()[0] for line in lines[2:]] == [
        "emulator",
        "intake",
        "validator",
        "registrar",
        "messaging",
        "optout",
    ]

    assert cli.main(["env"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"export KAFKA_BOOTSTRAP_SERVERS={local_stack.kafka_bootstrap}",
        f"export MONGODB_URL={local_stack.mongodb_url}",
    ]


def test_cli_up_starts_services_and_prints_where_things_are(
    local_stack: stack.Endpoints,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_service: Callable[..., ServiceSpec],
) -> None:
    fakes = [fake_service(name) for name in ("intake", "validator")]
    monkeypatch.setattr(stack, "default_services", lambda: fakes)

    assert cli.main(["up"]) == 0
    out = capsys.readouterr().out
    pids = [service_status(spec).pid for spec in fakes]
    assert None not in pids
    assert cli.main(["up"]) == 0, "second up is idempotent"
    capsys.readouterr()
    assert [service_status(spec).pid for spec in fakes] == pids

    intake = fakes[0].base_url
    for expected in (
        local_stack.kafka_bootstrap,
        local_stack.mongodb_url,
        f"intake API        {intake}",
        f"{intake}/docs",
        fakes[0].health_url,
        fakes[1].health_url,
        str(Path(os.environ["A2P_RUN_DIR"]) / "logs"),
        "stop with: make stop",
        f"Twilio emulator   http://127.0.0.1:{os.environ['EMULATOR_HTTP_PORT']}",
    ):
        assert expected in out
    assert out.count("\n") <= 16
    assert f"traces            {os.environ['A2P_RUN_DIR']}/traces" in out
    emulator = service_status(emulator_service())
    assert emulator.pid is not None
    assert healthy(f"{emulator.address}/health")

    stop_services(fakes)
    assert not any(processes.is_alive(pid) for pid in pids if pid is not None)


def test_explicit_addresses_are_used_as_they_are_and_nothing_local_starts(
    local_stack: stack.Endpoints,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other_run = tmp_path / "elsewhere"
    monkeypatch.setenv("A2P_RUN_DIR", str(other_run))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", local_stack.kafka_bootstrap)
    monkeypatch.setenv("MONGODB_URL", local_stack.mongodb_url)

    endpoints = stack.start_infra()
    assert cli.main(["topics"]) == 0

    assert endpoints == local_stack
    assert kafka.status(other_run).pid is None
    assert ferretdb.status(other_run).pid is None
    assert "a2p.consent.v1" in capsys.readouterr().out


def test_down_stops_everything_and_keeps_data(local_stack: stack.Endpoints) -> None:
    kafka_pid, ferret_pid = pids()
    assert kafka_pid is not None
    assert ferret_pid is not None
    run = Path(os.environ["A2P_RUN_DIR"])
    with MongoClient(local_stack.mongodb_url) as client:
        client["kept"]["docs"].insert_one({"_id": "survives-down"})

    stack.down()

    for pid in (kafka_pid, ferret_pid):
        assert not processes.is_alive(pid), pid
    assert pids() == (None, None)
    assert not (run / "kafka.pid").exists()
    assert not (run / "ferretdb.pid").exists()
    assert (run / "kafka" / "data" / "meta.properties").is_file()
    assert any((run / "ferretdb").iterdir())
    assert not processes.port_in_use("127.0.0.1", int(os.environ["A2P_KAFKA_PORT"]))
    assert not processes.port_in_use("127.0.0.1", int(os.environ["A2P_MONGO_PORT"]))
    assert service_status(emulator_service()).pid is None, "the emulator stops with the rest"
