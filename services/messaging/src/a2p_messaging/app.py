"""Composition root: the only place messaging's parts are connected."""

from fastapi import FastAPI

from a2p_messaging import handlers, http, service
from a2p_messaging.adapters.mongo_store import MongoMessagingStore
from a2p_messaging.settings import MessagingSettings
from a2p_shared.clock import SystemClock
from a2p_shared.events import InboundMessageV1, MessageStatusV1
from a2p_shared.kafka import EventBus, Topics, build_broker
from a2p_shared.mongo import database, mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry
from a2p_shared.twilio import TwilioSettings

DESCRIPTION = "Twilio-facing edge: compliant outbound sends, and the inbound and status webhooks."
PRODUCES = [InboundMessageV1, MessageStatusV1]


def create_app(
    settings: MessagingSettings | None = None,
    *,
    telemetry: Telemetry | None = None,
    twilio_settings: TwilioSettings | None = None,
) -> FastAPI:
    """`twilio_settings` gives the auth token webhooks are signed with (else from TWILIO_*)."""
    settings = settings or MessagingSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    twilio_settings = twilio_settings or TwilioSettings()
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings)
    store = MongoMessagingStore(database(mongo, settings))
    deps = service.Deps(
        numbers=store,
        ledger=store,
        messages=store,
        events=EventBus(broker, topics, produces=PRODUCES),
        clock=SystemClock(),
        publish_timeout_s=settings.publish_timeout_s,
    )
    return service_app(
        settings=settings,
        description=DESCRIPTION,
        broker=broker,
        mongo=mongo,
        telemetry=telemetry,
        kafka_routers=[handlers.build_router(deps, topics, settings.group_id)],
        http_routers=[
            http.build_router(
                deps,
                auth_token=twilio_settings.auth_token.get_secret_value(),
                public_url=settings.public_url,
            )
        ],
        on_startup=[store.ensure_indexes],
        max_body_bytes=http.MAX_FORM_BYTES,
    )
