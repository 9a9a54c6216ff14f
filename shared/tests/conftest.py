"""Fixtures shared by the unit tests of `a2p_shared` (no network, no Kafka, no MongoDB)."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).parent / "data" / "registration.json"
"""The example request of REGISTRATION.md, copied verbatim."""

_EXAMPLE_DOCUMENT: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def registration_document() -> dict[str, Any]:
    """A fresh, mutable copy of the REGISTRATION.md example for each test."""
    return copy.deepcopy(_EXAMPLE_DOCUMENT)
