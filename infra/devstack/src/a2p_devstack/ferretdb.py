"""FerretDB v1 (SQLite backend) on loopback: a MongoDB wire-protocol server without Docker."""

import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from a2p_devstack import processes
from a2p_devstack.errors import DevstackError
from a2p_devstack.locking import cache_lock
from a2p_devstack.paths import cache_dir, log_file, pid_file, repo_root, run_dir
from a2p_devstack.settings import HOST, mongo_port

NAME = "ferretdb"
READY_TIMEOUT = 30.0
_BUILD_TAGS = "ferretdb_no_postgresql"


# go.mod is hashed too: a `replace` directive can change the build without touching go.sum.
def _hashed_files() -> list[Path]:
    return sorted([wrapper_dir() / "go.mod", wrapper_dir() / "go.sum", *wrapper_dir().glob("*.go")])


def wrapper_dir() -> Path:
    return repo_root() / "infra" / "ferretdb"


# Two fixes to FerretDB 1.24's SQLite backend, as (file, text, replacement, occurrences):
# - it looks documents up by `_id` with `->'$._id'` while the unique index is on `->"_id"`, and
#   SQLite cannot match the two: every update, delete and find by `_id` scanned the collection
#   (30 ms per update at 8,000 documents, growing with it). `->'_id'` is the same JSON path and
#   uses the index;
# - it pushed an `_id` equality down to SQLite only when it was the filter's only key, so our
#   conditional writes (`{_id: …, processed_events: {$ne: …}}`) scanned too. Every caller filters
#   the documents it gets again in full, so pushing down the `_id` part alone is exact.
_PATCHES: tuple[tuple[str, str, str, int], ...] = (
    (
        "internal/backends/sqlite/metadata/metadata.go",
        """IDColumn = DefaultColumn + "->'$._id'\"""",
        """IDColumn = DefaultColumn + "->'_id'\"""",
        1,
    ),
    (
        "internal/backends/sqlite/collection.go",
        "if params.Filter.Len() == 1 {",
        """if params.Filter.Len() > 0 && params.Filter.Has("_id") {""",
        2,
    ),
)
_MODULE = "github.com/FerretDB/FerretDB"


def binary_path() -> Path:
    digest = hashlib.sha256(repr(_PATCHES).encode())
    for path in _hashed_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return cache_dir() / f"ferretdb-{digest.hexdigest()[:12]}"


def binary_ready() -> bool:
    return os.access(binary_path(), os.X_OK)


def ensure_binary(run: Path) -> Path:
    """Build the wrapper once per content of its sources; the rename makes a build atomic."""
    binary = binary_path()
    if binary_ready():
        return binary
    with cache_lock(cache_dir()):
        if binary_ready():
            return binary
        partial = binary.with_name(f"{binary.name}.partial")
        partial.unlink(missing_ok=True)
        build_log = log_file(run, "ferretdb-build")
        build_log.parent.mkdir(parents=True, exist_ok=True)
        with build_log.open("w") as log:
            modfile = _patched_module(binary.with_name(f"{binary.name}.src"), log)
            build = ["go", "build", "-trimpath", "-tags", _BUILD_TAGS, f"-modfile={modfile}"]
            result = subprocess.run(
                [*build, "-o", str(partial), "."],
                cwd=wrapper_dir(),
                env={**os.environ, "GOFLAGS": "-mod=mod"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if result.returncode != 0 or not partial.is_file():
            raise DevstackError(
                f"building FerretDB with Go failed (see {build_log}):\n{processes.tail(build_log)}"
            )
        partial.replace(binary)
    return binary


def _patched_module(workdir: Path, log: IO[str]) -> Path:
    """FerretDB's source with `_PATCHES` applied, and a go.mod that builds the wrapper with it."""
    downloaded = subprocess.run(
        ["go", "mod", "download", "-json", _MODULE],
        cwd=wrapper_dir(),
        env={**os.environ, "GOFLAGS": "-mod=mod"},
        capture_output=True,
        text=True,
        check=False,
    )
    log.write(downloaded.stderr)
    if downloaded.returncode != 0:
        raise DevstackError(f"go mod download {_MODULE} failed:\n{downloaded.stderr[-2000:]}")
    source = Path(json.loads(downloaded.stdout)["Dir"])
    shutil.rmtree(workdir, ignore_errors=True)
    patched = workdir / "FerretDB"
    shutil.copytree(source, patched)
    for relative, text, replacement, occurrences in _PATCHES:
        target = patched / relative
        content = target.read_text()
        if content.count(text) != occurrences:
            raise DevstackError(f"FerretDB patch no longer applies to {relative}: {text!r}")
        target.chmod(0o644)
        target.write_text(content.replace(text, replacement))
    modfile = workdir / "go.mod"
    wrapper_mod = (wrapper_dir() / "go.mod").read_text()
    modfile.write_text(f"{wrapper_mod}\nreplace {_MODULE} => {patched}\n")
    shutil.copyfile(wrapper_dir() / "go.sum", workdir / "go.sum")
    return modfile


@dataclass(frozen=True, slots=True)
class FerretLayout:
    run: Path

    @property
    def sqlite_dir(self) -> Path:
        return self.run / "ferretdb"

    @property
    def pid_file(self) -> Path:
        return pid_file(self.run, NAME)

    @property
    def log_file(self) -> Path:
        return log_file(self.run, NAME)

    @property
    def signature(self) -> tuple[str, ...]:
        # Not the binary path: it changes with the wrapper's hash, and an older build that is
        # still running must still be recognised (and stopped) as ours.
        return (str(self.sqlite_dir),)


def url_for(port: int) -> str:
    return f"mongodb://{HOST}:{port}/"


def mongodb_url() -> str:
    return url_for(mongo_port())


def ping(url: str, timeout_ms: int = 1000) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=timeout_ms,
        directConnection=True,
    )
    try:
        return client.admin.command("ping").get("ok") == 1
    except PyMongoError:
        return False
    finally:
        client.close()


def wait_ready(pid: int, layout: FerretLayout, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not processes.is_alive(pid):
            failure = "FerretDB exited during startup"
            break
        if ping(url):
            return
        if time.monotonic() >= deadline:
            failure = f"FerretDB did not answer ping on {url} within {timeout:.0f} s"
            break
        time.sleep(0.2)
    raise DevstackError(
        f"{failure}; last lines of {layout.log_file}:\n{processes.tail(layout.log_file)}"
    )


@dataclass(frozen=True, slots=True)
class Launch:
    pid: int
    address: str
    reused: bool


def launch(run: Path | None = None) -> Launch:
    run = run or run_dir()
    layout = FerretLayout(run)
    port = mongo_port()
    listen = f"{HOST}:{port}"
    url = url_for(port)

    pid = processes.live_pid(layout.pid_file, layout.signature)
    if pid is not None:
        if listen not in (processes.cmdline(pid) or []):
            raise DevstackError(
                f"FerretDB (pid {pid}) from {run} listens elsewhere than {listen} "
                "(A2P_MONGO_PORT changed?); stop it first with `devstack down`"
            )
        return Launch(pid, url, reused=True)

    if processes.port_in_use(HOST, port):
        raise DevstackError(
            f"port {listen} is already in use by another process; choose another with "
            "A2P_MONGO_PORT"
        )
    binary = ensure_binary(run)
    layout.sqlite_dir.mkdir(parents=True, exist_ok=True)
    pid = processes.spawn(
        processes.ProcessSpec(
            name=NAME,
            argv=[str(binary), listen, str(layout.sqlite_dir)],
            signature=layout.signature,
            run=run,
            env={**os.environ, "DO_NOT_TRACK": "1"},
        )
    )
    return Launch(pid, url, reused=False)


def start(run: Path | None = None, timeout: float = READY_TIMEOUT) -> Launch:
    """FerretDB running and answering `ping`; reuses a healthy one from `run`."""
    run = run or run_dir()
    started = launch(run)
    try:
        wait_ready(started.pid, FerretLayout(run), started.address, timeout)
    except DevstackError:
        if not started.reused:
            stop(run)
        raise
    return started


def stop(run: Path | None = None) -> bool:
    layout = FerretLayout(run or run_dir())
    return bool(processes.stop([(layout.pid_file, layout.signature)]))


def status(run: Path | None = None) -> processes.ComponentStatus:
    layout = FerretLayout(run or run_dir())
    pid = processes.live_pid(layout.pid_file, layout.signature)
    address = mongodb_url()
    if pid is not None:
        args = processes.cmdline(pid) or []
        listen = next((arg for arg in args if arg.startswith(f"{HOST}:")), None)
        address = f"mongodb://{listen}/" if listen else address
    return processes.ComponentStatus(NAME, pid, address)
