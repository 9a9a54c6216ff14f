"""`devstack`: start and stop the local stack (Kafka, FerretDB, topics, services) without Docker."""

import argparse
import shlex
import sys
from collections.abc import Sequence

from a2p_devstack import stack
from a2p_devstack.errors import DevstackError
from a2p_devstack.topics import ensure_topics


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devstack",
        description="Local Kafka (KRaft) + FerretDB + topics + services, on 127.0.0.1.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("up", help="start infrastructure, create topics, start services")
    up.add_argument("--no-services", action="store_true", help="infrastructure and topics only")
    commands.add_parser("infra", help="start Kafka and FerretDB and create topics")
    commands.add_parser(
        "topics", help="create every missing topic on KAFKA_BOOTSTRAP_SERVERS (or the local Kafka)"
    )
    commands.add_parser("down", help="stop services, Kafka and FerretDB (data is kept)")
    commands.add_parser("status", help="one line per component")
    commands.add_parser("clean", help="down, then delete the run dir (data and logs)")
    commands.add_parser("env", help="print export lines for KAFKA_BOOTSTRAP_SERVERS, MONGODB_URL")
    return parser


def _print_summary(result: stack.Stack) -> None:
    lines = [
        "local stack is up",
        f"  Kafka bootstrap   {result.endpoints.kafka_bootstrap}",
        f"  MongoDB URL       {result.endpoints.mongodb_url}",
    ]
    intake = next((spec for spec in result.services if spec.name == "intake"), None)
    if intake is not None:
        lines += [
            f"  intake API        {intake.base_url}",
            f"  intake OpenAPI    {intake.base_url}/docs",
        ]
    if result.emulator is not None:
        lines += [
            f"  Twilio emulator   {result.emulator.base_url}  (TWILIO_API_URL of the services)",
            f"  emulator docs     {result.emulator.base_url}/docs  (admin API under /_emulator)",
        ]
    lines += [f"  {spec.name + ' health':<17} {spec.health_url}" for spec in result.services]
    lines += [f"  logs              {result.logs}"]
    if result.traces is not None:
        lines += [f"  traces            {result.traces}  (read with: .venv/bin/a2p trace <id>)"]
    lines += ["stop with: make stop"]
    print("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            _print_summary(stack.up(with_services=not args.no_services))
        elif args.command == "infra":
            stack.start_infra()
        elif args.command == "topics":
            bootstrap = stack.configured_endpoints().kafka_bootstrap
            for spec in ensure_topics(bootstrap):
                compacted = " compacted" if spec.compacted else ""
                print(f"{spec.name:<48} {spec.partitions:>3} partitions{compacted}")
        elif args.command == "down":
            stack.down()
        elif args.command == "status":
            for item in stack.status():
                state = "running" if item.running else "stopped"
                pid = str(item.pid) if item.pid is not None else "-"
                print(f"{item.name:<10} {state:<8} pid {pid:<8} {item.address}")
        elif args.command == "clean":
            stack.clean()
        elif args.command == "env":
            for key, value in stack.configured_endpoints().as_env().items():
                print(f"export {key}={shlex.quote(value)}")
    except DevstackError as exc:
        print(f"devstack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
