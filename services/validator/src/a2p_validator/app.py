"""Composition root: the only place validator's parts are connected."""

from fastapi import FastAPI

from a2p_shared.events.policy import PolicyValidatedV1
from a2p_shared.kafka import EventBus, Topics, build_broker
from a2p_shared.mongo import database, mongo_client
from a2p_shared.service_app import service_app
from a2p_shared.telemetry import Telemetry, setup_telemetry
from a2p_validator import handlers
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.adapters.mongo_store import MongoValidationStore
from a2p_validator.ports import PageFetcher
from a2p_validator.settings import ValidatorSettings

DESCRIPTION = (
    "Pre-flight compliance: checks a registration's policy pages, opt-in flow, campaign text "
    "and keyword replies before any fee is paid, and answers with policy.validated."
)


def create_app(
    settings: ValidatorSettings | None = None,
    *,
    telemetry: Telemetry | None = None,
    fetcher: PageFetcher | None = None,
) -> FastAPI:
    """`fetcher` replaces the HTTP page fetcher (tests serve pages under their own host names)."""
    settings = settings or ValidatorSettings()
    telemetry = telemetry or setup_telemetry(f"a2p-{settings.service_name}")
    broker = build_broker(settings, telemetry)
    topics = Topics(settings.topic_suffix)
    mongo = mongo_client(settings, telemetry.tracer_provider)
    fetcher = fetcher or HttpPageFetcher.from_settings(
        settings, tracer_provider=telemetry.tracer_provider
    )
    deps = handlers.ValidatorDeps(
        validations=MongoValidationStore(database(mongo, settings)),
        events=EventBus(broker, topics, produces=[PolicyValidatedV1]),
        fetcher=fetcher,
        fees=settings.fee_table(),
    )
    return service_app(
        settings=settings,
        description=DESCRIPTION,
        broker=broker,
        mongo=mongo,
        telemetry=telemetry,
        kafka_routers=[handlers.build_router(deps, topics, settings.group_id)],
        on_shutdown=[fetcher.close],
    )
