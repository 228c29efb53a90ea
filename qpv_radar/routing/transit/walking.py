"""Walking tables: access, egress, direct walks and stop-to-stop footpaths.

Walks come from a street network (exact times over the streets, through
:func:`qpv_radar.routing.travel_times`) or a :class:`CrowFlyWalk` (straight line × detour).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from ..._defaults import CROW_FLY_DETOUR, MAX_TRANSFER_S, WALK_KMH, WGS84
from ...networks.gtfs import Timetable
from ._common import METRIC_CRS, _csr, _points, _xy


@dataclass(frozen=True)
class CrowFlyWalk:
    """Straight-line walking: ``distance × detour / speed`` (distances in ``crs``, metres).

    Used where no street network covers the feed (and by tests that must not depend on one).
    """

    speed_m_s: float = WALK_KMH / 3.6
    detour: float = CROW_FLY_DETOUR
    crs: str = METRIC_CRS


def walk_table(
    walk: Any,
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    destinations: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_time_s: float | None,
) -> pd.DataFrame:
    """Walking times ``from_id, to_id, travel_time`` (reachable pairs only).

    Parameters
    ----------
    walk
        A street network (walking) or a :class:`CrowFlyWalk`.
    origins, destinations
        Points with a CRS; ids are their index.
    max_time_s
        Pairs beyond are left out (``None``: no limit).
    """
    a = _points(origins, "origins")
    b = _points(destinations, "destinations")
    if isinstance(walk, CrowFlyWalk):
        df = _crow_fly_table(walk, a, b, max_time_s)
    else:
        from ..times import travel_times

        df = travel_times(
            walk, a.to_frame("geometry"), b.to_frame("geometry"), max_time_s=max_time_s
        )
        df = df[["from_id", "to_id", "travel_time"]]
    df = df[np.isfinite(df["travel_time"].to_numpy(float))]
    if max_time_s is not None:
        df = df[df["travel_time"] <= max_time_s]
    return df.reset_index(drop=True)


def _crow_fly_table(
    walk: CrowFlyWalk, a: gpd.GeoSeries, b: gpd.GeoSeries, max_time_s: float | None
) -> pd.DataFrame:
    """:func:`walk_table` for a :class:`CrowFlyWalk` (pairs within reach, or all pairs)."""
    xa = np.column_stack(_xy(a.to_crs(walk.crs)))
    xb = np.column_stack(_xy(b.to_crs(walk.crs)))
    if max_time_s is None:
        gi, gj = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
        ii, jj = gi.ravel(), gj.ravel()
        dist = np.hypot(*(xa[ii] - xb[jj]).T)
    else:
        radius = max_time_s * walk.speed_m_s / walk.detour
        sdm = cKDTree(xa).sparse_distance_matrix(cKDTree(xb), radius, output_type="coo_matrix")
        ii, jj, dist = sdm.row, sdm.col, sdm.data
        # pairs at distance 0 are not stored by the sparse matrix: add them back
        same = cKDTree(xa).query_ball_tree(cKDTree(xb), 1e-6)
        extra = [(i, j) for i, js in enumerate(same) for j in js]
        if extra:
            ei, ej = np.array(extra).T
            ii = np.concatenate([ii, ei])
            jj = np.concatenate([jj, ej])
            dist = np.concatenate([dist, np.zeros(len(ei))])
    tt = dist * walk.detour / walk.speed_m_s
    return pd.DataFrame(
        {"from_id": a.index.to_numpy()[ii], "to_id": b.index.to_numpy()[jj], "travel_time": tt}
    ).drop_duplicates(["from_id", "to_id"])


def _stops_gdf(tt: Timetable, served_only: bool = True) -> gpd.GeoDataFrame:
    stops = tt.stops
    if served_only:
        stops = stops[np.diff(tt.stop_pattern_ptr) > 0]
    return gpd.GeoDataFrame(
        stops[["stop_id", "stop_name"]],
        geometry=gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]),
        crs=WGS84,
    )


def _walk_key(walk: Any) -> Any:
    return walk if isinstance(walk, CrowFlyWalk) else ("network", id(walk))


def _fingerprint(points: gpd.GeoSeries) -> str:
    """Identity of a set of points (coordinates, CRS and ids), for caching."""
    h = hashlib.sha1(np.ascontiguousarray(np.column_stack(_xy(points))).tobytes())
    h.update(str(points.crs).encode())
    h.update(repr(tuple(points.index)).encode())
    return h.hexdigest()


def _walk_tables(
    tt: Timetable,
    walk: Any,
    origins: gpd.GeoSeries,
    destinations: gpd.GeoSeries,
    max_access_s: float,
    max_egress_s: float,
    max_time_s: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Access (origins → stops), egress (stops → destinations) and direct walking tables.

    They depend on the feed's stops, not on the date: computed once per feed, walk network and
    points (a planner asks the same origins and destinations for several slots), then kept to
    the stops served on ``tt``'s date.
    """
    key = (
        "walk-tables",
        _walk_key(walk),
        _fingerprint(origins),
        _fingerprint(destinations),
        float(max_access_s),
        float(max_egress_s),
        max_time_s,
    )
    cache = tt.feed.cache
    if key not in cache:
        stops = _stops_gdf(tt, served_only=False)
        cache[key] = (
            walk_table(walk, origins, stops, max_time_s=max_access_s),
            walk_table(walk, stops, destinations, max_time_s=max_egress_s),
            walk_table(walk, origins, destinations, max_time_s=max_time_s),
            walk,  # kept alive, so that its id in the key is not reused
        )
        mine = [k for k in cache if isinstance(k, tuple) and k[0] == "walk-tables"]
        for old in mine[:-8]:  # the 8 newest kept: bounded memory
            del cache[old]
    acc, egr, dire, _ = cache[key]
    served = np.diff(tt.stop_pattern_ptr) > 0
    acc = acc[served[acc["to_id"].to_numpy(np.int64)]]
    egr = egr[served[egr["from_id"].to_numpy(np.int64)]]
    return acc, egr, dire


def footpaths(tt: Timetable, walk: Any, *, max_transfer_s: float = MAX_TRANSFER_S) -> pd.DataFrame:
    """Stop-to-stop walking transfers ``from_idx, to_idx, time_s`` (cached per feed and walk).

    Built from ``walk`` within ``max_transfer_s`` over all stop points of the feed, then
    adjusted by transfers.txt: ``transfer_type`` 3 removes the pair, a ``min_transfer_time``
    sets its time, types 0–2 missing from the walk are added at their straight-line time.
    """
    key = ("footpaths", _walk_key(walk), float(max_transfer_s))
    cache = tt.feed.cache
    if key in cache:
        return cache[key][0]
    stops = _stops_gdf(tt, served_only=False)
    w = walk_table(walk, stops, stops, max_time_s=max_transfer_s)
    fp = pd.DataFrame(
        {
            "from_idx": w["from_id"].to_numpy(np.int64),
            "to_idx": w["to_id"].to_numpy(np.int64),
            "time_s": np.ceil(w["travel_time"].to_numpy(float)),
        }
    )
    fp = fp[fp["from_idx"] != fp["to_idx"]]
    tr = tt.feed.transfers
    if len(tr):
        fp = _apply_transfers(fp, tr, stops)
    fp = fp.dropna().sort_values(["from_idx", "to_idx"]).reset_index(drop=True)
    fp = fp.astype({"from_idx": np.int32, "to_idx": np.int32, "time_s": np.int32})
    cache[key] = (fp, walk)  # keep the walk alive so that its id stays unique
    return fp


def _apply_transfers(fp: pd.DataFrame, tr: pd.DataFrame, stops: gpd.GeoDataFrame) -> pd.DataFrame:
    """Footpaths ``fp`` adjusted by the rules of transfers.txt ``tr`` (see :func:`footpaths`).

    Pairs that only a rule gives, without a ``min_transfer_time``, take their straight-line
    time; ``transfer_type`` 3 pairs are removed.
    """
    tr = tr[tr["from_idx"] != tr["to_idx"]]
    forbidden = tr[tr["transfer_type"] == 3]
    ok = tr[tr["transfer_type"] != 3]
    crow = walk_table(
        CrowFlyWalk(),
        stops.loc[ok["from_idx"].unique()],
        stops.loc[ok["to_idx"].unique()],
        max_time_s=None,
    ).set_index(["from_id", "to_id"])["travel_time"]
    pairs = pd.MultiIndex.from_arrays([ok["from_idx"], ok["to_idx"]])
    t_rule = ok["min_transfer_time"].to_numpy(float)
    t_crow = np.ceil(crow.reindex(pairs).to_numpy(float))
    rules = pd.DataFrame(
        {
            "from_idx": ok["from_idx"].to_numpy(np.int64),
            "to_idx": ok["to_idx"].to_numpy(np.int64),
            "time_s": np.where(np.isnan(t_rule), np.nan, t_rule),
            "crow": t_crow,
        }
    )
    fp = fp.merge(rules, on=["from_idx", "to_idx"], how="outer", suffixes=("", "_rule"))
    fp["time_s"] = fp["time_s_rule"].fillna(fp["time_s"]).fillna(fp["crow"])
    fp = fp[["from_idx", "to_idx", "time_s"]]
    if len(forbidden):
        drop = pd.MultiIndex.from_arrays([forbidden["from_idx"], forbidden["to_idx"]])
        fp = fp[~pd.MultiIndex.from_frame(fp[["from_idx", "to_idx"]]).isin(drop)]
    return fp


@dataclass(frozen=True)
class _Walking:
    """Footpaths as compressed rows (per origin stop), the layout the RAPTOR kernels read."""

    fp_ptr: npt.NDArray[np.int64]
    fp_to: npt.NDArray[np.int32]
    fp_dur: npt.NDArray[np.int32]


def _prepare_footpaths(tt: Timetable, fp: pd.DataFrame) -> _Walking:
    ptr, to, dur = _csr(
        fp["from_idx"].to_numpy(np.int64),
        fp["to_idx"].to_numpy(np.int64),
        fp["time_s"].to_numpy(np.int64),
        tt.n_stops,
    )
    return _Walking(ptr, to, dur)
