"""Composition root: the only place registrar's parts are connected."""

from fastapi import FastAPI

from a2p_registrar import handlers
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.kafka import Topics, build_broker
from a2p_shared.mongo import mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry

DESCRIPTION = (
    "The Twilio A2P onboarding workflow per registration: customer profile, trust product, "
    "brand, messaging service, campaign, numbers."
)


def create_app(
    settings: RegistrarSettings | None = None, *, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or RegistrarSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    return service_app(
        settings=settings,
        description=DESCRIPTION,
        broker=broker,
        mongo=mongo_client(settings),
        telemetry=telemetry,
        kafka_routers=[handlers.build_router(topics, settings.group_id)],
    )
