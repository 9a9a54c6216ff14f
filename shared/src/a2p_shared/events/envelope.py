"""The one envelope every event travels in."""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

TenantId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="The platform's id for its customer organisation: letters, digits, _ . -",
        examples=["springfield-il"],
    ),
]


def field_refused(model: str, field: str, value: Any, reason: str) -> ValidationError:
    """A cross-field rule's refusal, placed on the field the sender must change: raised from a
    model validator, a plain ValueError would name no field, only the whole record."""
    return ValidationError.from_exception_data(
        model,
        [InitErrorDetails(type="value_error", loc=(field,), input=value, ctx={"error": reason})],
    )


class EventPayload(BaseModel):
    """Base of every payload: an event's type and version are properties of its payload class."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


P = TypeVar("P", bound=EventPayload)


def _add_type_constants(schema: dict[str, Any], model: type[BaseModel]) -> None:
    payload = model.model_fields["payload"].annotation
    if isinstance(payload, type) and issubclass(payload, EventPayload):
        schema["properties"]["type"]["const"] = payload.event_type
        schema["properties"]["version"]["const"] = payload.event_version


class Envelope(BaseModel, Generic[P]):
    """An event: who it concerns, when it happened, which flow it belongs to, and its payload.

    `correlation_id` names the flow (a registration id or a message id) and stays the same along
    it; `causation_id` is the `event_id` of the event this one was caused by.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_add_type_constants)

    event_id: UUID = Field(default_factory=uuid4)
    type: str
    version: int = Field(ge=1)
    tenant_id: TenantId
    occurred_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = Field(min_length=1, max_length=128)
    causation_id: str | None = Field(default=None, max_length=128)
    payload: P

    @model_validator(mode="before")
    @classmethod
    def _type_from_payload(cls, data: Any) -> Any:
        payload_cls = cls.model_fields["payload"].annotation
        if not (isinstance(data, dict) and isinstance(payload_cls, type)):
            return data
        data = dict(data)
        expected = (payload_cls.event_type, payload_cls.event_version)
        got = (data.setdefault("type", expected[0]), data.setdefault("version", expected[1]))
        if got != expected:
            # Checked before the payload: a record on the wrong topic says so, not "field missing".
            field = "type" if got[0] != expected[0] else "version"
            raise field_refused(
                cls.__name__,
                field,
                data[field],
                f"this topic carries {expected[0]!r} v{expected[1]}, not {got[0]!r} v{got[1]}",
            )
        return data

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            return value.astimezone(UTC)
        except OverflowError:
            # 0001-01-01T00:00+05:00 is before the first UTC instant Python can hold; unchecked,
            # the OverflowError made consumers retry the record forever.
            raise ValueError("must be a time between years 1 and 9999 in UTC") from None

    @classmethod
    def new(
        cls, payload: P, *, tenant_id: str, correlation_id: str, event_id: UUID | None = None
    ) -> "Envelope[P]":
        """The first event of a flow."""
        return Envelope[type(payload)](  # type: ignore[misc]
            event_id=event_id or uuid4(),
            type=payload.event_type,
            version=payload.event_version,
            tenant_id=tenant_id,
            correlation_id=correlation_id,
            payload=payload,
        )

    @classmethod
    def caused_by(
        cls, parent: "Envelope[Any]", payload: P, *, event_id: UUID | None = None
    ) -> "Envelope[P]":
        """An event caused by `parent`: same tenant and flow, `causation_id` set to its id.

        A deterministic `event_id` makes a redelivered parent produce the very same event.
        """
        return Envelope[type(payload)](  # type: ignore[misc]
            event_id=event_id or uuid4(),
            type=payload.event_type,
            version=payload.event_version,
            tenant_id=parent.tenant_id,
            correlation_id=parent.correlation_id,
            causation_id=str(parent.event_id),
            payload=payload,
        )
