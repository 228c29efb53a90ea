"""What a street network is built from: a territory, a registry path, a file, a Source, or an
in-memory graph or GeoDataFrame, resolved to one input, its format, a label and the files whose
content keys the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import datasets
from .._errors import NetworkError
from .readers import EdgeTable, read_edge_frame, read_graph

__all__ = ["input_files", "read_object", "resolve_input"]

#: Files of a shapefile read with its ``.shp`` (their content is part of the cache key).
_SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


def input_files(path: Path) -> list[Path]:
    """The files whose content the network is built from (a shapefile's sidecars too)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.suffix.lower() == ".shp":
        sidecars = [path.with_suffix(ext) for ext in _SHAPEFILE_SIDECARS]
        return [path, *(p for p in sidecars if p.is_file())]
    return [path]


def resolve_input(obj: Any, mode: str) -> tuple[Any, str, str, list[Path] | None, str | None]:
    """Return (input, format, description, input files or None, CRS hint) for any input.

    A territory's ``[streets]`` table may name a graph per mode (``bike = "…"``), used instead
    of its ``source`` for that mode. The input files (``None`` for an in-memory object) key the
    cache by their content.
    """
    from ..territory import Source, Territory, builtin_territories, load_territory

    if isinstance(obj, str) and (obj in builtin_territories() or obj.endswith(".toml")):
        obj = load_territory(obj)
    if isinstance(obj, Territory):
        if obj.streets is None:
            raise NetworkError(
                f"territory {obj.name!r} declares no [streets] source. Add one to its TOML file."
            )
        src = obj.streets
        if isinstance(src.options.get(mode), str):
            src = Source(source=src.options[mode], loader=src.loader, base=src.base)
        path = src.resolve()
        return path, src.loader, f"{obj.name}:{src.source}", input_files(path), obj.crs
    if isinstance(obj, Source):
        path = obj.resolve()
        return path, obj.loader, obj.source, input_files(path), None
    if isinstance(obj, str | Path):
        if isinstance(obj, str) and obj in datasets.registry():
            path = datasets.fetch(obj)
            return path, "", obj, input_files(path), None
        path = Path(obj).expanduser()
        if not path.exists():
            raise NetworkError(
                f"{obj}: no such file, territory or registry dataset. Give a street file "
                "(.osm, .osm.pbf, .shp, .gpkg, .graphml), a territory name or a registry path."
            )
        return path, "", str(path), input_files(path), None
    return obj, "object", type(obj).__name__, None, None


def read_object(obj: Any, label: str) -> EdgeTable:
    """An in-memory networkx graph (made by osmnx) or GeoDataFrame of street lines, read."""
    import geopandas as gpd
    import networkx as nx

    if isinstance(obj, nx.Graph):
        return read_graph(obj, label=label)
    if isinstance(obj, gpd.GeoDataFrame | gpd.GeoSeries):
        frame = obj.to_frame("geometry") if isinstance(obj, gpd.GeoSeries) else obj
        return read_edge_frame(frame, label=label)
    raise NetworkError(
        f"cannot build a street network from a {type(obj).__name__}: give a territory, a file, "
        "a registry path, a networkx graph or a GeoDataFrame of street lines."
    )
