"""Attach points to a street network: onto the nearest usable edge, never silently far away.

A point is projected onto the nearest edge (shapely ``STRtree`` in the network's metric CRS).
The straight line from the point to the edge is covered at the mode's connector speed, then
the partial edge to each end node at the edge's speed (when the mode may go that way). A point
farther than the network's ``max_snap_m`` from every usable edge is *not* snapped: it gets a
reason (shown in outputs), e.g. a point in the sea or outside the network's area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .._errors import CrsError, InputFileError, InputProblem
from .._messages import Message
from ..networks.streets import StreetNetwork

__all__ = ["Snapped", "points_xy", "snap", "snap_points"]


@dataclass(frozen=True)
class Snapped:
    """Points attached to a network (arrays aligned with the input points).

    Attributes
    ----------
    index
        The input's index (ids).
    edge
        Edge each point is snapped to, ``-1`` when not snapped.
    distance_m
        Straight-line distance from the point to the edge (metres; NaN when not snapped).
    fraction
        Position of the projection along the edge, 0 at ``u`` to 1 at ``v``.
    x, y
        The points in the network's metric CRS.
    reason
        ``None`` when snapped, else why not (a :class:`~qpv_radar._messages.Message`).
    """

    index: pd.Index
    edge: np.ndarray
    distance_m: np.ndarray
    fraction: np.ndarray
    x: np.ndarray
    y: np.ndarray
    reason: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of snapped points."""
        return self.edge >= 0

    def __len__(self) -> int:
        return len(self.edge)

    def access(self, net: StreetNetwork) -> tuple[np.ndarray, np.ndarray]:
        """Seconds from each point to the edge's ``u`` and ``v`` nodes (``inf`` if barred)."""
        e = np.where(self.ok, self.edge, 0)
        conn = self.distance_m / net.rules.connector_speed_mps
        to_u = conn + _part(self.fraction, net.edge_time_bwd[e])
        to_v = conn + _part(1.0 - self.fraction, net.edge_time_fwd[e])
        return np.where(self.ok, to_u, np.inf), np.where(self.ok, to_v, np.inf)

    def egress(self, net: StreetNetwork) -> tuple[np.ndarray, np.ndarray]:
        """Seconds from the edge's ``u`` and ``v`` nodes to each point (``inf`` if barred)."""
        e = np.where(self.ok, self.edge, 0)
        conn = self.distance_m / net.rules.connector_speed_mps
        from_u = conn + _part(self.fraction, net.edge_time_fwd[e])
        from_v = conn + _part(1.0 - self.fraction, net.edge_time_bwd[e])
        return np.where(self.ok, from_u, np.inf), np.where(self.ok, from_v, np.inf)


def _part(frac: np.ndarray, time: np.ndarray) -> np.ndarray:
    """``frac * time`` with 0 × inf = 0 (a point exactly on a node needs no edge)."""
    with np.errstate(invalid="ignore"):
        return np.where(frac <= 0, 0.0, frac * time)


def points_xy(
    points: Any, net: StreetNetwork, *, label: str = "points"
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Return (index, x, y) of points in the network's metric CRS, after checking them.

    Accepts a GeoDataFrame/GeoSeries of Points (with a CRS), a shapely Point or a
    ``(lon, lat)`` pair (WGS84).

    Raises
    ------
    CrsError
        No CRS, or WGS84 declared but coordinates are not degrees (projected coordinates passed
        as degrees), or longitude/latitude swapped.
    InputFileError
        Missing, empty or non-point geometries (every bad row listed).
    """
    import geopandas as gpd

    if isinstance(points, shapely.Point):
        points = gpd.GeoSeries([points], crs=4326)
    elif isinstance(points, tuple | list) and len(points) == 2 and np.isscalar(points[0]):
        lon0, lat0 = (float(c) for c in points)
        points = gpd.GeoSeries([shapely.Point(lon0, lat0)], crs=4326)
    if not isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        raise InputFileError(
            label,
            [
                InputProblem(
                    None,
                    None,
                    f"a {type(points).__name__} is not a set of points",
                    "give a GeoDataFrame/GeoSeries of Points, a shapely Point or (lon, lat)",
                )
            ],
        )
    geoms = np.asarray(points.geometry.values if hasattr(points, "geometry") else points.values)
    index = points.index
    if points.crs is None:
        raise CrsError(
            f"{label}: no CRS. Declare it, e.g. gdf.set_crs('EPSG:4326') for longitude/latitude."
        )
    bad = np.flatnonzero(
        pd.isna(geoms)
        | (shapely.get_type_id(geoms) != shapely.GeometryType.POINT)
        | shapely.is_empty(geoms)
    )
    if len(bad):
        raise InputFileError(
            label,
            [
                InputProblem(
                    int(i) + 1,
                    "geometry",
                    "not a Point (missing, empty or other type)",
                    "give one Point per row (use .centroid for areas)",
                )
                for i in bad[:1000]
            ],
        )
    xy = shapely.get_coordinates(geoms)
    crs = CRS.from_user_input(points.crs)
    if crs.is_geographic:
        lon, lat = xy[:, 0], xy[:, 1]
        if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
            raise CrsError(
                f"{label}: CRS {crs.to_string()} says degrees but coordinates reach "
                f"({lon[np.abs(lon).argmax()]:.0f}, {lat[np.abs(lat).argmax()]:.0f}): projected "
                "coordinates (metres, e.g. Lambert-93) were passed as degrees. Set the right CRS, "
                "e.g. gdf.set_crs('EPSG:2154', allow_override=True)."
            )
        _check_swapped(lon, lat, net, label)
        x, y = net.to_metric.transform(lon, lat)
    else:
        gs = gpd.GeoSeries(geoms, crs=crs).to_crs(net.crs)
        xy = shapely.get_coordinates(np.asarray(gs.values))
        x, y = xy[:, 0], xy[:, 1]
    return index, np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _check_swapped(lon: np.ndarray, lat: np.ndarray, net: StreetNetwork, label: str) -> None:
    x0, y0, x1, y1 = net.bounds_lonlat()
    pad = 0.05
    inside = (lon >= x0 - pad) & (lon <= x1 + pad) & (lat >= y0 - pad) & (lat <= y1 + pad)
    swapped = (lat >= x0 - pad) & (lat <= x1 + pad) & (lon >= y0 - pad) & (lon <= y1 + pad)
    if len(lon) and not inside.any() and swapped.all():
        raise CrsError(
            f"{label}: the points lie inside the network only with longitude and latitude "
            "swapped. Give x = longitude, y = latitude (e.g. Point(3.87, 43.61) in Montpellier)."
        )


def _distance(metres: float) -> str:
    """``850 m`` or ``10.5 km`` (the same digits in every language)."""
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def snap(net: StreetNetwork, points: Any, *, label: str = "points") -> Snapped:
    """Snap points onto the nearest usable edge of ``net`` (see the module docstring).

    Unsnapped points get their reason as a :class:`~qpv_radar._messages.Message`.
    """
    index, x, y = points_xy(points, net, label=label)
    n = len(x)
    edge = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    frac = np.zeros(n)
    reason = np.full(n, None, dtype=object)
    if n == 0:
        return Snapped(index, edge, dist, frac, x, y, reason)
    pts = np.asarray(shapely.points(x, y))
    tree = net.edge_tree
    (ip, ie), d = tree.query_nearest(
        pts, max_distance=net.rules.max_snap_m, return_distance=True, all_matches=False
    )
    edge[ip] = ie
    dist[ip] = d
    frac[ip] = shapely.line_locate_point(net.edge_geometry[ie], pts[ip], normalized=True)
    far = np.flatnonzero(edge < 0)
    if len(far):
        (fp, _), fd = tree.query_nearest(pts[far], return_distance=True, all_matches=False)
        nearest = np.full(len(far), np.nan)
        nearest[fp] = fd
        for k, i in enumerate(far):
            reason[i] = Message(
                "reason.too_far",
                {
                    "mode": Message(f"network.{net.mode}"),
                    "dist": _distance(nearest[k]),
                    "max_snap": net.rules.max_snap_m,
                },
            )
    return Snapped(index, edge, dist, np.clip(frac, 0.0, 1.0), x, y, reason)


def snap_points(net: StreetNetwork, points: Any) -> pd.DataFrame:
    """Report how points attach to the network.

    Returns
    -------
    DataFrame
        Aligned to the points' index: ``edge`` (-1 when not snapped), ``distance_m``,
        ``fraction``, ``component`` (network part the point is on, -1 when not snapped),
        ``reason`` (None when snapped, else a :class:`~qpv_radar._messages.Message`: its
        ``text(lang)`` gives the words).
    """
    s = snap(net, points)
    comp = np.where(s.ok, net.component[net.edge_u[np.where(s.ok, s.edge, 0)]], -1)
    return pd.DataFrame(
        {
            "edge": s.edge,
            "distance_m": s.distance_m,
            "fraction": s.fraction,
            "component": comp,
            "reason": pd.Series(s.reason, index=s.index, dtype=object),
        },
        index=s.index,
    )
