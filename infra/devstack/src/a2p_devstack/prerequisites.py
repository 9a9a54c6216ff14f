import shutil
from collections.abc import Iterable

from a2p_devstack.errors import DevstackError

_HINTS = {
    "java": "a JDK 17+",
    "mvn": "Maven 3.8+",
    "go": "Go 1.24+",
}


def require_tools(names: Iterable[str]) -> None:
    """Fail with one line naming every missing executable, instead of a traceback later."""
    missing = [name for name in dict.fromkeys(names) if shutil.which(name) is None]
    if missing:
        wanted = ", ".join(f"{name} ({_HINTS.get(name, name)})" for name in missing)
        raise DevstackError(f"missing required tool(s) on PATH: {wanted}")
