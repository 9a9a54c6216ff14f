"""Composition root: the only place registrar's parts are connected."""

from datetime import timedelta

from fastapi import FastAPI

from a2p_registrar import domain, handlers, http, service
from a2p_registrar.adapters.mongo_store import MongoOnboardingStore
from a2p_registrar.adapters.twilio_onboarding import TwilioOnboarding
from a2p_registrar.ports import Twilio
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.clock import SystemClock
from a2p_shared.events import (
    BrandApprovedV1,
    BrandFailedV1,
    BrandSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    CampaignSubmittedV1,
    NumberRegisteredV1,
    OnboardingProgressedV1,
)
from a2p_shared.kafka import EventBus, Topics, build_broker
from a2p_shared.mongo import database, mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry
from a2p_shared.twilio import TwilioSettings

DESCRIPTION = (
    "The Twilio A2P onboarding workflow per registration: customer profile, trust product, "
    "brand, messaging service, campaign, numbers."
)
PRODUCES = [
    OnboardingProgressedV1,
    BrandSubmittedV1,
    BrandApprovedV1,
    BrandFailedV1,
    CampaignSubmittedV1,
    CampaignApprovedV1,
    CampaignFailedV1,
    NumberRegisteredV1,
]


def create_app(
    settings: RegistrarSettings | None = None,
    *,
    telemetry: Telemetry | None = None,
    twilio: Twilio | None = None,
    twilio_settings: TwilioSettings | None = None,
) -> FastAPI:
    """`twilio` replaces the SDK adapter; `twilio_settings` its credentials and base URL."""
    settings = settings or RegistrarSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings, telemetry.tracer_provider)
    store = MongoOnboardingStore(database(mongo, settings))
    twilio_settings = twilio_settings or TwilioSettings()
    twilio = twilio or TwilioOnboarding(
        twilio_settings,
        primary_profile_sid=settings.primary_profile_sid,
        isv_email=settings.isv_email,
        inbound_url=settings.inbound_url,
        status_callback_url=settings.status_callback_url,
        trusthub_callback_url=settings.trusthub_callback_url,
        a2p_call_interval_s=settings.a2p_call_interval_s,
        telemetry=telemetry,
    )
    deps = service.Deps(
        store=store,
        twilio=twilio,
        events=EventBus(broker, topics, produces=PRODUCES),
        clock=SystemClock(),
        fees=settings.fee_table(),
        backoff=domain.Backoff(
            first=timedelta(seconds=settings.review_poll_first_s),
            cap=timedelta(seconds=settings.review_poll_cap_s),
        ),
        tracer=telemetry.tracer("a2p.registrar"),
        lease_s=settings.lease_s,
        step_durations=telemetry.meter_provider.get_meter("a2p.registrar").create_histogram(
            "a2p.registration.step.duration",
            unit="s",
            description="Time of each onboarding step's work, by step and resulting state",
        ),
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
                callback_url=settings.trusthub_callback_url,
            )
        ],
        on_startup=[store.ensure_indexes],
        on_shutdown=[twilio.close],
        background=[handlers.poller(deps, settings.poll_interval_s)],
    )
