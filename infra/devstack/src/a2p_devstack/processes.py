"""Detached processes tracked by pid files: start, identify, stop.

A process is ours only if its pid file names a live process whose command line still carries
the expected signature arguments; a pid reused by something else is never signalled.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from a2p_devstack.errors import DevstackError
from a2p_devstack.paths import log_file, pid_file

_PROC = Path("/proc")

# Runs in a short-lived intermediate process: the real process becomes its orphan and is
# adopted by init, so it is nobody's zombie here, survives the caller (`make run` returns at
# once) and, when another pytest worker stops it, leaves no unreaped child in the one that
# started it.
_DETACH = """
import subprocess, sys
with open(sys.argv[1], "ab") as log:
    child = subprocess.Popen(
        sys.argv[2:], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
print(child.pid)
"""


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    name: str
    argv: Sequence[str]
    signature: tuple[str, ...]
    """Arguments that must all appear in the running process's command line."""
    run: Path
    env: Mapping[str, str] | None = None
    cwd: Path | None = None

    @property
    def pid_file(self) -> Path:
        return pid_file(self.run, self.name)

    @property
    def log_file(self) -> Path:
        return log_file(self.run, self.name)


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, ..."""
    try:
        raw = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat_fields(pid)
    return not (fields is not None and fields[0] in ("Z", "X"))


def cmdline(pid: int) -> list[str] | None:
    if _PROC.is_dir():
        try:
            raw = (_PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        return [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    result = subprocess.run(
        ["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False
    )
    return result.stdout.split() if result.returncode == 0 else None


def matches(pid: int, signature: Sequence[str]) -> bool:
    args = cmdline(pid)
    return args is not None and all(token in args for token in signature)


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def live_pid(path: Path, signature: Sequence[str]) -> int | None:
    """The pid in `path` if it is still our process; a stale pid file is removed."""
    pid = read_pid(path)
    if pid is not None and is_alive(pid) and matches(pid, signature):
        return pid
    path.unlink(missing_ok=True)
    return None


def spawn(spec: ProcessSpec) -> int:
    """Start `spec` detached in its own session, output appended to its log; returns its pid."""
    spec.log_file.parent.mkdir(parents=True, exist_ok=True)
    spec.pid_file.parent.mkdir(parents=True, exist_ok=True)
    with spec.log_file.open("ab") as log:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        log.write(f"--- devstack: starting {spec.name} at {stamp} ---\n".encode())
    launcher = subprocess.run(
        [sys.executable, "-c", _DETACH, str(spec.log_file), *spec.argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd=spec.cwd,
        env=dict(spec.env) if spec.env is not None else None,
        check=False,
    )
    if launcher.returncode != 0:
        reason = launcher.stderr.decode(errors="replace").strip().splitlines()
        raise DevstackError(
            f"could not start {spec.name} ({spec.argv[0]}): {reason[-1] if reason else '?'}"
        )
    pid = int(launcher.stdout.split()[0])
    tmp = spec.pid_file.with_suffix(".pid.tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(spec.pid_file)
    return pid


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group `pgid`."""
    if not _PROC.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and fields[0] not in ("Z", "X") and fields[2] == str(pgid):
            members.append(int(entry.name))
    return members


def _signal(pid: int, sig: signal.Signals, whole_group: bool) -> None:
    try:
        if whole_group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _leads_group(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False


def stop(targets: Sequence[tuple[Path, Sequence[str]]], timeout: float = 20.0) -> list[int]:
    """SIGTERM each live target's process group, SIGKILL what is left after `timeout`.

    Targets are (pid file, signature); all are signalled first and waited for together so a
    full `down` costs the slowest shutdown, not the sum. Returns the pids that were stopped.
    """
    groups: dict[int, bool] = {}
    for path, signature in targets:
        pid = live_pid(path, signature)
        if pid is not None:
            groups[pid] = _leads_group(pid)
            _signal(pid, signal.SIGTERM, groups[pid])

    def remaining() -> list[int]:
        left = []
        for pid, whole_group in groups.items():
            if is_alive(pid) or (whole_group and _group_members(pid)):
                left.append(pid)
        return left

    if not wait_until(lambda: not remaining(), timeout):
        for pid in remaining():
            _signal(pid, signal.SIGKILL, groups[pid])
        wait_until(lambda: not remaining(), 5.0)
    for path, _ in targets:
        pid = read_pid(path)
        if pid is not None and pid in groups and not is_alive(pid):
            path.unlink(missing_ok=True)
    return list(groups)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    name: str
    pid: int | None
    address: str

    @property
    def running(self) -> bool:
        return self.pid is not None


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])
