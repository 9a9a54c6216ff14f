"""Run a coroutine to completion from synchronous code, even when called inside a running loop.

The CLI is synchronous, but the harness is also called from async pytest fixtures, where
`asyncio.run` refuses to nest; there the coroutine runs on its own loop in a worker thread.
"""

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_blocking(make_coro: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coro())

    outcome: dict[str, Any] = {}

    def worker() -> None:
        try:
            outcome["value"] = asyncio.run(make_coro())
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=worker, name="devstack-sync-bridge", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
