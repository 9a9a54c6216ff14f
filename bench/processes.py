"""A service as its own process, as deployed: `python -m <module>` with the bench's settings."""

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

STARTUP_SECONDS = 120
STOP_SECONDS = 20


@asynccontextmanager
async def service_process(
    module: str, env: dict[str, str], health: str | None
) -> AsyncIterator[None]:
    """Runs until the block ends; with `health`, the block starts once that URL answers 200."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        if health is not None:
            async with httpx.AsyncClient() as http:
                deadline = time.monotonic() + STARTUP_SECONDS
                while True:
                    try:
                        if (await http.get(health)).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if child.returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{module} did not start")
                    await asyncio.sleep(0.2)
        yield
    finally:
        if child.returncode is None:
            await _stop(child)


async def _stop(child: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after STOP_SECONDS or when this bench is torn down: uvicorn only
    notes a SIGTERM that comes during start-up, and a start-up can hang once its topics are
    deleted (a service left running that way outlived a failed bench)."""
    child.terminate()
    try:
        await asyncio.wait_for(child.wait(), STOP_SECONDS)
    except TimeoutError:
        child.kill()
        await child.wait()
    except asyncio.CancelledError:
        child.kill()
        raise
