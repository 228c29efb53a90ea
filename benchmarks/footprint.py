"""Benchmark: how light and quick qpv_radar is for the person at the desk (issue 14).

Prints every figure beside its goal and whether it is met:

- ``main_peak_rss_mb``: peak resident memory of the README's main command (a fresh process,
  ``/usr/bin/time -f %M``), warm caches;
- ``first_run_s``: the same command on a fresh machine: empty data cache AND empty numba
  cache (``QPV_RADAR_CACHE`` and ``NUMBA_CACHE_DIR`` both point into a new empty folder),
  files copied from the mirror;
- ``first_run_after_fetch_s``: the same, after ``qpv-radar data fetch`` (which may compile
  the kernels ahead of time) on that empty cache: what a user who followed the README pays;
- ``warm_command_s``: the main command again, caches warm (median of ``--repeat``);
- ``help_s``: ``qpv-radar --help`` and ``qpv-radar radar --help`` (the slower; median);
- ``radar_warm_s``: ``compute_radar`` in a process holding the networks, structures and
  perimeters (walk + transit, every itinerary; a new resident each run; median);
- ``nearest_ratio``: ``routing.nearest(..., by="roles", k=1)`` from the 1,869 street nodes in
  Montpellier's QPVs to the structures, over a raw SciPy multi-source Dijkstra per role on the
  same graph (destinations on their nearest node, ``min_only=True``; snapping untimed);
- ``matrix_ratio``: ``routing.travel_times`` from all 23,352 street nodes to the structures,
  over one raw SciPy Dijkstra from the structures' nodes on the reversed graph.

Run (from the repository root; it starts fresh processes, run it on a quiet machine)::

    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/footprint.py [--only a,b] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MAIN = [
    "radar", "--lonlat", "3.8200,43.6321", "--when", "2024-01-16T09:00", "--until", "12:00",
    "--modes", "walk,transit", "--needs", "creation,emploi",
    "--html", "radar.html", "--pdf", "radar.pdf", "--card", "card.pdf",
]  # fmt: skip
GOALS: dict[str, tuple[float, str]] = {
    "main_peak_rss_mb": (250.0, "MB"),
    "first_run_s": (8.0, "s"),
    "first_run_after_fetch_s": (8.0, "s"),
    "warm_command_s": (2.5, "s"),
    "help_s": (0.5, "s"),
    "radar_warm_s": (0.3, "s"),
    "nearest_ratio": (2.0, "×"),
    "matrix_ratio": (1.5, "×"),
}


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process (``/usr/bin/time``)."""
    fmt = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    t0 = time.perf_counter()
    proc = subprocess.run(fmt + cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{cmd} failed:\n{proc.stderr[-2000:]}")
    rss = float(proc.stderr.strip().splitlines()[-1]) / 1024 if fmt else float("nan")
    return wall, rss


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "qpv_radar", *args]


def main_command(repeat: int) -> dict[str, float]:
    """Peak RSS and wall time of the main command, warm caches (one untimed run first)."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as out:
        _timed(_cli(*MAIN), env, Path(out))  # warms the caches
        runs = [_timed(_cli(*MAIN), env, Path(out)) for _ in range(repeat)]
    return {
        "warm_command_s": statistics.median(w for w, _ in runs),
        "main_peak_rss_mb": statistics.median(r for _, r in runs),
    }


def first_run() -> dict[str, float]:
    """The main command on empty data and numba caches; then after ``data fetch``."""
    res = {}
    for key, fetch_first in (("first_run_s", False), ("first_run_after_fetch_s", True)):
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
            env = {**os.environ, "QPV_RADAR_CACHE": cache,
                   "NUMBA_CACHE_DIR": str(Path(cache) / "numba")}  # fmt: skip
            if fetch_first:
                fetch_s, _ = _timed(_cli("data", "fetch"), env, Path(out))
                res["data_fetch_s"] = fetch_s
            res[key], res[key.replace("_s", "_rss_mb")] = _timed(_cli(*MAIN), env, Path(out))
    return res


def help_time(repeat: int) -> dict[str, float]:
    """``--help`` of the program and of the radar command (the slower of the two medians)."""
    env = dict(os.environ)
    cwd = Path.cwd()
    top = statistics.median(_timed(_cli("--help"), env, cwd)[0] for _ in range(repeat))
    radar = statistics.median(_timed(_cli("radar", "--help"), env, cwd)[0] for _ in range(repeat))
    return {"help_s": max(top, radar), "help_top_s": top, "help_radar_s": radar}


def radar_warm(repeat: int) -> dict[str, float]:
    """``compute_radar`` with warm networks, walk + transit, a new resident each run."""
    from dataclasses import replace
    from datetime import datetime, timedelta

    from qpv_radar import Networks
    from qpv_radar.actors import load_actors
    from qpv_radar.qpv import load_qpv
    from qpv_radar.radar import Person, compute_radar

    p = Person(3.8200, 43.6321, datetime(2024, 1, 16, 9, 0), "12:00",
               modes=("walk", "transit"), needs=("creation", "emploi"))  # fmt: skip
    state = {
        "networks": Networks("montpellier"),
        "actors": load_actors("montpellier", progress=False),
        "qpv": load_qpv("montpellier"),
    }
    compute_radar("montpellier", p, **state)  # type: ignore[arg-type]  # first: loads, compiles
    runs = []
    for i in range(repeat):
        other = replace(p, lon=p.lon + 0.0006 * (i + 1), lat=p.lat - 0.0004 * (i + 1),
                        when=p.when + timedelta(minutes=7 * (i + 1)), until=None)  # fmt: skip
        t0 = time.perf_counter()
        compute_radar("montpellier", other, **state)  # type: ignore[arg-type]
        runs.append(time.perf_counter() - t0)
    return {"radar_warm_s": statistics.median(runs)}


def _best(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def routing(repeat: int) -> dict[str, float]:
    """``nearest`` per role and the all-node walking matrix, each over raw SciPy."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    from qpv_radar import fetch
    from qpv_radar.actors import load_actors
    from qpv_radar.networks import load_street_network
    from qpv_radar.routing import nearest, travel_times

    net = load_street_network("montpellier", "walk")
    qp = gpd.read_file(fetch("qpv/occitanie_hackaviz2021/qp.geojson"))
    union = shapely.union_all(qp[qp["nom_commune"] == "Montpellier"].geometry.values)
    inside = np.flatnonzero(shapely.contains_xy(union, net.node_lon, net.node_lat))
    actors = load_actors("montpellier", progress=False).to_crs(4326)
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, net.crs, always_xy=True)
    ax, ay = tr.transform(actors.geometry.x.to_numpy(), actors.geometry.y.to_numpy())
    dnode = cKDTree(np.c_[net.node_x, net.node_y]).query(np.c_[ax, ay])[1]
    graph = net.graph_reversed
    roles = actors["roles"].explode()

    def pts(idx: np.ndarray) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            geometry=shapely.points(net.node_lon[idx], net.node_lat[idx]), crs=4326
        )

    origins, everywhere = pts(inside), pts(np.arange(net.n_nodes))

    def raw_nearest() -> None:
        for role in roles.unique():
            nodes = dnode[np.flatnonzero(actors.index.isin(roles.index[roles == role]))]
            d = dijkstra(graph, directed=True, indices=np.unique(nodes), min_only=True)
            d[inside]

    def raw_matrix() -> None:
        dijkstra(graph, directed=True, indices=dnode)[:, :].T.copy()

    ours_n = _best(lambda: nearest(net, origins, actors, by="roles", k=1), repeat)
    raw_n = _best(raw_nearest, repeat)
    ours_m = _best(lambda: travel_times(net, everywhere, actors), max(1, repeat // 2))
    raw_m = _best(raw_matrix, max(1, repeat // 2))
    return {
        "nearest_s": ours_n, "nearest_scipy_s": raw_n, "nearest_ratio": ours_n / raw_n,
        "matrix_s": ours_m, "matrix_scipy_s": raw_m, "matrix_ratio": ours_m / raw_m,
        "matrix_nodes": float(net.n_nodes), "nearest_origins": float(len(inside)),
    }  # fmt: skip


PARTS: dict[str, Callable[[int], dict[str, float]]] = {
    "help": help_time,
    "main": main_command,
    "first": lambda _r: first_run(),
    "radar": radar_warm,
    "routing": routing,
}


def main() -> None:
    """Run the parts asked for and print each figure with its goal."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--only", default=",".join(PARTS), help=f"parts: {', '.join(PARTS)}")
    ap.add_argument("--repeat", type=int, default=5, help="repeats per figure (default 5)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    res: dict[str, float] = {}
    for part in args.only.split(","):
        res.update(PARTS[part](args.repeat))
    print(f"{'figure':28} {'measured':>10} {'goal':>10}  met")
    for key, value in res.items():
        goal = GOALS.get(key)
        if goal is None:
            print(f"{key:28} {value:10.3f}")
        else:
            met = "yes" if value <= goal[0] else "NO"
            print(f"{key:28} {value:10.3f} {'≤ ' + f'{goal[0]:g} {goal[1]}':>10}  {met}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
