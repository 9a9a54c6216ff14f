"""Composition root: the only place messaging's parts are connected."""

from datetime import timedelta

from fastapi import FastAPI

from a2p_messaging import handlers, http, service
from a2p_messaging.adapters.consent_table import ConsentTable
from a2p_messaging.adapters.mongo_store import MongoMessagingStore
from a2p_messaging.adapters.twilio_sender import TwilioSender
from a2p_messaging.ports import Sender
from a2p_messaging.settings import MessagingSettings
from a2p_shared.clock import SystemClock
from a2p_shared.dead_letter import DeadLetters
from a2p_shared.events import (
    InboundMessageV1,
    MessageBlockedV1,
    MessageFailedV1,
    MessageSentV1,
    MessageStatusV1,
    OptOutRecordedV1,
)
from a2p_shared.kafka import EventBus, Topics, build_broker
from a2p_shared.mongo import database, mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry
from a2p_shared.twilio import TwilioSettings

DESCRIPTION = "Twilio-facing edge: compliant outbound sends, and the inbound and status webhooks."
PRODUCES = [InboundMessageV1, MessageStatusV1, MessageSentV1, MessageBlockedV1, MessageFailedV1]


def create_app(
    settings: MessagingSettings | None = None,
    *,
    telemetry: Telemetry | None = None,
    twilio_settings: TwilioSettings | None = None,
    sender: Sender | None = None,
) -> FastAPI:
    """`twilio_settings`: the account webhooks are signed by and sends go to (else TWILIO_*);
    `sender` replaces the SDK adapter."""
    settings = settings or MessagingSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    twilio_settings = twilio_settings or TwilioSettings()
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings, telemetry.tracer_provider)
    store = MongoMessagingStore(database(mongo, settings))
    events = EventBus(broker, topics, produces=PRODUCES)
    deps = service.Deps(
        numbers=store,
        ledger=store,
        messages=store,
        events=events,
        clock=SystemClock(),
        publish_timeout_s=settings.publish_timeout_s,
    )
    consent = ConsentTable(
        settings.kafka_bootstrap_servers,
        topics.of(OptOutRecordedV1),
        client_id=f"a2p-{settings.service_name}-consent",
    )
    twilio_sender = TwilioSender(twilio_settings, settings.status_callback_url, telemetry)
    sends = service.SendDeps(
        sends=store,
        sender=sender or twilio_sender,
        consent=consent,
        events=events,
        clock=SystemClock(),
        caps=settings.caps(),
        consent_wait_s=settings.consent_wait_s,
        # An attempt that began sending holds the request this long before another may reconcile.
        attempt=timedelta(seconds=3 * twilio_settings.timeout_s),
        tracer=telemetry.tracer("a2p.messaging"),
        outcomes=telemetry.meter_provider.get_meter("a2p.messaging").create_counter(
            "a2p.messages.outcomes",
            unit="{message}",
            description="Requests decided, by outcome (sent, blocked, failed) and block reason",
        ),
    )
    dead_letters = DeadLetters(
        broker,
        service=settings.service_name,
        group_id=settings.group_id,
        meter_provider=telemetry.meter_provider,
    )
    return service_app(
        settings=settings,
        description=DESCRIPTION,
        broker=broker,
        mongo=mongo,
        telemetry=telemetry,
        kafka_routers=[
            handlers.build_router(
                deps,
                sends,
                dead_letters,
                topics,
                settings.group_id,
                batch_max=settings.batch_max,
                batch_wait_ms=settings.batch_wait_ms,
            )
        ],
        http_routers=[
            http.build_router(
                deps,
                auth_token=twilio_settings.auth_token.get_secret_value(),
                public_url=settings.public_url,
            )
        ],
        # The consent table is read before the first request is decided (on_startup runs
        # before the broker starts consuming).
        on_startup=[store.ensure_indexes, consent.start, twilio_sender.warm_up],
        on_shutdown=[consent.stop, twilio_sender.close],
        max_body_bytes=http.MAX_FORM_BYTES,
    )
