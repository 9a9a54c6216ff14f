"""`a2p lint FILE.json [--json] [--allow-private-network]`: the validator as a command.

Exit status: 0 pass, 1 fail (a blocking finding), 2 the input itself is malformed.
"""

import argparse
import asyncio
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from a2p_shared.dead_letter import field_errors
from a2p_shared.events.registration import RegistrationRequest
from a2p_validator import service
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.settings import ValidatorSettings

PASS, FAIL, MALFORMED = 0, 1, 2


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    lint = commands.add_parser(
        "lint",
        help="check a registration document against every compliance rule before you submit it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    lint.add_argument("file", type=Path, help="the registration JSON (the intake API's body)")
    lint.add_argument("--json", action="store_true", help="print the verdict as JSON")
    lint.add_argument(
        "--allow-private-network",
        action="store_true",
        help="let the fetcher reach loopback and private addresses (local sites, tests)",
    )
    lint.set_defaults(run=run)


def _load(path: Path) -> RegistrationRequest | str:
    try:
        raw = json.loads(path.read_text())
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    except json.JSONDecodeError as exc:
        return f"{path} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    try:
        return RegistrationRequest.model_validate(raw)
    except ValidationError as exc:
        return "\n".join(f"{error.field}: {error.reason}" for error in field_errors(exc))


def run(args: argparse.Namespace) -> int:
    loaded = _load(args.file)
    if isinstance(loaded, str):
        print(f"a2p lint: {args.file} is not a valid registration:", file=sys.stderr)
        print(textwrap.indent(loaded, "  "), file=sys.stderr)
        return MALFORMED
    report = asyncio.run(_lint(loaded, args.allow_private_network))
    print(_as_json(report) if args.json else _as_text(report))
    return PASS if report.verdict == "pass" else FAIL


async def _lint(request: RegistrationRequest, allow_private_network: bool) -> service.Report:
    settings = ValidatorSettings()
    async with HttpPageFetcher.from_settings(
        settings, allow_private_network=allow_private_network
    ) as fetcher:
        return await service.lint(request, fetcher, settings.fee_table())


def _as_json(report: service.Report) -> str:
    document: dict[str, Any] = {
        "verdict": report.verdict,
        "findings": [
            finding.model_dump(
                mode="json", include={"rule", "severity", "field", "message", "fix", "twilio_code"}
            )
            for finding in report.findings
        ],
    }
    return json.dumps(document, indent=2)


def _as_text(report: service.Report) -> str:
    lines = []
    for finding in report.findings:
        code = f" (Twilio {finding.twilio_code})" if finding.twilio_code else ""
        lines.append(f"{finding.severity.value.upper():5} {finding.rule:8} {finding.field}{code}")
        lines.append(
            textwrap.fill(finding.message, 96, initial_indent="      ", subsequent_indent="      ")
        )
        lines.append(
            textwrap.fill(
                "fix: " + finding.fix, 96, initial_indent="      ", subsequent_indent="           "
            )
        )
    blocks = sum(1 for f in report.findings if f.severity.value == "block")
    warns = len(report.findings) - blocks
    lines.append(f"verdict: {report.verdict} ({blocks} blocking, {warns} warnings)")
    if report.fees:
        fees = ", ".join(
            f"{fee.item} ${fee.amount_usd:.2f}{'/month' if fee.recurring == 'monthly' else ''}"
            for fee in report.fees
        )
        lines.append(f"fees on submission: {fees}")
    return "\n".join(lines)
