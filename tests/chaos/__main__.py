"""`python -m tests.chaos [--quick] [--requests N] [--only TEXT ...]` (`make chaos`): every
fault in turn under the mixed workload; prints the table and exits 1 if any guarantee broke."""

import argparse
import asyncio
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.chaos.faults import every_fault, short_faults
from tests.chaos.run import Chaos, Report


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the short version make test runs")
    parser.add_argument("--requests", type=int, default=40, help="sends per fault (default 40)")
    parser.add_argument("--only", nargs="*", default=[], help="faults whose name contains this")
    parser.add_argument("--write", type=Path, help="also write the table as Markdown here")
    args = parser.parse_args()
    # The harness's own clients lose the broker on purpose; their reconnect errors are noise.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    faults = short_faults() if args.quick else every_fault()
    if args.only:
        faults = [f for f in faults if any(text in f.name for text in args.only)]
    report = asyncio.run(Chaos(faults, args.requests, progress=True).run())
    print(report.table())
    if args.write is not None:
        args.write.write_text(markdown(report, " ".join(sys.argv[1:])))
    return 0 if report.clean else 1


def markdown(report: Report, arguments: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "# The last chaos run\n\n"
        f"`python -m tests.chaos {arguments}` (`make chaos`) on {when}, "
        f'{os.cpu_count()} CPUs; what the columns count: the README\'s "Faults" section.\n\n'
        f"```text\n{report.table()}\n```\n"
    )


if __name__ == "__main__":
    sys.exit(main())
