"""Every benchmark in one run, side by side, then BENCHMARKS.md and its plots (`make bench`).

    uv run --frozen python -m bench.run [--quick] [--only NAME ...]

Each section runs its bench modules at the base sizes below times 1, 10 and 100 (`BENCH_SCALE`
multiplies the base sizes; `--quick` is a smoke run: a fifth of the base sizes, 1x only).
Figures are printed as they come, saved to `bench/results.json` and rendered by `bench.report`;
nothing is asserted. Kafka and MongoDB come from KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL, or the
local ones are started as for `make test` (and stopped afterwards if this started them).
"""

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import ValidationError

from a2p_devstack import harness
from bench import (
    intake_http,
    messaging_throughput,
    registration_flow,
    report,
    stop_to_block,
    validator_corpus,
    validator_service,
)
from bench.machine import describe
from bench.registration_flow import Scenario
from bench.results import (
    FULL_GROWTH,
    QUICK_GROWTH,
    QUICK_SCALE,
    RESULTS_JSON,
    Measured,
    Plan,
    Results,
    load,
    save,
)

from tests.corpus.loader import load_cases

# Base sizes (1x). A full run (1x, 10x, 100x of each) took 15 minutes on 2 busy CPUs.
MESSAGING_REQUESTS = 50
SCALING_REQUESTS = 20
STOP_TRIALS = 4
REGISTRATIONS_ONE_AT_A_TIME = 10
REGISTRATIONS_PACED = 3
REGISTRATIONS_PACED_BATCH = 10
REGISTRATIONS_BATCH = 1
VALIDATOR_REGISTRATIONS = 5
INTAKE_REQUESTS = 30
INTAKE_CONCURRENCY = 16

log = logging.getLogger("bench")

Section = Callable[[Plan, str, str], Awaitable[dict[str, Any]]]


async def _messaging(plan: Plan, bootstrap: str, mongodb_url: str) -> dict[str, Any]:
    sizes = plan.sizes(MESSAGING_REQUESTS)
    runs = await messaging_throughput.run(bootstrap, mongodb_url, against_baseline=sizes)
    return {"messaging": runs}


async def _scaling(plan: Plan, bootstrap: str, mongodb_url: str) -> dict[str, Any]:
    sizes = plan.sizes(SCALING_REQUESTS)
    return {"scaling": await messaging_throughput.run(bootstrap, mongodb_url, scaling=sizes)}


async def _stop_to_block(plan: Plan, bootstrap: str, mongodb_url: str) -> dict[str, Any]:
    return {
        "stop_to_block": [
            await stop_to_block.measure(bootstrap, mongodb_url, trials)
            for trials in plan.sizes(STOP_TRIALS)
        ]
    }


async def _registration(plan: Plan, bootstrap: str, mongodb_url: str) -> dict[str, Any]:
    planned = [
        Scenario(plan.size(REGISTRATIONS_ONE_AT_A_TIME), 0.0, concurrent=False),
        Scenario(plan.size(REGISTRATIONS_PACED), 1.0, concurrent=False),
        *(Scenario(n, 0.0, concurrent=True) for n in plan.sizes(REGISTRATIONS_BATCH)),
        Scenario(plan.size(REGISTRATIONS_PACED_BATCH), 1.0, concurrent=True),
    ]
    return {"registration": await registration_flow.run(bootstrap, mongodb_url, planned)}


async def _validator(plan: Plan, bootstrap: str, mongodb_url: str) -> dict[str, Any]:
    lint = await validator_corpus.lint_times(load_cases())
    sizes = plan.sizes(VALIDATOR_REGISTRATIONS)
    service = await validator_service.run(bootstrap, mongodb_url, sizes)
    return {"validator_lint": lint, "validator_service": service}


async def _intake(plan: Plan, bootstrap: str, mongodb_url: str) -> dict[str, Any]:
    sizes = plan.sizes(INTAKE_REQUESTS)
    return {"intake": await intake_http.run(bootstrap, mongodb_url, sizes, INTAKE_CONCURRENCY)}


SECTIONS: dict[str, Section] = {
    "messaging": _messaging,
    "scaling": _scaling,
    "stop_to_block": _stop_to_block,
    "registration": _registration,
    "validator": _validator,
    "intake": _intake,
}


async def measure(
    plan: Plan, names: Sequence[str], bootstrap: str, mongodb_url: str, previous: Results | None
) -> Results:
    machine = await describe(bootstrap, mongodb_url)
    results = previous or Results(machine)
    for number, name in enumerate(names, start=1):
        log.info("== %s (%d of %d)", name, number, len(names))
        started_at, started = datetime.now(UTC), time.perf_counter()
        fields = await SECTIONS[name](plan, bootstrap, mongodb_url)
        seconds = time.perf_counter() - started
        log.info("== %s took %.0f s", name, seconds)
        measured = Measured(started_at, seconds, plan, plan.command(name))
        results = dataclasses.replace(
            results, machine=machine, measured={**results.measured, name: measured}, **fields
        )
    return results


def _previous(only: bool) -> Results | None:
    """The sections an `--only` run does not measure are kept from the last results."""
    if not only or not RESULTS_JSON.exists():
        return None
    try:
        return load()
    except ValidationError:
        log.warning("%s does not match the current format; starting afresh", RESULTS_JSON)
        return None


def _plan(quick: bool) -> Plan:
    scale = float(os.environ.get("BENCH_SCALE") or (QUICK_SCALE if quick else 1.0))
    return Plan(scale=scale, growth=QUICK_GROWTH if quick else FULL_GROWTH, quick=quick)


def _logging(figures: TextIO) -> None:
    progress = logging.StreamHandler(figures)
    progress.setFormatter(logging.Formatter("%(asctime)s  %(message)s", "%H:%M:%S"))
    bench = logging.getLogger("bench")
    bench.addHandler(progress)
    bench.setLevel(logging.INFO)
    bench.propagate = False
    logging.basicConfig(level=logging.WARNING)
    # Right after a bench creates its topics, aiokafka warns about leaders not elected yet and
    # rebalances in progress, and retries: hundreds of lines around the figures, none a fault.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: small workloads, 1x only (a few minutes)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(SECTIONS),
        metavar="NAME",
        help=f"measure only these sections ({', '.join(SECTIONS)}); the others are kept "
        "from bench/results.json",
    )
    args = parser.parse_args()
    plan = _plan(args.quick)
    names = [name for name in SECTIONS if name in (args.only or SECTIONS)]
    # FastStream's access log writes every record to stdout, where the figures go.
    figures, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
    _logging(figures)
    log.info("measuring %s; workloads %s of the base sizes x %g", ", ".join(names),
             ", ".join(f"{factor}x" for factor in plan.growth), plan.scale)  # fmt: skip
    started = time.perf_counter()
    with harness.kafka_bootstrap() as bootstrap, harness.mongodb_url() as mongodb_url:
        results = asyncio.run(
            measure(plan, names, bootstrap, mongodb_url, _previous(bool(args.only)))
        )
    save(results)
    summary = report.render(results)
    wall = time.perf_counter() - started
    figures.write(
        "\n".join(
            [
                "",
                *summary,
                "",
                f"wrote {RESULTS_JSON.relative_to(report.ROOT)}, {report.REPORT.name} and "
                f"{report.PLOTS.relative_to(report.ROOT)}/",
                f"bench run took {wall:.0f} s ({wall / 60:.1f} min)",
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
