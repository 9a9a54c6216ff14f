"""Where devstack keeps downloads and builds (cache) and runtime state (run dir)."""

import os
from functools import cache
from pathlib import Path

from a2p_devstack.errors import DevstackError

_MARKER = Path("infra") / "kafka" / "pom.xml"


@cache
def repo_root() -> Path:
    """The folder holding `infra/kafka/pom.xml`, found by walking up from this package."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / _MARKER).is_file():
            return folder
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / _MARKER).is_file():
            return folder
    raise DevstackError(f"cannot find the repository root (a folder containing {_MARKER})")


def cache_dir() -> Path:
    explicit = os.environ.get("A2P_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return (base / "a2p-10dlc").resolve()


def run_dir() -> Path:
    explicit = os.environ.get("A2P_RUN_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    return repo_root() / ".run"


def logs_dir(run: Path) -> Path:
    return run / "logs"


def log_file(run: Path, name: str) -> Path:
    return logs_dir(run) / f"{name}.log"


def pid_file(run: Path, name: str) -> Path:
    return run / f"{name}.pid"
