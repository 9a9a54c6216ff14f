"""List responses in Twilio's two envelopes, with `PageSize` / `Page` paging.

v1 products (messaging, trusthub): `{"<key>": [...], "meta": {..., "next_page_url": absolute}}`.
The 2010 API: `{"<key>": [...], "next_page_uri": relative, "start", "end", ...}`.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from a2p_twilio_emulator.canonical import HOSTS, twilio_path
from a2p_twilio_emulator.errors import invalid_parameter

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
PAGING_PARAMS = ("PageSize", "Page", "PageToken")


def v1_page(request: Request, key: str, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    product, path = twilio_path(request)
    size, number = _paging(request)
    chunk, has_next = _slice(items, size, number)

    def url(page: int) -> str:
        return f"{HOSTS[product]}{path}?{_query(request, size, page)}"

    return {
        key: chunk,
        "meta": {
            "page": number,
            "page_size": size,
            "first_page_url": url(0),
            "previous_page_url": url(number - 1) if number > 0 else None,
            "url": url(number),
            "next_page_url": url(number + 1) if has_next else None,
            "key": key,
        },
    }


def v2010_page(request: Request, key: str, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    _, path = twilio_path(request)
    size, number = _paging(request)
    chunk, has_next = _slice(items, size, number)

    def uri(page: int) -> str:
        return f"{path}?{_query(request, size, page)}"

    start = number * size
    return {
        key: chunk,
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(number + 1) if has_next else None,
        "page": number,
        "page_size": size,
        "previous_page_uri": uri(number - 1) if number > 0 else None,
        "start": start,
        "uri": uri(number),
    }


def _paging(request: Request) -> tuple[int, int]:
    raw_size = request.query_params.get("PageSize", str(DEFAULT_PAGE_SIZE))
    raw_page = request.query_params.get("Page", "0")
    try:
        size, page = int(raw_size), int(raw_page)
    except ValueError:
        raise invalid_parameter("PageSize/Page", f"{raw_size}/{raw_page}") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid_parameter("PageSize", raw_size, f"must be between 1 and {MAX_PAGE_SIZE}")
    if page < 0:
        raise invalid_parameter("Page", raw_page, "must not be negative")
    return size, page


def _slice(items: Sequence[dict[str, Any]], size: int, page: int) -> tuple[list[Any], bool]:
    start = page * size
    return list(items[start : start + size]), len(items) > start + size


def _query(request: Request, size: int, page: int) -> str:
    filters = [(k, v) for k, v in request.query_params.multi_items() if k not in PAGING_PARAMS]
    return urlencode([*filters, ("PageSize", size), ("Page", page)])
