"""Peak memory of the running process, shared by the benchmark scripts."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak RSS of this process (MB): ``VmHWM`` from ``/proc/self/status``.

    Not ``ru_maxrss``: on Linux it survives ``execve``, so a child started by a benchmark
    driver would report the driver's own peak whenever its own is lower. ``VmHWM`` belongs to
    the address space, which ``execve`` replaces. ``ru_maxrss`` is the fallback where /proc is
    missing.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
