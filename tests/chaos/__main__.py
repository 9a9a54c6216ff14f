"""`python -m tests.chaos [--quick] [--requests N] [--only TEXT ...]` (`make chaos`): every
fault in turn under the mixed workload; prints the table and exits 1 if any guarantee broke."""

import argparse
import asyncio
import logging
import sys

from tests.chaos.faults import every_fault, short_faults
from tests.chaos.run import Chaos


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the short version make test runs")
    parser.add_argument("--requests", type=int, default=40, help="sends per fault (default 40)")
    parser.add_argument("--only", nargs="*", default=[], help="faults whose name contains this")
    args = parser.parse_args()
    # The harness's own clients lose the broker on purpose; their reconnect errors are noise.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    faults = short_faults() if args.quick else every_fault()
    if args.only:
        faults = [f for f in faults if any(text in f.name for text in args.only)]
    report = asyncio.run(Chaos(faults, args.requests, progress=True).run())
    print(report.table())
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
