"""Where numba keeps its compiled RAPTOR kernels: the per-user cache folder of qpv_radar.

Imported by :mod:`qpv_radar.routing.raptor` before numba. By default numba writes its cache
beside the source (``__pycache__`` in site-packages), which is often read-only or shared; the
kernels would then be compiled again by every run (about 10 s). Here numba's cache goes to
``<qpv_radar cache>/numba`` (``$QPV_RADAR_CACHE`` or the OS per-user cache), unless
``NUMBA_CACHE_DIR`` is already set. ``qpv-radar data fetch`` compiles the kernels ahead of time
(:mod:`qpv_radar._warmup`), so that the first radar does not pay for it.
"""

from __future__ import annotations

import os
import sys

from ..datasets import cache_dir

__all__ = ["NUMBA_DIR"]

#: The folder numba caches the kernels in.
NUMBA_DIR = os.environ.get("NUMBA_CACHE_DIR") or str(cache_dir() / "numba")
os.environ["NUMBA_CACHE_DIR"] = NUMBA_DIR
if "numba.core.config" in sys.modules:  # numba already imported by someone: tell it too
    setattr(sys.modules["numba.core.config"], "CACHE_DIR", NUMBA_DIR)  # noqa: B010
