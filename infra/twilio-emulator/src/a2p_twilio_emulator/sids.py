"""Twilio resource identifiers: a two-letter type prefix and 32 hex digits (`SM0123…`)."""

import secrets


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)
