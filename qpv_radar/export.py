"""Write planner tables to GeoPackage, GeoParquet or CSV, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ._errors import ExportError

__all__ = ["ExportError", "write_table"]

_SUFFIXES = {".gpkg": "gpkg", ".parquet": "parquet", ".geoparquet": "parquet", ".csv": "csv"}


def write_table(
    table: pd.DataFrame | gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None
) -> Path:
    """Write a table; the format follows the suffix.

    Parameters
    ----------
    table
        A (Geo)DataFrame. Lists and tuples in cells are joined with ``;``.
    path
        ``.gpkg`` (GeoPackage, needs geometry), ``.parquet``/``.geoparquet`` (GeoParquet when
        there is a geometry, plain Parquet otherwise), ``.csv`` (UTF-8, geometry as WKT).
    layer
        GeoPackage layer name (default: the file's stem).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ExportError
        Unknown suffix, or a GeoPackage asked for a table without geometry.
    """
    p = Path(path)
    kind = _SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise ExportError(
            f"{p}: unknown output format {p.suffix!r}; use .gpkg, .parquet (GeoParquet) or .csv."
        )
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, list | tuple)).any():
            out[col] = out[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    is_geo = isinstance(out, gpd.GeoDataFrame) and out.geometry.name in out.columns
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    if kind == "gpkg":
        if not is_geo:
            raise ExportError(f"{p}: a GeoPackage needs geometries; write .csv or .parquet.")
        assert isinstance(out, gpd.GeoDataFrame)
        out.to_file(p, layer=layer or p.stem, driver="GPKG", engine="pyogrio")
    elif kind == "parquet":
        out.to_parquet(p, index=False)
    else:
        if is_geo:
            assert isinstance(out, gpd.GeoDataFrame)
            wkt = out.geometry.to_wkt()
            out = pd.DataFrame(out)
            out[wkt.name] = wkt.to_numpy()
        out.to_csv(p, index=False, encoding="utf-8")
    return p
