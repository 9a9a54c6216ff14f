"""How well and how fast the validator reads the labelled corpus (`tests/corpus`).

Runs every case three times against the locally served corpus sites, drops the first round as
warm-up, and prints per rule family the expected findings and how many were found, missed or
raised unexpectedly, then recall, precision and the wall time to lint one registration. It
prints figures and asserts nothing: correctness is `tests/test_validator_corpus.py`'s job.
`lint_times` returns the same figures as data (what `bench.run` records).

    uv run python -m bench.validator_corpus
"""

import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from a2p_shared.events.registration import RegistrationRequest
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.service import Report, lint
from bench.machine import CpuMeter
from bench.timing import median_ms, percentile_ms

from tests.corpus.loader import (
    FAMILIES,
    Case,
    corpus_server,
    family,
    load_cases,
    rewrite_urls,
    static_resolver,
)

ROUNDS = 3
WARM_UP_ROUNDS = 1


@dataclass
class Tally:
    expected: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)

    def add(self, expected: frozenset[str], raised: set[str]) -> None:
        self.expected.update(family(rule) for rule in expected)
        self.found.update(family(rule) for rule in expected & raised)
        self.missed.update(family(rule) for rule in expected - raised)
        self.unexpected.update(family(rule) for rule in raised - expected)


async def lint_case(case: Case, port: int) -> tuple[Report, float]:
    """The report and the seconds taken, fetching the case's pages included."""
    request = RegistrationRequest.model_validate(rewrite_urls(case.document, port))
    started = time.perf_counter()
    async with HttpPageFetcher(allow_private_network=True, resolver=static_resolver) as fetcher:
        report = await lint(request, fetcher)
    return report, time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class LintTimes:
    cases: int
    timed_rounds: int
    expected: int
    found: int
    unexpected: int
    timings: list[float]
    """Seconds to lint one registration, fetching its pages included, per case and round."""
    cpu_busy: float | None


async def lint_times(cases: list[Case]) -> LintTimes:
    cpu = CpuMeter()
    tally, timings = await run(cases)
    return LintTimes(
        cases=len(cases),
        timed_rounds=ROUNDS - WARM_UP_ROUNDS,
        expected=sum(tally.expected.values()),
        found=sum(tally.found.values()),
        unexpected=sum(tally.unexpected.values()),
        timings=timings,
        cpu_busy=cpu.busy(),
    )


async def run(cases: list[Case]) -> tuple[Tally, list[float]]:
    tally = Tally()
    timings: list[float] = []
    async with corpus_server() as port:
        for round_number in range(ROUNDS):
            for case in cases:
                report, seconds = await lint_case(case, port)
                if round_number >= WARM_UP_ROUNDS:
                    timings.append(seconds)
                if round_number == ROUNDS - 1:
                    tally.add(case.expected, {finding.rule for finding in report.findings})
    return tally, timings


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def row(label: str, expected: int, found: int, missed: int, unexpected: int) -> str:
    return f"{label:<8}{expected:>10}{found:>8}{missed:>8}{unexpected:>12}"


def family_table(tally: Tally) -> list[str]:
    header = f"{'family':<8}{'expected':>10}{'found':>8}{'missed':>8}{'unexpected':>12}"
    columns = (tally.expected, tally.found, tally.missed, tally.unexpected)
    rule = "-" * len(header)
    rows = [row(name, *(column[name] for column in columns)) for name in FAMILIES]
    total = row("total", *(sum(column.values()) for column in columns))
    return [header, rule, *rows, rule, total]


def summary(tally: Tally, timings: list[float], cases: int) -> list[str]:
    found = sum(tally.found.values())
    expected = sum(tally.expected.values())
    raised_right_or_wrong = found + sum(tally.unexpected.values())
    return [
        f"recall     {ratio(found, expected)}  ({found} of {expected} expected findings raised)",
        f"precision  {ratio(found, raised_right_or_wrong)}  "
        f"({found} of {raised_right_or_wrong} raised findings expected)",
        f"lint time  median {median_ms(timings):.1f} ms, "
        f"p90 {percentile_ms(timings, 0.9):.1f} ms per registration with its pages "
        f"({cases} cases x {ROUNDS - WARM_UP_ROUNDS} timed rounds, "
        f"{WARM_UP_ROUNDS} warm-up round dropped)",
    ]


def main() -> None:
    cases = load_cases()
    tally, timings = asyncio.run(run(cases))
    lines = [f"validator corpus: {len(cases)} cases", "", *family_table(tally), ""]
    lines += summary(tally, timings, len(cases))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
