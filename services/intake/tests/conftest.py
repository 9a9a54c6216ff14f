import pytest

from a2p_shared.events import RegistrationRequest


@pytest.fixture
def registration(registration_document: dict) -> RegistrationRequest:
    return RegistrationRequest.model_validate(registration_document)
