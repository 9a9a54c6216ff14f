"""Twilio's request encoding: `application/x-www-form-urlencoded`, PascalCase keys.

The SDK sends booleans as `true`/`false`, lists as repeated keys and TrustHub `Attributes` as a
JSON string. Parsed here with the standard library (no multipart parser is needed).
"""

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from a2p_twilio_emulator.errors import invalid_parameter, missing_parameter


class Form:
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self._fields = fields

    @classmethod
    async def read(cls, request: Request) -> "Form":
        body = (await request.body()).decode("utf-8")
        return cls(parse_qs(body, keep_blank_values=True))

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._fields.get(name)
        return values[-1] if values else default

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise missing_parameter(name)
        return value

    def list(self, name: str) -> list[str]:
        return list(self._fields.get(name, []))

    def bool(self, name: str, default: bool | None = None) -> bool | None:
        value = self.get(name)
        if value is None:
            return default
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise invalid_parameter(name, value, "expected true or false")

    def require_bool(self, name: str) -> bool:
        value = self.bool(name)
        if value is None:
            raise missing_parameter(name)
        return value

    def json(self, name: str) -> dict[str, Any]:
        value = self.get(name)
        if value is None or value == "":
            return {}
        try:
            decoded = json.loads(value)
        except ValueError:
            raise invalid_parameter(name, value, "not a JSON object") from None
        if not isinstance(decoded, dict):
            raise invalid_parameter(name, value, "not a JSON object")
        return decoded
