"""The codebase keeps the shape a newcomer learns once: one skeleton per service, no junk drawer,
and every setting documented in .env.example."""

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from a2p_intake.settings import IntakeSettings
from a2p_messaging.settings import MessagingSettings
from a2p_optout.settings import OptoutSettings
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.twilio import TwilioSettings
from a2p_twilio_emulator.settings import EmulatorSettings
from a2p_validator.settings import ValidatorSettings

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("intake", "validator", "registrar", "messaging", "optout")
SOURCE_TREES = [ROOT / "shared" / "src", ROOT / "infra" / "devstack" / "src"] + [
    ROOT / "services" / name / "src" for name in SERVICES
]
DRAWERS = {"utils", "util", "helpers", "helper", "misc", "common", "tools"}


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_the_same_skeleton(name: str) -> None:
    service = ROOT / "services" / name
    package = service / "src" / f"a2p_{name}"
    expected = [
        service / "README.md",
        service / "asyncapi.yaml",
        service / "pyproject.toml",
        package / "__main__.py",
        package / "app.py",
        package / "handlers.py",
        package / "settings.py",
    ]
    assert [path.relative_to(ROOT) for path in expected if not path.is_file()] == []


def test_no_module_is_a_utils_drawer() -> None:
    drawers = [
        path.relative_to(ROOT)
        for tree in SOURCE_TREES
        for path in tree.rglob("*")
        if path.stem in DRAWERS and (path.suffix == ".py" or path.is_dir())
    ]
    assert drawers == []


def _env_names(settings: type[BaseSettings]) -> list[str]:
    prefix = settings.model_config.get("env_prefix", "")
    names = []
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            alias = alias.choices[0]
        names.append(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


SETTINGS: list[type[BaseSettings]] = [
    IntakeSettings,
    ValidatorSettings,
    RegistrarSettings,
    MessagingSettings,
    OptoutSettings,
    TwilioSettings,
    EmulatorSettings,
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: s.__name__)
def test_env_example_lists_every_setting(settings: type[BaseSettings]) -> None:
    listed = set(
        re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    service_name = {"SERVICE_NAME", f"{settings.model_config.get('env_prefix', '')}SERVICE_NAME"}
    missing = [name for name in _env_names(settings) if name not in listed | service_name]
    assert missing == []


def test_no_two_services_share_a_collection() -> None:
    """Services may share one database (MONGODB_DATABASE): each owns its collections alone."""
    owners: dict[str, set[str]] = {}
    for name in SERVICES:
        for path in (ROOT / "services" / name / "src").rglob("*.py"):
            for collection in re.findall(r'db\["([a-z_]+)"\]', path.read_text()):
                owners.setdefault(collection, set()).add(name)
    shared = {collection: sorted(names) for collection, names in owners.items() if len(names) > 1}
    assert owners, "no collection found: the pattern no longer matches the adapters"
    assert shared == {}
