"""Fixtures for the devstack tests: free loopback ports and a stand-in service."""

import os
import socket
import sys
from collections.abc import Callable

import pytest

from a2p_devstack.services import ServiceSpec

FAKE_SERVICE = """
import http.server, os, subprocess, sys
port, marker = int(sys.argv[1]), sys.argv[2]
child_pid_file = os.environ.get("FAKE_CHILD_PID_FILE")
if child_pid_file:
    # A grandchild in the same process group: stopping must take it down too.
    code = "import time; time.sleep(300)"
    child = subprocess.Popen([sys.executable, "-c", code, marker + "-child"])
    open(child_pid_file, "w").write(str(child.pid))

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _fake_spec(name: str, code: str = FAKE_SERVICE) -> ServiceSpec:
    (port,) = _free_ports(1)
    marker = f"fake-{name}-{os.getpid()}-{port}"
    return ServiceSpec(
        name=name,
        port=port,
        argv=(sys.executable, "-c", code, str(port), marker),
        signature=(marker,),
    )


@pytest.fixture(scope="session")
def free_ports() -> Callable[[int], list[int]]:
    """`free_ports(n)`: n currently unused TCP ports on 127.0.0.1."""
    return _free_ports


@pytest.fixture(scope="session")
def fake_service() -> Callable[..., ServiceSpec]:
    """`fake_service(name, code=...)`: a `python -c` HTTP server on a free port."""
    return _fake_spec
