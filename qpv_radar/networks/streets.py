"""Routable street networks: one mode, compact CSR arrays, cached on disk.

:func:`load_street_network` turns a street input (a territory's ``[streets]`` source, an OSM
XML/PBF file, an osmnx export or graph) into a :class:`StreetNetwork` for one mode: per-mode rules
(:mod:`~qpv_radar.networks.modes`), geodesic edge lengths, travel times in seconds, and a CSR
adjacency where parallel edges are collapsed to the fastest one (``scipy.sparse`` *sums*
duplicates, which silently makes routes longer) and self-loops are left out. The arrays are
saved in ``datasets.cache_dir()/networks/`` (:mod:`qpv_radar._cache`: verified entries, no
pickle) under a key made of the input files' SHA-256, the mode parameters that shape the arrays
(mode, speeds), the metric CRS and the source of the modules that build them, and reloaded in a
few tens of milliseconds.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .. import _cache
from .._defaults import DEFAULT_TERRITORY
from .._errors import NetworkError
from . import modes, readers
from .inputs import read_object, resolve_input
from .modes import ModeRules, apply_rules, mode_rules
from .readers import EdgeTable, read_street_file

__all__ = [
    "StreetNetwork",
    "build_street_network",
    "download_street_network",
    "load_street_network",
]

#: Version of the files written by :meth:`StreetNetwork.save` (the cache keys on the code).
_SAVE_VERSION = 1
_CACHE_KIND = "networks"
log = logging.getLogger("qpv_radar.cache")
#: Smallest arc time (s): csgraph must never see a zero weight (it could drop the arc).
_MIN_ARC_S = 1e-6


class StreetNetwork:
    """A street network built for one mode (the one class holding expensive state).

    Attributes
    ----------
    rules
        The mode's :class:`~qpv_radar.networks.modes.ModeRules` (mode, speeds, max snap).
    crs
        Metric CRS of ``node_x``/``node_y`` and of the edge geometries (e.g. ``EPSG:2154``).
    node_lon, node_lat, node_x, node_y
        Node coordinates, WGS84 and metric.
    edge_u, edge_v, edge_length_m
        Edges usable by the mode (geometry from ``u`` to ``v``), geodesic length in metres.
    edge_time_fwd, edge_time_bwd
        Travel time (s) from ``u`` to ``v`` and back; ``inf`` where the mode may not go.
    arc_from, arc_to, arc_time, arc_edge
        The directed arcs of the routing graph (parallel edges collapsed to the fastest, no
        self-loop), sorted by ``arc_from`` (CSR order); ``arc_edge`` is the edge each arc runs on.
    component
        Weakly connected component label of every node.
    source
        Description of the input (path or kind), for messages.
    """

    def __init__(self, arrays: dict[str, np.ndarray], rules: ModeRules, crs: str, source: str):
        self.rules = rules
        self.crs = crs
        self.source = source
        self.node_lon = arrays["node_lon"]
        self.node_lat = arrays["node_lat"]
        self.node_x = arrays["node_x"]
        self.node_y = arrays["node_y"]
        self.edge_u = arrays["edge_u"]
        self.edge_v = arrays["edge_v"]
        self.edge_length_m = arrays["edge_length_m"]
        self.edge_time_fwd = arrays["edge_time_fwd"]
        self.edge_time_bwd = arrays["edge_time_bwd"]
        self.arc_from = arrays["arc_from"]
        self.arc_to = arrays["arc_to"]
        self.arc_time = arrays["arc_time"]
        self.arc_edge = arrays["arc_edge"]
        self.component = arrays["component"]
        self._geom_coords = arrays["geom_coords"]
        self._geom_offsets = arrays["geom_offsets"]

    # ---- sizes and description -------------------------------------------------------
    @property
    def mode(self) -> str:
        """``"walk"``, ``"bike"`` or ``"car"``."""
        return self.rules.mode

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_lon)

    @property
    def n_edges(self) -> int:
        """Number of edges usable by the mode."""
        return len(self.edge_u)

    def __repr__(self) -> str:
        return (
            f"StreetNetwork(mode={self.mode!r}, nodes={self.n_nodes:,}, edges={self.n_edges:,}, "
            f"arcs={len(self.arc_from):,}, components={self.n_components}, crs={self.crs!r}, "
            f"source={self.source!r})"
        )

    @functools.cached_property
    def n_components(self) -> int:
        """Number of weakly connected components."""
        return int(self.component.max()) + 1 if len(self.component) else 0

    # ---- lazily built views ----------------------------------------------------------
    @functools.cached_property
    def graph(self) -> sparse.csr_matrix:
        """The routing graph as a CSR matrix of travel times (s), nodes × nodes."""
        n = self.n_nodes
        indptr = np.searchsorted(self.arc_from, np.arange(n + 1)).astype(np.int64)
        return sparse.csr_matrix((self.arc_time, self.arc_to, indptr), shape=(n, n))

    @functools.cached_property
    def graph_reversed(self) -> sparse.csr_matrix:
        """The routing graph with every arc reversed (for searches towards destinations)."""
        return self.graph.T.tocsr()

    @functools.cached_property
    def edge_geometry(self) -> np.ndarray:
        """Edge LineStrings in the metric CRS (``u`` → ``v``)."""
        return shapely.from_ragged_array(
            shapely.GeometryType.LINESTRING, self._geom_coords, (self._geom_offsets,)
        )

    @functools.cached_property
    def edge_tree(self) -> shapely.STRtree:
        """Spatial index of :attr:`edge_geometry` (for snapping)."""
        return shapely.STRtree(self.edge_geometry)

    @functools.cached_property
    def to_metric(self) -> Transformer:
        """WGS84 → metric CRS transformer."""
        return Transformer.from_crs(4326, self.crs, always_xy=True)

    @functools.cached_property
    def to_wgs84(self) -> Transformer:
        """Metric CRS → WGS84 transformer."""
        return Transformer.from_crs(self.crs, 4326, always_xy=True)

    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the nodes."""
        return (
            float(self.node_lon.min()),
            float(self.node_lat.min()),
            float(self.node_lon.max()),
            float(self.node_lat.max()),
        )

    # ---- persistence -----------------------------------------------------------------
    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            "node_lon": self.node_lon,
            "node_lat": self.node_lat,
            "node_x": self.node_x,
            "node_y": self.node_y,
            "edge_u": self.edge_u,
            "edge_v": self.edge_v,
            "edge_length_m": self.edge_length_m,
            "edge_time_fwd": self.edge_time_fwd,
            "edge_time_bwd": self.edge_time_bwd,
            "arc_from": self.arc_from,
            "arc_to": self.arc_to,
            "arc_time": self.arc_time,
            "arc_edge": self.arc_edge,
            "component": self.component,
            "geom_coords": self._geom_coords,
            "geom_offsets": self._geom_offsets,
        }

    def save(self, path: str | Path) -> Path:
        """Save to a ``.npz`` file (written atomically); reload with :meth:`load`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "version": _SAVE_VERSION,
            "rules": self.rules.key(),
            "crs": self.crs,
            "source": self.source,
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        os.close(fd)
        try:
            with open(tmp, "wb") as f:
                arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta)), **self._arrays()}
                np.savez(f, **arrays)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    @classmethod
    def load(cls, path: str | Path) -> StreetNetwork:
        """Load a network saved by :meth:`save`.

        Raises
        ------
        NetworkError
            Not a saved network, or saved by an incompatible version.
        """
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                arrays = {k: z[k] for k in z.files if k != "meta"}
        except (OSError, KeyError, ValueError) as exc:
            raise NetworkError(f"{path}: not a saved street network ({exc}).") from exc
        if meta.get("version") != _SAVE_VERSION:
            raise NetworkError(f"{path}: saved by another version of qpv_radar; rebuild it.")
        rules = mode_rules(
            meta["rules"]["mode"],
            **{k: v for k, v in meta["rules"].items() if k != "mode"},
        )
        return cls(arrays, rules, meta["crs"], meta["source"])


def _metric_crs(lon: np.ndarray, lat: np.ndarray) -> str:
    """Lambert-93 in metropolitan France, the local UTM zone elsewhere."""
    clon, clat = float(np.median(lon)), float(np.median(lat))
    if -5.5 <= clon <= 10 and 41 <= clat <= 51.5:
        return "EPSG:2154"
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    info = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(clon, clat, clon, clat),
    )
    return f"EPSG:{info[0].code}"


def _geodesic_lengths(geoms: np.ndarray) -> np.ndarray:
    """Geodesic (WGS84 ellipsoid) length of every LineString, in metres, vectorised."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    same = index[1:] == index[:-1]
    _, _, seg = Geod(ellps="WGS84").inv(
        coords[:-1, 0][same], coords[:-1, 1][same], coords[1:, 0][same], coords[1:, 1][same]
    )
    return np.bincount(index[1:][same], weights=seg, minlength=len(geoms))


def build_street_network(
    table: EdgeTable,
    rules: ModeRules,
    *,
    crs: str | None = None,
    source: str = "",
) -> StreetNetwork:
    """Build a :class:`StreetNetwork` from an :class:`~qpv_radar.networks.readers.EdgeTable`.

    Parameters
    ----------
    table
        The edges read from the input.
    rules
        The mode's rules.
    crs
        Metric CRS; default Lambert-93 in metropolitan France, else the local UTM zone.
    source
        Description of the input, kept for messages.

    Raises
    ------
    NetworkError
        No edge usable by the mode.
    """
    u, v, geoms_ll, t_fwd, t_bwd, length = _usable_edges(table, rules, source)
    u, v, lon, lat = _renumber_nodes(table, u, v)
    crs = crs or _metric_crs(lon, lat)
    x, y, coords, offsets = _project(lon, lat, geoms_ll, crs)
    a, b, w, e = _arcs(u, v, t_fwd, t_bwd)
    n = len(lon)
    graph = sparse.csr_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, comp = connected_components(graph, directed=True, connection="weak")
    arrays = {
        "node_lon": np.asarray(lon, dtype=float),
        "node_lat": np.asarray(lat, dtype=float),
        "node_x": np.asarray(x, dtype=float),
        "node_y": np.asarray(y, dtype=float),
        "edge_u": u,
        "edge_v": v,
        "edge_length_m": length,
        "edge_time_fwd": t_fwd,
        "edge_time_bwd": t_bwd,
        "arc_from": a,
        "arc_to": b,
        "arc_time": w,
        "arc_edge": e,
        "component": comp.astype(np.int32),
        "geom_coords": coords,
        "geom_offsets": offsets.astype(np.int64),
    }
    return StreetNetwork(arrays, rules, crs, source)


_Arrays = tuple[np.ndarray, ...]


def _usable_edges(table: EdgeTable, rules: ModeRules, source: str) -> _Arrays:
    """(u, v, WGS84 geometry, forward and backward seconds, metres) of the edges the mode
    may use (``inf`` seconds in a direction it may not); raises when there is none."""
    er = apply_rules(rules, table.tags, directed_input=table.directed_input)
    usable = er.forward | er.backward
    if not usable.any():
        raise NetworkError(
            f"{source or 'street input'}: no street usable by mode {rules.mode!r} "
            f"({len(usable)} edges read, all excluded by the mode's rules). "
            "Check the file covers streets, or choose another mode."
        )
    keep = np.flatnonzero(usable)
    geoms_ll = table.geometry[keep]
    u = table.u[keep].astype(np.int64)
    v = table.v[keep].astype(np.int64)
    length = _geodesic_lengths(geoms_ll)
    speed = er.speed_mps[keep]
    t = length / speed
    t_fwd = np.where(er.forward[keep], t, np.inf)
    t_bwd = np.where(er.backward[keep], t, np.inf)
    return u, v, geoms_ll, t_fwd, t_bwd, length


def _renumber_nodes(table: EdgeTable, u: np.ndarray, v: np.ndarray) -> _Arrays:
    """Drop nodes no usable edge touches, renumber 0..N-1: (u, v, node lon, node lat)."""
    used, inv = np.unique(np.r_[u, v], return_inverse=True)
    u, v = inv[: len(u)], inv[len(u) :]
    return u, v, table.node_lon[used], table.node_lat[used]


def _project(lon: np.ndarray, lat: np.ndarray, geoms_ll: np.ndarray, crs: str) -> _Arrays:
    """Nodes and edge geometries in the metric CRS: (x, y, geometry coords, offsets)."""
    tr = Transformer.from_crs(4326, crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    geoms_m = shapely.transform(geoms_ll, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    _, coords, (offsets,) = shapely.to_ragged_array(geoms_m)
    return x, y, coords, offsets


def _arcs(u: np.ndarray, v: np.ndarray, t_fwd: np.ndarray, t_bwd: np.ndarray) -> _Arrays:
    """Directed arcs (from, to, seconds, edge); parallel arcs collapsed to the fastest,
    self-loops left out."""
    eidx = np.arange(len(u))
    a = np.r_[u, v]
    b = np.r_[v, u]
    w = np.r_[t_fwd, t_bwd]
    e = np.r_[eidx, eidx]
    ok = np.isfinite(w) & (a != b)
    a, b, w, e = a[ok], b[ok], w[ok], e[ok]
    order = np.lexsort((w, b, a))
    a, b, w, e = a[order], b[order], w[order], e[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    return a[first], b[first], np.maximum(w[first], _MIN_ARC_S), e[first]


def _cache_key(files: list[Path], rules: ModeRules, crs: str | None) -> str:
    """The cache key: input contents, what shapes the arrays, the building code."""
    # only what shapes the arrays: the snap distance and connector speed are query-time
    built_by = {k: rules.key()[k] for k in ("mode", "speed_kmh", "car_speed_kmh")}
    return _cache.key(
        _CACHE_KIND,
        list(files),
        [modes, readers, sys.modules[__name__]],
        params={"rules": built_by, "crs": crs},
        label=rules.mode,
    )


def _from_cache(key: str, rules: ModeRules) -> StreetNetwork | None:
    """The cached network of ``key`` (``None`` when absent or unusable: rebuilt)."""
    bundle = _cache.load(_CACHE_KIND, key)
    if bundle is None:
        return None
    try:
        return StreetNetwork(bundle.arrays, rules, str(bundle.meta["crs"]), bundle.meta["source"])
    except KeyError as exc:  # an entry of another layout
        log.warning("cache entry %s unusable (missing %s): rebuilding it", bundle.path, exc)
        return None


def load_street_network(
    territory_or_source: Any = DEFAULT_TERRITORY,
    mode: str = "walk",
    *,
    crs: str | None = None,
    cache: bool = True,
    speed_kmh: float | None = None,
    connector_speed_kmh: float | None = None,
    max_snap_m: float | None = None,
    car_speed_kmh: dict[str, float] | None = None,
) -> StreetNetwork:
    """Build (or reload from the cache) the street network of one mode.

    Parameters
    ----------
    territory_or_source
        A :class:`~qpv_radar.territory.Territory` or its name (its ``[streets]`` source), a
        registry path, a file (OSM ``.osm``/``.osm.gz``/``.osm.bz2``/``.osm.pbf``, osmnx
        ``.shp``/``.gpkg``/``.graphml``), a :class:`~qpv_radar.territory.Source`, a networkx
        graph made by osmnx, or a GeoDataFrame of street LineStrings.
    mode
        ``"walk"`` (4.5 km/h), ``"bike"`` (15 km/h) or ``"car"`` (``maxspeed`` or class speed).
    crs
        Metric CRS for snapping and geometry; default: the territory's, else Lambert-93 in
        metropolitan France, else the local UTM zone.
    cache
        Reuse/save the built arrays in ``datasets.cache_dir()/networks/`` (file inputs only).
    speed_kmh, connector_speed_kmh, max_snap_m, car_speed_kmh
        Override the mode's defaults (see :func:`~qpv_radar.networks.modes.mode_rules`).

    Returns
    -------
    StreetNetwork

    Raises
    ------
    NetworkError
        Unreadable or empty input, unknown mode, no street usable by the mode.
    """
    rules = mode_rules(
        mode,
        speed_kmh=speed_kmh,
        connector_speed_kmh=connector_speed_kmh,
        max_snap_m=max_snap_m,
        car_speed_kmh=car_speed_kmh,
    )
    obj, fmt, label, files, crs_hint = resolve_input(territory_or_source, rules.mode)
    crs = crs or crs_hint
    key = _cache_key(files, rules, crs) if cache and files is not None else None
    if key is not None and (net := _from_cache(key, rules)) is not None:
        return net
    table = read_object(obj, label) if fmt == "object" else read_street_file(obj, fmt)
    net = build_street_network(table, rules, crs=crs, source=label)
    if key is not None:
        _cache.save(_CACHE_KIND, key, net._arrays(), meta={"crs": net.crs, "source": net.source})
    return net


#: osmnx ``network_type`` used to download each mode's graph.
OSMNX_NETWORK_TYPE = {"walk": "walk", "bike": "bike", "car": "drive"}


def download_street_network(place: str, mode: str = "walk", **options: Any) -> StreetNetwork:
    """Download a place's streets from OpenStreetMap with osmnx, then build the network.

    Only call this when you mean to go online (it queries Nominatim and Overpass through
    osmnx); tests and the rest of qpv_radar never do. For repeated use, save the graph with
    ``ox.save_graphml`` and pass the file to :func:`load_street_network` (cached by checksum).

    Parameters
    ----------
    place
        A place name osmnx can geocode, e.g. ``"Montpellier, France"``.
    mode
        ``"walk"``, ``"bike"`` or ``"car"`` (osmnx ``network_type`` walk, bike or drive).
    **options
        Passed to :func:`load_street_network` (``speed_kmh``, ``max_snap_m``…).
    """
    import osmnx as ox

    if mode not in OSMNX_NETWORK_TYPE:
        mode_rules(mode)  # raises the NetworkError naming the modes
    graph = ox.graph_from_place(place, network_type=OSMNX_NETWORK_TYPE[mode])
    return load_street_network(graph, mode, **options)
