"""`a2p`: one command for every service's tools.

Each service contributes its sub-commands through the `a2p.cli` entry-point group (a function
taking argparse's sub-parsers), so this module knows none of them.
"""

import argparse
import sys
from importlib.metadata import entry_points


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="a2p", description="A2P 10DLC platform tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for entry in sorted(entry_points(group="a2p.cli"), key=lambda e: e.name):
        entry.load()(commands)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
