"""HTTP Basic with the account SID and auth token, as Twilio checks every API request."""

import base64
import binascii
import hmac

from fastapi import Request

from a2p_twilio_emulator.errors import unauthenticated
from a2p_twilio_emulator.state import current_state


def require_account(request: Request) -> None:
    """A FastAPI dependency of every Twilio route; raises Twilio's 401 (20003)."""
    state = current_state(request)
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise unauthenticated()
    try:
        username, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthenticated() from None
    token = state.settings.auth_token.get_secret_value()
    if not (
        hmac.compare_digest(username.encode(), state.account_sid.encode())
        and hmac.compare_digest(password.encode(), token.encode())
    ):
        raise unauthenticated()
    account_in_path = request.path_params.get("AccountSid")
    if account_in_path is not None and account_in_path != state.account_sid:
        raise unauthenticated()
