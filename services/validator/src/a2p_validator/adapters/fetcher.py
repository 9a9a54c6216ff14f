"""Fetches a tenant's website, policy and opt-in pages over HTTP and turns them into `Page`s.

The URLs come from tenants, so this adapter is a server-side request forgery surface: every hop
(the first request and each redirect target) may only connect to public addresses. The check
sits in the connector's resolver, so the connection goes to exactly the addresses that were
checked; a second DNS lookup, which a rebinding DNS server could answer differently, never
happens. Nothing about the network or the page raises: a failure is a `Page` with a `problem`.
"""

import asyncio
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Self
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
from yarl import URL

from a2p_validator.domain.html import is_sign_in_url, looks_like_sign_in, parse_html
from a2p_validator.domain.pages import Page, PageProblem

if TYPE_CHECKING:
    from a2p_validator.settings import ValidatorSettings

HostResolver = Callable[[str], Awaitable[list[str]]]
"""Maps a host name to its IP addresses; raises OSError when the name does not resolve."""

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_USER_AGENT = "a2p-validator/0.1 (+compliance pre-check)"
ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
READ_CHUNK_BYTES = 64 * 1024

SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
"""Carrier-grade NAT space: not private by the RFC, yet internal (some clouds serve instance
metadata there)."""
NAT64_PREFIXES = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class RefusedError(Exception):
    """The URL may not be fetched: not http(s), or it leads to a non-public address."""


class RefusedAddressError(RefusedError):
    def __init__(self, host: str, address: str, reason: str) -> None:
        where = f"{address} is" if host == address else f"{host} resolves to {address},"
        super().__init__(f"{where} not a public address ({reason})")
        self.host = host
        self.address = address


class _InvalidUrlError(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(f"invalid URL {url}")


def non_public_reason(address: IpAddress) -> str | None:
    """Why an address is not on the public internet (e.g. `loopback`), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return non_public_reason(embedded)
    checks = (
        (address.is_loopback, "loopback"),
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (address in SHARED_ADDRESS_SPACE, "shared (carrier-grade NAT)"),
    )
    return next((reason for matches, reason in checks if matches), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in prefix for prefix in NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True, slots=True)
class AddressGuard:
    allow_private_network: bool = False
    allowed_addresses: frozenset[str] = frozenset()
    """Addresses accepted even when private: lets tests reach a local server on one address
    while every other private address stays refused."""

    def check(self, host: str, address: str) -> None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise RefusedAddressError(host, address, "malformed") from None
        if self.allow_private_network or ip in {
            ipaddress.ip_address(allowed) for allowed in self.allowed_addresses
        }:
            return
        reason = non_public_reason(ip)
        if reason is not None:
            raise RefusedAddressError(host, address, reason)


async def system_resolver(host: str) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        # A name the IDNA codec rejects (an empty or over-long label) cannot resolve either.
        raise OSError(f"{host} is not a valid host name") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that resolves once, refuses if any address is not public, and hands
    the connector exactly the addresses it checked."""

    def __init__(self, resolve: HostResolver, guard: AddressGuard) -> None:
        self._resolve = resolve
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._resolve(host)
        for address in addresses:
            self._guard.check(host, address)
        results = [
            _resolve_result(host, address, port)
            for address in addresses
            if family in (socket.AF_UNSPEC, _family_of(address))
        ]
        if not results:
            raise OSError(f"no address found for {host}")
        return results

    async def close(self) -> None:
        return None


def _family_of(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _resolve_result(host: str, address: str, port: int) -> ResolveResult:
    return ResolveResult(
        hostname=host,
        host=address,
        port=port,
        family=_family_of(address),
        proto=socket.IPPROTO_TCP,
        flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
    )


@dataclass(slots=True)
class _Trail:
    """Where a fetch has got to, so a failure at any hop can say where it happened."""

    url: str
    current: str
    status: int | None = None

    def failed(self, problem: PageProblem, detail: str, final_url: str | None = None) -> Page:
        return Page(
            url=self.url,
            final_url=final_url or self.current,
            status=self.status,
            problem=problem,
            detail=detail,
        )


@dataclass(frozen=True, slots=True)
class _Document:
    """A successful response whose body still has to be read as HTML or text."""

    trail: _Trail
    content_type: str
    body: str


class HttpPageFetcher:
    def __init__(
        self,
        *,
        allow_private_network: bool = False,
        timeout_s: float = 10.0,
        max_redirects: int = 5,
        max_bytes: int = 2_000_000,
        resolver: HostResolver | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        allowed_addresses: frozenset[str] = frozenset(),
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self._tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("a2p.pages")
        self._guard = AddressGuard(allow_private_network, allowed_addresses)
        self._timeout_s = timeout_s
        self._max_redirects = max_redirects
        self._max_bytes = max_bytes
        self._resolver = resolver or system_resolver
        self._headers = {"User-Agent": user_agent, "Accept": ACCEPT}
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(
        cls,
        settings: "ValidatorSettings",
        *,
        allow_private_network: bool = False,
        tracer_provider: TracerProvider | None = None,
    ) -> "HttpPageFetcher":
        """The fetcher a deployment configured; `allow_private_network` can only widen it."""
        return cls(
            allow_private_network=allow_private_network or settings.allow_private_network,
            timeout_s=settings.fetch_timeout_s,
            max_redirects=settings.fetch_max_redirects,
            max_bytes=settings.fetch_max_bytes,
            tracer_provider=tracer_provider,
        )

    async def __aenter__(self) -> Self:
        self._open_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str) -> Page:
        """The page, as a client span of the validation that asked for it (a tenant's public
        page: its URL is no one's personal data)."""
        with self._tracer.start_as_current_span(
            "fetch page", kind=SpanKind.CLIENT, attributes={"url.full": url}
        ) as span:
            page = await self._fetch(url)
            if page.status is not None:
                span.set_attribute("http.response.status_code", page.status)
            if page.problem is not None:
                span.set_attribute("a2p.page.problem", page.problem.value)
                span.set_status(Status(StatusCode.ERROR, page.detail))
            return page

    async def _fetch(self, url: str) -> Page:
        trail = _Trail(url=url, current=url)
        try:
            async with asyncio.timeout(self._timeout_s):
                outcome = await self._follow(trail)
        except RefusedError as exc:
            return trail.failed(PageProblem.REFUSED, str(exc))
        except TimeoutError:
            return trail.failed(PageProblem.UNREACHABLE, f"timed out after {self._timeout_s:g} s")
        except aiohttp.ClientError as exc:
            refusal = _refusal_behind(exc)
            if refusal is not None:
                return trail.failed(PageProblem.REFUSED, str(refusal))
            return trail.failed(PageProblem.UNREACHABLE, _network_detail(exc, trail.current))
        except _InvalidUrlError as exc:
            return trail.failed(PageProblem.UNREACHABLE, str(exc))
        except OSError as exc:
            return trail.failed(PageProblem.UNREACHABLE, _network_detail(exc, trail.current))
        if isinstance(outcome, Page):
            return outcome
        return await _document_page(outcome)

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self._resolver, self._guard), use_dns_cache=False
            )
            # trust_env stays off: a proxy from the environment would connect on our behalf,
            # past the resolver that guards every address.
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._timeout_s),
                headers=self._headers,
                trust_env=False,
            )
        return self._session

    async def _follow(self, trail: _Trail) -> Page | _Document:
        session = self._open_session()
        redirects = 0
        while True:
            target = self._checked_url(trail.current)
            async with session.get(target, allow_redirects=False) as response:
                trail.status = response.status
                location = response.headers.get(aiohttp.hdrs.LOCATION, "").strip()
                if response.status not in REDIRECT_STATUSES or not location:
                    return await self._final(trail, response)
            next_url = _redirect_target(trail.current, location)
            if is_sign_in_url(next_url):
                detail = f"redirected to a sign-in page at {next_url}"
                return trail.failed(PageProblem.LOGIN_WALL, detail, final_url=next_url)
            if redirects == self._max_redirects:
                detail = f"more than {self._max_redirects} redirects"
                return trail.failed(PageProblem.TOO_MANY_REDIRECTS, detail)
            redirects += 1
            trail.current = next_url

    def _checked_url(self, raw: str) -> URL:
        try:
            url = URL(raw)
        except ValueError:
            raise _InvalidUrlError(raw) from None
        if url.scheme not in ("http", "https"):
            scheme = f"{url.scheme}:" if url.scheme else "a URL without a scheme"
            raise RefusedError(f"only http and https URLs are fetched, not {scheme}")
        host = url.raw_host
        if not host:
            raise _InvalidUrlError(raw)
        self._check_literal_host(host)
        return url

    def _check_literal_host(self, host: str) -> None:
        # aiohttp connects to IP literals without asking the resolver, so they are checked here.
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if ":" in host or host.replace(".", "").isdigit():
                # Legacy numeric forms (`2130706433`, `127.1`) that sockets still map to an
                # address, with no resolver in between.
                raise RefusedAddressError(host, host, "legacy numeric form") from None
            return
        self._guard.check(host, host)

    async def _final(self, trail: _Trail, response: aiohttp.ClientResponse) -> Page | _Document:
        status = response.status
        if status in (401, 403):
            return trail.failed(PageProblem.LOGIN_WALL, f"HTTP {status}: the page is not public")
        if status in (404, 410):
            return trail.failed(PageProblem.NOT_FOUND, f"HTTP {status}")
        if not 200 <= status < 300:
            return trail.failed(PageProblem.HTTP_ERROR, f"HTTP {status}")
        content_type = _media_type(response)
        if content_type not in HTML_TYPES and content_type not in ("text/plain", ""):
            return Page(
                url=trail.url, final_url=trail.current, status=status, content_type=content_type
            )
        body = await self._read_capped(response)
        if body is None:
            detail = f"the page is larger than {self._max_bytes:,} bytes"
            return trail.failed(PageProblem.TOO_LARGE, detail)
        return _Document(
            trail=trail, content_type=content_type, body=_decode(body, response.charset)
        )

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes | None:
        """The body, or None as soon as it is known to exceed the cap."""
        if response.content_length is not None and response.content_length > self._max_bytes:
            return None
        body = bytearray()
        while chunk := await response.content.read(
            min(READ_CHUNK_BYTES, self._max_bytes + 1 - len(body))
        ):
            body += chunk
            if len(body) > self._max_bytes:
                return None
        return bytes(body)


def _redirect_target(current: str, location: str) -> str:
    try:
        return urljoin(current, location)
    except ValueError:
        raise _InvalidUrlError(location) from None


async def _document_page(document: _Document) -> Page:
    trail = document.trail
    page = Page(
        url=trail.url,
        final_url=trail.current,
        status=trail.status,
        content_type=document.content_type,
    )
    if document.content_type == "text/plain":
        return replace(page, text=document.body)
    if document.content_type == "" and not document.body.lstrip().startswith("<"):
        return page
    # Parsing a large page takes a while in pure Python; a thread keeps the event loop
    # answering the other fetches and the broker meanwhile.
    parsed = await asyncio.to_thread(parse_html, document.body, trail.current)
    page = replace(
        page,
        title=parsed.title,
        text=parsed.text,
        links=parsed.links,
        checkboxes=parsed.checkboxes,
        fields=parsed.fields,
    )
    if looks_like_sign_in(parsed, trail.current):
        return replace(page, problem=PageProblem.LOGIN_WALL, detail="the page is a sign-in form")
    return page


def _media_type(response: aiohttp.ClientResponse) -> str:
    # Not `response.content_type`: it reports application/octet-stream when the header is
    # missing, and a missing type is what tells us to sniff the body.
    header = response.headers.get(aiohttp.hdrs.CONTENT_TYPE, "")
    return header.partition(";")[0].strip().lower()


def _decode(body: bytes, charset: str | None) -> str:
    try:
        text = body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def _refusal_behind(exc: BaseException) -> RefusedError | None:
    # aiohttp 3.14 lets the resolver's exception through untouched; should a version wrap it,
    # the refusal must still be reported as one.
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, RefusedError):
        cause = cause.__cause__
    return cause


def _network_detail(exc: aiohttp.ClientError | OSError, url: str) -> str:
    host = _host_of(url)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"DNS lookup failed for {host}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {host} is not valid"
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"the TLS handshake with {host} failed"
    if isinstance(exc, aiohttp.ClientConnectorError):
        errno = exc.os_error.errno
        reason = os.strerror(errno).lower() if errno else "connection failed"
        return f"could not connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"invalid URL {url}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return f"{host} closed the connection without answering"
    return f"the connection to {host} failed ({type(exc).__name__})"


def _host_of(url: str) -> str:
    try:
        parsed = URL(url)
    except ValueError:
        return url
    try:
        return parsed.host or url
    except ValueError:  # a punycode label that does not decode
        return parsed.raw_host or url
