"""Transit benchmark on TaM, Tuesday 2024-01-16 (results in BENCHMARKS.md, section "Transit").

1. One-to-all earliest arrival from 10 QPV stations at 08:30, qpv_radar vs pyraptor 1.3.10
   (run in its own venv, in a separate process: ``--pyraptor-python PATH``). pyraptor needs the
   adapter of shared/peers/raptor_bench.py (explicit calendar_dates for the day, optional
   columns added, stop names made unique per station); it is redone here in a temporary folder.
   Agreement: qpv_radar run on pyraptor's model (no walking, 120 s between stops of one
   station) must give the same arrival at every station.
2. A 60-minute window (08:30–09:29, every minute) from every QPV origin (the street nodes
   inside the 12 Montpellier QPV of ``load_qpv``, as in shared/peers) to every Montpellier
   structure (``load_actors("montpellier")``): (origin, destination, departure minute) triples
   per second on one core.

Usage::

    python -m venv /tmp/venv-pyraptor && /tmp/venv-pyraptor/bin/pip install pyraptor "numpy<2" attrs
    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/transit.py \\
        --pyraptor-python /tmp/venv-pyraptor/bin/python [--walk street|crowfly] [--json out.json]
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
import zipfile
from typing import Any

DATE = "20240116"
DEP = 8 * 3600 + 30 * 60
ORIGINS = [
    "Mosson",
    "Halles de la Paillade",
    "Saint-Paul",
    "Celleneuve",
    "Pergola",
    "Cévennes",
    "Lemasson",
    "Croix d'Argent",
    "Aiguelongue",
    "Pompignane",
]


# ---------------------------------------------------------------------------------------------
# pyraptor side (runs inside the pyraptor venv: pandas<2, numpy<2; no qpv_radar import)
# ---------------------------------------------------------------------------------------------
def _pyraptor_worker(gtfs_zip: str, repeats: int) -> dict[str, Any]:
    import pandas as pd
    from loguru import logger

    logger.remove()
    t0 = time.perf_counter()
    from pyraptor.gtfs.timetable import gtfs_to_pyraptor_timetable, read_gtfs_timetable
    from pyraptor.model.raptor import RaptorAlgorithm
    from pyraptor.query_raptor import run_raptor

    res: dict[str, Any] = {"import_s": time.perf_counter() - t0}
    work = tempfile.mkdtemp(prefix="pyraptor_tam_")
    t = time.perf_counter()
    with zipfile.ZipFile(gtfs_zip) as z:
        z.extractall(work)
    cal = pd.read_csv(f"{work}/calendar.txt", dtype={"start_date": str, "end_date": str})
    cd = pd.read_csv(f"{work}/calendar_dates.txt", dtype={"date": str})
    wd = pd.Timestamp(DATE).day_name().lower()
    active = set(cal[(cal[wd] == 1) & (cal.start_date <= DATE) & (cal.end_date >= DATE)].service_id)
    active -= set(cd[(cd.date == DATE) & (cd.exception_type == 2)].service_id)
    active |= set(cd[(cd.date == DATE) & (cd.exception_type == 1)].service_id)
    pd.DataFrame({"service_id": sorted(active), "date": DATE, "exception_type": 1}).to_csv(
        f"{work}/calendar_dates.txt", index=False
    )
    trips = pd.read_csv(f"{work}/trips.txt", dtype=str)
    trips["trip_short_name"] = ""
    trips["trip_long_name"] = ""
    trips.to_csv(f"{work}/trips.txt", index=False)
    stops = pd.read_csv(f"{work}/stops.txt", dtype=str)
    stops["platform_code"] = ""
    stops["stop_code"] = "c" + stops["stop_code"].fillna("")
    pts = stops[stops.location_type.fillna("0") == "0"]
    nparents = pts.groupby("stop_name").parent_station.nunique()
    shared = set(nparents[nparents > 1].index)
    m = stops.stop_name.isin(shared) & stops.parent_station.notna()
    stops.loc[m, "stop_name"] = (
        stops.loc[m, "stop_name"] + " [" + stops.loc[m, "parent_station"] + "]"
    )
    stops.to_csv(f"{work}/stops.txt", index=False)
    res["adapt_s"] = time.perf_counter() - t
    t = time.perf_counter()
    tt = gtfs_to_pyraptor_timetable(read_gtfs_timetable(work, DATE, ["TAM"]))
    res["prepare_s"] = time.perf_counter() - t
    res["trips"] = len(tt.trips)
    queries, runs, arrivals = [], [], {}
    for name in ORIGINS:
        for _ in range(repeats):
            t = time.perf_counter()
            j = run_raptor(tt, name, DEP, 5)
            queries.append(time.perf_counter() - t)
            t = time.perf_counter()
            RaptorAlgorithm(tt).run(tt.stations.get(name).stops, DEP, 5)
            runs.append(time.perf_counter() - t)
        # station name → parent station id (names were made unique per parent above)
        arrivals[name] = {k: int(v.arr()) for k, v in j.items()}
    res["query_s"] = queries
    res["run_only_s"] = runs
    res["arrivals"] = arrivals
    res["station_parent"] = (
        stops[stops.location_type.fillna("0") == "0"]
        .drop_duplicates("stop_name")
        .set_index("stop_name")["parent_station"]
        .to_dict()
    )
    return res


# ---------------------------------------------------------------------------------------------
# qpv_radar side
# ---------------------------------------------------------------------------------------------
def _ours_one_to_all(walk: Any, repeats: int) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from qpv_radar import fetch
    from qpv_radar.networks.gtfs import load_timetable
    from qpv_radar.networks.gtfs.read import parse_feed
    from qpv_radar.routing.transit import footpaths, stop_arrivals

    path = fetch("gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip")
    res: dict[str, Any] = {}
    t = time.perf_counter()
    parse_feed(str(path))  # uncached read, for the record
    res["read_feed_s"] = time.perf_counter() - t
    t = time.perf_counter()
    tt = load_timetable(path, "2024-01-16")
    res["load_timetable_s"] = time.perf_counter() - t
    res["timetable"] = tt.summary()
    t = time.perf_counter()
    fp = footpaths(tt, walk)
    res["footpaths_s"] = time.perf_counter() - t
    res["footpaths"] = len(fp)
    stops = tt.stops
    # pyraptor's model: stops of one station are joined by 120 s, nothing else is walkable,
    # no boarding slack
    st_groups = stops.groupby("parent_station").indices
    pairs = [(a, b) for ix in st_groups.values() for a in ix for b in ix if a != b]
    fp_pyraptor = pd.DataFrame(pairs, columns=["from_idx", "to_idx"]).assign(time_s=120)
    stop_arrivals(tt, fp, [0], [0], DEP)  # JIT warm-up (compiled code is cached on disk)
    q: list[float] = []
    q_model: list[float] = []
    arrivals: dict[str, dict[str, int]] = {}
    for name in ORIGINS:
        parents = stops.loc[stops["station_name"] == name, "parent_station"].unique()
        src = np.flatnonzero(stops["parent_station"].isin(parents[:1]).to_numpy())
        for _ in range(repeats):
            t = time.perf_counter()
            stop_arrivals(tt, fp, src, np.zeros(len(src)), DEP)
            q.append(time.perf_counter() - t)
            t = time.perf_counter()
            best = stop_arrivals(tt, fp_pyraptor, src, np.zeros(len(src)), DEP, board_slack_s=0)
            q_model.append(time.perf_counter() - t)
        per_station = pd.Series(best).groupby(stops["parent_station"].to_numpy()).min()
        arrivals[str(parents[0])] = {k: int(v) for k, v in per_station.items() if v < 2**30}
    res["query_s"] = q
    res["query_pyraptor_model_s"] = q_model
    res["arrivals_pyraptor_model"] = arrivals
    return res


def _origins_destinations() -> tuple[Any, Any]:
    """Street nodes inside the territory's QPV (as shared/peers), and every structure."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from qpv_radar import fetch
    from qpv_radar.actors import load_actors
    from qpv_radar.qpv import load_qpv

    edges = gpd.read_file(fetch("osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp"))
    coords = shapely.get_coordinates(edges.geometry.values)
    counts = shapely.get_num_coordinates(edges.geometry.values)
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    ends = np.vstack([coords[first], coords[last]])
    uniq = np.unique(np.round(ends * 1e7).astype(np.int64), axis=0) / 1e7
    qpv = load_qpv("montpellier")
    union = shapely.union_all(qpv.geometry.values)
    inside = shapely.contains_xy(union, uniq[:, 0], uniq[:, 1])
    origins = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(uniq[inside, 0], uniq[inside, 1]), crs=4326
    )
    dests = load_actors("montpellier").reset_index(drop=True)  # positions as ids
    return origins, dests


def _ours_window(walk: Any) -> dict[str, Any]:
    from datetime import datetime

    import numpy as np

    from qpv_radar import fetch
    from qpv_radar.networks.gtfs import load_timetable
    from qpv_radar.routing import transit

    tt = load_timetable(fetch("gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"), "2024-01-16")
    origins, dests = _origins_destinations()
    transit.footpaths(tt, walk)
    res: dict[str, Any] = {"origins": len(origins), "destinations": len(dests), "minutes": 60}
    # walking tables, timed apart from the search
    stops = transit._stops_gdf(tt)
    t = time.perf_counter()
    acc = transit.walk_table(walk, origins, stops, max_time_s=900)
    egr = transit.walk_table(walk, stops, dests, max_time_s=900)
    dire = transit.walk_table(walk, origins, dests, max_time_s=None)
    res["walk_tables_s"] = time.perf_counter() - t
    deps = DEP + 60 * np.arange(60)
    kw = {
        "access": acc.set_axis(["origin", "stop", "time_s"], axis=1),
        "egress": egr.set_axis(["stop", "destination", "time_s"], axis=1),
        "direct": dire.set_axis(["origin", "destination", "time_s"], axis=1),
        "footpath_table": transit.footpaths(tt, walk),
        "n_origins": len(origins),
        "n_destinations": len(dests),
        "departures_s": deps,
    }
    small = {**kw, "access": kw["access"][kw["access"].origin < 2], "n_origins": 2}
    small["direct"] = kw["direct"][kw["direct"].origin < 2]
    transit.travel_time_matrix(tt, **small)  # JIT warm-up
    times = []
    for _ in range(3):
        t = time.perf_counter()
        mat = transit.travel_time_matrix(tt, **kw)
        times.append(time.perf_counter() - t)
    res["search_s_runs"] = times
    res["search_s"] = statistics.median(times)
    triples = len(origins) * len(dests) * 60
    res["triples"] = triples
    res["triples_per_s_per_core"] = triples / res["search_s"]
    t = time.perf_counter()
    df = transit.transit_travel_times(
        tt,
        walk,
        origins,
        dests,
        departure=datetime(2024, 1, 16, 8, 30),
        window_minutes=60,
        progress=False,
    )
    res["transit_travel_times_total_s"] = time.perf_counter() - t
    res["median_travel_time_min"] = float(df["travel_time"].median() / 60)
    res["reachable_share"] = float(np.isfinite(mat).mean())
    # the same 60 departures searched independently (no label reuse), on 100 origins
    few = {**kw, "access": kw["access"][kw["access"].origin < 100], "n_origins": 100}
    few["direct"] = kw["direct"][kw["direct"].origin < 100]
    t = time.perf_counter()
    for d in deps:
        transit.travel_time_matrix(tt, **{**few, "departures_s": [d]})
    no_reuse = time.perf_counter() - t
    t = time.perf_counter()
    transit.travel_time_matrix(tt, **few)
    reuse = time.perf_counter() - t
    res["window_reuse_speedup_100_origins"] = no_reuse / reuse
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pyraptor-python", help="python of a venv with pyraptor installed")
    ap.add_argument("--pyraptor-worker", metavar="GTFS_ZIP", help=argparse.SUPPRESS)
    ap.add_argument("--walk", choices=("crowfly", "street"), default="crowfly")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", help="write all figures to this file")
    ap.add_argument("--window-only", action="store_true", help="only part 2")
    args = ap.parse_args()
    if args.pyraptor_worker:
        print("RESULT " + json.dumps(_pyraptor_worker(args.pyraptor_worker, args.repeats)))
        return

    from qpv_radar import fetch
    from qpv_radar.routing.transit import CrowFlyWalk

    if args.walk == "street":
        from qpv_radar.networks.streets import load_street_network

        walk: Any = load_street_network("montpellier", "walk")
    else:
        walk = CrowFlyWalk()
    out: dict[str, Any] = {"walk": args.walk, "cpu_count": os.cpu_count()}
    if args.window_only:
        _report_window(out, walk, args.json)
        return
    ours = _ours_one_to_all(walk, args.repeats)
    med = statistics.median(ours["query_s"])
    med_model = statistics.median(ours["query_pyraptor_model_s"])
    print(
        f"qpv_radar: read feed {ours['read_feed_s']:.2f} s, "
        f"timetable {ours['load_timetable_s']:.2f} s, "
        f"footpaths {ours['footpaths_s']:.2f} s ({ours['footpaths']})"
    )
    print(
        f"qpv_radar one-to-all: {med * 1e3:.2f} ms median "
        f"(pyraptor's model: {med_model * 1e3:.2f} ms)"
    )
    out["ours_one_to_all"] = {k: v for k, v in ours.items() if k != "arrivals_pyraptor_model"}
    if args.pyraptor_python:
        gtfs = str(fetch("gtfs/montpellier_tam_2023-12/TAM_MMM_GTFS.zip"))
        p = subprocess.run(
            [
                args.pyraptor_python,
                __file__,
                "--pyraptor-worker",
                gtfs,
                "--repeats",
                str(args.repeats),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        pr = json.loads(next(ln for ln in p.stdout.splitlines() if ln.startswith("RESULT "))[7:])
        pmed = statistics.median(pr["query_s"])
        prun = statistics.median(pr["run_only_s"])
        # agreement on pyraptor's model, per station (parent id)
        diffs, n_common, n_only = [], 0, 0
        for name, arr in pr["arrivals"].items():
            parent = pr["station_parent"][name]
            ours_arr = ours["arrivals_pyraptor_model"].get(parent, {})
            theirs = {pr["station_parent"][k]: v for k, v in arr.items()}
            theirs.pop(parent, None)
            mine = {k: v for k, v in ours_arr.items() if k != parent}
            common = set(theirs) & set(mine)
            n_common += len(common)
            n_only += len(set(theirs) ^ set(mine))
            diffs += [mine[k] - theirs[k] for k in common]
        out["pyraptor"] = {k: v for k, v in pr.items() if k not in ("arrivals", "station_parent")}
        out["speedup_one_to_all"] = pmed / med
        out["speedup_same_model"] = pmed / med_model
        out["speedup_run_only_same_model"] = prun / med_model
        out["agreement"] = {
            "stations_compared": n_common,
            "stations_reached_by_one_only": n_only,
            "max_abs_diff_s": max((abs(d) for d in diffs), default=None),
            "n_differ": sum(1 for d in diffs if d),
        }
        print(
            f"pyraptor: prepare {pr['prepare_s']:.1f} s, one-to-all {pmed:.3f} s median "
            f"(RaptorAlgorithm.run only {prun:.3f} s)"
        )
        print(
            f"speed-up: ×{pmed / med:,.0f} (our model) "
            f"×{pmed / med_model:,.0f} (pyraptor's model); "
            f"agreement: {out['agreement']}"
        )
    _report_window(out, walk, args.json)


def _report_window(out: dict[str, Any], walk: Any, json_path: str | None) -> None:
    win = _ours_window(walk)
    out["window"] = win
    print(
        f"window: {win['origins']} origins × {win['destinations']} destinations × 60 min = "
        f"{win['triples']:,} triples in {win['search_s']:.2f} s → "
        f"{win['triples_per_s_per_core']:,.0f} triples/s/core (walking tables "
        f"{win['walk_tables_s']:.2f} s; whole transit_travel_times "
        f"{win['transit_travel_times_total_s']:.2f} s); label reuse ×"
        f"{win['window_reuse_speedup_100_origins']:.1f}"
    )
    if json_path:
        with open(json_path, "w") as f:
            json.dump(out, f, indent=1, default=str)


if __name__ == "__main__":
    sys.exit(main())
