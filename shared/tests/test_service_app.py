"""The app shell refuses subscriptions that would commit offsets before their handler ran."""

import pytest
from faststream.kafka import KafkaRouter

from a2p_shared.kafka import build_broker, kafka_router
from a2p_shared.mongo import mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.settings import ServiceSettings
from a2p_shared.testing.telemetry import recorded_telemetry


def app_with(router: KafkaRouter) -> None:
    settings = ServiceSettings(service_name="test", http_port=8099)
    telemetry = recorded_telemetry().telemetry

    @router.subscriber("a2p.test.v1", group_id="test.on_test")
    async def on_test(_: dict[str, str]) -> None:
        return None

    service_app(
        settings=settings,
        description="test",
        broker=build_broker(settings, telemetry),
        mongo=mongo_client(settings),
        telemetry=telemetry,
        kafka_routers=[router],
    )


def test_subscriptions_on_the_shared_router_commit_after_their_handler() -> None:
    app_with(kafka_router())


def test_a_plain_router_is_refused_because_its_consumers_would_auto_commit() -> None:
    with pytest.raises(RuntimeError, match=r"a2p\.test\.v1.*kafka_router"):
        app_with(KafkaRouter())
