"""Property-based tests over every event, command and the envelope: what any producer can put on
a topic. A valid document round-trips through JSON unchanged; anything else (a mutated valid
document, a truncated one, arbitrary JSON or bytes) is refused with pydantic's ValidationError,
never another exception (which a consumer would retry forever), and every error names a field.

Valid documents are generated from the models themselves (field types and constraints), so a
new field or event is covered without touching this file; a constraint this generator does not
understand fails loudly instead of being skipped.
"""

import json
import types
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

import annotated_types
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    EmailStr,
    TypeAdapter,
    ValidationError,
)
from pydantic.fields import FieldInfo

from a2p_shared.dead_letter import field_errors
from a2p_shared.events import CATALOGUE, Envelope, RecordConsent, SubmitRegistration
from a2p_shared.events.registration import Categories
from a2p_shared.events.values import EIN, US_STATES, USPhone, USState, WebUrl

JsonValue = Any

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
ANY_JSON = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
LONGEST_TEXT = 24
"""Generated strings stay short: lengths at the limits are drawn explicitly."""


def _validator_of(alias: Any) -> Any:
    return next(
        m.func for m in alias.__metadata__ if isinstance(m, BeforeValidator | AfterValidator)
    )


def _web_urls() -> st.SearchStrategy[str]:
    return st.from_regex(
        r"https?://[a-z][a-z0-9-]{0,15}(\.[a-z]{2,6}){1,2}(/[A-Za-z0-9._~-]{1,10}){0,3}",
        fullmatch=True,
    )


# The contract's value types, known by their validator: each draws valid values only.
VALUE_TYPES: dict[Any, st.SearchStrategy[str]] = {
    _validator_of(USPhone): st.builds(
        lambda area, local, form: form.format(area, local // 10_000, local % 10_000),
        st.integers(200, 999),
        st.integers(2_000_000, 9_999_999),
        st.sampled_from(["+1{}{}{:04d}", "({}) {}-{:04d}"]),
    ),
    _validator_of(EIN): st.from_regex(r"[0-9]{2}-?[0-9]{7}", fullmatch=True),
    _validator_of(USState): st.sampled_from(sorted(US_STATES)).flatmap(
        lambda code: st.sampled_from([code, code.lower()])
    ),
    _validator_of(WebUrl): _web_urls(),
}
UNIQUE = _validator_of(Categories)

OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
DAY = timedelta(days=1)
# A day inside Python's range at both ends: every offset converts to UTC (the extremes are
# among the mutations).
AWARE_DATETIMES = st.builds(
    datetime.combine, st.dates(date.min + DAY, date.max - DAY), st.times(), OFFSETS
).map(lambda d: d.isoformat())


def _flatten(annotation: Any, metadata: Sequence[Any]) -> tuple[Any, list[Any]]:
    """`Annotated[Annotated[T, a], b]` and a field's own metadata -> (T, [a, b, ...])."""
    metadata = list(metadata)
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata = extra + metadata
    flat: list[Any] = []
    for item in metadata:
        flat.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return annotation, flat


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for name in ("min_length", "max_length", "ge", "le", "gt", "lt", "pattern"):
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    return found


def values_of(annotation: Any, metadata: Sequence[Any] = (), strip: bool = False) -> Any:
    """A strategy for the JSON form of valid values of `annotation` with its constraints."""
    annotation, metadata = _flatten(annotation, metadata)
    for item in metadata:
        if isinstance(item, BeforeValidator | AfterValidator) and item.func in VALUE_TYPES:
            return VALUE_TYPES[item.func]
    known = {annotated_types.MinLen, annotated_types.MaxLen, annotated_types.Ge}
    known |= {annotated_types.Le, annotated_types.Gt, annotated_types.Lt}
    for item in metadata:
        is_constraint = type(item) in known or type(item).__name__ == "_PydanticGeneralMetadata"
        if not (is_constraint or (isinstance(item, AfterValidator) and item.func is UNIQUE)):
            raise NotImplementedError(f"no strategy for {item!r} on {annotation!r}")
    bounds = _bounds(metadata)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return st.one_of(*(values_of(arg, metadata, strip) for arg in get_args(annotation)))
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from([member.value for member in annotation])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return documents(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        unique = any(isinstance(m, AfterValidator) and m.func is UNIQUE for m in metadata)
        # Unique as the model sees them: `(217) 555-0100` and `+12175550100` are one number.
        normalised = TypeAdapter(item)
        return st.lists(
            values_of(item, strip=strip),
            min_size=bounds.get("min_length", 0),
            max_size=min(bounds.get("max_length", 3), 3),
            unique_by=(lambda v: str(normalised.validate_python(v))) if unique else None,
        )
    if origin is dict:
        return st.dictionaries(st.text(max_size=8), ANY_JSON, max_size=3)
    if annotation is Any:
        return ANY_JSON
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        low = bounds.get("ge", bounds["gt"] + 1 if "gt" in bounds else None)
        high = bounds.get("le", bounds["lt"] - 1 if "lt" in bounds else None)
        return st.integers(low, high)
    if annotation is float:
        return st.floats(bounds.get("ge"), bounds.get("le"), allow_nan=False, allow_infinity=False)
    if annotation is UUID:
        return st.uuids().map(str)
    if annotation is AwareDatetime:
        return AWARE_DATETIMES
    if annotation is EmailStr:
        return st.from_regex(
            r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,5})?@[a-z]{2,10}\.(com|org|gov)", fullmatch=True
        )
    if annotation is str:
        return _strings(bounds, strip)
    raise NotImplementedError(f"no strategy for {annotation!r}")


def _strings(bounds: dict[str, Any], strip: bool) -> st.SearchStrategy[str]:
    low, high = bounds.get("min_length", 0), bounds.get("max_length")
    if "pattern" in bounds:
        drawn = st.from_regex(bounds["pattern"], fullmatch=True)
    else:
        longest = min(high, LONGEST_TEXT) if high is not None else LONGEST_TEXT
        drawn = st.text(min_size=low, max_size=max(low, longest))
        if high is not None and high > LONGEST_TEXT:
            drawn |= st.just("x" * high)
    return drawn.filter(lambda s: low <= len(s.strip() if strip else s) <= (high or len(s)))


def documents(model: type[BaseModel]) -> st.SearchStrategy[dict[str, JsonValue]]:
    """JSON documents `model` accepts: its required fields always, the others sometimes."""
    strip = bool(model.model_config.get("str_strip_whitespace"))
    required, optional = {}, {}
    for name, field in model.model_fields.items():
        values = values_of(field.annotation, field.metadata, strip)
        (required if field.is_required() else optional)[field.alias or name] = values
    drawn = st.fixed_dictionaries(required, optional=optional)
    if model.__pydantic_decorators__.model_validators:
        # Cross-field rules (an EIN unless a sole proprietor...) are the model's to decide.
        drawn = drawn.filter(lambda document: _accepted(model, document))
    return drawn


def _accepted(model: type[BaseModel], document: dict[str, JsonValue]) -> bool:
    try:
        model.model_validate_json(json.dumps(document))
    except ValidationError:
        return False
    return True


def envelopes(payload_cls: type) -> st.SearchStrategy[dict[str, JsonValue]]:
    fields = Envelope[payload_cls].model_fields  # type: ignore[valid-type]
    required = {
        name: values_of(field.annotation, field.metadata)
        for name, field in fields.items()
        if name not in ("type", "version", "payload")
    }
    required["payload"] = documents(payload_cls)
    constants = {"type": payload_cls.event_type, "version": payload_cls.event_version}
    return st.fixed_dictionaries(required).map(lambda document: {**document, **constants})


# Every payload travels in its envelope, so the envelope's documents cover both; the commands
# platforms publish have no envelope.
MODELS: list[tuple[type[BaseModel], st.SearchStrategy[dict[str, JsonValue]]]] = [
    *((Envelope[p], envelopes(p)) for p in CATALOGUE),  # type: ignore[valid-type]
    (SubmitRegistration, documents(SubmitRegistration)),
    (RecordConsent, documents(RecordConsent)),
]
MODEL_IDS = [*(p.__name__ for p in CATALOGUE), "SubmitRegistration", "RecordConsent"]
models = pytest.mark.parametrize(("model", "valid"), MODELS, ids=MODEL_IDS)


def _paths(value: JsonValue, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, inner in value.items():
            found.extend(_paths(inner, (*at, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(_paths(inner, (*at, index)))
    return found


def _changed(
    document: dict[str, JsonValue], path: tuple[str | int, ...], change: str, new: JsonValue
) -> JsonValue:
    copy = json.loads(json.dumps(document))
    if not path:
        return new if change == "replace" else copy
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if change == "delete":
        del parent[last]
    elif change == "replace":
        parent[last] = new
    elif isinstance(parent, dict):
        parent[f"unexpected_{last}"] = new
    else:
        parent.insert(int(last), new)
    return copy


WEIRD_VALUES = st.one_of(
    ANY_JSON,
    st.sampled_from(
        [
            "",
            " ",
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59:59-05:00",
            "2025-03-01T12:00:00",
            "+12175550142",
            "+442071838750",
            "\u0000",
            "\ud7ff\ue000",
            10**30,
            -(10**30),
            1e308,
            -1,
            0,
            True,
            [],
            {},
        ]
    ),
)


def assert_names_its_fields(model: type[BaseModel], sent: JsonValue, exc: ValidationError) -> None:
    """Every error says where: a field of `model` (or the unexpected one), or, for input that
    is not a JSON object at all, the body as a whole."""
    errors = exc.errors(include_url=False)
    assert errors
    for error in errors:
        assert error["msg"], error
        if not isinstance(sent, dict):
            continue
        assert error["loc"], f"an error on an object names no field: {error}"
        first = str(error["loc"][0])
        assert first in model.model_fields or error["type"] == "extra_forbidden", error
    for dead in field_errors(exc):
        assert dead.field
        assert dead.reason


def fuzz(model: type[BaseModel], examples: int = 30) -> settings:
    # A registration request has some sixty fields: fewer of them keep the file under ~20 s.
    heavy = "RegistrationRequest" in json.dumps(model.model_json_schema())
    return settings(
        max_examples=min(examples, 8) if heavy else examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


@models
def test_a_valid_document_round_trips_through_json(
    model: type[BaseModel], valid: st.SearchStrategy[dict[str, JsonValue]]
) -> None:
    @fuzz(model)
    @given(document=valid)
    def round_trip(document: dict[str, JsonValue]) -> None:
        instance = model.model_validate_json(json.dumps(document))
        wire = instance.model_dump_json()
        again = model.model_validate_json(wire)

        assert again == instance
        assert again.model_dump_json() == wire

    round_trip()


@models
def test_a_mutated_document_is_accepted_or_refused_naming_its_fields(
    model: type[BaseModel], valid: st.SearchStrategy[dict[str, JsonValue]]
) -> None:
    @fuzz(model)
    @given(document=valid, data=st.data())
    def mutated(document: dict[str, JsonValue], data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(_paths(document)), label="path")
        change = data.draw(st.sampled_from(["delete", "replace", "add"]), label="change")
        sent = _changed(document, path, change, data.draw(WEIRD_VALUES, label="value"))

        try:
            model.model_validate_json(json.dumps(sent))
        except ValidationError as exc:
            assert_names_its_fields(model, sent, exc)

    mutated()


@models
def test_a_truncated_document_is_refused_as_a_whole(
    model: type[BaseModel], valid: st.SearchStrategy[dict[str, JsonValue]]
) -> None:
    @fuzz(model, examples=10)
    @given(document=valid, data=st.data())
    def truncated(document: dict[str, JsonValue], data: st.DataObject) -> None:
        wire = json.dumps(document).encode()
        cut = data.draw(st.integers(0, len(wire) - 1), label="cut at")

        with pytest.raises(ValidationError) as exc:
            model.model_validate_json(wire[:cut])

        assert [e["type"] for e in exc.value.errors()] == ["json_invalid"]
        assert [e.field for e in field_errors(exc.value)] == ["(body)"]

    truncated()


@models
def test_arbitrary_json_is_refused_naming_its_fields(
    model: type[BaseModel], valid: st.SearchStrategy[dict[str, JsonValue]]
) -> None:
    @fuzz(model)
    @given(sent=ANY_JSON | st.dictionaries(st.text(max_size=12), ANY_JSON, max_size=6))
    def arbitrary(sent: JsonValue) -> None:
        with pytest.raises(ValidationError) as exc:
            model.model_validate_json(json.dumps(sent))

        assert_names_its_fields(model, sent, exc.value)

    arbitrary()


@models
def test_arbitrary_bytes_are_refused_with_a_validation_error(
    model: type[BaseModel], valid: st.SearchStrategy[dict[str, JsonValue]]
) -> None:
    @fuzz(model)
    @given(raw=st.binary(max_size=64))
    def arbitrary(raw: bytes) -> None:
        with pytest.raises(ValidationError) as exc:
            model.model_validate_json(raw)

        assert all(error.field and error.reason for error in field_errors(exc.value))

    arbitrary()
