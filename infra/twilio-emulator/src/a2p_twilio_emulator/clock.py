"""Time as Twilio writes it: ISO 8601 in the v1 products, RFC 2822 in the 2010 API."""

from datetime import UTC, datetime
from email.utils import format_datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso8601(moment: datetime | None) -> str | None:
    """`2021-01-28T10:45:51Z`"""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc2822(moment: datetime | None) -> str | None:
    """`Thu, 24 Aug 2023 05:01:45 +0000`"""
    return (
        None if moment is None else format_datetime(moment.astimezone(UTC).replace(microsecond=0))
    )
