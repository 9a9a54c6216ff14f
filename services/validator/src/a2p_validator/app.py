"""Composition root: the only place validator's parts are connected."""

from fastapi import FastAPI

from a2p_shared.kafka import Topics, build_broker
from a2p_shared.mongo import mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry
from a2p_validator import handlers
from a2p_validator.settings import ValidatorSettings

DESCRIPTION = (
    "Pre-flight compliance: checks a registration's policy pages, opt-in flow, campaign text "
    "and keyword replies before any fee is paid."
)


def create_app(
    settings: ValidatorSettings | None = None, *, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or ValidatorSettings()
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
