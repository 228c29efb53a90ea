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
from ..._errors import CrsError
from ...networks.gtfs import Timetable
from ._common import _csr, _points, _xy


@dataclass(frozen=True)
class CrowFlyWalk:
    """Straight-line walking: ``distance × detour / speed``.

    Used where no street network covers the feed (and by tests that must not depend on one).

    Attributes
    ----------
    speed_m_s, detour
        Walking speed (m/s) and the factor from the straight line to the walked path.
    crs
        ``None`` (default): distances are geodesic, on the WGS84 ellipsoid (:class:`pyproj.Geod`),
        true anywhere on Earth. A projected CRS in metres (e.g. a territory's ``EPSG:2975`` for
        La Réunion): planar distances in it, which must cover the points (its area of use),
        else :class:`~qpv_radar.CrsError` — Lambert-93 in São Paulo would make every walk
        ×1.9 too long.
    """

    speed_m_s: float = WALK_KMH / 3.6
    detour: float = CROW_FLY_DETOUR
    crs: str | None = None


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
        df = _street_pairs(walk, a, b, max_time_s)
    df = df[np.isfinite(df["travel_time"].to_numpy(float))]
    if max_time_s is not None:
        df = df[df["travel_time"] <= max_time_s]
    return df.reset_index(drop=True)


def _street_pairs(
    walk: Any, a: gpd.GeoSeries, b: gpd.GeoSeries, max_time_s: float | None
) -> pd.DataFrame:
    """The reachable pairs of the street walking matrix, as a long table.

    The same times as :func:`~qpv_radar.routing.times.travel_times`, without building its
    every-pair table first: for the feed's stops to themselves (footpaths) that table had
    millions of rows, about 100 MB, for the few thousand pairs within a transfer walk.
    """
    from .._search import matrix
    from ..snapping import snap

    orig = snap(walk, a.to_frame("geometry"), label="origins")
    dest = snap(walk, b.to_frame("geometry"), label="destinations")
    mat = matrix(walk, orig, dest, max_time_s=max_time_s)
    i, j = np.nonzero(np.isfinite(mat))
    return pd.DataFrame(
        {
            "from_id": orig.index.to_numpy()[i],
            "to_id": dest.index.to_numpy()[j],
            "travel_time": mat[i, j],
        }
    )


def _crow_fly_table(
    walk: CrowFlyWalk, a: gpd.GeoSeries, b: gpd.GeoSeries, max_time_s: float | None
) -> pd.DataFrame:
    """:func:`walk_table` for a :class:`CrowFlyWalk` (pairs within reach, or all pairs)."""
    radius = None if max_time_s is None else max_time_s * walk.speed_m_s / walk.detour
    if walk.crs is None:
        ii, jj, dist = _geodesic_pairs(a, b, radius)
    else:
        _check_planar_crs(walk.crs, a, b)
        xa = np.column_stack(_xy(a.to_crs(walk.crs)))
        xb = np.column_stack(_xy(b.to_crs(walk.crs)))
        ii, jj = _pairs_within(xa, xb, radius)
        dist = np.hypot(*(xa[ii] - xb[jj]).T)
    tt = dist * walk.detour / walk.speed_m_s
    return pd.DataFrame(
        {"from_id": a.index.to_numpy()[ii], "to_id": b.index.to_numpy()[jj], "travel_time": tt}
    ).drop_duplicates(["from_id", "to_id"])


def _pairs_within(
    xa: npt.NDArray[np.float64], xb: npt.NDArray[np.float64], radius: float | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions ``(i, j)`` of the pairs of ``xa × xb`` within ``radius`` (``None``: all)."""
    if radius is None:
        gi, gj = np.meshgrid(np.arange(len(xa)), np.arange(len(xb)), indexing="ij")
        return gi.ravel(), gj.ravel()
    if len(xa) == 0 or len(xb) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # query_ball_tree also returns the pairs at distance 0 (a sparse matrix would drop them)
    near = cKDTree(xa).query_ball_tree(cKDTree(xb), radius)
    ii = np.repeat(np.arange(len(xa)), [len(js) for js in near]).astype(np.int64)
    jj = np.fromiter((j for js in near for j in js), dtype=np.int64, count=len(ii))
    return ii, jj


def _lonlat(g: gpd.GeoSeries) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return _xy(g.to_crs(WGS84))


def _ecef(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Earth-centred (x, y, z) metres of points on the WGS84 ellipsoid (height 0)."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    lo, la = np.radians(lon), np.radians(lat)
    n = a / np.sqrt(1 - e2 * np.sin(la) ** 2)
    return np.column_stack(
        [n * np.cos(la) * np.cos(lo), n * np.cos(la) * np.sin(lo), n * (1 - e2) * np.sin(la)]
    )


def _geodesic_pairs(
    a: gpd.GeoSeries, b: gpd.GeoSeries, radius: float | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Pairs within ``radius`` metres on the WGS84 ellipsoid, and their geodesic distances.

    Candidates come from a KD-tree on earth-centred coordinates (the straight chord is never
    longer than the geodesic, so none is missed), then :meth:`pyproj.Geod.inv` measures them.
    """
    from pyproj import Geod

    lon_a, lat_a = _lonlat(a)
    lon_b, lat_b = _lonlat(b)
    ii, jj = _pairs_within(_ecef(lon_a, lat_a), _ecef(lon_b, lat_b), radius)
    if len(ii) == 0:
        return ii, jj, np.empty(0)
    _, _, dist = Geod(ellps="WGS84").inv(lon_a[ii], lat_a[ii], lon_b[jj], lat_b[jj])
    dist = np.asarray(dist, dtype=float)
    if radius is not None:
        keep = dist <= radius
        ii, jj, dist = ii[keep], jj[keep], dist[keep]
    return ii, jj, dist


def _check_planar_crs(crs: str, *points: gpd.GeoSeries) -> None:
    """Refuse a CRS that is not projected in metres, or whose area of use misses the points."""
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    units = {ax.unit_name for ax in c.axis_info}
    if not c.is_projected or not units <= {"metre", "meter"}:
        raise CrsError("walk.crs_not_metric", crs=crs)
    area = c.area_of_use
    if area is None:
        return
    margin = 0.5  # degrees: points just beyond the official bounds are still measured well
    for g in points:
        lon, lat = _lonlat(g)
        if area.west <= area.east:
            lon_ok = (lon >= area.west - margin) & (lon <= area.east + margin)
        else:  # area across the antimeridian
            lon_ok = (lon >= area.west - margin) | (lon <= area.east + margin)
        lat_ok = (lat >= area.south - margin) & (lat <= area.north + margin)
        bad = np.flatnonzero(~(lon_ok & lat_ok))
        if len(bad):
            k = int(bad[0])
            raise CrsError(
                "walk.crs_not_here",
                crs=crs,
                area=area.name,
                lon=float(lon[k]),
                lat=float(lat[k]),
            )


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
    adjusted by transfers.txt (:func:`_apply_transfers`):

    - ``transfer_type`` 3 (not possible) removes the pair;
    - a pair whose two stops are on the street network (snapped within its ``max_snap_m``)
      keeps its street walk, and ``max_transfer_s`` applies to it: a listed pair farther than
      that by the streets is no transfer; a ``min_transfer_time`` is a lower bound
      (``max(street walk, min_transfer_time)``);
    - a pair with a stop off the network (or any pair with a :class:`CrowFlyWalk`) takes its
      ``min_transfer_time``, or without one its straight-line time, even beyond
      ``max_transfer_s`` (the operator says the change is made).
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
        crow = walk if isinstance(walk, CrowFlyWalk) else CrowFlyWalk()
        fp = _apply_transfers(fp, tr, stops, _on_streets(walk, stops), crow)
    fp = fp.dropna().sort_values(["from_idx", "to_idx"]).reset_index(drop=True)
    fp = fp.astype({"from_idx": np.int32, "to_idx": np.int32, "time_s": np.int32})
    cache[key] = (fp, walk)  # keep the walk alive so that its id stays unique
    return fp


def _on_streets(walk: Any, stops: gpd.GeoDataFrame) -> npt.NDArray[np.bool_]:
    """Per stop (by position), whether it is on ``walk``'s street network (snapped)."""
    if isinstance(walk, CrowFlyWalk):
        return np.zeros(len(stops), dtype=bool)
    from ..snapping import snap

    return np.asarray(snap(walk, stops, label="stops").ok, dtype=bool)


def _apply_transfers(
    fp: pd.DataFrame,
    tr: pd.DataFrame,
    stops: gpd.GeoDataFrame,
    on_streets: npt.NDArray[np.bool_],
    crow: CrowFlyWalk,
) -> pd.DataFrame:
    """Footpaths ``fp`` adjusted by the rules of transfers.txt ``tr`` (see :func:`footpaths`).

    ``on_streets`` tells, per stop, whether it is on the street network whose walks ``fp``
    holds; ``crow`` measures the straight line of the pairs off it.
    """
    tr = tr[tr["from_idx"] != tr["to_idx"]]
    forbidden = tr[tr["transfer_type"] == 3]
    ok = tr[tr["transfer_type"] != 3]
    f_idx, t_idx = ok["from_idx"].to_numpy(np.int64), ok["to_idx"].to_numpy(np.int64)
    t_rule = ok["min_transfer_time"].to_numpy(float)
    streets = on_streets[f_idx] & on_streets[t_idx]
    # on the streets: the street walk (already in fp within max_transfer_s), at least the rule
    street = (
        pd.DataFrame(
            {"from_idx": f_idx[streets], "to_idx": t_idx[streets], "floor": t_rule[streets]}
        )
        .groupby(["from_idx", "to_idx"], as_index=False)
        .agg(floor=("floor", "max"))
    )
    fp = fp.merge(street, on=["from_idx", "to_idx"], how="left")
    fp["time_s"] = np.fmax(fp["time_s"].to_numpy(float), fp["floor"].to_numpy(float))
    fp = fp[["from_idx", "to_idx", "time_s"]]
    # off the streets: the rule's time, else the straight line
    off = ~streets
    if off.any():
        crow_t = walk_table(
            crow,
            stops.loc[np.unique(f_idx[off])],
            stops.loc[np.unique(t_idx[off])],
            max_time_s=None,
        ).set_index(["from_id", "to_id"])["travel_time"]
        pairs = pd.MultiIndex.from_arrays([f_idx[off], t_idx[off]])
        t_off = np.where(
            np.isnan(t_rule[off]), np.ceil(crow_t.reindex(pairs).to_numpy(float)), t_rule[off]
        )
        rules = pd.DataFrame({"from_idx": f_idx[off], "to_idx": t_idx[off], "rule": t_off})
        rules = rules.drop_duplicates(["from_idx", "to_idx"], keep="last")
        fp = fp.merge(rules, on=["from_idx", "to_idx"], how="outer")
        fp["time_s"] = fp["rule"].fillna(fp["time_s"])
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
