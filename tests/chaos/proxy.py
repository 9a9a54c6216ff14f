"""A TCP proxy between the services and one dependency, which the harness cuts or slows.

Cut: every open connection is closed and new ones are closed as soon as they are accepted, as a
partitioned network looks to a client. Slow: every chunk waits `delay_s` in each direction.
With several upstreams it is the load balancer in front of a scaled service: a connection goes
to the first upstream (in turn) that accepts it.
"""

import asyncio
import contextlib
import itertools
from collections.abc import Sequence

HOST = "127.0.0.1"


class FaultProxy:
    def __init__(self, name: str, port: int, upstreams: Sequence[int]) -> None:
        self.name, self.port, self.upstreams = name, port, list(upstreams)
        self.cut_off = False
        self.delay_s = 0.0
        self._turn = itertools.count()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, HOST, self.port)

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
        for handler in list(self._handlers):
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def cut(self) -> None:
        self.cut_off = True
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def slow(self, delay_s: float) -> None:
        self.delay_s = delay_s

    def heal(self) -> None:
        self.cut_off, self.delay_s = False, 0.0

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        ends = [writer]
        try:
            if self.cut_off:
                return
            upstream = await self._connect()
            if upstream is None:
                return
            up_reader, up_writer = upstream
            ends.append(up_writer)
            self._open.update(ends)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._handlers.discard(handler)
            for end in ends:
                self._open.discard(end)
                end.transport.abort()
                end.close()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        first = next(self._turn)
        for i in range(len(self.upstreams)):
            port = self.upstreams[(first + i) % len(self.upstreams)]
            with contextlib.suppress(OSError):
                return await asyncio.open_connection(HOST, port)
        return None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await reader.read(65536):
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                if self.cut_off:
                    return
                writer.write(chunk)
                await writer.drain()
        writer.transport.abort()
