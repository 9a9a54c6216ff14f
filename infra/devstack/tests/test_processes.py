"""The process manager, driven by a tiny fake service (no Kafka, no real services needed)."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from a2p_devstack import processes, stack
from a2p_devstack.errors import DevstackError
from a2p_devstack.prerequisites import require_tools
from a2p_devstack.services import (
    ServiceSpec,
    healthy,
    service_status,
    start_services,
    stop_services,
)


def test_fake_service_starts_reports_healthy_and_stops(
    tmp_path: Path, fake_service: Callable[..., ServiceSpec]
) -> None:
    spec = fake_service("fake")
    child_pid_file = tmp_path / "grandchild.pid"

    pids = start_services(
        [spec],
        {"FAKE_CHILD_PID_FILE": str(child_pid_file)},
        run=tmp_path,
        timeout=20,
    )

    pid = pids["fake"]
    assert healthy(spec.health_url)
    assert service_status(spec, tmp_path).pid == pid
    assert (tmp_path / "fake.pid").read_text().strip() == str(pid)
    assert (tmp_path / "logs" / "fake.log").is_file()
    grandchild = int(child_pid_file.read_text())
    assert processes.is_alive(grandchild)

    # Starting again is idempotent: the running one is kept.
    assert start_services([spec], {}, run=tmp_path, timeout=20) == {"fake": pid}

    assert stop_services([spec], tmp_path) == [pid]
    assert not processes.is_alive(pid)
    assert processes.wait_until(lambda: not processes.is_alive(grandchild), 5)
    assert not (tmp_path / "fake.pid").exists()
    assert service_status(spec, tmp_path).pid is None
    assert stop_services([spec], tmp_path) == []


def test_stale_pid_files_are_cleaned_without_killing_anything(
    tmp_path: Path, fake_service: Callable[..., ServiceSpec]
) -> None:
    spec = fake_service("stale")
    pid_file = tmp_path / "stale.pid"
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # A pid reused by an unrelated process: its command line lacks our signature.
        pid_file.write_text(f"{bystander.pid}\n")
        assert service_status(spec, tmp_path).pid is None
        assert not pid_file.exists()

        pid_file.write_text(f"{bystander.pid}\n")
        assert stop_services([spec], tmp_path) == []
        assert bystander.poll() is None
        assert not pid_file.exists()

        # A pid whose process is gone.
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        pid_file.write_text(f"{gone.pid}\n")
        assert processes.live_pid(pid_file, spec.signature) is None
        assert not pid_file.exists()

        pid_file.write_text("garbage\n")
        assert processes.live_pid(pid_file, spec.signature) is None
        assert not pid_file.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_a_service_that_dies_reports_its_log(
    tmp_path: Path, fake_service: Callable[..., ServiceSpec]
) -> None:
    spec = fake_service("crashy", code="import sys; print('boom: bad config'); sys.exit(3)")

    with pytest.raises(DevstackError, match="crashy exited during startup") as caught:
        start_services([spec], {}, run=tmp_path, timeout=20)

    assert "boom: bad config" in str(caught.value)
    assert not (tmp_path / "crashy.pid").exists()


def test_a_process_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    marker = f"stubborn-{os.getpid()}-{time.monotonic_ns()}"
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN)"
        "; print('up', flush=True); time.sleep(300)"
    )
    spec = processes.ProcessSpec(
        name="stubborn",
        argv=[sys.executable, "-c", code, marker],
        signature=(marker,),
        run=tmp_path,
    )
    pid = processes.spawn(spec)
    assert processes.wait_until(lambda: "up" in processes.tail(spec.log_file), 10)
    assert os.getpgid(pid) == pid, "started in its own session / process group"

    started = time.monotonic()
    assert processes.stop([(spec.pid_file, spec.signature)], timeout=1.0) == [pid]

    assert not processes.is_alive(pid)
    assert time.monotonic() - started < 10
    assert not spec.pid_file.exists()


def test_missing_tools_are_named_in_one_line() -> None:
    with pytest.raises(DevstackError) as caught:
        require_tools(["sh", "no-such-tool-a2p", "also-missing-a2p"])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("missing required tool(s) on PATH: no-such-tool-a2p")
    assert "also-missing-a2p" in message
    assert "sh (" not in message


def test_clean_stops_nothing_foreign_and_wipes_the_run_dir(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "logs").mkdir(parents=True)
    (run / "logs" / "kafka.log").write_text("old\n")
    (run / "kafka.pid").write_text(f"{os.getpid()}\n")

    stack.clean(run)

    assert not run.exists()
    assert processes.is_alive(os.getpid())
