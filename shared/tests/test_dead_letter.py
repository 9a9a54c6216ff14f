"""`a2p_shared.dead_letter`: records that can never be processed are kept with the reason.

The middleware tests run the broker of `a2p_shared.kafka.build_broker` in memory with
FastStream's `TestKafkaBroker`. Where the in-memory broker differs from Kafka:

- every record has partition 0 and offset 0, so the `a2p-dlq-partition`/`-offset` headers can
  only be checked to be those values, not to follow the source record;
- a record published without a key arrives with the key `b""` rather than `None`;
- FastStream adds `content-type` and `correlation_id` headers to every record it builds, so the
  source record's headers always include those two.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from aiokafka.errors import MessageSizeTooLargeError
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.trace import NoOpTracerProvider
from pydantic import BaseModel, ValidationError

from a2p_shared.dead_letter import (
    HEADER_PREFIX,
    DeadLetter,
    DeadLetters,
    FieldError,
    PermanentError,
    field_errors,
)
from a2p_shared.events import BrandApprovedV1, Envelope, PolicyValidatedV1
from a2p_shared.kafka import build_broker
from a2p_shared.settings import ServiceSettings
from a2p_shared.telemetry import Telemetry

# -- field_errors -------------------------------------------------------------------------------


class _Inner(BaseModel):
    count: int


class _Outer(BaseModel):
    name: str
    inner: _Inner


def _validation_error(data: Any) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        _Outer.model_validate(data)
    return exc.value


class TestFieldErrorsOfAValidationError:
    def test_each_error_names_its_dotted_location_and_reason(self) -> None:
        exc = _validation_error({"inner": {"count": "many"}})

        assert field_errors(exc) == [
            FieldError(field="name", reason="Field required"),
            FieldError(
                field="inner.count",
                reason="Input should be a valid integer, unable to parse string as an integer",
            ),
        ]

    def test_strip_first_drops_the_handler_parameter_name(self) -> None:
        exc = _validation_error({"name": "n", "inner": {"count": "many"}})

        errors = field_errors(exc, strip_first=True)

        assert [e.field for e in errors] == ["count"]

    def test_strip_first_reports_an_error_of_the_whole_parameter_on_the_body(self) -> None:
        """FastStream locates an error of the whole body (a model validator's) at the parameter
        name alone, e.g. `("event",)`: stripped, nothing is left, so it concerns the body."""
        exc = _validation_error({"inner": {"count": 1}})

        assert [e.field for e in field_errors(exc, strip_first=True)] == ["(body)"]

    def test_a_record_of_another_type_names_the_type(self) -> None:
        with pytest.raises(ValidationError) as exc:
            Envelope[PolicyValidatedV1].model_validate(
                {"type": "brand.approved", "tenant_id": "t", "correlation_id": "c", "payload": {}}
            )

        errors = field_errors(exc.value)

        assert [e.field for e in errors] == ["type"]
        assert "'brand.approved' v1" in errors[0].reason


class TestFieldErrorsOfOtherExceptions:
    def test_a_permanent_error_names_its_field(self) -> None:
        exc = PermanentError("unknown tenant", field="tenant_id")

        assert field_errors(exc) == [FieldError(field="tenant_id", reason="unknown tenant")]

    def test_a_permanent_error_without_a_field_concerns_the_record(self) -> None:
        assert field_errors(PermanentError("gone")) == [FieldError(field="(record)", reason="gone")]

    def test_any_other_exception_is_reported_on_the_body_with_its_type(self) -> None:
        exc = json.JSONDecodeError("Expecting value", "x", 0)

        assert field_errors(exc) == [FieldError(field="(body)", reason=f"JSONDecodeError: {exc}")]

    def test_a_runtime_error_is_reported_with_its_type_name(self) -> None:
        assert field_errors(RuntimeError("boom")) == [
            FieldError(field="(body)", reason="RuntimeError: boom")
        ]


# -- DeadLetters.send and DeadLetter.from_record ------------------------------------------------


@dataclass
class _RecordingBroker:
    published: list[dict[str, Any]] = field(default_factory=list)
    max_bytes: int | None = None
    """Like Kafka, refuses a record larger than this (value and headers)."""

    async def publish(self, message: bytes, **kwargs: Any) -> None:
        size = len(message) + sum(len(k) + len(v) for k, v in kwargs["headers"].items())
        if self.max_bytes is not None and size > self.max_bytes:
            raise MessageSizeTooLargeError(f"{size} bytes")
        self.published.append({"message": message, **kwargs})


def _record(
    *,
    value: bytes | None = b'{"a": 1}',
    key: bytes | None = b"springfield-il",
    headers: list[tuple[str, bytes]] | None = None,
) -> "ConsumerRecord[bytes, bytes]":
    return ConsumerRecord(
        topic="a2p.policy.validated.v1.t1",
        partition=2,
        offset=41,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value or b""),
        headers=headers if headers is not None else [("traceparent", b"00-abc-def-01")],
    )


async def _send(record: "ConsumerRecord[bytes, bytes]", errors: list[FieldError]) -> dict[str, Any]:
    broker = _RecordingBroker()
    dead_letters = DeadLetters(broker, service="validator", group_id="a2p-validator.t1")  # type: ignore[arg-type]
    await dead_letters.send(record, errors)
    assert len(broker.published) == 1
    return broker.published[0]


def _as_kafka_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(name, value.encode()) for name, value in headers.items()]


class TestDeadLettersSend:
    async def test_it_publishes_the_original_value_and_key_to_the_dlq_topic(self) -> None:
        published = await _send(_record(), [FieldError(field="payload", reason="Field required")])

        assert published["message"] == b'{"a": 1}'
        assert published["topic"] == "a2p.policy.validated.v1.t1.dlq"
        assert published["key"] == b"springfield-il"

    async def test_it_adds_the_dlq_headers_to_the_source_headers(self) -> None:
        published = await _send(_record(), [FieldError(field="payload", reason="Field required")])

        headers = published["headers"]
        assert headers["traceparent"] == "00-abc-def-01"
        assert headers[HEADER_PREFIX + "topic"] == "a2p.policy.validated.v1.t1"
        assert headers[HEADER_PREFIX + "partition"] == "2"
        assert headers[HEADER_PREFIX + "offset"] == "41"
        assert headers[HEADER_PREFIX + "service"] == "validator"
        assert headers[HEADER_PREFIX + "group"] == "a2p-validator.t1"
        assert json.loads(headers[HEADER_PREFIX + "errors"]) == [
            {"field": "payload", "reason": "Field required"}
        ]

    async def test_a_tombstone_is_dead_lettered_as_empty_bytes(self) -> None:
        published = await _send(_record(value=None), [FieldError(field="(body)", reason="empty")])

        assert published["message"] == b""

    async def test_a_non_utf8_source_header_is_dropped_and_the_rest_kept(self) -> None:
        record = _record(headers=[("bin", b"\xff\xfe"), ("ok", b"yes")])

        published = await _send(record, [FieldError(field="(body)", reason="x")])

        assert "bin" not in published["headers"]
        assert published["headers"]["ok"] == "yes"


class TestADeadLetterTooLargeForKafka:
    """A record as large as Kafka takes does not fit once the dead-letter headers are added."""

    async def _send_large(self) -> dict[str, Any]:
        broker = _RecordingBroker(max_bytes=1000)
        dead_letters = DeadLetters(broker, service="intake", group_id="a2p-intake.t1")  # type: ignore[arg-type]
        record = _record(value=b"x" * 990, headers=[("source", b"crm")])
        await dead_letters.send(record, [FieldError(field="payload", reason="too long")])
        [published] = broker.published
        return published

    async def test_it_is_sent_without_the_value_rather_than_blocking_the_partition(self) -> None:
        published = await self._send_large()

        assert (published["message"], published.get("key")) == (b"", None)
        assert "source" not in published["headers"]
        assert published["headers"][HEADER_PREFIX + "value-omitted"] == "990"

    async def test_it_still_says_where_the_original_is_and_why_it_failed(self) -> None:
        published = await self._send_large()

        letter = DeadLetter.from_record(
            None, published["message"], _as_kafka_headers(published["headers"])
        )

        assert (letter.source_topic, letter.source_partition, letter.source_offset) == (
            "a2p.policy.validated.v1.t1",
            2,
            41,
        )
        assert letter.value_omitted == 990
        assert letter.errors == [FieldError(field="payload", reason="too long")]

    async def test_a_record_that_fits_keeps_its_value(self) -> None:
        published = await _send(_record(), [FieldError(field="(body)", reason="x")])

        letter = DeadLetter.from_record(
            published["key"], published["message"], _as_kafka_headers(published["headers"])
        )

        assert (letter.value, letter.value_omitted) == (b'{"a": 1}', None)


class TestDeadLetterFromRecord:
    async def test_it_decodes_what_send_wrote(self) -> None:
        before = datetime.now(UTC)
        errors = [
            FieldError(field="tenant_id", reason="unknown tenant"),
            FieldError(field="payload.revision", reason="Input should be greater than or equal"),
        ]
        published = await _send(_record(), errors)

        letter = DeadLetter.from_record(
            published["key"], published["message"], _as_kafka_headers(published["headers"])
        )

        assert letter.source_topic == "a2p.policy.validated.v1.t1"
        assert letter.source_partition == 2
        assert letter.source_offset == 41
        assert letter.key == b"springfield-il"
        assert letter.value == b'{"a": 1}'
        assert letter.headers == {"traceparent": "00-abc-def-01"}
        assert letter.service == "validator"
        assert letter.group_id == "a2p-validator.t1"
        assert letter.errors == errors
        assert before <= letter.failed_at <= datetime.now(UTC)

    async def test_a_keyless_record_stays_keyless(self) -> None:
        published = await _send(_record(key=None), [FieldError(field="(body)", reason="x")])

        letter = DeadLetter.from_record(
            published["key"], published["message"], _as_kafka_headers(published["headers"])
        )

        assert letter.key is None


# -- the middleware, end to end in memory -------------------------------------------------------

SOURCE = "t"
DLQ = "t.dlq"


class _UnitSettings(ServiceSettings):
    pass


@dataclass
class _Harness:
    broker: KafkaBroker
    handled: list[Envelope[PolicyValidatedV1]] = field(default_factory=list)
    dead: list[KafkaMessage] = field(default_factory=list)

    def letters(self) -> list[DeadLetter]:
        return [
            DeadLetter.from_record(m.raw_message.key, m.raw_message.value, m.raw_message.headers)
            for m in self.dead
        ]


@pytest.fixture
def harness() -> _Harness:
    settings = _UnitSettings(
        service_name="unit", http_port=8080, consumer_retry_backoff_max_s=0.01, topic_suffix=""
    )
    broker = build_broker(settings, Telemetry(NoOpTracerProvider(), NoOpMeterProvider()))
    h = _Harness(broker)

    @broker.subscriber(SOURCE)
    async def handle(event: Envelope[PolicyValidatedV1]) -> None:
        if event.payload.registration_id == "unknown":
            raise PermanentError("no such registration", field="payload.registration_id")
        if event.payload.registration_id == "flaky":
            raise RuntimeError("database unavailable")
        h.handled.append(event)

    @broker.subscriber(DLQ)
    async def record_dead_letter(msg: KafkaMessage) -> None:
        h.dead.append(msg)

    return h


def _valid_envelope(registration_id: str = "reg-1") -> Envelope[PolicyValidatedV1]:
    return Envelope.new(
        PolicyValidatedV1(registration_id=registration_id, revision=1, verdict="pass", findings=[]),
        tenant_id="springfield-il",
        correlation_id=registration_id,
    )


class TestMiddlewareInvalidJson:
    async def test_undecodable_bytes_reach_the_dlq_unchanged_with_the_reason(
        self, harness: _Harness
    ) -> None:
        original = b'{"tenant_id": "springfield-il", oops\xff'
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(
                original, topic=SOURCE, key=b"springfield-il", headers={"x-origin": "platform"}
            )

        assert harness.handled == []
        assert len(harness.dead) == 1
        raw = harness.dead[0].raw_message
        assert raw.value == original
        assert harness.dead[0].body == original
        assert raw.key == b"springfield-il"
        [letter] = harness.letters()
        assert letter.source_topic == SOURCE
        assert letter.headers["x-origin"] == "platform"
        assert letter.service == "unit"
        assert letter.group_id == "a2p-unit"
        assert [e.field for e in letter.errors] == ["(body)"]
        assert letter.errors[0].reason.startswith("not valid UTF-8 JSON")

    async def test_a_json_array_is_refused_as_not_an_object(self, harness: _Harness) -> None:
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(b"[1, 2]", topic=SOURCE, key=b"springfield-il")

        [letter] = harness.letters()
        assert letter.value == b"[1, 2]"
        assert letter.errors == [FieldError(field="(body)", reason="must be a JSON object")]


class TestMiddlewareMissingFields:
    async def test_a_record_missing_fields_reaches_the_dlq_with_the_fields_named(
        self, harness: _Harness
    ) -> None:
        original = b'{"tenant_id": "springfield-il"}'
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(original, topic=SOURCE, key=b"k-2")

        assert harness.handled == []
        raw = harness.dead[0].raw_message
        assert raw.value == original
        assert raw.key == b"k-2"
        [letter] = harness.letters()
        assert letter.value == original
        assert [(e.field, e.reason) for e in letter.errors] == [
            ("correlation_id", "Field required"),
            ("payload", "Field required"),
        ]

    async def test_a_nested_field_error_is_named_without_the_parameter_name(
        self, harness: _Harness
    ) -> None:
        body = json.loads(_valid_envelope().model_dump_json())
        body["payload"]["verdict"] = "maybe"
        original = json.dumps(body).encode()
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(original, topic=SOURCE, key=b"springfield-il")

        [letter] = harness.letters()
        assert letter.value == original
        assert [e.field for e in letter.errors] == ["payload.verdict"]
        assert "'pass' or 'fail'" in letter.errors[0].reason

    async def test_a_record_of_another_event_type_is_not_blamed_on_the_handler_parameter(
        self, harness: _Harness
    ) -> None:
        """A brand.approved record on a policy.validated topic: the reason names both types,
        and the field is the record's, not `event` (the Python parameter of the handler)."""
        other = Envelope.new(
            BrandApprovedV1(registration_id="reg-1", revision=1, brand_sid="BN1"),
            tenant_id="springfield-il",
            correlation_id="reg-1",
        )
        original = other.model_dump_json().encode()
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(original, topic=SOURCE, key=b"springfield-il")

        [letter] = harness.letters()
        assert letter.value == original
        assert len(letter.errors) == 1
        assert "'policy.validated' v1" in letter.errors[0].reason
        assert "'brand.approved' v1" in letter.errors[0].reason
        assert letter.errors[0].field in ("(body)", "type")


class TestMiddlewarePermanentError:
    async def test_a_refused_record_reaches_the_dlq_with_the_handlers_reason(
        self, harness: _Harness
    ) -> None:
        original = _valid_envelope("unknown").model_dump_json().encode()
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(original, topic=SOURCE, key=b"springfield-il")

        assert harness.handled == []
        raw = harness.dead[0].raw_message
        assert raw.value == original
        assert raw.key == b"springfield-il"
        headers = dict(raw.headers)
        assert headers[HEADER_PREFIX + "topic"] == b"t"
        assert headers[HEADER_PREFIX + "partition"] == b"0"
        assert headers[HEADER_PREFIX + "offset"] == b"0"
        [letter] = harness.letters()
        assert letter.errors == [
            FieldError(field="payload.registration_id", reason="no such registration")
        ]


class TestMiddlewareValidRecord:
    async def test_a_valid_envelope_is_handled_and_nothing_is_dead_lettered(
        self, harness: _Harness
    ) -> None:
        envelope = _valid_envelope()
        async with TestKafkaBroker(harness.broker) as br:
            await br.publish(
                envelope.model_dump_json().encode(), topic=SOURCE, key=b"springfield-il"
            )

        assert harness.handled == [envelope]
        assert harness.dead == []


class TestMiddlewareTransientError:
    async def test_a_transient_failure_is_raised_for_redelivery_not_dead_lettered(
        self, harness: _Harness
    ) -> None:
        """In memory the failure surfaces from `publish`; on Kafka the offset stays
        uncommitted (NACK_ON_ERROR) and the record is redelivered."""
        original = _valid_envelope("flaky").model_dump_json().encode()
        async with TestKafkaBroker(harness.broker) as br:
            with pytest.raises(RuntimeError, match="database unavailable"):
                await br.publish(original, topic=SOURCE, key=b"springfield-il")

        assert harness.handled == []
        assert harness.dead == []
