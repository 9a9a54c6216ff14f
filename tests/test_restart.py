"""Stopping and restarting the whole stack loses no registration.

Runs on a private Kafka and FerretDB (own run dir, own ports), because it stops them mid-test;
the shared session infrastructure other tests use is never touched.
"""

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from a2p_devstack import ferretdb, kafka, stack
from a2p_devstack.topics import ensure_topics
from a2p_intake.app import create_app as create_intake
from a2p_intake.settings import IntakeSettings
from a2p_shared.events import RegistrationSubmittedV1
from a2p_shared.events.topics import INTAKE_REGISTRATIONS
from a2p_shared.kafka import Topics
from a2p_shared.mongo import database, mongo_client
from a2p_shared.testing.kafka import produce, read_topic
from a2p_shared.testing.waiting import eventually

from tests.support import RunService, store_key

pytestmark = [pytest.mark.infra, pytest.mark.timeout(300)]


@pytest.fixture
def private_stack(
    tmp_path: Path, free_ports: Callable[[int], list[int]]
) -> Iterator[stack.Endpoints]:
    if not (shutil.which("java") and (ferretdb.binary_ready() or shutil.which("go"))):
        pytest.skip("restarting a private stack needs java and go (or a built FerretDB)")
    kafka_port, controller_port, mongo_port = free_ports(3)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("A2P_RUN_DIR", str(tmp_path / "run"))
        env.setenv("A2P_KAFKA_PORT", str(kafka_port))
        env.setenv("A2P_KAFKA_CONTROLLER_PORT", str(controller_port))
        env.setenv("A2P_MONGO_PORT", str(mongo_port))
        env.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
        env.delenv("MONGODB_URL", raising=False)
        endpoints = stack.start_infra()
        try:
            ensure_topics(endpoints.kafka_bootstrap)
            yield endpoints
        finally:
            stack.down()


async def test_registrations_survive_a_full_stop_and_restart(
    private_stack: stack.Endpoints, run_service: RunService, registration_document: dict
) -> None:
    tenant = "springfield-il"
    settings = IntakeSettings(
        kafka_bootstrap_servers=private_stack.kafka_bootstrap,
        mongodb_url=private_stack.mongodb_url,
    )
    topics = Topics()
    client = mongo_client(settings)
    try:
        key = (await store_key(database(client, settings), tenant)).headers
    finally:
        await client.close()
    registrations = f"/v1/tenants/{tenant}/registrations"

    async with run_service(create_intake, settings) as intake:
        posted = await intake.http.post(registrations, json=registration_document, headers=key)
        assert posted.status_code == 202
    # Published while intake is down: Kafka keeps it until intake is back.
    command = {
        "tenant_id": tenant,
        "idempotency_key": "while-down",
        "registration": registration_document,
    }
    await produce(
        private_stack.kafka_bootstrap,
        topics.named(INTAKE_REGISTRATIONS),
        json.dumps(command).encode(),
        key=tenant.encode(),
    )

    stack.down()
    assert not kafka.status().running
    assert not ferretdb.status().running
    stack.start_infra()

    async with run_service(create_intake, settings) as intake:
        shown = await intake.http.get(posted.headers["Location"], headers=key)
        assert shown.json()["status"] == "submitted"

        async def both_submitted() -> list[dict]:
            listed = (await intake.http.get(registrations, headers=key)).json()["registrations"]
            done = [r for r in listed if r["status"] == "submitted"]
            return done if len(done) == 2 else []

        found = await eventually(both_submitted, within=60)
    assert {r["channel"] for r in found} == {"http", "topic"}
    events = await read_topic(
        private_stack.kafka_bootstrap, topics.of(RegistrationSubmittedV1), expect=2, settle=1.0
    )
    assert len(events) == 2
