"""The page fetcher against a real HTTP server on 127.0.0.1: statuses, redirects, limits,
content types, the sign-in wall and the server-side request forgery guard.

The test server is private by nature, so most tests allow private networks and name it
`www.springfield.test` through a static resolver; the guard tests run with the guard on and
allow-list only 127.0.0.1 where a first hop must reach the server.
"""

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from a2p_shared.events import RegistrationRequest, Severity
from a2p_validator.adapters.fetcher import (
    AddressGuard,
    HostResolver,
    HttpPageFetcher,
    RefusedAddressError,
    non_public_reason,
)
from a2p_validator.domain.pages import Page, PageProblem
from a2p_validator.service import lint

HOST = "www.springfield.test"
CONCURRENT_FETCHES = 5

PAGE = """<!doctype html><html><head><title>Springfield Text Alerts</title></head><body>
<header><a href="/">Springfield Utilities</a></header>
<nav><a href="/privacy">Privacy</a></nav>
<main><h1>Text alerts</h1><p>Get outage alerts by text. Msg &amp; data rates may apply.</p>
<form><label for="phone">Mobile number</label><input type="tel" id="phone" name="phone" required>
<input type="checkbox" id="sms" name="sms"><label for="sms">I agree to receive texts.</label>
</form></main><footer><a href="terms#sms">Terms</a> Call (217) 555-0100</footer></body></html>
"""

SIGN_IN_PAGE = """<html><head><title>Springfield portal</title></head><body>
<form><input type="email" name="user"><input type="password" name="pw">
<button>Continue</button></form></body></html>"""

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def static_resolver(table: dict[str, list[str]]) -> HostResolver:
    async def resolve(host: str) -> list[str]:
        try:
            return table[host]
        except KeyError:
            raise OSError(f"{host} is not in the test's DNS") from None

    return resolve


class Springfield:
    """A tenant's website with every way a page can go wrong."""

    def __init__(self) -> None:
        self.port = 0
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.stop = asyncio.Event()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.all_in = asyncio.Event()

    def url(self, path: str, host: str = HOST) -> str:
        return f"http://{host}:{self.port}{path}"

    def redirecting_to(self, target: str) -> str:
        return self.url(f"/redirect?{urlencode({'to': target})}")

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.add_routes(
            [
                web.get("/page", self.page),
                web.get("/old", self.redirect_relative),
                web.get("/moved", self.redirect_absolute),
                web.get("/redirect", self.redirect_to),
                web.get("/chain/{left}", self.chain),
                web.get("/status/{code}", self.status),
                web.get("/sign-in-form", self.sign_in_form),
                web.get("/huge", self.huge),
                web.get("/huge-stream", self.huge_stream),
                web.get("/sized/{size}", self.sized),
                web.get("/slow", self.slow),
                web.get("/drip", self.drip),
                web.get("/binary-stream", self.binary_stream),
                web.get("/pdf", self.pdf),
                web.get("/image", self.image),
                web.get("/plain", self.plain),
                web.get("/latin1", self.latin1),
                web.get("/concurrent", self.concurrent),
            ]
        )
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.paths.append(request.path)
        self.headers.append(dict(request.headers))
        return await handler(request)

    async def page(self, _: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def redirect_relative(self, _: web.Request) -> web.Response:
        raise web.HTTPFound("page")

    async def redirect_absolute(self, _: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(self.url("/page"))

    async def redirect_to(self, request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": request.query["to"]})

    async def chain(self, request: web.Request) -> web.Response:
        left = int(request.match_info["left"])
        raise web.HTTPFound(f"/chain/{left - 1}" if left else "/page")

    async def status(self, request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="no")

    async def sign_in_form(self, _: web.Request) -> web.Response:
        return web.Response(text=SIGN_IN_PAGE, content_type="text/html")

    async def huge(self, _: web.Request) -> web.Response:
        return web.Response(body=b"<p>" + b"a" * 3_000_000, content_type="text/html")

    async def huge_stream(self, request: web.Request) -> web.StreamResponse:
        # No Content-Length, and the body never ends: only a reader that stops at the cap
        # returns before the fetch times out.
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        with suppress(ConnectionError):
            for _ in range(24):
                await response.write(b"a" * 65_536)
        await self.stop.wait()
        return response

    async def sized(self, request: web.Request) -> web.Response:
        return web.Response(text="a" * int(request.match_info["size"]), content_type="text/plain")

    async def slow(self, _: web.Request) -> web.Response:
        await self.stop.wait()
        return web.Response(text=PAGE, content_type="text/html")

    async def drip(self, request: web.Request) -> web.StreamResponse:
        # Headers at once, then a byte now and then: only a limit on the whole fetch, not on
        # each read, stops it.
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        with suppress(ConnectionError):
            while not self.stop.is_set():
                await response.write(b"<")
                await asyncio.sleep(0.05)
        return response

    async def binary_stream(self, request: web.Request) -> web.StreamResponse:
        # An endless download: the fetcher must not read what it will not parse.
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        with suppress(ConnectionError):
            while not self.stop.is_set():
                await response.write(b"\x00" * 65_536)
        return response

    async def pdf(self, _: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7 Reply STOP to cancel", content_type="application/pdf")

    async def image(self, _: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def plain(self, _: web.Request) -> web.Response:
        return web.Response(text="Reply STOP to cancel.\nReply HELP for help.")

    async def latin1(self, _: web.Request) -> web.Response:
        body = "<p>Caf\u00e9 Springfield</p>".encode("latin-1")
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=iso-8859-1"})

    async def concurrent(self, _: web.Request) -> web.Response:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        if self.in_flight == CONCURRENT_FETCHES:
            self.all_in.set()
        # Fetches made one after another never get here together: each waits out the
        # timeout alone and the peak stays at one.
        with suppress(TimeoutError):
            async with asyncio.timeout(2):
                await self.all_in.wait()
        self.in_flight -= 1
        return web.Response(text=PAGE, content_type="text/html")


@pytest.fixture
async def site() -> AsyncIterator[Springfield]:
    springfield = Springfield()
    runner = web.AppRunner(springfield.app())
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    springfield.port = runner.addresses[0][1]
    yield springfield
    springfield.stop.set()
    await runner.cleanup()


@pytest.fixture
async def untyped() -> AsyncIterator[Callable[[bytes], str]]:
    """A raw server answering with no Content-Type, which aiohttp's server always adds.
    Call it with a body to get the URL that serves it."""
    bodies: dict[str, bytes] = {}

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = (await reader.readuntil(b"\r\n\r\n")).split(b" ")
        body = bodies[request_line[1].decode()]
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]

    def serve(body: bytes) -> str:
        path = f"/{len(bodies)}"
        bodies[path] = body
        return f"http://{HOST}:{port}{path}"

    async with server:
        yield serve


@pytest.fixture
def fetcher_for() -> Callable[..., HttpPageFetcher]:
    """A fetcher that reaches the test server as www.springfield.test."""

    def make(**options: Any) -> HttpPageFetcher:
        options.setdefault("allow_private_network", True)
        options.setdefault("resolver", static_resolver({HOST: ["127.0.0.1"]}))
        return HttpPageFetcher(**options)

    return make


async def fetch(fetcher: HttpPageFetcher, url: str) -> Page:
    async with fetcher:
        return await fetcher.fetch(url)


class TestPages:
    async def test_an_html_page_is_read_into_text_links_and_form(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/page"))
        assert page.ok, page.detail
        assert (page.status, page.content_type) == (200, "text/html")
        assert page.final_url == page.url == site.url("/page")
        assert page.title == "Springfield Text Alerts"
        assert "Get outage alerts by text. Msg & data rates may apply." in page.text.split("\n")
        assert "Privacy" not in page.text
        assert [(link.href, link.region) for link in page.links] == [
            (site.url("/"), "header"),
            (site.url("/privacy"), "nav"),
            (site.url("/terms"), "footer"),
        ]
        assert [(box.name, box.label) for box in page.checkboxes] == [
            ("sms", "I agree to receive texts.")
        ]
        assert [(f.kind, f.label, f.required) for f in page.fields] == [
            ("tel", "Mobile number", True)
        ]

    async def test_it_says_who_it_is_and_what_it_accepts(self, site, fetcher_for) -> None:
        await fetch(fetcher_for(user_agent="probe/1.0"), site.url("/page"))
        assert site.headers[0]["User-Agent"] == "probe/1.0"
        assert site.headers[0]["Accept"] == "text/html,application/xhtml+xml,*/*;q=0.8"

    async def test_the_response_charset_decodes_the_body(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/latin1"))
        assert page.text == "Caf\u00e9 Springfield"

    async def test_plain_text_is_the_text(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/plain"))
        assert page.ok
        assert page.content_type == "text/plain"
        assert page.text == "Reply STOP to cancel.\nReply HELP for help."

    async def test_an_image_is_a_page_without_text(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/image"))
        assert page.ok
        assert page.is_image
        assert (page.content_type, page.text) == ("image/png", "")

    async def test_a_pdf_is_a_page_without_text(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/pdf"))
        assert page.ok
        assert (page.content_type, page.text, page.links) == ("application/pdf", "", ())

    async def test_a_body_that_is_not_html_or_text_is_not_downloaded(
        self, site, fetcher_for
    ) -> None:
        page = await fetch(fetcher_for(timeout_s=5), site.url("/binary-stream"))
        assert page.ok, page.detail
        assert (page.content_type, page.text) == ("application/octet-stream", "")

    async def test_an_untyped_body_that_looks_like_html_is_read_as_html(
        self, untyped, fetcher_for
    ) -> None:
        page = await fetch(fetcher_for(), untyped(b"\n <p>Reply STOP to cancel.</p>"))
        assert page.ok
        assert (page.content_type, page.text) == ("", "Reply STOP to cancel.")

    async def test_an_untyped_body_that_is_not_html_has_no_text(self, untyped, fetcher_for) -> None:
        page = await fetch(fetcher_for(), untyped(b"%PDF-1.7 Reply STOP"))
        assert page.ok
        assert page.text == ""

    async def test_pages_are_fetched_concurrently(self, site, fetcher_for) -> None:
        async with fetcher_for(timeout_s=5) as fetcher:
            pages = await asyncio.gather(
                *(fetcher.fetch(site.url(f"/concurrent?n={n}")) for n in range(5))
            )
        assert all(page.ok for page in pages)
        assert site.peak_in_flight == CONCURRENT_FETCHES


class TestStatuses:
    @pytest.mark.parametrize(
        ("code", "problem", "detail"),
        [
            (401, PageProblem.LOGIN_WALL, "HTTP 401"),
            (403, PageProblem.LOGIN_WALL, "HTTP 403"),
            (404, PageProblem.NOT_FOUND, "HTTP 404"),
            (410, PageProblem.NOT_FOUND, "HTTP 410"),
            (500, PageProblem.HTTP_ERROR, "HTTP 500"),
            (429, PageProblem.HTTP_ERROR, "HTTP 429"),
        ],
    )
    async def test_non_success_statuses(self, site, fetcher_for, code, problem, detail) -> None:
        page = await fetch(fetcher_for(), site.url(f"/status/{code}"))
        assert (page.problem, page.status) == (problem, code)
        assert page.detail.startswith(detail)

    async def test_a_sign_in_form_is_a_login_wall(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/sign-in-form"))
        assert page.problem is PageProblem.LOGIN_WALL
        assert page.detail == "the page is a sign-in form"
        assert page.status == 200


class TestRedirects:
    async def test_a_relative_redirect_is_followed(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/old"))
        assert page.ok
        assert (page.url, page.final_url) == (site.url("/old"), site.url("/page"))
        assert page.title == "Springfield Text Alerts"

    async def test_an_absolute_redirect_is_followed(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/moved"))
        assert page.ok
        assert page.final_url == site.url("/page")

    async def test_as_many_redirects_as_allowed_are_followed(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(max_redirects=3), site.url("/chain/2"))
        assert page.ok
        assert site.paths == ["/chain/2", "/chain/1", "/chain/0", "/page"]

    async def test_one_more_redirect_is_too_many(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(max_redirects=3), site.url("/chain/3"))
        assert page.problem is PageProblem.TOO_MANY_REDIRECTS
        assert site.paths == ["/chain/3", "/chain/2", "/chain/1", "/chain/0"]

    async def test_a_redirect_to_a_sign_in_page_is_a_login_wall(self, site, fetcher_for) -> None:
        target = site.url("/users/sign_in?return=/sms")
        page = await fetch(fetcher_for(), site.redirecting_to(target))
        assert page.problem is PageProblem.LOGIN_WALL
        assert page.detail == f"redirected to a sign-in page at {target}"
        assert page.final_url == target
        assert site.paths == ["/redirect"]

    async def test_a_redirect_to_an_identity_provider_is_a_login_wall(
        self, site, fetcher_for
    ) -> None:
        target = "https://login.microsoftonline.com/common/oauth2/authorize"
        page = await fetch(fetcher_for(), site.redirecting_to(target))
        assert page.problem is PageProblem.LOGIN_WALL
        assert target in page.detail


class TestLimits:
    async def test_a_body_over_the_cap_is_too_large(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(max_bytes=1_000_000), site.url("/huge"))
        assert page.problem is PageProblem.TOO_LARGE
        assert page.text == ""

    async def test_an_endless_body_stops_at_the_cap(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(max_bytes=1_000_000, timeout_s=5), site.url("/huge-stream"))
        assert page.problem is PageProblem.TOO_LARGE

    async def test_the_cap_itself_is_allowed(self, site, fetcher_for) -> None:
        async with fetcher_for(max_bytes=1000) as fetcher:
            at_cap = await fetcher.fetch(site.url("/sized/1000"))
            over = await fetcher.fetch(site.url("/sized/1001"))
        assert at_cap.ok
        assert len(at_cap.text) == 1000
        assert over.problem is PageProblem.TOO_LARGE

    async def test_a_page_that_trickles_in_times_out_as_a_whole(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(timeout_s=0.5), site.url("/drip"))
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == "timed out after 0.5 s"

    async def test_a_slow_page_times_out(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(timeout_s=0.5), site.url("/slow"))
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == "timed out after 0.5 s"
        assert page.status is None


class TestUnreachable:
    async def test_a_name_that_does_not_resolve(self, fetcher_for) -> None:
        page = await fetch(fetcher_for(), "http://nowhere.springfield.test/")
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == "DNS lookup failed for nowhere.springfield.test"

    async def test_a_closed_port(self, fetcher_for, free_ports) -> None:
        (port,) = free_ports(1)
        page = await fetch(fetcher_for(), f"http://{HOST}:{port}/")
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail.startswith(f"could not connect to {HOST}:{port}")

    async def test_https_to_a_server_without_tls(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.url("/page").replace("http:", "https:"))
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == f"the TLS handshake with {HOST} failed"

    async def test_a_host_name_no_resolver_can_encode(self) -> None:
        page = await fetch(HttpPageFetcher(), "http://springfield..test/")
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == "DNS lookup failed for springfield..test"

    @pytest.mark.parametrize("url", ["http://[::1", "http://", "https:///path", "http://x:99999/"])
    async def test_an_invalid_url(self, fetcher_for, url) -> None:
        page = await fetch(fetcher_for(), url)
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == f"invalid URL {url}"

    async def test_a_redirect_to_an_invalid_url(self, site, fetcher_for) -> None:
        page = await fetch(fetcher_for(), site.redirecting_to("http://[::1"))
        assert page.problem is PageProblem.UNREACHABLE
        assert page.detail == "invalid URL http://[::1"


class TestRequestForgeryGuard:
    @pytest.mark.parametrize(
        ("url", "scheme"),
        [("ftp://www.springfield.test/file", "ftp:"), ("file:///etc/passwd", "file:")],
    )
    async def test_only_http_and_https(self, url, scheme) -> None:
        page = await fetch(HttpPageFetcher(), url)
        assert page.problem is PageProblem.REFUSED
        assert scheme in page.detail

    @pytest.mark.parametrize(
        ("host", "address"),
        [("127.0.0.1", "127.0.0.1"), ("localhost", "127.0.0.1"), ("[::1]", "::1")],
    )
    async def test_the_system_resolver_refuses_this_machine(self, site, host, address) -> None:
        page = await fetch(HttpPageFetcher(), site.url("/page", host=host))
        assert page.problem is PageProblem.REFUSED
        assert address in page.detail
        assert site.paths == []

    @pytest.mark.parametrize(
        "addresses",
        [
            ["10.0.0.5"],
            ["169.254.169.254"],
            ["192.168.1.1"],
            ["172.16.0.1"],
            ["172.31.255.254"],
            ["127.8.9.10"],
            ["0.0.0.0"],
            ["::1"],
            ["fd00:ec2::254"],
            ["fe80::a9fe:a9fe"],
            ["::ffff:127.0.0.1"],
            ["100.100.100.200"],
            ["93.184.216.34", "172.16.0.9"],
            ["2606:4700::1111", "fd12:3456::1"],
        ],
    )
    async def test_a_name_resolving_to_any_internal_address(self, addresses) -> None:
        resolver = static_resolver({"evil.springfield.test": addresses})
        page = await fetch(HttpPageFetcher(resolver=resolver), "http://evil.springfield.test/")
        assert page.problem is PageProblem.REFUSED
        assert addresses[-1] in page.detail

    @pytest.mark.parametrize(
        "url",
        [
            "http://10.0.0.1/admin",
            "http://169.254.169.254/latest/meta-data/",
            "http://172.16.0.1/",
            "http://192.168.0.1/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::1]/",
            "http://[::]/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://[fe80::1%25eth0]/",
            "http://2130706433/",
            "http://127.1/",
            "http://0/",
            "http://user@127.0.0.1/",
        ],
    )
    async def test_internal_ip_literals(self, url) -> None:
        page = await fetch(HttpPageFetcher(), url)
        assert page.problem is PageProblem.REFUSED

    @pytest.mark.parametrize(
        ("target", "address"),
        [
            ("http://localhost:{port}/page", "::1"),
            ("http://[::1]:{port}/page", "::1"),
            ("http://10.0.0.1/page", "10.0.0.1"),
            ("http://172.16.0.1/page", "172.16.0.1"),
            ("http://192.168.1.1/page", "192.168.1.1"),
            ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),
            ("http://[fe80::1]/page", "fe80::1"),
            ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
            ("http://metadata.springfield.test/page", "169.254.169.254"),
            ("http://intranet.springfield.test/page", "fd12:3456::1"),
        ],
    )
    async def test_a_redirect_to_an_internal_address_is_refused_at_that_hop(
        self, site, target, address
    ) -> None:
        resolver = static_resolver(
            {
                HOST: ["127.0.0.1"],
                "localhost": ["127.0.0.1", "::1"],
                "metadata.springfield.test": ["169.254.169.254"],
                "intranet.springfield.test": ["fd12:3456::1"],
            }
        )
        fetcher = HttpPageFetcher(resolver=resolver, allowed_addresses=frozenset({"127.0.0.1"}))
        redirect = target.format(port=site.port)
        page = await fetch(fetcher, site.redirecting_to(redirect))
        assert page.problem is PageProblem.REFUSED
        assert address in page.detail
        assert page.final_url == redirect
        assert site.paths == ["/redirect"]

    async def test_the_allow_list_lets_the_first_hop_through(self, site) -> None:
        resolver = static_resolver({HOST: ["127.0.0.1"]})
        fetcher = HttpPageFetcher(resolver=resolver, allowed_addresses=frozenset({"127.0.0.1"}))
        page = await fetch(fetcher, site.url("/old"))
        assert page.ok
        assert site.paths == ["/old", "/page"]


class TestFindings:
    async def test_pages_on_internal_addresses_are_blocking_findings_and_never_fetched(
        self, site, registration_document
    ) -> None:
        """The tenant's site is a server on this machine: every page is refused, none is asked
        for, and each becomes a finding on the field that named it."""
        host = "www.springfield.example"
        registration_document["brand"]["website"] = site.url("/page", host=host)
        registration_document["policies"]["privacy_policy_url"] = site.url("/privacy", host=host)
        registration_document["policies"]["terms_url"] = site.url("/terms", host=host)
        request = RegistrationRequest.model_validate(registration_document)

        async def this_machine(name: str) -> list[str]:
            return ["127.0.0.1"]

        async with HttpPageFetcher(resolver=this_machine) as fetcher:
            report = await lint(request, fetcher)

        refused = {
            f.field
            for f in report.findings
            if f.severity is Severity.BLOCK and "127.0.0.1, not a public address" in f.message
        }
        assert refused >= {"brand.website", "policies.privacy_policy_url", "policies.terms_url"}
        assert report.verdict == "fail"
        assert site.paths == []


class TestAddressPolicy:
    @pytest.mark.parametrize(
        ("address", "reason"),
        [
            ("127.0.0.1", "loopback"),
            ("::1", "loopback"),
            ("0.0.0.0", "unspecified"),
            ("169.254.169.254", "link-local"),
            ("fe80::1", "link-local"),
            ("224.0.0.1", "multicast"),
            ("10.1.2.3", "private"),
            ("fd00::1", "private"),
            ("240.0.0.1", "private"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("::ffff:192.168.0.1", "private"),
            ("2002:0a00:0001::", "private"),
            ("64:ff9b::7f00:1", "loopback"),
        ],
    )
    def test_internal_addresses_say_why(self, address, reason) -> None:
        assert non_public_reason(ipaddress.ip_address(address)) == reason

    @pytest.mark.parametrize(
        "address",
        ["93.184.216.34", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"],
    )
    def test_public_addresses_pass(self, address) -> None:
        assert non_public_reason(ipaddress.ip_address(address)) is None
        AddressGuard().check("www.example.test", address)

    def test_private_networks_can_be_allowed(self) -> None:
        AddressGuard(allow_private_network=True).check("intranet.test", "10.0.0.1")
        with pytest.raises(RefusedAddressError, match=r"10\.0\.0\.1"):
            AddressGuard(allowed_addresses=frozenset({"127.0.0.1"})).check("x.test", "10.0.0.1")


class TestTracing:
    async def test_each_fetch_is_a_client_span_with_its_status_and_problem(
        self, site, fetcher_for
    ) -> None:
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))

        fetcher = fetcher_for(tracer_provider=provider)
        async with fetcher:
            await fetcher.fetch(site.url("/page"))
            await fetcher.fetch(site.url("/status/404"))

        found = [
            (
                s.name,
                s.attributes.get("http.response.status_code"),
                s.attributes.get("a2p.page.problem"),
            )
            for s in exporter.get_finished_spans()
        ]
        assert found == [("fetch page", 200, None), ("fetch page", 404, "not_found")]
