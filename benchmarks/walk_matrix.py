"""Walking travel-time matrix, real Montpellier network: qpv_radar vs osmnx+networkx vs pandana.

Origins: every street node inside Montpellier's 12 QPV perimeters (1,869 nodes). Destinations:
every structure of ``qpv_radar.actors.load_actors("montpellier")`` (Maisons pour tous, France
services, France Travail, CCI, CMA, ADIE, BGE, insertion associations…; 42 at the time of
writing). The driver loads them once with the library and hands the same longitude/latitude to
every method. Each method runs in its own fresh process, several times (the repeats are
interleaved: one run of every method per round, so all share the machine's load; median kept),
and prints import, setup and query times and the process's peak RSS (``VmHWM``); the driver
prints the ratios, the load average before and after, and with ``--json`` writes everything.

Structures out of the network's reach are listed and **excluded for every method**: a structure
is out of reach when qpv_radar cannot snap it (no walkable edge within the network's
``max_snap_m``, 300 m) or when its nearest street node (the peers' snapping) is farther than that
same distance. The remaining destinations are the same for all methods.

Methods
-------
qpv_radar        ``load_street_network`` (cache reload) + ``travel_times`` (edge snapping,
                 multi-source scipy Dijkstra from the destinations on the reversed graph).
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

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install pandana osmnx networkx scikit-learn geopandas
    QPV_RADAR_MIRROR=../shared/data .venv/bin/python benchmarks/walk_matrix.py
    # options: --repeats 3 --pair-sample 300 --origin-sample 100 --methods qpv_radar pandana
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _memory import peak_rss_mb  # benchmarks/_memory.py, beside this script

SPEED = 4.5 / 3.6
SEED = 20240116
HERE = Path(__file__).resolve().parent
EDGES = "osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp"


# ---- inputs (driver, untimed) -----------------------------------------------------------------
def prepare(workdir: Path) -> dict[str, object]:
    """Write origins/destinations to ``workdir/inputs.npz``; list excluded structures."""
    import geopandas as gpd
    import shapely
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    from qpv_radar import fetch
    from qpv_radar.actors import load_actors
    from qpv_radar.networks import load_street_network
    from qpv_radar.routing import snap_points

    net = load_street_network("montpellier", "walk")
    qp = gpd.read_file(fetch("qpv/occitanie_hackaviz2021/qp.geojson"))
    qp = qp[qp["nom_commune"] == "Montpellier"]
    union = shapely.union_all(qp.geometry.values)
    inside = shapely.contains_xy(union, net.node_lon, net.node_lat)
    o_lon, o_lat = net.node_lon[inside], net.node_lat[inside]

    actors = load_actors("montpellier", progress=False).to_crs(4326)
    max_snap = float(net.rules.max_snap_m)
    # qpv_radar's reach: a walkable edge within max_snap_m
    edge_snap = snap_points(net, actors, lang="en")
    # the peers' snapping: nearest node (Lambert-93 KD-tree), held to the same distance
    tr = Transformer.from_crs(4326, 2154, always_xy=True)
    px, py = tr.transform(actors.geometry.x.to_numpy(), actors.geometry.y.to_numpy())
    node_d, near = cKDTree(np.c_[net.node_x, net.node_y]).query(np.c_[px, py])
    ok = (edge_snap["edge"].to_numpy() >= 0) & (node_d <= max_snap)
    excluded = [
        {
            "id": str(i),
            "name": str(actors["name"].iat[k]),
            "edge_m": float(edge_snap["distance_m"].iat[k]),
            "node_m": float(node_d[k]),
        }
        for k, i in enumerate(actors.index)
        if not ok[k]
    ]
    kept = actors[ok]
    near, node_d = near[ok], node_d[ok]
    np.savez(
        workdir / "inputs.npz",
        o_lon=o_lon,
        o_lat=o_lat,
        d_lon=kept.geometry.x.to_numpy(),
        d_lat=kept.geometry.y.to_numpy(),
        dn_lon=net.node_lon[near],
        dn_lat=net.node_lat[near],
        dn=near,
        names=kept.index.to_numpy(dtype=str),
    )
    return {
        "origins": int(inside.sum()),
        "qpv": len(qp),
        "structures": len(actors),
        "kinds": {str(k): int(v) for k, v in actors["kind"].value_counts().items()},
        "max_snap_m": max_snap,
        "excluded": excluded,
        "destinations": len(kept),
        "distinct_nearest_nodes": len(np.unique(near)),
        "edge_snap_m_median": float(np.median(edge_snap["distance_m"][ok])),
        "edge_snap_m_max": float(edge_snap["distance_m"][ok].max()),
        "nearest_node_m_median": float(np.median(node_d)),
        "nearest_node_m_max": float(node_d.max()),
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
    res["peak_rss_mb"] = peak_rss_mb()
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
    res["peak_rss_mb"] = peak_rss_mb()
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
    res["peak_rss_mb"] = peak_rss_mb()
    res["threads"] = os.environ.get("OMP_NUM_THREADS", "all cores (OpenMP default)")
    np.savez(
        workdir / "pandana.npz", mat=np.asarray(lens, dtype=float).reshape(n_o, n_d), dests=dests
    )
    return res


# ---- driver ------------------------------------------------------------------------------
def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


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
    run: dict[str, object] = {
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "command": " ".join(
            [
                f"QPV_RADAR_MIRROR={os.environ.get('QPV_RADAR_MIRROR', '')}",
                os.path.relpath(sys.executable),
                *sys.argv,
            ]
        ),
        "peer_python": args.peer_python,
        "machine": _machine(),
        "loadavg_before": os.getloadavg(),
    }
    info = prepare(workdir)
    print(
        f"inputs: {info['origins']} origin nodes in {info['qpv']} QPV × "
        f"{info['destinations']} destinations = "
        f"{int(str(info['origins'])) * int(str(info['destinations'])):,} pairs"
    )
    print(
        f"destinations: {info['structures']} structures of load_actors('montpellier') "
        f"{info['kinds']}; out of reach (no edge or no node within {info['max_snap_m']:.0f} m), "
        f"excluded for every method: {info['excluded'] or 'none'}"
    )
    print(
        f"snapping: edge {info['edge_snap_m_median']:.1f} m median, "
        f"{info['edge_snap_m_max']:.1f} m max; nearest node {info['nearest_node_m_median']:.1f} m "
        f"median, {info['nearest_node_m_max']:.1f} m max "
        f"({info['distinct_nearest_nodes']} distinct nodes)"
    )
    print(f"machine: {run['machine']}; load average {run['loadavg_before']}", flush=True)
    # Rounds: every method runs once per round (qpv_radar first, the agreement reference), so
    # the repeats of all methods are interleaved and share the machine's load.
    todo: dict[str, int] = {}
    for method in ["qpv_radar", *[m for m in args.methods if m != "qpv_radar"]]:
        python = sys.executable if method.startswith("qpv_radar") else args.peer_python
        if not Path(python).exists():
            print(f"{method}: skipped ({python} not found; see the module docstring)")
            continue
        slow = method in ("osmnx_pair", "networkx_origin")
        todo[method] = args.slow_repeats if slow else args.repeats
    runs: dict[str, list[dict[str, object]]] = {m: [] for m in todo}
    agreement: dict[str, str] = {}
    failed: set[str] = set()
    for rnd in range(max(todo.values(), default=0)):
        for method, n in todo.items():
            if rnd >= n or method in failed:
                continue
            python = sys.executable if method.startswith("qpv_radar") else args.peer_python
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
                failed.add(method)
                continue
            runs[method].append(json.loads(line[0][7:]))
            agreement[method] = (
                _agreement(workdir, method) if runs.get("qpv_radar") else "n/a (qpv_radar failed)"
            )
        print(f"round {rnd + 1} done, load average {os.getloadavg()}", flush=True)

    results: dict[str, dict[str, object]] = {}
    for method, rs in runs.items():
        if not rs:
            continue
        med: dict[str, object] = {
            k: (statistics.median(float(r[k]) for r in rs) if isinstance(v, float) else v)
            for k, v in rs[0].items()
        }
        med["runs"] = len(rs)
        for k in ("setup_s", "query_s"):
            med[f"{k}_each"] = [round(float(r[k]), 4) for r in rs]
        med["agreement"] = agreement[method]
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
            r["ratio_query"] = rq / q
            r["ratio_setup_query"] = rt / tot
            print(
                f"  {method:16s} query {rq:10.3f} s  ×{rq / q:9.1f}   setup+query "
                f"{rt:10.3f} s  ×{rt / tot:9.1f}   peak RSS {float(r['peak_rss_mb']):6.0f} MB "
                f"(qpv_radar {float(ref['peak_rss_mb']):.0f} MB)"
            )
        # paired: each round's run against qpv_radar's run of the same round (same load)
        paired = [m for m in results if m != "qpv_radar" and len(runs[m]) > 1]
        if paired:
            print("paired ratios (per round, peer ÷ qpv_radar of the same round): median [min–max]")
        for method in paired:
            pairs = list(zip(runs[method], runs["qpv_radar"], strict=False))
            rq_each = [float(a["query_s"]) / float(b["query_s"]) for a, b in pairs]
            rt_each = [
                (float(a["query_s"]) + float(a["setup_s"]))
                / (float(b["query_s"]) + float(b["setup_s"]))
                for a, b in pairs
            ]
            results[method]["paired_ratio_query_each"] = [round(x, 2) for x in rq_each]
            results[method]["paired_ratio_setup_query_each"] = [round(x, 2) for x in rt_each]
            print(
                f"  {method:16s} query ×{statistics.median(rq_each):.1f} "
                f"[{min(rq_each):.1f}–{max(rq_each):.1f}]   setup+query "
                f"×{statistics.median(rt_each):.1f} [{min(rt_each):.1f}–{max(rt_each):.1f}]"
            )
    run["loadavg_after"] = os.getloadavg()
    run["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    print(f"load average after: {run['loadavg_after']}")
    if args.json:
        out = {"run": run, "inputs": info, "results": results}
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
