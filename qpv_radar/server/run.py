"""Running the application with uvicorn, in the foreground (``qpv-radar serve``) or in a
background thread (tests, benchmarks)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["Running", "free_port", "is_loopback", "start", "uvicorn_config"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``127.0.0.0/8``, ``::1``, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def uvicorn_config(app: Any, host: str, port: int) -> Any:
    """The uvicorn configuration: no access log (URLs and clients are not written anywhere;
    the home travels in bodies, never logged), warnings only, no proxy headers trusted."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
        lifespan="off",
    )


@dataclass
class Running:
    """A server running in a background thread."""

    server: Any
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Ask the server to finish and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(15)


def start(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Running:
    """Start ``app`` with uvicorn in a daemon thread and wait until it listens."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn_config(app, host, port))
    thread = threading.Thread(target=server.run, name="qpv-radar-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    shown = f"[{host}]" if ":" in host else host
    return Running(server, thread, f"http://{shown}:{port}")
