"""Twilio's error responses: `{"code", "message", "more_info", "status"}` with its error codes."""

from typing import Any


class TwilioError(Exception):
    """Answered as Twilio answers a refused request; `code` is Twilio's error code."""

    def __init__(self, status: int, code: int, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        return body


def unauthenticated() -> TwilioError:
    return TwilioError(
        401, 20003, "Authenticate", detail="Your AccountSid or AuthToken was incorrect."
    )


def not_found(path: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


def missing_parameter(name: str) -> TwilioError:
    return TwilioError(400, 20001, f"Missing required parameter {name} in the post body")


def invalid_parameter(name: str, value: object, why: str = "") -> TwilioError:
    reason = f": {why}" if why else ""
    return TwilioError(400, 20001, f"Invalid parameter {name}: {value!r}{reason}")
