"""Arrive-by matrix on TaM, Tuesday 2024-01-16, arrive by 09:00 (results in BENCHMARKS.md).

Origins: every street node inside Montpellier's QPV perimeters (``load_qpv``, as
``benchmarks/transit.py``). Destinations: 42 structures of ``load_actors("montpellier")`` (all of
them when there are 42 or fewer, else 42 drawn with a fixed seed). Walking on the streets
(access, egress and footpaths of the territory's walking network, built once and shared).

- **reverse**: the latest departure in the 60-minute window (08:00–09:00) of every pair by the
  reverse RAPTOR (:mod:`qpv_radar.routing.raptor_reverse`: one backward search per
  destination), then the journeys' arrivals by forward searches from those departures;
- **forward, per second**: the same answers from the forward engine, one departure per second
  of the window (3,601 rRAPTOR departures per origin): must be equal, pair by pair;
- **forward, per minute** (what R5 does): one departure per minute; its answers must be ours
  floored to the minute.

Time (perf_counter), peak RSS (``VmHWM``) after each phase, and the ratios are printed.

Usage::

    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/arrive_by.py [--json out.json]
        [--skip-seconds]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _memory import peak_rss_mb

ARRIVE = 9 * 3600
WINDOW = 3600


def _inputs() -> tuple[Any, Any, Any]:
    import geopandas as gpd
    import shapely

    from qpv_radar import Networks
    from qpv_radar.actors import load_actors
    from qpv_radar.qpv import load_qpv

    nets = Networks("montpellier")
    net = nets.street_network("walk")
    union = shapely.union_all(load_qpv("montpellier").geometry.values)
    inside = shapely.contains_xy(union, net.node_lon, net.node_lat)
    origins = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(net.node_lon[inside], net.node_lat[inside]), crs=4326
    )
    actors = load_actors("montpellier", progress=False).to_crs(4326)
    if len(actors) > 42:
        actors = actors.sample(42, random_state=16)
    return nets, origins, actors.reset_index(drop=True)


def _forward(tt: Any, tables: Any, fp: Any, n_o: int, n_d: int, step: int) -> np.ndarray:
    """Latest departure (NaN: none) by forward searches every ``step`` seconds, 100 origins
    at a time."""
    from qpv_radar.routing.transit import travel_time_matrix

    deps = np.arange(ARRIVE - WINDOW, ARRIVE + 1, step)
    out = np.full((n_o, n_d), np.nan)
    acc, dire = tables.access, tables.direct
    for s0 in range(0, n_o, 100):
        s1 = min(s0 + 100, n_o)
        sub = acc[(acc.origin >= s0) & (acc.origin < s1)]
        subd = dire[(dire.origin >= s0) & (dire.origin < s1)]
        times = travel_time_matrix(
            tt,
            access=sub.assign(origin=sub.origin - s0),
            egress=tables.egress,
            direct=subd.assign(origin=subd.origin - s0),
            footpath_table=fp,
            n_origins=s1 - s0,
            n_destinations=n_d,
            departures_s=deps,
            max_time_s=WINDOW + 60,
        )
        ok = deps[None, None, :] + times <= ARRIVE
        last = len(deps) - 1 - np.argmax(ok[:, :, ::-1], axis=2)
        out[s0:s1] = np.where(ok.any(axis=2), deps[last], np.nan)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip-seconds", action="store_true", help="no per-second forward scan")
    args = ap.parse_args()
    from qpv_radar.routing.transit import footpaths
    from qpv_radar.routing.transit.arrive import _arrivals, _direct, _latest_departures
    from qpv_radar.routing.transit.matrix import _tables_by_position

    t = time.perf_counter()
    nets, origins, dests = _inputs()
    tt = nets.timetable(date(2024, 1, 16))
    walk = nets.walking()
    res: dict[str, Any] = {"origins": len(origins), "destinations": len(dests)}
    res["load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    fp = footpaths(tt, walk)
    tables = _tables_by_position(tt, walk, origins.geometry, dests.geometry, 900, 900, WINDOW)
    res["walking_tables_s"] = time.perf_counter() - t
    res["rss_after_tables_mb"] = peak_rss_mb()
    n_o, n_d = len(origins), len(dests)
    # a first run loads the numba kernels (compiled once, cached on disk): not timed
    _latest_departures(tt, tables, fp, n_o, n_d, ARRIVE, 60)

    t = time.perf_counter()
    dep = _latest_departures(tt, tables, fp, n_o, n_d, ARRIVE, 60)
    direct = _direct(tables, n_o, n_d)
    dep = np.maximum(dep, ARRIVE - direct)
    ok = dep >= ARRIVE - WINDOW
    res["reverse_search_s"] = time.perf_counter() - t
    t = time.perf_counter()
    arrival = _arrivals(tt, tables, fp, direct, dep, ok, 60)
    res["reverse_arrivals_s"] = time.perf_counter() - t
    res["reverse_total_s"] = res["reverse_search_s"] + res["reverse_arrivals_s"]
    res["rss_after_reverse_mb"] = peak_rss_mb()
    ours = np.where(ok, dep, np.nan).astype(float)
    res["pairs"] = int(ours.size)
    res["answered"] = int(np.isfinite(ours).sum())
    assert (arrival[ok] <= ARRIVE).all()

    t = time.perf_counter()
    per_min = _forward(tt, tables, fp, n_o, n_d, 60)
    res["forward_minutes_s"] = time.perf_counter() - t
    floor = ARRIVE - WINDOW + 60 * np.floor((ours - (ARRIVE - WINDOW)) / 60)
    res["minutes_equal_floor"] = bool(np.array_equal(per_min, floor, equal_nan=True))
    res["ratio_forward_minutes"] = res["forward_minutes_s"] / res["reverse_total_s"]
    if not args.skip_seconds:
        t = time.perf_counter()
        per_sec = _forward(tt, tables, fp, n_o, n_d, 1)
        res["forward_seconds_s"] = time.perf_counter() - t
        res["seconds_equal"] = bool(np.array_equal(per_sec, ours, equal_nan=True))
        res["ratio_forward_seconds"] = res["forward_seconds_s"] / res["reverse_total_s"]
    res["rss_end_mb"] = peak_rss_mb()
    for k, v in res.items():
        print(f"{k:>24}: {v:.3f}" if isinstance(v, float) else f"{k:>24}: {v}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
