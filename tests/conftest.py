"""Shared fixtures: no network, real data through the mirror."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()

# Real data comes from the mirror (../shared/data) unless the caller points elsewhere.
if "QPV_RADAR_MIRROR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["QPV_RADAR_MIRROR"] = str(SHARED_DATA)

_LOCAL = ("127.0.0.1", "::1", "localhost")


class NetworkBlockedError(RuntimeError):
    """Raised when a test tries to reach the network."""


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forbid every connection except to the loopback (local test servers, browsers)."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host in _LOCAL or host.startswith("127.")):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise NetworkBlockedError(f"test tried to open a network connection to {address!r}")

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in _LOCAL or (isinstance(host, str) and host.startswith("127.")):
            return real_getaddrinfo(host, *args, **kwargs)
        raise NetworkBlockedError(f"test tried to resolve {host!r}: no network in tests")

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield


@pytest.fixture
def mirror() -> Path:
    """The real data folder served as the mirror."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data not found at {SHARED_DATA}: tests need ../shared/data")
    return SHARED_DATA


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty cache folder for this test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("QPV_RADAR_CACHE", str(cache))
    return cache
