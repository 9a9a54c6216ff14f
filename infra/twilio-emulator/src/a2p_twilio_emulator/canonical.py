"""Twilio's own URLs, and the path prefixes under which this emulator serves each product.

The emulator answers `POST <emulator>/messaging/v1/Services`, but every URL it returns names
Twilio's host (`https://messaging.twilio.com/v1/Services/MG…`), as Twilio would: the SDK's
redirecting HTTP client maps them back to the emulator.
"""

from typing import Literal

from fastapi import Request

Product = Literal["api", "messaging", "trusthub"]

API = "https://api.twilio.com"
MESSAGING = "https://messaging.twilio.com"
TRUSTHUB = "https://trusthub.twilio.com"
HOSTS: dict[Product, str] = {"api": API, "messaging": MESSAGING, "trusthub": TRUSTHUB}
API_VERSION = "2010-04-01"


def twilio_path(request: Request) -> tuple[Product, str]:
    """`/messaging/v1/Services` (as served here) -> `("messaging", "/v1/Services")` (Twilio's)."""
    _, product, rest = request.url.path.split("/", 2)
    if product not in HOSTS:
        raise ValueError(f"{request.url.path} is not a Twilio product path")
    return product, "/" + rest  # type: ignore[return-value]


def account_uri(account_sid: str, rest: str) -> str:
    """The relative `uri` of a 2010 API resource: `/2010-04-01/Accounts/AC…/<rest>`."""
    return f"/{API_VERSION}/Accounts/{account_sid}/{rest}"
