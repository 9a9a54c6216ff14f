"""The Kafka side of every service: broker factory, topic names, event publishing."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

from a2p_shared.dead_letter import DeadLetters, dead_letter_middleware
from a2p_shared.events import Envelope, EventPayload, topic_of
from a2p_shared.events.topics import dead_letter_topic, tenant_key, tenant_phone_key, with_suffix
from a2p_shared.settings import ServiceSettings
from a2p_shared.telemetry import Telemetry


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names as this deployment spells them (with the optional test/stack suffix)."""

    suffix: str = ""

    def of(self, payload_cls: type[EventPayload]) -> str:
        return with_suffix(topic_of(payload_cls), self.suffix)

    def named(self, base_name: str) -> str:
        return with_suffix(base_name, self.suffix)

    def dead_letter(self, topic: str) -> str:
        return dead_letter_topic(topic)


def event_key(envelope: Envelope[Any]) -> bytes:
    """`tenant:+1E164` for events about one person, else the tenant: one person stays in order."""
    phone = getattr(envelope.payload, "subject_phone", None)
    if phone:
        return tenant_phone_key(envelope.tenant_id, phone)
    return tenant_key(envelope.tenant_id)


def event_headers(envelope: Envelope[Any]) -> dict[str, str]:
    # Headers let consumers, dead-letter tooling and kcat users route and filter without
    # decoding the body.
    return {
        "a2p-event-type": envelope.type,
        "a2p-event-version": str(envelope.version),
        "a2p-event-id": str(envelope.event_id),
        "a2p-tenant-id": envelope.tenant_id,
        "a2p-correlation-id": envelope.correlation_id,
    }


class EventBus:
    """Publishes a service's events to their topics; `publish` returns once Kafka has them.

    A service declares the event types it produces, so its AsyncAPI document shows them and
    publishing anything else is a programming error caught at once.
    """

    def __init__(
        self, broker: KafkaBroker, topics: Topics, produces: Sequence[type[EventPayload]]
    ) -> None:
        self._publishers = {
            payload_cls: broker.publisher(
                topics.of(payload_cls),
                title=payload_cls.event_type,
                description=payload_cls.__doc__,
                schema=Envelope[payload_cls],  # type: ignore[valid-type]
            )
            for payload_cls in produces
        }

    async def publish(self, envelope: Envelope[Any]) -> None:
        publisher = self._publishers.get(type(envelope.payload))
        if publisher is None:
            raise TypeError(f"{envelope.type} is not among the events this service declares")
        await publisher.publish(
            envelope.model_dump_json().encode(),
            key=event_key(envelope),
            headers={"content-type": "application/json", **event_headers(envelope)},
            correlation_id=envelope.correlation_id,
        )


# Offsets are committed after the handler succeeded (or dead-lettered what it cannot read); a
# failure is retried from the same offset. Never auto-commit.
ACK_POLICY = AckPolicy.NACK_ON_ERROR


def kafka_router() -> KafkaRouter:
    """The router every service's subscriptions hang on.

    It must carry the ack policy itself: FastStream decides whether a subscriber's consumer
    auto-commits when the subscriber is made, from its router's policy, before the router is
    included in the broker. A plain `KafkaRouter()` gives consumers that commit whatever they
    fetched every 5 s, so a crash loses the records fetched but not yet processed (the chaos
    harness lost one by killing both messaging instances).
    """
    return KafkaRouter(ack_policy=ACK_POLICY)


def build_broker(settings: ServiceSettings, telemetry: Telemetry) -> KafkaBroker:
    """A broker with at-least-once consumption and an idempotent, fully acknowledged producer.

    FastStream's Kafka default acknowledges before the handler runs (at-most-once); here an
    offset is committed only after the handler succeeded, or after an undecodable record has
    been dead-lettered. Transient failures are retried with backoff, never skipped.
    """
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"a2p-{settings.service_name}",
        acks="all",
        enable_idempotence=True,
        ack_policy=ACK_POLICY,
        middlewares=(
            KafkaTelemetryMiddleware(
                tracer_provider=telemetry.tracer_provider,
                meter_provider=telemetry.meter_provider,
            ),
        ),
        graceful_timeout=15.0,
        # A plain logger: records go through the process's logging set-up (JSON lines with the
        # trace id) rather than FastStream's own console handler.
        logger=logging.getLogger(f"a2p.{settings.service_name}.kafka"),
        # The AsyncAPI document names the broker as deployments see it, not this process's
        # address, so the committed contract does not depend on where it was generated.
        specification_url="kafka:9092",
    )
    dead_letters = DeadLetters(
        broker,
        service=settings.service_name,
        group_id=settings.group_id,
        meter_provider=telemetry.meter_provider,
    )
    broker.add_middleware(
        dead_letter_middleware(dead_letters, backoff_max_s=settings.consumer_retry_backoff_max_s)
    )
    return broker
