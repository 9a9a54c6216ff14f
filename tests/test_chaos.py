"""The short version of `make chaos`: the whole platform as separate processes on a Kafka and a
FerretDB of their own, a mixed workload, and while it runs a messaging instance killed with
SIGKILL and restarted, then the network to the broker cut. From Kafka and the Twilio emulator's
own record: every request has its outcome, no text twice, none after an acknowledged STOP, the
daily cap held (and was reached), every registration live, every unreadable record
dead-lettered."""

from pathlib import Path

import pytest

from tests.chaos.faults import short_faults
from tests.chaos.run import Chaos

pytestmark = [pytest.mark.infra, pytest.mark.timeout(900)]


async def test_a_crash_and_a_lost_broker_lose_duplicate_and_send_after_stop_nothing(
    tmp_path: Path,
) -> None:
    report = await Chaos(short_faults(), requests=12).run(tmp_path / "chaos")

    assert [row for row in report.rows if not row.clean] == [], report.table()
    assert all(row.requests == 12 for row in report.rows)
    assert report.over_cap == {}, report.table()
    assert report.capped > 0, "the busiest tenant must reach the cap for the cap to be tested"
