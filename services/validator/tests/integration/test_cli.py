"""`a2p lint`: exit codes, the JSON shape of REGISTRATION.md, and the private-network guard."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from a2p_shared.cli import main

from tests.sites import serve_pages, shelbyville

FINDING_KEYS = {"rule", "severity", "field", "message", "fix", "twilio_code"}


@pytest.fixture
async def site_port() -> AsyncIterator[int]:
    async with serve_pages(shelbyville.PAGES) as port:
        yield port


def write(tmp_path: Path, document: dict[str, Any] | str) -> str:
    path = tmp_path / "registration.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def on_loopback(port: int) -> dict[str, Any]:
    text = json.dumps(shelbyville.registration())
    return json.loads(text.replace(f"http://{shelbyville.HOST}/", f"http://127.0.0.1:{port}/"))


async def lint(*args: str) -> int:
    # main() runs its own event loop; a worker thread keeps it off the test's loop.
    return await asyncio.to_thread(main, ["lint", *args])


async def test_a_compliant_registration_passes_with_exit_0(
    tmp_path: Path, site_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, on_loopback(site_port))

    status = await lint(path, "--json", "--allow-private-network")

    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert set(out) == {"verdict", "findings"}
    assert out["verdict"] == "pass"
    assert all(set(f) == FINDING_KEYS for f in out["findings"])
    assert [f for f in out["findings"] if f["severity"] == "block"] == []


async def test_private_addresses_are_refused_without_the_flag_and_that_fails(
    tmp_path: Path, site_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, on_loopback(site_port))

    status = await lint(path, "--json")

    out = json.loads(capsys.readouterr().out)
    blocking = {f["rule"]: f for f in out["findings"] if f["severity"] == "block"}
    assert status == 1
    assert out["verdict"] == "fail"
    assert {"WEB-01", "PP-01", "TOS-01"} <= set(blocking)
    assert "127.0.0.1" in blocking["WEB-01"]["message"]
    assert blocking["WEB-01"]["twilio_code"] == 30919


async def test_the_text_output_lists_findings_fixes_verdict_and_fees(
    tmp_path: Path, site_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    document = on_loopback(site_port)
    document["campaign"]["message_samples"] = ["Your request was updated today, thanks a lot."] * 2

    status = await lint(write(tmp_path, document), "--allow-private-network")

    out = capsys.readouterr().out
    assert status == 1
    assert "BLOCK SMP-02" in out
    assert "BLOCK SMP-03" in out
    assert "fix: " in out
    assert "verdict: fail (2 blocking" in out
    assert "fees on submission: brand_registration $4.50, campaign_vetting $15.00" in out


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("{not json", "is not JSON"),
        (json.dumps({"brand": {}}), "representative"),
    ],
)
async def test_malformed_input_exits_2_and_names_the_problem(
    tmp_path: Path, content: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await lint(write(tmp_path, content))

    captured = capsys.readouterr()
    assert status == 2
    assert named in captured.err
    assert captured.out == ""


async def test_an_invalid_field_is_named_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = shelbyville.registration()
    document["brand"]["ein"] = "12-34"

    status = await lint(write(tmp_path, document))

    assert status == 2
    assert "brand.ein:" in capsys.readouterr().err
