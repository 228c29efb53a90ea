"""Walking travel-time matrix, real Montpellier network: qpv_radar vs osmnx+networkx vs pandana.

Origins: every street node inside Montpellier's 12 QPV perimeters (1,869 nodes). Destinations:
the 24 Maisons pour tous (``mpt.json`` ``coordinates.lat/lng``) and the 4 France services of
Montpellier. Each method runs in its own fresh process (several times, median kept) and prints
import, setup and query times and the process's peak RSS; the driver prints the ratios.

Methods
-------
qpv_radar        ``load_street_network`` (cache reload) + ``travel_times`` (edge snapping,
                 multi-source scipy Dijkstra from the 28 destinations on the reversed graph).
qpv_radar_cold   the same with an empty cache (reads the shapefile and builds the CSR arrays).
osmnx_pair       osmnx MultiDiGraph (``ox.graph_from_gdfs``), destinations snapped with
                 ``ox.distance.nearest_nodes``, one ``nx.shortest_path_length`` per pair, as osmnx
                 users write it; timed on a random sample of pairs and extrapolated linearly.
networkx_origin  one ``nx.single_source_dijkstra_path_length`` per origin on the same graph;
                 timed on a sample of origins and extrapolated.
pandana          ``pandana.Network`` (contraction hierarchy) + ``shortest_path_lengths`` over all
                 pairs; destinations snapped with ``get_node_ids``. It uses every core (OpenMP);
                 ``pandana_1thread`` runs it with ``OMP_NUM_THREADS=1`` (qpv_radar uses one).

The peers run with the Python given by ``--peer-python`` (default ``.venv-bench/bin/python``):
they are not qpv_radar dependencies. Create it once with::

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install pandana osmnx networkx scikit-learn geopandas

The graph arrays the peers start from (end points → nodes, geodesic lengths, parallel edges
collapsed to the shortest, self-loops dropped) are read in their process but *outside* their
timings (``read_s``), as in ``shared/peers``. qpv_radar's setup includes everything.

Agreement: qpv_radar is also run, untimed, with the destinations moved onto their nearest node
(the peers' snapping), and every peer's times are compared with it.

Run (from the repository root)::

    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/walk_matrix.py
    # options: --repeats 3 --pair-sample 300 --origin-sample 100 --methods qpv_radar pandana
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SPEED = 4.5 / 3.6
SEED = 20240116
HERE = Path(__file__).resolve().parent
EDGES = "osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp"


# ---- inputs (driver, untimed) -----------------------------------------------------------------
def prepare(workdir: Path) -> dict[str, object]:
    """Write origins/destinations to ``workdir/inputs.npz``."""
    import csv

    import geopandas as gpd
    import shapely
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    from qpv_radar import fetch
    from qpv_radar.networks import load_street_network

    net = load_street_network("montpellier", "walk")
    qp = gpd.read_file(fetch("qpv/occitanie_hackaviz2021/qp.geojson"))
    qp = qp[qp["nom_commune"] == "Montpellier"]
    union = shapely.union_all(qp.geometry.values)
    inside = shapely.contains_xy(union, net.node_lon, net.node_lat)
    o_lon, o_lat = net.node_lon[inside], net.node_lat[inside]
    names, d_lon, d_lat = [], [], []
    for m in json.loads(fetch("actors/montpellier_maisons_pour_tous/mpt.json").read_text("utf-8")):
        names.append("MPT " + m["name"])
        d_lon.append(float(m["coordinates"]["lng"]))
        d_lat.append(float(m["coordinates"]["lat"]))
    fs = fetch("actors/france_services/liste-fs-20240801.csv")
    with open(fs, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["lib_com"] == "Montpellier":
                names.append("FS " + r["lib_fs"])
                d_lon.append(float(r["longitude"]))
                d_lat.append(float(r["latitude"]))
    # the peers' snapping (nearest node, Lambert-93 KD-tree), for the agreement check
    tr = Transformer.from_crs(4326, 2154, always_xy=True)
    px, py = tr.transform(np.array(d_lon), np.array(d_lat))
    snap_d, near = cKDTree(np.c_[net.node_x, net.node_y]).query(np.c_[px, py])
    np.savez(
        workdir / "inputs.npz",
        o_lon=o_lon,
        o_lat=o_lat,
        d_lon=np.array(d_lon),
        d_lat=np.array(d_lat),
        dn_lon=net.node_lon[near],
        dn_lat=net.node_lat[near],
        dn=near,
        names=np.array(names),
    )
    return {
        "origins": int(inside.sum()),
        "qpv": len(qp),
        "destinations": len(names),
        "nearest_node_m_median": float(np.median(snap_d)),
        "nearest_node_m_max": float(snap_d.max()),
        "edges_path": str(fetch(EDGES)),
    }


def graph_arrays(edges_path: str) -> dict[str, np.ndarray]:
    """The peers' graph: nodes from end points, geodesic lengths, deduplicated (as prep.py)."""
    import geopandas as gpd
    import shapely
    from pyproj import Geod

    edges = gpd.read_file(edges_path)
    geoms = edges.geometry.values
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    same = idx[1:] == idx[:-1]
    _, _, seg = Geod(ellps="WGS84").inv(
        coords[:-1, 0][same], coords[:-1, 1][same], coords[1:, 0][same], coords[1:, 1][same]
    )
    elen = np.bincount(idx[1:][same], weights=seg, minlength=len(geoms))
    counts = shapely.get_num_coordinates(geoms)
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    ends = np.round(np.vstack([coords[first], coords[last]]) * 1e7).astype(np.int64)
    uniq, inv = np.unique(ends, axis=0, return_inverse=True)
    inv = inv.ravel()
    n_e, n = len(geoms), len(uniq)
    eu, ev = inv[:n_e], inv[n_e:]
    a, b = np.minimum(eu, ev), np.maximum(eu, ev)
    keep = a != b
    key = a[keep] * n + b[keep]
    order = np.lexsort((elen[keep], key))
    ks = key[order]
    sel = order[np.r_[True, ks[1:] != ks[:-1]]]
    return {
        "lon": uniq[:, 0] / 1e7,
        "lat": uniq[:, 1] / 1e7,
        "eu": eu,
        "ev": ev,
        "elen": elen,
        "du": a[keep][sel],
        "dv": b[keep][sel],
        "dlen": elen[keep][sel],
    }


# ---- methods (child processes) ------------------------------------------------------------------
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_qpv_radar(workdir: Path, cold: bool) -> dict[str, object]:
    t0 = time.perf_counter()
    if cold:
        os.environ["QPV_RADAR_CACHE"] = tempfile.mkdtemp(prefix="qpv_radar_cold_")
    import geopandas as gpd
    import shapely

    from qpv_radar.networks import load_street_network
    from qpv_radar.routing import nearest, travel_times

    res: dict[str, object] = {"import_s": time.perf_counter() - t0}
    z = np.load(workdir / "inputs.npz")
    origins = gpd.GeoDataFrame(geometry=shapely.points(z["o_lon"], z["o_lat"]), crs=4326)
    dests = gpd.GeoDataFrame(
        geometry=shapely.points(z["d_lon"], z["d_lat"]), crs=4326, index=z["names"]
    )
    t = time.perf_counter()
    net = load_street_network("montpellier", "walk")
    res["setup_s"] = time.perf_counter() - t
    t = time.perf_counter()
    table = travel_times(net, origins, dests)
    res["query_s"] = time.perf_counter() - t
    n_o, n_d = len(origins), len(dests)
    mat = table["travel_time"].to_numpy().reshape(n_o, n_d)
    t = time.perf_counter()
    near = nearest(net, origins, dests, k=1)
    res["nearest_s"] = time.perf_counter() - t
    res["peak_rss_mb"] = _rss_mb()
    # untimed: destinations on their nearest node, like the peers, for the agreement check
    dn = gpd.GeoDataFrame(geometry=shapely.points(z["dn_lon"], z["dn_lat"]), crs=4326)
    mat_nodes = travel_times(net, origins, dn)["travel_time"].to_numpy().reshape(n_o, n_d)
    np.savez(workdir / "qpv_radar.npz", mat=mat, mat_nodes=mat_nodes)
    res["nearest_min_median_min"] = float(np.median(near["travel_time"]) / 60)
    res["unreachable_pairs"] = int(np.isnan(mat).sum())
    return res


def _osmnx_graph(g: dict[str, np.ndarray]) -> object:
    import geopandas as gpd
    import osmnx as ox
    import pandas as pd
    import shapely

    n = len(g["lon"])
    nodes = gpd.GeoDataFrame(
        {"x": g["lon"], "y": g["lat"]},
        geometry=shapely.points(g["lon"], g["lat"]),
        crs="EPSG:4326",
        index=pd.Index(np.arange(n), name="osmid"),
    )
    df = pd.DataFrame(
        {
            "u": np.r_[g["eu"], g["ev"]],
            "v": np.r_[g["ev"], g["eu"]],
            "length": np.r_[g["elen"], g["elen"]],
        }
    )
    df["key"] = df.groupby(["u", "v"]).cumcount()
    df["travel_time"] = df["length"] / SPEED
    edges = gpd.GeoDataFrame(df.set_index(["u", "v", "key"]), geometry=None)
    return ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": "EPSG:4326"})


def run_networkx(workdir: Path, edges_path: str, variant: str, sample: int) -> dict[str, object]:
    t0 = time.perf_counter()
    import networkx as nx
    import osmnx as ox

    res: dict[str, object] = {"import_s": time.perf_counter() - t0}
    z = np.load(workdir / "inputs.npz")
    t = time.perf_counter()
    g = graph_arrays(edges_path)
    res["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    graph = _osmnx_graph(g)
    res["setup_s"] = time.perf_counter() - t
    node_of = {(x, y): i for i, (x, y) in enumerate(zip(g["lon"], g["lat"], strict=True))}
    origins = np.array([node_of[(x, y)] for x, y in zip(z["o_lon"], z["o_lat"], strict=True)])
    n_o, n_d = len(origins), len(z["d_lon"])
    rng = np.random.default_rng(SEED)
    t = time.perf_counter()
    dests = np.asarray(ox.distance.nearest_nodes(graph, z["d_lon"], z["d_lat"]))
    snap_s = time.perf_counter() - t
    if variant == "pair":
        flat = rng.choice(n_o * n_d, size=min(sample, n_o * n_d), replace=False)
        oi, di = flat // n_d, flat % n_d
        t = time.perf_counter()
        vals = [
            nx.shortest_path_length(graph, int(origins[i]), int(dests[j]), weight="travel_time")
            for i, j in zip(oi, di, strict=True)
        ]
        q = time.perf_counter() - t
        res["per_pair_ms"] = 1000 * q / len(oi)
        res["query_s"] = snap_s + q / len(oi) * n_o * n_d
        res["sampled"] = f"{len(oi)} pairs"
    else:
        oi_sample = np.sort(rng.choice(n_o, size=min(sample, n_o), replace=False))
        t = time.perf_counter()
        rows = []
        for i in oi_sample:
            dist = nx.single_source_dijkstra_path_length(
                graph, int(origins[i]), weight="travel_time"
            )
            rows.append([dist.get(int(x), np.nan) for x in dests])
        q = time.perf_counter() - t
        oi = np.repeat(oi_sample, n_d)
        di = np.tile(np.arange(n_d), len(oi_sample))
        vals = np.asarray(rows).ravel().tolist()
        res["per_origin_ms"] = 1000 * q / len(oi_sample)
        res["query_s"] = snap_s + q / len(oi_sample) * n_o
        res["sampled"] = f"{len(oi_sample)} origins"
    res["extrapolated"] = True
    res["peak_rss_mb"] = _rss_mb()
    np.savez(workdir / f"networkx_{variant}.npz", oi=oi, di=di, val=np.asarray(vals, dtype=float))
    return res


def run_pandana(workdir: Path, edges_path: str) -> dict[str, object]:
    t0 = time.perf_counter()
    import pandana
    import pandas as pd

    res: dict[str, object] = {"import_s": time.perf_counter() - t0}
    z = np.load(workdir / "inputs.npz")
    t = time.perf_counter()
    g = graph_arrays(edges_path)
    res["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    n = len(g["lon"])
    idx = pd.Index(np.arange(n))
    net = pandana.Network(
        pd.Series(g["lon"], index=idx),
        pd.Series(g["lat"], index=idx),
        pd.Series(g["du"]),
        pd.Series(g["dv"]),
        pd.DataFrame({"travel_time": g["dlen"] / SPEED}),
        twoway=True,
    )
    res["setup_s"] = time.perf_counter() - t
    node_of = {(x, y): i for i, (x, y) in enumerate(zip(g["lon"], g["lat"], strict=True))}
    origins = np.array([node_of[(x, y)] for x, y in zip(z["o_lon"], z["o_lat"], strict=True)])
    n_o, n_d = len(origins), len(z["d_lon"])
    t = time.perf_counter()
    dests = net.get_node_ids(pd.Series(z["d_lon"]), pd.Series(z["d_lat"])).to_numpy()
    lens = net.shortest_path_lengths(np.repeat(origins, n_d), np.tile(dests, n_o))
    res["query_s"] = time.perf_counter() - t
    res["peak_rss_mb"] = _rss_mb()
    res["threads"] = os.environ.get("OMP_NUM_THREADS", "all cores (OpenMP default)")
    np.savez(
        workdir / "pandana.npz", mat=np.asarray(lens, dtype=float).reshape(n_o, n_d), dests=dests
    )
    return res


# ---- driver ------------------------------------------------------------------------------
def _child(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir)
    if args.method in ("qpv_radar", "qpv_radar_cold"):
        res = run_qpv_radar(workdir, cold=args.method == "qpv_radar_cold")
    elif args.method == "osmnx_pair":
        res = run_networkx(workdir, args.edges, "pair", args.pair_sample)
    elif args.method == "networkx_origin":
        res = run_networkx(workdir, args.edges, "origin", args.origin_sample)
    elif args.method in ("pandana", "pandana_1thread"):
        res = run_pandana(workdir, args.edges)
    else:
        raise SystemExit(f"unknown method {args.method}")
    if args.method == "qpv_radar_cold":  # the throw-away cache of this process
        import shutil

        shutil.rmtree(os.environ["QPV_RADAR_CACHE"], ignore_errors=True)
    print("RESULT " + json.dumps(res))


def _agreement(workdir: Path, method: str) -> str:
    ref = np.load(workdir / "qpv_radar.npz")["mat_nodes"]
    if method.startswith("pandana"):
        z = np.load(workdir / "pandana.npz")
        same = z["dests"] == np.load(workdir / "inputs.npz")["dn"]
        d = np.abs(z["mat"] - ref)[:, same]
        return (
            f"max |Δ| {d.max():.3g} s (median {np.median(d):.3g} s) on the {same.sum()} "
            f"destinations pandana's get_node_ids snaps to the same node as the Lambert-93 KD-tree"
        )
    elif method.startswith("qpv_radar"):
        mat = np.load(workdir / "qpv_radar.npz")["mat"]
        d = np.abs(mat - ref)
        return f"edge vs node snapping: median |Δ| {np.median(d):.1f} s, max {d.max():.0f} s"
    else:
        variant = "pair" if method == "osmnx_pair" else "origin"
        z = np.load(workdir / f"networkx_{variant}.npz")
        d = np.abs(z["val"] - ref[z["oi"], z["di"]])
    return f"max |Δ| {d.max():.3g} s (median {np.median(d):.3g} s)"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--method", help=argparse.SUPPRESS)
    p.add_argument("--workdir", help=argparse.SUPPRESS)
    p.add_argument("--edges", help=argparse.SUPPRESS)
    p.add_argument(
        "--methods",
        nargs="*",
        default=[
            "qpv_radar",
            "qpv_radar_cold",
            "pandana",
            "pandana_1thread",
            "osmnx_pair",
            "networkx_origin",
        ],
    )
    p.add_argument("--repeats", type=int, default=5, help="fresh processes per fast method")
    p.add_argument("--slow-repeats", type=int, default=1, help="for the networkx methods")
    p.add_argument("--pair-sample", type=int, default=300)
    p.add_argument("--origin-sample", type=int, default=100)
    p.add_argument(
        "--peer-python",
        default=str(HERE.parent / ".venv-bench" / "bin" / "python"),
        help="Python with pandana, osmnx, networkx, scikit-learn (default .venv-bench)",
    )
    p.add_argument("--json", type=Path, help="also write all results to this file")
    args = p.parse_args()
    if args.method:
        _child(args)
        return

    workdir = Path(tempfile.mkdtemp(prefix="walk_matrix_"))
    info = prepare(workdir)
    print(
        f"inputs: {info['origins']} origin nodes in {info['qpv']} QPV × "
        f"{info['destinations']} destinations = "
        f"{int(str(info['origins'])) * int(str(info['destinations'])):,} "
        f"pairs (nearest node {info['nearest_node_m_median']:.1f} m median, "
        f"{info['nearest_node_m_max']:.1f} m max)"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    results: dict[str, dict[str, object]] = {}
    methods = [m for m in args.methods if m != "qpv_radar"]
    for method in ["qpv_radar", *methods]:  # qpv_radar first: the agreement reference
        python = sys.executable if method.startswith("qpv_radar") else args.peer_python
        if not Path(python).exists():
            print(f"{method}: skipped ({python} not found; see the module docstring)")
            continue
        slow = method in ("osmnx_pair", "networkx_origin")
        runs = []
        for _ in range(args.slow_repeats if slow else args.repeats):
            cmd = [
                python,
                __file__,
                "--method",
                method,
                "--workdir",
                str(workdir),
                "--edges",
                str(info["edges_path"]),
                "--pair-sample",
                str(args.pair_sample),
                "--origin-sample",
                str(args.origin_sample),
            ]
            env = os.environ.copy()
            if method == "pandana_1thread":
                env["OMP_NUM_THREADS"] = "1"
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
            if proc.returncode or not line:
                print(f"{method}: FAILED\n{proc.stderr[-3000:]}")
                break
            runs.append(json.loads(line[0][7:]))
        if not runs:
            continue
        med = {
            k: (statistics.median(float(r[k]) for r in runs) if isinstance(v, float) else v)
            for k, v in runs[0].items()
        }
        med["runs"] = len(runs)
        med["agreement"] = _agreement(workdir, method)
        results[method] = med
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in med.items()}
        print(f"{method}: {shown}", flush=True)

    ref = results.get("qpv_radar")
    if ref:
        q = float(ref["query_s"])
        tot = q + float(ref["setup_s"])
        print(
            "\nratios (peer time / qpv_radar time; query = full matrix, setup+query includes "
            "building the library's network):"
        )
        for method, r in results.items():
            if method == "qpv_radar":
                continue
            rq = float(r["query_s"])
            rt = rq + float(r["setup_s"])
            print(
                f"  {method:16s} query {rq:10.3f} s  ×{rq / q:9.1f}   setup+query "
                f"{rt:10.3f} s  ×{rt / tot:9.1f}   peak RSS {float(r['peak_rss_mb']):6.0f} MB "
                f"(qpv_radar {float(ref['peak_rss_mb']):.0f} MB)"
            )
    if args.json:
        args.json.write_text(json.dumps({"inputs": info, "results": results}, indent=1))
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
