"""Composition root: the only place intake's parts are connected."""

from fastapi import FastAPI

from a2p_intake import handlers, http
from a2p_intake.adapters.mongo_store import (
    MongoApiKeyStore,
    MongoConsentReviewStore,
    MongoConsentStore,
    MongoRegistrationStore,
)
from a2p_intake.settings import IntakeSettings
from a2p_shared.clock import SystemClock
from a2p_shared.events import (
    MessageRequestedV1,
    RegistrationCorrectedV1,
    RegistrationSubmittedV1,
)
from a2p_shared.kafka import EventBus, Topics, build_broker
from a2p_shared.mongo import database, mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry

DESCRIPTION = (
    "Registration intake: platforms submit a tenant's A2P 10DLC registration over HTTP or the "
    "intake topic; intake checks it, deduplicates it and publishes registration.submitted. "
    "Platforms also record consent they collected over HTTP (published to a2p.intake.consent); "
    "intake keeps each person's consent history and the texts staff must review. Platforms "
    "ask for one SMS to one person over HTTP, published as message.requested."
)


def create_app(
    settings: IntakeSettings | None = None, *, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or IntakeSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings, telemetry.tracer_provider)
    db = database(mongo, settings)
    registrations = MongoRegistrationStore(db)
    reviews = MongoConsentReviewStore(db)
    deps = http.IntakeDeps(
        registrations=registrations,
        api_keys=MongoApiKeyStore(db),
        events=EventBus(
            broker,
            topics,
            produces=[RegistrationSubmittedV1, RegistrationCorrectedV1, MessageRequestedV1],
        ),
        clock=SystemClock(),
        consent=MongoConsentStore(db),
        reviews=reviews,
        commands=handlers.ConsentCommandPublisher(broker, topics),
    )
    return service_app(
        settings=settings,
        description=DESCRIPTION,
        broker=broker,
        mongo=mongo,
        telemetry=telemetry,
        kafka_routers=[handlers.build_router(deps, topics, settings.group_id)],
        http_routers=[http.build_router(deps)],
        on_startup=[registrations.create_indexes, reviews.create_indexes],
        max_body_bytes=settings.max_body_bytes,
    )
