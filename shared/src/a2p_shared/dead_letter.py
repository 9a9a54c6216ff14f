"""Dead letters: a record that can never be processed is kept, byte for byte, with the reason.

A dead-letter record goes to `<source topic>.dlq` with the source record's key, value and
headers unchanged, plus `a2p-dlq-*` headers saying where it came from and why it failed (the
Kafka Connect convention, so standard tooling can read and replay it). Its offset in the source
topic is committed only once the dead letter is durably written: nothing is lost.

A record as large as Kafka takes no longer fits once those headers are added. Its dead letter
then carries only the `a2p-dlq-*` headers and `a2p-dlq-value-omitted` (the value's size), not
the record's key, value and headers; the original stays at its source offset, where
`a2p dlq replay` reads it.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiokafka.errors import MessageSizeTooLargeError
from faststream.middlewares import BaseMiddleware
from opentelemetry import metrics
from opentelemetry.metrics import MeterProvider
from pydantic import BaseModel, ConfigDict, ValidationError

from a2p_shared.clock import utc_now
from a2p_shared.events.topics import dead_letter_topic

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord
    from faststream.kafka import KafkaBroker
    from faststream.message import StreamMessage

log = logging.getLogger(__name__)

HEADER_PREFIX = "a2p-dlq-"


class PermanentError(Exception):
    """Raised by a handler for a record that no retry can fix (unknown tenant…): dead-lettered."""

    def __init__(self, reason: str, *, field: str = "(record)") -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class FieldError(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    reason: str


def field_errors(exc: BaseException, *, strip_first: bool = False) -> list[FieldError]:
    """Every offending field and why, from a validation error, a refusal or a decoding error.

    `strip_first` drops the first location element: FastStream validates a handler's arguments,
    so its errors start with the parameter's name, which means nothing to the sender.
    """
    if isinstance(exc, ValidationError):
        errors = []
        for error in exc.errors(include_url=False):
            loc = error["loc"][1:] if strip_first else error["loc"]
            field = ".".join(str(part) for part in loc) or "(body)"
            errors.append(FieldError(field=field, reason=error["msg"]))
        return errors
    if isinstance(exc, PermanentError):
        return [FieldError(field=exc.field, reason=exc.reason)]
    return [FieldError(field="(body)", reason=f"{type(exc).__name__}: {exc}")]


def _body_errors(body: bytes) -> list[FieldError] | None:
    try:
        decoded = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [FieldError(field="(body)", reason=f"not valid UTF-8 JSON: {exc}")]
    if not isinstance(decoded, dict):
        return [FieldError(field="(body)", reason="must be a JSON object")]
    return None


class DeadLetter(BaseModel):
    """A dead-letter record, decoded: the original bytes and what went wrong with them."""

    model_config = ConfigDict(frozen=True)

    source_topic: str
    source_partition: int
    source_offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    """The source record's own headers."""
    service: str
    group_id: str
    errors: list[FieldError]
    failed_at: datetime
    value_omitted: int | None = None
    """The size of a value too large to be copied here; it is at the source offset."""

    @classmethod
    def from_record(
        cls, key: bytes | None, value: bytes, headers: Sequence[tuple[str, bytes]]
    ) -> "DeadLetter":
        meta = {
            k[len(HEADER_PREFIX) :]: v.decode() for k, v in headers if k.startswith(HEADER_PREFIX)
        }
        return cls(
            source_topic=meta["topic"],
            source_partition=int(meta["partition"]),
            source_offset=int(meta["offset"]),
            key=key,
            value=value,
            headers={
                k: v.decode(errors="replace") for k, v in headers if not k.startswith(HEADER_PREFIX)
            },
            service=meta["service"],
            group_id=meta["group"],
            errors=[FieldError.model_validate(e) for e in json.loads(meta["errors"])],
            failed_at=datetime.fromisoformat(meta["failed-at"]),
            value_omitted=int(meta["value-omitted"]) if "value-omitted" in meta else None,
        )


class DeadLetters:
    def __init__(
        self,
        broker: "KafkaBroker",
        *,
        service: str,
        group_id: str,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        self._broker = broker
        self._service = service
        self._group_id = group_id
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("a2p.dead_letters")
        self._count = meter.create_counter(
            "a2p.dead_letters", unit="{record}", description="Records sent to a dead-letter topic"
        )

    async def send(self, record: "ConsumerRecord[bytes, bytes]", errors: list[FieldError]) -> None:
        original = {}
        for name, raw in record.headers or ():
            try:
                original[name] = raw.decode()
            except UnicodeDecodeError:
                log.warning("dead letter drops non-UTF-8 header %r", name)
        meta = {
            "topic": record.topic,
            "partition": str(record.partition),
            "offset": str(record.offset),
            "service": self._service,
            "group": self._group_id,
            "errors": json.dumps([e.model_dump() for e in errors]),
            "failed-at": utc_now().isoformat(),
        }
        dlq_headers = {HEADER_PREFIX + k: v for k, v in meta.items()}
        try:
            await self._broker.publish(
                record.value or b"",
                topic=dead_letter_topic(record.topic),
                key=record.key,
                headers={**original, **dlq_headers},
            )
        except MessageSizeTooLargeError:
            # No retry can make it fit, and raising would stop the partition for good.
            size = len(record.value or b"")
            log.warning("dead letter of %s@%d sent without its value", record.topic, record.offset)
            await self._broker.publish(
                b"",
                topic=dead_letter_topic(record.topic),
                headers={**dlq_headers, HEADER_PREFIX + "value-omitted": str(size)},
            )
        self._count.add(
            1, {"a2p.service": self._service, "messaging.destination.name": record.topic}
        )
        log.warning(
            "dead-lettered %s[%d]@%d: %s",
            record.topic,
            record.partition,
            record.offset,
            "; ".join(f"{e.field}: {e.reason}" for e in errors),
        )


_PERMANENT = (ValidationError, PermanentError, UnicodeDecodeError, json.JSONDecodeError)


def dead_letter_middleware(
    dead_letters: DeadLetters, *, backoff_max_s: float
) -> Callable[..., BaseMiddleware]:
    """Routes records that can never be processed to their dead-letter topic, and slows down
    the redelivery of those that failed for a transient reason (the partition waits; order holds).
    """
    attempts: dict[tuple[str, int], tuple[int, int]] = {}

    class DeadLetterMiddleware(BaseMiddleware):
        async def consume_scope(
            self, call_next: Callable[[Any], Awaitable[Any]], msg: "StreamMessage[Any]"
        ) -> Any:
            # A batch subscriber gets the partition's records as a tuple; its handler
            # dead-letters the records it cannot read one by one.
            records = self.msg if isinstance(self.msg, tuple) else (self.msg,)
            record = records[0]
            place = (record.topic, record.partition)
            try:
                result = await call_next(msg)
            except _PERMANENT as exc:
                for each in records:
                    errors = _body_errors(each.value or b"") or field_errors(
                        exc, strip_first=isinstance(exc, ValidationError)
                    )
                    await dead_letters.send(each, errors)
                attempts.pop(place, None)
                return None
            except Exception:
                offset, count = attempts.get(place, (record.offset, 0))
                count = count + 1 if offset == record.offset else 1
                attempts[place] = (record.offset, count)
                await asyncio.sleep(min(backoff_max_s, 0.05 * 2**count))
                raise
            attempts.pop(place, None)
            return result

    return DeadLetterMiddleware
