"""The figures `bench.run` measured, as kept in `bench/results.json` for `bench.report`.

One file holds the latest measurement of every section; `--only` replaces the sections it runs
and keeps the others, each with its own date and command, so every ratio in a section comes
from one run of that section.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from bench import intake_http, messaging_throughput, registration_flow, validator_corpus
from bench.machine import Machine
from bench.stop_to_block import StopToBlock
from bench.validator_service import Run as ValidatorRun

RESULTS_JSON = Path(__file__).parent / "results.json"
FULL_GROWTH = (1, 10, 100)
QUICK_GROWTH = (1,)
QUICK_SCALE = 0.2


@dataclass(frozen=True, slots=True)
class Plan:
    """How big the workloads are: each bench's base size times `scale`, then times each factor
    of `growth` (1x, 10x, 100x of the base in a full run)."""

    scale: float
    growth: tuple[int, ...]
    quick: bool

    def size(self, base: int) -> int:
        return max(1, round(base * self.scale))

    def sizes(self, base: int) -> list[int]:
        return [self.size(base) * factor for factor in self.growth]

    def command(self, *sections: str) -> str:
        """The command that measures `sections` again at this size."""
        default_scale = QUICK_SCALE if self.quick else 1.0
        prefix = f"BENCH_SCALE={self.scale:g} " if self.scale != default_scale else ""
        flags = ["--quick"] if self.quick else []
        if sections:
            flags += ["--only", *sections]
        return " ".join([f"{prefix}uv run --frozen python -m bench.run", *flags])


@dataclass(frozen=True, slots=True)
class Measured:
    """When, at which size and with which command one section was measured."""

    started_at: datetime
    seconds: float
    plan: Plan
    command: str


@dataclass(frozen=True, slots=True)
class Results:
    machine: Machine
    measured: dict[str, Measured] = field(default_factory=dict)
    messaging: list[messaging_throughput.Run] = field(default_factory=list)
    scaling: list[messaging_throughput.Run] = field(default_factory=list)
    stop_to_block: list[StopToBlock] = field(default_factory=list)
    registration: list[registration_flow.Run] = field(default_factory=list)
    validator_lint: validator_corpus.LintTimes | None = None
    validator_service: list[ValidatorRun] = field(default_factory=list)
    intake: list[intake_http.Run] = field(default_factory=list)


_ADAPTER = TypeAdapter(Results)


def load(path: Path = RESULTS_JSON) -> Results:
    return _ADAPTER.validate_json(path.read_bytes())


def save(results: Results, path: Path = RESULTS_JSON) -> None:
    """Compact, times to the microsecond: the file holds every sample of every run."""
    data = _rounded(_ADAPTER.dump_python(results, mode="json"))
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value
