"""Which site a URL belongs to: hosts and registrable domains, offline.

The public-suffix list is the one bundled with tldextract (no network), so `ci.springfield.il.us`
and `www.springfield.il.us` are one site and `a.co.uk` and `b.co.uk` are two.
"""

from functools import cache
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(url_or_host: str) -> str:
    text = url_or_host.strip().lower()
    host = urlsplit(text).hostname if "//" in text else text.split("/")[0].split(":")[0]
    host = host or ""
    return host[4:] if host.startswith("www.") else host


@cache
def registrable_domain(url_or_host: str) -> str:
    """`https://www.springfield.example/privacy` -> `springfield.example`.

    Hosts under a suffix the list does not know (`.test`, `.example`, `.internal`) fall back to
    their last two labels, which is what such a suffix would give.
    """
    host = host_of(url_or_host)
    parts = _EXTRACT(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    labels = host.split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else host


def same_site(a: str, b: str) -> bool:
    return registrable_domain(a) == registrable_domain(b)


def same_page(a: str, b: str) -> bool:
    """Same host (ignoring `www.`), path (ignoring a trailing slash), scheme-agnostic."""
    left, right = urlsplit(a.lower()), urlsplit(b.lower())
    return host_of(a) == host_of(b) and left.path.rstrip("/") == right.path.rstrip("/")
