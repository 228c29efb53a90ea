"""Real Montpellier inputs for the planner tests (QPV, relays, a real walking matrix).

The walking matrix is computed here with scipy on the real OSM street graph (the same recipe as
shared/peers/prep.py: nodes from edge endpoints, geodesic lengths, parallel edges collapsed to
the shortest) so that the analysis can be tested on real travel times.
"""

from __future__ import annotations

import csv
import functools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from qpv_radar.datasets import fetch

WALK_MS = 1.25


@functools.cache
def montpellier_qpv() -> gpd.GeoDataFrame:
    """The 12 Montpellier QPV (2015) with ``pop_mun`` from qp.csv."""
    qp = gpd.read_file(fetch("qpv/occitanie_hackaviz2021/qp.geojson"))
    qp = qp[qp["nom_commune"] == "Montpellier"].copy()
    ind = pd.read_csv(fetch("qpv/occitanie_hackaviz2021/qp.csv"), encoding="utf-8-sig")
    qp = qp.merge(ind[["code_qp", "pop_mun"]], on="code_qp", how="left")
    return qp.set_index("code_qp", drop=False)


@functools.cache
def montpellier_relays() -> gpd.GeoDataFrame:
    """Maisons pour tous + France services of Montpellier, index ``mpt:…`` / ``fs:…``."""
    mpt = json.loads(
        fetch("actors/montpellier_maisons_pour_tous/mpt.json").read_text(encoding="utf-8")
    )
    ids, names, lon, lat, kind = [], [], [], [], []
    for m in mpt:
        ids.append(f"mpt:{m['id']}")
        names.append(m["name"])
        lon.append(float(m["coordinates"]["lng"]))
        lat.append(float(m["coordinates"]["lat"]))
        kind.append("maison_pour_tous")
    path = fetch("actors/france_services/liste-fs-20240801.csv")
    with open(path, encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            if r["lib_com"] == "Montpellier":
                ids.append(f"fs:{i}")
                names.append(r["lib_fs"])
                lon.append(float(r["longitude"]))
                lat.append(float(r["latitude"]))
                kind.append("france_services")
    return gpd.GeoDataFrame(
        {"name": names, "kind": kind, "roles": [("relay",)] * len(ids)},
        geometry=gpd.points_from_xy(lon, lat),
        index=pd.Index(ids, name="id"),
        crs="EPSG:4326",
    )


@functools.cache
def _graph() -> tuple[np.ndarray, object, cKDTree]:
    edges = gpd.read_file(fetch("osm/montpellier_osmnx_2021-04/osmnx_all_shp/edges.shp"))
    geod = Geod(ellps="WGS84")
    elen = np.array([geod.line_length(*g.xy) for g in edges.geometry])
    coords = shapely.get_coordinates(edges.geometry.values)
    counts = shapely.get_num_coordinates(edges.geometry.values)
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    ends = np.round(np.vstack([coords[first], coords[last]]) * 1e7).astype(np.int64)
    uniq, inv = np.unique(ends, axis=0, return_inverse=True)
    inv = inv.ravel()
    n_e = len(edges)
    u, v = inv[:n_e], inv[n_e:]
    n = len(uniq)
    a, b = np.minimum(u, v), np.maximum(u, v)
    keep = a != b
    key = a[keep] * n + b[keep]
    order = np.lexsort((elen[keep], key))
    ks = key[order]
    sel = order[np.r_[True, ks[1:] != ks[:-1]]]
    du, dv, dl = a[keep][sel], b[keep][sel], elen[keep][sel] / WALK_MS
    csr = coo_matrix((np.r_[dl, dl], (np.r_[du, dv], np.r_[dv, du])), shape=(n, n)).tocsr()
    lonlat = uniq / 1e7
    xy = gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs=4326).to_crs(2154)
    xy_arr = shapely.get_coordinates(xy.values)
    return lonlat, csr, cKDTree(xy_arr)


def street_nodes() -> gpd.GeoSeries:
    """All street nodes (EPSG:4326)."""
    lonlat, _, _ = _graph()
    return gpd.GeoSeries(gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]), crs="EPSG:4326")


def _snap(points: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    _, _, tree = _graph()
    xy = shapely.get_coordinates(points.to_crs(2154).geometry.values)
    d, idx = tree.query(xy)
    return np.asarray(idx), np.asarray(d) / WALK_MS


def walk_times(
    origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, max_time_s: float | None = None
) -> pd.DataFrame:
    """Long table ``from_id, to_id, travel_time`` (s) on foot, NaN beyond ``max_time_s``."""
    _, csr, _ = _graph()
    on, osnap = _snap(origins)
    dn, dsnap = _snap(destinations)
    dist = dijkstra(csr, directed=True, indices=dn)  # symmetric graph: dest → origin
    t = dist[:, on].T + osnap[:, None] + dsnap[None, :]
    if max_time_s is not None:
        t[t > max_time_s] = np.nan
    return pd.DataFrame(
        {
            "from_id": np.repeat(origins.index.to_numpy(), len(destinations)),
            "to_id": np.tile(destinations.index.to_numpy(), len(origins)),
            "travel_time": t.ravel(),
        }
    )
