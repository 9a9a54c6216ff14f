"""Advisory file locks so concurrent `devstack` runs and pytest-xdist workers do not race."""

import fcntl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_lock(run: Path) -> AbstractContextManager[None]:
    return file_lock(run / ".devstack.lock")


def cache_lock(cache: Path) -> AbstractContextManager[None]:
    return file_lock(cache / ".devstack.lock")
