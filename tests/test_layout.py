"""The codebase keeps the shape a newcomer learns once: one skeleton per service, no junk drawer."""

from pathlib import Path

import pytest

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
