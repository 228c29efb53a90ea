"""The fastest street route between two points, with its geometry for drawing."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from .._errors import OptionError, UnreachableError
from ..networks.streets import StreetNetwork
from ._search import direct_same_edge, source_graph
from .snapping import Snapped, snap

__all__ = ["Route", "route"]


class Route(NamedTuple):
    """A route: ``geometry`` (LineString, EPSG:4326), ``travel_time_s``, ``length_m``."""

    geometry: shapely.LineString
    travel_time_s: float
    length_m: float


def _edge_part(net: StreetNetwork, edge: int, start: float, end: float) -> shapely.LineString:
    """Part of an edge from normalised position ``start`` to ``end`` (reversed if end < start)."""
    g = net.edge_geometry[edge]
    part = substring(g, min(start, end), max(start, end), normalized=True)
    if isinstance(part, shapely.Point):  # zero-length part
        part = shapely.LineString([part, part])
    return part if start <= end else part.reverse()


def _arc_positions(net: StreetNetwork, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Position in the arc arrays of each arc ``a[k] → b[k]`` (arcs are sorted by from, to)."""
    key = net.arc_from.astype(np.int64) * net.n_nodes + net.arc_to
    return np.searchsorted(key, a.astype(np.int64) * net.n_nodes + b)


def _connector(s: Snapped, net: StreetNetwork, i: int) -> shapely.LineString:
    g = net.edge_geometry[s.edge[i]]
    on = shapely.line_interpolate_point(g, s.fraction[i], normalized=True)
    return shapely.LineString([(s.x[i], s.y[i]), (on.x, on.y)])


def route(network: StreetNetwork, origin_point: Any, destination_point: Any) -> Route:
    """The fastest route from ``origin_point`` to ``destination_point``.

    Parameters
    ----------
    network
        A street network.
    origin_point, destination_point
        Shapely Points or ``(lon, lat)`` pairs (WGS84), or one-row GeoDataFrames/GeoSeries.

    Returns
    -------
    Route
        ``(geometry, travel_time_s, length_m)``; geometry in EPSG:4326 from the origin point,
        along the streets, to the destination point.

    Raises
    ------
    UnreachableError
        A point is too far from the network, or no path joins them (the reason is given).
    """
    o = snap(network, origin_point, label="origin")
    d = snap(network, destination_point, label="destination")
    if len(o) != 1 or len(d) != 1:
        raise OptionError("route() takes exactly one origin and one destination point.")
    if not o.ok[0]:
        raise UnreachableError(f"origin {o.reason[0]}.")
    if not d.ok[0]:
        raise UnreachableError(f"destination {d.reason[0]}.")
    n = network.n_nodes
    graph = source_graph(network, o, reverse=False)
    dist, pred = dijkstra(graph, directed=True, indices=n, return_predecessors=True)
    from_u, from_v = d.egress(network)
    eu, ev = network.edge_u[d.edge[0]], network.edge_v[d.edge[0]]
    via = [(float(dist[eu] + from_u[0]), int(eu)), (float(dist[ev] + from_v[0]), int(ev))]
    total, end_node = min(via)
    _, _, direct = direct_same_edge(network, o, d)
    parts: list[shapely.LineString] = [_connector(o, network, 0)]
    if len(direct) and np.isfinite(direct[0]) and direct[0] <= total:
        total = float(direct[0])
        parts.append(_edge_part(network, int(o.edge[0]), o.fraction[0], d.fraction[0]))
    elif np.isfinite(total):
        path = [end_node]
        while path[-1] != n:
            path.append(int(pred[path[-1]]))
        nodes = path[::-1][1:]  # network nodes from the first to the last
        eo, ed = int(o.edge[0]), int(d.edge[0])
        first, last = nodes[0], nodes[-1]
        parts.append(
            _edge_part(network, eo, o.fraction[0], 0.0 if network.edge_u[eo] == first else 1.0)
        )
        if len(nodes) > 1:
            a = np.asarray(nodes[:-1])
            b = np.asarray(nodes[1:])
            pos = _arc_positions(network, a, b)
            edges = network.arc_edge[pos]
            forward = network.edge_u[edges] == a
            geoms = network.edge_geometry[edges]
            for k in np.flatnonzero(~forward):
                geoms[k] = geoms[k].reverse()
            parts.extend(geoms)
        parts.append(
            _edge_part(network, ed, 0.0 if network.edge_u[ed] == last else 1.0, d.fraction[0])
        )
    else:
        from .times import travel_times

        reason = travel_times(network, origin_point, destination_point, reasons=True)
        raise UnreachableError("routing.no_route", reason=reason["reason"].iloc[0])
    parts.append(_connector(d, network, 0).reverse())
    coords = np.concatenate([shapely.get_coordinates(p) for p in parts if not p.is_empty])
    keep = np.r_[True, np.any(np.diff(coords, axis=0) != 0, axis=1)]
    coords = coords[keep]
    if len(coords) < 2:
        coords = np.vstack([coords, coords])
    line_m = shapely.LineString(coords)
    lon, lat = network.to_wgs84.transform(coords[:, 0], coords[:, 1])
    return Route(shapely.LineString(np.column_stack([lon, lat])), total, float(line_m.length))
