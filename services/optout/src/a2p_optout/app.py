"""Composition root: the only place optout's parts are connected."""

from fastapi import FastAPI

from a2p_optout import handlers
from a2p_optout.settings import OptoutSettings
from a2p_shared.kafka import Topics, build_broker
from a2p_shared.mongo import mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry

DESCRIPTION = (
    "Consent: STOP, START and HELP keywords, first-contact replies, and one opt-out list per "
    "tenant."
)


def create_app(
    settings: OptoutSettings | None = None, *, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or OptoutSettings()
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
