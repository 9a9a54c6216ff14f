"""Fixtures for the devstack tests: a stand-in service (free ports come from the root conftest)."""

import os
import sys
from collections.abc import Callable

import pytest

from a2p_devstack.harness import free_ports
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


def _fake_spec(name: str, code: str = FAKE_SERVICE) -> ServiceSpec:
    (port,) = free_ports(1)
    marker = f"fake-{name}-{os.getpid()}-{port}"
    return ServiceSpec(
        name=name,
        port=port,
        argv=(sys.executable, "-c", code, str(port), marker),
        signature=(marker,),
    )


@pytest.fixture(scope="session")
def fake_service() -> Callable[..., ServiceSpec]:
    """`fake_service(name, code=...)`: a `python -c` HTTP server on a free port."""
    return _fake_spec
