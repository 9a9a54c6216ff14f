"""The labelled validator corpus: whole registrations, their expected findings, their web pages.

`cases/<NN-slug>/registration.json` is a registration as a tenant would submit it, with plain
`http://host.example/path` URLs; `expected.json` holds the exact set of rule ids RULES.md says it
must raise. Compliant registrations have `-ok-` after their number. `sites/<host>/` holds the
pages those URLs point to, served by `corpus_server()` by Host header: `/` is `index.html`, `/x`
is `x.html`, a path naming a file with an extension (an image) is that file, and anything else
is a 404. A site's `_routes.json` overrides single paths (`{"/terms": {"status": 403}}`,
`{"/privacy": {"status": 302, "location": "/login?next=/privacy"}}`, `{"/x": {"file": "y.html"}}`,
`{"/privacy": {"edits": [["passage", "replacement"]]}}` for the extended site's page with one
passage changed) and may name a site it `extends`, whose pages it serves where it has none of
its own.
"""

import json
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from aiohttp import web

CORPUS = Path(__file__).resolve().parent
CASES = CORPUS / "cases"
SITES = CORPUS / "sites"
ROUTES_FILE = "_routes.json"
FAMILIES = ("BR", "WEB", "PP", "TOS", "CTA", "DESC", "SMP", "KW", "CNT")

# An absolute URL on a `.example` host that names no port yet.
_CORPUS_URL = re.compile(r"(https?://[A-Za-z0-9.-]+\.example)(?![A-Za-z0-9.:-])")
_WHOLE_URL = re.compile(r"https?://\S+")
_HOST = re.compile(r"[a-z0-9][a-z0-9.-]*\.example")
_REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 410: "Gone"}


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    description: str
    document: dict[str, Any]
    """The registration with `{port}`-less URLs; `rewrite_urls` before linting."""
    expected: frozenset[str]

    @property
    def compliant(self) -> bool:
        """Labelled to pass: nothing it must raise blocks."""
        return "-ok-" in self.id


def family(rule: str) -> str:
    """`PP-03` -> `PP`."""
    return rule.split("-", 1)[0]


def load_cases() -> list[Case]:
    return [_load_case(folder) for folder in sorted(CASES.iterdir()) if folder.is_dir()]


def _load_case(folder: Path) -> Case:
    expected = json.loads((folder / "expected.json").read_text())
    return Case(
        id=folder.name,
        description=expected["description"],
        document=json.loads((folder / "registration.json").read_text()),
        expected=frozenset(expected["findings"]),
    )


def rewrite_urls(document: Any, port: int) -> Any:
    """A copy of `document` where every value that is a `.example` URL names `port`.

    Only whole-URL values change (the website, policy and opt-in URLs); a URL quoted in prose,
    such as the opt-in page in `message_flow`, stays as the tenant wrote it, which is what a
    reviewer compares: the same host and path.
    """
    if isinstance(document, dict):
        return {key: rewrite_urls(value, port) for key, value in document.items()}
    if isinstance(document, list):
        return [rewrite_urls(item, port) for item in document]
    if isinstance(document, str) and _WHOLE_URL.fullmatch(document):
        return _with_port(document, port)
    return document


def _with_port(text: str, port: int) -> str:
    return _CORPUS_URL.sub(rf"\1:{port}", text)


async def static_resolver(host: str) -> list[str]:
    """Every `*.example` host is this machine; nothing else resolves."""
    if host.lower().rstrip(".").endswith(".example"):
        return ["127.0.0.1"]
    raise socket.gaierror(socket.EAI_NONAME, f"{host} does not resolve in the corpus")


@asynccontextmanager
async def corpus_server() -> AsyncIterator[int]:
    """Serve `sites/` on 127.0.0.1 on a free port; yields the port."""
    # Pages name the port they are served on, which is known only once the socket is bound.
    bound: list[int] = []

    async def serve(request: web.Request) -> web.StreamResponse:
        host = (request.host or "").split(":", 1)[0].lower()
        return _respond(host, request.path, bound[0])

    app = web.Application()
    app.router.add_route("GET", "/{path:.*}", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    bound.append(runner.addresses[0][1])
    try:
        yield bound[0]
    finally:
        await runner.cleanup()


def _respond(host: str, path: str, port: int) -> web.StreamResponse:
    parts = PurePosixPath(path).parts[1:]
    if not _is_site(host) or any(part in ("..", ".") or part.startswith("_") for part in parts):
        return _status_page(404)
    for site in _lineage(host):
        route = _routes(site).get(path.rstrip("/") or "/")
        if route is not None:
            return _routed(site, path, route, port)
        file = _file_for(site, path)
        if file is not None:
            return _file_response(file, port)
    return _status_page(404)


def _routed(site: str, path: str, route: dict[str, Any], port: int) -> web.StreamResponse:
    status = int(route.get("status", 200))
    if "edits" in route:
        return _edited(site, path, route["edits"], port)
    if "location" in route:
        location = _with_port(route["location"], port)
        return web.Response(status=status, headers={"Location": location})
    if "file" in route:
        for candidate in _lineage(site):
            file = SITES / candidate / route["file"]
            if file.is_file():
                response = _file_response(file, port)
                response.set_status(status)
                return response
    return _status_page(status)


def _edited(site: str, path: str, edits: list[list[str]], port: int) -> web.Response:
    """The page the site extends, with each `[old, new]` passage replaced: the defect, in view."""
    base = next((file for parent in _lineage(site)[1:] if (file := _file_for(parent, path))), None)
    if base is None:
        raise LookupError(f"{site}{path} edits a page no site it extends has")
    html = base.read_text(encoding="utf-8")
    for old, new in edits:
        if html.count(old) != 1:
            raise LookupError(f"{site}{path}: the passage to edit is not once in {base}: {old!r}")
        html = html.replace(old, new)
    return web.Response(text=_with_port(html, port), content_type="text/html", charset="utf-8")


def _file_for(site: str, path: str) -> Path | None:
    relative = path.strip("/")
    root = SITES / site
    candidates = [root / "index.html"] if not relative else [root / f"{relative}.html"]
    if PurePosixPath(relative).suffix:
        candidates.insert(0, root / relative)
    return next((c for c in candidates if c.is_file()), None)


def _file_response(file: Path, port: int) -> web.Response:
    if file.suffix == ".html":
        html = _with_port(file.read_text(encoding="utf-8"), port)
        return web.Response(text=html, content_type="text/html", charset="utf-8")
    content_type = {".png": "image/png", ".jpg": "image/jpeg", ".pdf": "application/pdf"}
    return web.Response(
        body=file.read_bytes(),
        content_type=content_type.get(file.suffix, "application/octet-stream"),
    )


def _status_page(status: int) -> web.Response:
    reason = _REASONS.get(status, "Error")
    html = f"<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body>"
    html += f"<h1>{status} {reason}</h1></body></html>"
    return web.Response(status=status, text=html, content_type="text/html")


def _is_site(host: str) -> bool:
    return bool(_HOST.fullmatch(host)) and ".." not in host and (SITES / host).is_dir()


@cache
def _routes(site: str) -> dict[str, Any]:
    file = SITES / site / ROUTES_FILE
    return json.loads(file.read_text()) if file.is_file() else {}


def _lineage(site: str) -> list[str]:
    """The site, then the sites it extends, nearest first."""
    chain = [site]
    while (parent := _routes(chain[-1]).get("extends")) and parent not in chain:
        chain.append(parent)
    return chain
