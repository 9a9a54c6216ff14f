import json
from importlib.resources import files
from typing import Any

EXAMPLE_REGISTRATION = files("a2p_shared.testing") / "data" / "registration.json"


def example_registration() -> dict[str, Any]:
    """A fresh copy of REGISTRATION.md's example document, valid as it stands."""
    return json.loads(EXAMPLE_REGISTRATION.read_text())
