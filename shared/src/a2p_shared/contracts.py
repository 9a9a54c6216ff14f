"""The published contract: each service's AsyncAPI document, generated from its app.

`a2p contracts` writes `services/<name>/asyncapi.yaml`; `a2p contracts --check` (and a test)
fails when a committed document differs from what the code generates, so the contract only
changes on purpose.
"""

import argparse
import difflib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path

from fastapi import FastAPI
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.trace import NoOpTracerProvider

from a2p_shared.service_app import asyncapi_yaml
from a2p_shared.telemetry import Telemetry

AppFactory = Callable[..., FastAPI]


def service_factories() -> dict[str, AppFactory]:
    """Every installed service's `create_app`, from the `a2p.services` entry-point group."""
    return {entry.name: entry.load() for entry in entry_points(group="a2p.services")}


@contextmanager
def _deployment_neutral_env() -> Iterator[None]:
    saved = os.environ.pop("A2P_TOPIC_SUFFIX", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["A2P_TOPIC_SUFFIX"] = saved


def generate(factory: AppFactory) -> str:
    with _deployment_neutral_env():
        app = factory(telemetry=Telemetry(NoOpTracerProvider(), NoOpMeterProvider()))
    return asyncapi_yaml(app)


def document_path(root: Path, service: str) -> Path:
    return root / "services" / service / "asyncapi.yaml"


def drift(root: Path) -> dict[str, str]:
    """Per service whose committed document differs from the generated one: a unified diff."""
    found = {}
    for name, factory in sorted(service_factories().items()):
        path = document_path(root, name)
        committed = path.read_text() if path.exists() else ""
        generated = generate(factory)
        if committed != generated:
            found[name] = "".join(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    f"{path} (committed)",
                    f"{path} (generated)",
                )
            )
    return found


def _repo_root() -> Path:
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "services").is_dir() and (folder / "shared").is_dir():
            return folder
    raise SystemExit("run from inside the repository (no services/ and shared/ found above)")


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("contracts", help="generate or check the AsyncAPI documents")
    parser.add_argument("--check", action="store_true", help="fail if a committed one drifted")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    root = _repo_root()
    if args.check:
        found = drift(root)
        for diff in found.values():
            print(diff)
        return 1 if found else 0
    for name, factory in sorted(service_factories().items()):
        document_path(root, name).write_text(generate(factory))
        print(f"wrote {document_path(root, name).relative_to(root)}")
    return 0
