"""Quick travel-time outlines for maps: concave hulls of reached street nodes, or discs around
reached sample points (public transport).

:func:`~qpv_radar.routing.isochrones` gives the exact street buffers; these outlines are
lighter (a few milliseconds per band) and serve the radar's rings.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from .._defaults import WGS84
from .._errors import UnreachableError
from ..networks.streets import StreetNetwork
from ._search import node_times
from .snapping import snap

__all__ = ["node_sample", "street_outlines", "time_outlines"]


def _nested(geoms: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    """Each band joined with the smaller ones: a place inside the 5-minute outline is inside
    the 10-minute one too (two hulls of nested point sets need not nest)."""
    out: list[BaseGeometry] = []
    for g in geoms:
        out.append(shapely.union(out[-1], g) if out and not out[-1].is_empty else g)
    return out


def street_outlines(
    net: StreetNetwork, origin: Point, minutes: Sequence[int], *, ratio: float = 0.25
) -> gpd.GeoDataFrame:
    """Travel-time bands: the concave hull of the street nodes reached within each band,
    widened by 80 m (one Dijkstra for every band).

    Raises
    ------
    UnreachableError
        ``origin`` cannot be attached to the network.
    """
    orig = snap(net, origin, label="home")
    if not orig.ok.any():
        raise UnreachableError("routing.home_not_snapped", reason=orig.reason[0])
    secs = node_times(net, orig, float(max(minutes)) * 60.0)
    xy = np.c_[net.node_x, net.node_y]
    geoms = []
    for band in minutes:
        ok = np.isfinite(secs) & (secs <= band * 60.0)
        if ok.sum() < 3:
            geoms.append(shapely.Point(xy[ok][0]).buffer(50.0) if ok.any() else shapely.Polygon())
            continue
        hull = shapely.concave_hull(shapely.multipoints(xy[ok]), ratio=ratio)
        geoms.append(shapely.simplify(hull.buffer(80.0, quad_segs=4), 10.0))
    nested = _nested(geoms)
    return gpd.GeoDataFrame(
        {"minutes": list(minutes)}, geometry=gpd.GeoSeries(nested, crs=net.crs)
    ).to_crs(WGS84)


def node_sample(net: StreetNetwork, *, spacing_m: float, crs: str) -> gpd.GeoDataFrame:
    """One street node per ``spacing_m`` grid cell (ids ``n<node>``, EPSG:4326)."""
    lon = np.asarray(net.node_lon, dtype=float)
    lat = np.asarray(net.node_lat, dtype=float)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84)
    m = pts.to_crs(crs)
    cell = np.floor(np.c_[m.x.to_numpy(), m.y.to_numpy()] / spacing_m).astype(np.int64)
    _, first = np.unique(cell, axis=0, return_index=True)
    first = np.sort(first)
    return gpd.GeoDataFrame(
        {"id": [f"n{i}" for i in first]}, geometry=pts.iloc[first].values, crs=WGS84
    ).set_index("id")


def time_outlines(
    points: gpd.GeoDataFrame,
    seconds: npt.ArrayLike,
    minutes: Sequence[int],
    *,
    crs: str,
    walk_speed_m_s: float = 1.25,
    max_radius_m: float = 250.0,
) -> gpd.GeoDataFrame:
    """Travel-time bands from times to sample points.

    For each band of ``T`` minutes, every point reached at ``t <= T`` contributes a disc of
    radius ``min((T - t)·walk speed, max_radius_m)`` (what is left of the time, walked); the
    band is their union, in EPSG:4326.

    Parameters
    ----------
    points
        Sample points (any CRS).
    seconds
        Travel time to each point, seconds (NaN unreachable).
    minutes
        Band limits.
    crs
        Metric CRS for the buffers.
    walk_speed_m_s, max_radius_m
        Speed of the walk left at each point, and the largest disc.
    """
    m = points.geometry.to_crs(crs)
    xy = shapely.get_coordinates(m.values)
    t = np.asarray(seconds, dtype=float)
    geoms = []
    for band in minutes:
        limit = band * 60.0
        ok = np.isfinite(t) & (t <= limit)
        r = np.minimum((limit - t[ok]) * walk_speed_m_s, max_radius_m)
        r = np.maximum(r, 30.0)
        discs = shapely.buffer(shapely.points(xy[ok]), r, quad_segs=4)
        g = shapely.union_all(discs) if len(discs) else shapely.Polygon()
        geoms.append(shapely.simplify(g, 15.0))
    nested = _nested(geoms)
    return gpd.GeoDataFrame(
        {"minutes": list(minutes)}, geometry=gpd.GeoSeries(nested, crs=crs)
    ).to_crs(WGS84)
