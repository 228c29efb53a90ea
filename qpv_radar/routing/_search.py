"""Vectorised shortest-path searches over a street network plus snapped points.

Origins and destinations become *virtual nodes* appended to the CSR graph: origin ``i`` has arcs
to its edge's end nodes (connector + partial edge), destination ``j`` has arcs from them. One
``scipy.sparse.csgraph.dijkstra`` call then searches from many sources at once, in the direction
that needs the fewest searches (the reversed graph from the destinations when they are fewer).
Pairs snapped onto the same edge also get the direct way along that edge.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from ..networks.streets import StreetNetwork
from .snapping import Snapped, _part

#: Largest dense result block (sources × nodes) computed at once (≈ 160 MB of float64).
_BLOCK = 20_000_000
_MIN_ARC_S = 1e-6


def augmented_graph(net: StreetNetwork, orig: Snapped, dest: Snapped) -> sparse.csr_matrix:
    """The network's CSR graph with origin nodes ``N..N+O-1`` and destinations after them."""
    n, n_o, n_d = net.n_nodes, len(orig), len(dest)
    to_u, to_v = orig.access(net)
    from_u, from_v = dest.egress(net)
    o_ids = n + np.arange(n_o)
    d_ids = n + n_o + np.arange(n_d)
    e_o = np.where(orig.ok, orig.edge, 0)
    e_d = np.where(dest.ok, dest.edge, 0)
    rows = np.r_[net.arc_from, o_ids, o_ids, net.edge_u[e_d], net.edge_v[e_d]]
    cols = np.r_[net.arc_to, net.edge_u[e_o], net.edge_v[e_o], d_ids, d_ids]
    data = np.r_[net.arc_time, to_u, to_v, from_u, from_v]
    keep = np.isfinite(data)
    rows, cols, data = rows[keep], cols[keep], np.maximum(data[keep], _MIN_ARC_S)
    # a self-loop edge gives two virtual arcs between the same nodes: keep the faster one
    order = np.lexsort((data, cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
    size = n + n_o + n_d
    return sparse.csr_matrix((data[first], (rows[first], cols[first])), shape=(size, size))


def direct_same_edge(
    net: StreetNetwork, orig: Snapped, dest: Snapped
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i, j, seconds) snapped onto the same edge, going straight along it."""
    ok_o = np.flatnonzero(orig.ok)
    ok_d = np.flatnonzero(dest.ok)
    if not len(ok_o) or not len(ok_d):
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    order = np.argsort(dest.edge[ok_d], kind="stable")
    d_sorted = ok_d[order]
    d_edges = dest.edge[d_sorted]
    lo = np.searchsorted(d_edges, orig.edge[ok_o], "left")
    hi = np.searchsorted(d_edges, orig.edge[ok_o], "right")
    counts = hi - lo
    if not counts.any():
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    i = np.repeat(ok_o, counts)
    starts = np.repeat(lo, counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    j = d_sorted[starts + offs]
    e = orig.edge[i]
    df = dest.fraction[j] - orig.fraction[i]
    along = np.where(df >= 0, _part(df, net.edge_time_fwd[e]), _part(-df, net.edge_time_bwd[e]))
    conn = (orig.distance_m[i] + dest.distance_m[j]) / net.rules.connector_speed_mps
    return i, j, conn + along


def matrix(
    net: StreetNetwork, orig: Snapped, dest: Snapped, *, max_time_s: float | None = None
) -> np.ndarray:
    """Travel times (s), shape (origins, destinations); ``inf`` when unreachable or too long."""
    n_o, n_d = len(orig), len(dest)
    out = np.full((n_o, n_d), np.inf)
    if not n_o or not n_d or not orig.ok.any() or not dest.ok.any():
        return out
    graph = augmented_graph(net, orig, dest)
    n = net.n_nodes
    o_nodes = n + np.flatnonzero(orig.ok)
    d_nodes = n + n_o + np.flatnonzero(dest.ok)
    limit = np.inf if max_time_s is None else float(max_time_s)
    forward = len(o_nodes) <= len(d_nodes)
    g = graph if forward else graph.T.tocsr()
    sources, targets = (o_nodes, d_nodes) if forward else (d_nodes, o_nodes)
    block = max(1, _BLOCK // graph.shape[0])
    res = np.empty((len(sources), len(targets)))
    for s in range(0, len(sources), block):
        dist = dijkstra(g, directed=True, indices=sources[s : s + block], limit=limit)
        res[s : s + block] = dist[:, targets]
    sub = res if forward else res.T
    out[np.ix_(np.flatnonzero(orig.ok), np.flatnonzero(dest.ok))] = sub
    i, j, t = direct_same_edge(net, orig, dest)
    if len(i):
        out[i, j] = np.minimum(out[i, j], np.where(t <= limit, t, np.inf))
    return out


def nearest_one(
    net: StreetNetwork, orig: Snapped, dest: Snapped, *, max_time_s: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest destination of every origin with one multi-source search.

    Returns (destination position or -1, seconds or inf) per origin.
    """
    n_o = len(orig)
    best = np.full(n_o, -1, dtype=np.int64)
    time = np.full(n_o, np.inf)
    if not n_o or not orig.ok.any() or not dest.ok.any():
        return best, time
    graph = augmented_graph(net, orig, dest)
    n = net.n_nodes
    d_nodes = n + n_o + np.flatnonzero(dest.ok)
    limit = np.inf if max_time_s is None else float(max_time_s)
    dist, _, src = dijkstra(
        graph.T.tocsr(),
        directed=True,
        indices=d_nodes,
        limit=limit,
        min_only=True,
        return_predecessors=True,
    )
    o_nodes = n + np.arange(n_o)
    time = dist[o_nodes]
    reached = np.isfinite(time)
    best[reached] = src[o_nodes][reached] - n - n_o
    i, j, t = direct_same_edge(net, orig, dest)
    if len(i):
        better = (t < time[i]) & (t <= limit)
        # several same-edge candidates per origin: apply in decreasing time order
        order = np.argsort(-t[better], kind="stable")
        ii, jj, tt = i[better][order], j[better][order], t[better][order]
        time[ii] = np.minimum(time[ii], tt)
        best[ii] = jj
    return best, time
