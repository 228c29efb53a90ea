"""Readers of street inputs into one plain edge table.

Every input becomes an :class:`EdgeTable`: node ids ``0..N-1`` with lon/lat, one row per edge
(``u``, ``v``, a WGS84 LineString running from ``u`` to ``v``) and the OSM tags the mode rules
read (:data:`~qpv_radar.networks.modes.TAG_KEYS`, absent when the input has none).

Inputs understood:

- OpenStreetMap XML (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.xml.gz``) and PBF (``.osm.pbf``),
  read with pyosmium; ways are split at every node shared with another way;
- osmnx exports: the shapefile export (``edges.shp``; nodes are rebuilt from the edge end points,
  rounded to 1e-7°), GeoPackage (``edges``/``nodes`` layers) and GraphML;
- a networkx graph made by osmnx (in memory).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .._errors import CrsError, InputFileError, InputProblem, NetworkError, QpvRadarError
from .modes import TAG_KEYS

__all__ = [
    "STREET_FORMATS",
    "EdgeTable",
    "read_edge_frame",
    "read_graph",
    "read_osm",
    "read_street_file",
]


@dataclass(frozen=True)
class EdgeTable:
    """Edges of a street input, before any mode rule.

    Attributes
    ----------
    u, v
        End node ids (int64, ``0..N-1``) of each edge; geometry runs from ``u`` to ``v``.
    node_lon, node_lat
        Node coordinates (WGS84).
    geometry
        LineStrings (WGS84), one per edge.
    tags
        OSM tags, one row per edge (no columns when the input carries none).
    directed_input
        True when each edge is one direction of travel (osmnx directed graphs).
    """

    u: np.ndarray
    v: np.ndarray
    node_lon: np.ndarray
    node_lat: np.ndarray
    geometry: np.ndarray
    tags: pd.DataFrame
    directed_input: bool = False


def _nodes_from_endpoints(
    geoms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Build nodes from LineString end points rounded to 1e-7° (the osmnx export precision)."""
    coords = shapely.get_coordinates(geoms)
    counts = shapely.get_num_coordinates(geoms)
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    ends = np.vstack([coords[first], coords[last]])
    q = np.round(ends * 1e7).astype(np.int64)
    uniq, inv = np.unique(q, axis=0, return_inverse=True)
    inv = inv.ravel()
    n = len(geoms)
    return inv[:n], inv[n:], uniq[:, 0] / 1e7, uniq[:, 1] / 1e7


def read_edge_frame(edges: Any, *, label: str = "edges") -> EdgeTable:
    """Build an :class:`EdgeTable` from a GeoDataFrame of LineStrings (osmnx exports).

    Nodes are the edges' end points; tag columns present in the frame are kept.

    Raises
    ------
    CrsError
        The frame has no CRS, or coordinates that cannot be degrees.
    InputFileError
        Missing, empty or non-line geometries (every bad row listed).
    NetworkError
        No edge at all.
    """
    if len(edges) == 0:
        raise NetworkError(
            f"{label}: the street network is empty (no edge). Give a non-empty file."
        )
    if edges.crs is None:
        raise CrsError(f"{label}: no CRS. Set it (e.g. gdf.set_crs('EPSG:4326')) before building.")
    edges = edges.to_crs(4326)
    geoms = np.asarray(edges.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    problems = []
    multi = types == shapely.GeometryType.MULTILINESTRING
    if multi.any():  # osmnx never writes them, but other tools may: keep the first part
        geoms = geoms.copy()
        merged = shapely.line_merge(geoms[multi])
        geoms[multi] = np.where(
            shapely.get_type_id(merged) == shapely.GeometryType.LINESTRING,
            merged,
            shapely.get_geometry(geoms[multi], 0),
        )
        types = shapely.get_type_id(geoms)
    bad = np.flatnonzero((types != shapely.GeometryType.LINESTRING) | shapely.is_empty(geoms))
    for i in bad[:1000]:
        problems.append(
            InputProblem(
                int(i) + 1,
                "geometry",
                "not a LineString (missing, empty or another type)",
                "remove the row or give the street's line geometry",
            )
        )
    if problems:
        raise InputFileError(label, problems)
    bounds = shapely.total_bounds(geoms)
    if not (-180 <= bounds[0] <= 180 and -90 <= bounds[1] <= 90 and bounds[3] <= 90):
        raise CrsError(
            f"{label}: coordinates {bounds.round(1).tolist()} are not degrees although the CRS "
            "says so: projected coordinates were written as WGS84. Set the right CRS."
        )
    u, v, lon, lat = _nodes_from_endpoints(geoms)
    cols = [c for c in TAG_KEYS if c in edges.columns]
    tags = pd.DataFrame(edges[cols]).reset_index(drop=True)
    return EdgeTable(u, v, lon, lat, geoms, tags)


def read_osm(path: str | Path) -> EdgeTable:
    """Read an OpenStreetMap XML or PBF file with pyosmium into an :class:`EdgeTable`.

    Ways with a ``highway`` tag are kept and split at every node used by another kept way.

    Raises
    ------
    InputFileError
        The file cannot be parsed.
    NetworkError
        It holds no highway way.
    """
    path = Path(path)
    refs, lonlat, tag_rows = _highway_ways(path)
    if not refs:
        raise NetworkError(
            f"{path}: no highway way in this OSM file: nothing to route on. Give an extract "
            "that contains streets."
        )
    return _split_ways(refs, lonlat, tag_rows)


def _highway_ways(path: Path) -> tuple[list[np.ndarray], list[np.ndarray], list[dict[str, str]]]:
    """Node ids, (lon, lat) and tags (:data:`TAG_KEYS`) of every way with a ``highway`` tag and
    at least two nodes located in the file."""
    import osmium

    refs: list[np.ndarray] = []
    lonlat: list[np.ndarray] = []
    tag_rows: list[dict[str, str]] = []
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.WAY | osmium.osm.NODE)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        from tqdm.auto import tqdm

        # progress on a terminal only (disable=None); big PBF extracts take minutes
        for obj in tqdm(fp, desc=f"reading {path.name}", unit=" objects", disable=None):
            if not isinstance(obj, osmium.osm.Way):
                continue
            nodes = obj.nodes
            ids = np.fromiter((n.ref for n in nodes), dtype=np.int64, count=len(nodes))
            if len(ids) < 2:
                continue
            try:
                xy = np.array([(n.lon, n.lat) for n in nodes], dtype=float)
            except osmium.InvalidLocationError:  # way cut at the extract's edge
                xy = np.array(
                    [(n.lon, n.lat) if n.location.valid() else (np.nan, np.nan) for n in nodes]
                )
                keep = np.isfinite(xy[:, 0])
                ids, xy = ids[keep], xy[keep]
                if len(ids) < 2:
                    continue
            refs.append(ids)
            lonlat.append(xy)
            tag_rows.append({k: v for k, v in obj.tags if k in TAG_KEYS})
    except (RuntimeError, ValueError, OSError) as exc:
        raise InputFileError(
            path,
            [
                InputProblem(
                    None, None, f"not a readable OSM XML/PBF file ({exc})", "check the file"
                )
            ],
        ) from exc
    return refs, lonlat, tag_rows


def _split_ways(
    refs: list[np.ndarray], lonlat: list[np.ndarray], tag_rows: list[dict[str, str]]
) -> EdgeTable:
    """The ways as edges, split at every node that occurs more than once among them (shared
    with another way, or a loop)."""
    all_ids = np.concatenate(refs)
    uniq, counts = np.unique(all_ids, return_counts=True)
    shared = set(uniq[counts > 1].tolist())
    us: list[int] = []
    vs: list[int] = []
    geoms: list[np.ndarray] = []
    rows: list[int] = []
    for w, (ids, xy) in enumerate(zip(refs, lonlat, strict=True)):
        cut = [0] + [i for i in range(1, len(ids) - 1) if int(ids[i]) in shared] + [len(ids) - 1]
        for a, b in itertools.pairwise(cut):
            us.append(int(ids[a]))
            vs.append(int(ids[b]))
            geoms.append(xy[a : b + 1])
            rows.append(w)
    node_ids, inv = np.unique(np.r_[us, vs], return_inverse=True)
    coord_of = dict(zip(all_ids.tolist(), np.concatenate(lonlat).tolist(), strict=True))
    node_xy = np.array([coord_of[int(i)] for i in node_ids])
    lines = np.asarray(
        shapely.linestrings(
            np.concatenate(geoms),
            indices=np.repeat(np.arange(len(geoms)), [len(g) for g in geoms]),
        )
    )
    tags = pd.DataFrame(tag_rows).reindex(columns=list(TAG_KEYS)).iloc[rows]
    tags = tags.reset_index(drop=True).dropna(axis=1, how="all")
    n = len(us)
    return EdgeTable(inv[:n], inv[n:], node_xy[:, 0], node_xy[:, 1], lines, tags)


def read_graph(graph: Any, *, label: str = "graph") -> EdgeTable:
    """Read a networkx graph made by osmnx (nodes with ``x``/``y``, optional edge geometry).

    Edges without a ``geometry`` attribute get the straight line between their end nodes.
    """
    import networkx as nx

    if graph.number_of_edges() == 0:
        raise NetworkError(f"{label}: the street network is empty (no edge).")
    crs = graph.graph.get("crs", "EPSG:4326")
    try:
        node_ids = list(graph.nodes)
        x = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=float)
        y = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=float)
    except KeyError as exc:
        raise NetworkError(
            f"{label}: nodes need 'x' and 'y' attributes (as osmnx writes them)."
        ) from exc
    index = {n: i for i, n in enumerate(node_ids)}
    edges = list(graph.edges(data=True))
    u = np.array([index[a] for a, _, _ in edges], dtype=np.int64)
    v = np.array([index[b] for _, b, _ in edges], dtype=np.int64)
    straight = np.asarray(
        shapely.linestrings(np.stack([np.c_[x[u], y[u]], np.c_[x[v], y[v]]], axis=1))
    )
    geoms = np.array([d.get("geometry") for _, _, d in edges], dtype=object)
    missing = pd.isna(geoms)
    geoms[missing] = straight[missing]
    tags = pd.DataFrame([{k: d.get(k) for k in TAG_KEYS} for _, _, d in edges])
    tags = tags.dropna(axis=1, how="all")
    from pyproj import CRS, Transformer

    if not CRS.from_user_input(crs).equals(CRS.from_epsg(4326)):
        tr = Transformer.from_crs(crs, 4326, always_xy=True)
        x, y = tr.transform(x, y)
        geoms = shapely.transform(geoms, lambda c: np.c_[tr.transform(c[:, 0], c[:, 1])])
    directed = isinstance(graph, nx.DiGraph)
    return EdgeTable(u, v, np.asarray(x), np.asarray(y), geoms, tags, directed_input=directed)


#: The street formats a territory's ``[streets] format`` can name (guessed from the file name
#: when empty).
STREET_FORMATS: tuple[str, ...] = ("osm", "osmnx_shapefile", "shapefile", "gpkg", "graphml")


def read_street_file(path: str | Path, fmt: str = "") -> EdgeTable:
    """Read a street file, choosing the reader from ``fmt`` or the file name.

    Parameters
    ----------
    path
        The file.
    fmt
        ``"osm"``, ``"osmnx_shapefile"``, ``"gpkg"``, ``"graphml"``; guessed when empty.

    Raises
    ------
    NetworkError
        Unknown format.
    """
    path = Path(path)
    name = path.name.lower()
    if not fmt:
        if name.endswith((".osm", ".osm.gz", ".osm.bz2", ".osm.xml", ".osm.xml.gz", ".pbf")):
            fmt = "osm"
        elif name.endswith(".shp"):
            fmt = "osmnx_shapefile"
        elif name.endswith(".gpkg"):
            fmt = "gpkg"
        elif name.endswith(".graphml"):
            fmt = "graphml"
    if fmt == "osm":
        return read_osm(path)
    if fmt in ("osmnx_shapefile", "shapefile", "gpkg", "graphml"):
        try:
            return _read_with_library(path, fmt)
        except QpvRadarError:
            raise
        except _UNREADABLE as exc:
            raise InputFileError(
                path,
                [
                    InputProblem(
                        None,
                        None,
                        f"not a readable {fmt} street file ({type(exc).__name__}: {exc})",
                        "check the file (complete, not damaged, UTF-8), or export it again "
                        "with osmnx",
                    )
                ],
            ) from exc
    raise NetworkError(
        f"{path}: unknown street format {fmt!r}. Use an OSM XML/PBF file (.osm, .osm.gz, "
        ".osm.bz2, .osm.pbf), an osmnx export (.shp, .gpkg, .graphml) or a networkx graph."
    )


#: What geopandas / osmnx raise on a damaged or malformed file.
_UNREADABLE: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RuntimeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
)


def _read_with_library(path: Path, fmt: str) -> EdgeTable:
    """A shapefile, GeoPackage or GraphML street file, read with geopandas or osmnx."""
    if fmt == "graphml":
        import osmnx as ox

        return read_graph(ox.load_graphml(path), label=str(path))
    import geopandas as gpd

    kwargs = {"layer": "edges"} if fmt == "gpkg" else {}
    return read_edge_frame(gpd.read_file(path, **kwargs), label=str(path))
