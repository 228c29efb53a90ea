"""Light and quick: the help imports nothing heavy; numba's kernels are cached in the per-user
cache folder, compiled by the warm-up of ``qpv-radar data fetch``. (Timings are measured by
benchmarks/footprint.py, never by tests.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(code: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | env
    proc = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return proc.stdout.strip()


def test_help_imports_no_numpy_geopandas_numba() -> None:
    code = (
        "import sys\nfrom qpv_radar.cli.main import build_parser\nbuild_parser()\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'geopandas', 'numba', 'scipy') "
        "if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_warm_up_compiles_the_kernels_into_the_user_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code = (
        "from qpv_radar._warmup import warm_up\nfrom qpv_radar.routing import _numba_cache\n"
        "print(warm_up() is not None, _numba_cache.NUMBA_DIR)"
    )
    ok, where = _run(code, QPV_RADAR_CACHE=str(cache)).split()
    assert ok == "True" and Path(where) == cache / "numba"
    kernels = {p.name.split("-")[0] for p in (cache / "numba").rglob("*.nbi")}
    assert {"raptor._window_kernel", "raptor._single_kernel"} <= kernels
    # a user who set NUMBA_CACHE_DIR keeps it
    mine = tmp_path / "mine"
    code = "from qpv_radar.routing import _numba_cache\nprint(_numba_cache.NUMBA_DIR)"
    assert _run(code, QPV_RADAR_CACHE=str(cache), NUMBA_CACHE_DIR=str(mine)) == str(mine)
