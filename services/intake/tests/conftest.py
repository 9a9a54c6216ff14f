import json
from pathlib import Path

import pytest

from a2p_shared.events import RegistrationRequest

EXAMPLE = Path(__file__).parent / "data" / "registration.json"


@pytest.fixture
def registration_document() -> dict:
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def registration(registration_document: dict) -> RegistrationRequest:
    return RegistrationRequest.model_validate(registration_document)
