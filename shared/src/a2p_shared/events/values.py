"""Value types of the contract: phone numbers, EINs, US places, web addresses."""

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, HttpUrl, TypeAdapter, UrlConstraints

_NANP = re.compile(r"^1?([2-9][0-9]{2})([2-9][0-9]{6})$")


def _us_e164(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a phone number string such as +1 217 555 0142")
    digits = re.sub(r"[\s().-]", "", value)
    if digits.startswith("+"):
        if not digits.startswith("+1"):
            raise ValueError(
                "must be a US number: E.164 with country code +1, e.g. +1 217 555 0142"
            )
        digits = digits[1:]
    if not digits.isdigit() or not (match := _NANP.match(digits)):
        raise ValueError(
            "must be a US 10-digit number in E.164 form, e.g. +1 217 555 0142 "
            "(area code and exchange cannot start with 0 or 1)"
        )
    return "+1" + match.group(1) + match.group(2)


USPhone = Annotated[
    str,
    BeforeValidator(_us_e164),
    Field(
        description="US number in E.164 (+1 and 10 digits); common punctuation is accepted "
        "on input and removed",
        examples=["+12175550142"],
    ),
]


def _ein(value: str) -> str:
    digits = value.replace("-", "")
    if not re.fullmatch(r"[0-9]{2}-?[0-9]{7}", value) or len(digits) != 9:
        raise ValueError("must be 9 digits, written NN-NNNNNNN or NNNNNNNNN")
    return f"{digits[:2]}-{digits[2:]}"


EIN = Annotated[
    str,
    AfterValidator(_ein),
    Field(
        description="US Employer Identification Number, normalised to NN-NNNNNNN",
        examples=["12-3456789"],
    ),
]

US_STATES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
    }
)


def _us_state(value: str) -> str:
    code = value.upper()
    if code not in US_STATES:
        raise ValueError("must be a two-letter US state or territory code such as IL or PR")
    return code


USState = Annotated[str, AfterValidator(_us_state), Field(examples=["IL"])]

ZipCode = Annotated[
    str,
    Field(pattern=r"^[0-9]{5}(-[0-9]{4})?$", description="ZIP or ZIP+4", examples=["62701"]),
]

_URL = TypeAdapter(Annotated[HttpUrl, UrlConstraints(max_length=2048)])


def _web_url(value: str) -> str:
    # Validated as a URL but kept as written: the validator fetches exactly what the tenant gave.
    _URL.validate_python(value)
    return value


WebUrl = Annotated[
    str,
    Field(
        max_length=2048,
        description="An http or https address",
        examples=["https://www.springfield.example/privacy"],
    ),
    AfterValidator(_web_url),
]
