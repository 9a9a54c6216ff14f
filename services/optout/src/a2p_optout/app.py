"""Composition root: the only place optout's parts are connected."""

from fastapi import FastAPI

from a2p_optout import handlers, service
from a2p_optout.adapters.mongo_store import MongoConsentStore
from a2p_optout.settings import OptoutSettings
from a2p_shared.clock import SystemClock
from a2p_shared.events import (
    ConsentReviewRequestedV1,
    MessageRequestedV1,
    OptInRecordedV1,
    OptOutRecordedV1,
)
from a2p_shared.kafka import EventBus, Topics, build_broker
from a2p_shared.mongo import database, mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry

DESCRIPTION = (
    "Consent: STOP, START and HELP keywords, first-contact replies, and one opt-out list per "
    "tenant."
)
PRODUCES = [OptOutRecordedV1, OptInRecordedV1, ConsentReviewRequestedV1, MessageRequestedV1]


def create_app(
    settings: OptoutSettings | None = None, *, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or OptoutSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings, telemetry.tracer_provider)
    store = MongoConsentStore(database(mongo, settings), settings.profile_cache_s)
    deps = service.Deps(
        store=store,
        events=EventBus(broker, topics, produces=PRODUCES),
        clock=SystemClock(),
        twilio_answers_keywords=settings.twilio_answers_keywords,
        tracer=telemetry.tracer("a2p.optout"),
    )
    return service_app(
        settings=settings,
        description=DESCRIPTION,
        broker=broker,
        mongo=mongo,
        telemetry=telemetry,
        kafka_routers=[handlers.build_router(deps, topics, settings.group_id)],
        on_startup=[store.ensure_indexes],
    )
