"""Tenant websites the tests serve on 127.0.0.1, and the pieces to serve them."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.typedefs import Handler


@asynccontextmanager
async def serve_pages(pages: Mapping[str, str]) -> AsyncIterator[int]:
    """`pages` (path -> HTML) on 127.0.0.1; yields the port."""
    app = web.Application()
    for path, html in pages.items():
        app.router.add_get(path, _serving(html))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


def _serving(html: str) -> Handler:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    return handler


async def to_loopback(_: str) -> list[str]:
    """A resolver that sends every host name to this machine."""
    return ["127.0.0.1"]
