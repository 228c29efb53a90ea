"""Write planner tables to GeoPackage, GeoParquet or CSV, chosen by the file's suffix.

Every file is written to a temporary file next to it, then renamed over it
(:func:`qpv_radar._outputs.atomic_write`): a failure leaves the previous file intact. CSV text
cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) are prefixed with ``'`` (OWASP's advice against CSV injection);
numbers are left as numbers.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ._errors import ExportError
from ._outputs import atomic_write

__all__ = ["ExportError", "neutralise_formula", "write_table"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with ``'``; others as given.

    ``=HYPERLINK("http://x")`` → ``'=HYPERLINK("http://x")``; ``-3`` as a number stays a number.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


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
        geo: gpd.GeoDataFrame = out
        name = layer or p.stem
        atomic_write(p, lambda tmp: geo.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio"))
    elif kind == "parquet":
        atomic_write(p, lambda tmp: out.to_parquet(tmp, index=False))
    else:
        if is_geo:
            assert isinstance(out, gpd.GeoDataFrame)
            wkt = out.geometry.to_wkt()
            out = pd.DataFrame(out)
            out[wkt.name] = wkt.to_numpy()
        for col in out.columns:
            if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
                out[col] = out[col].map(neutralise_formula)
        out.columns = [str(neutralise_formula(str(c))) for c in out.columns]
        atomic_write(p, lambda tmp: out.to_csv(tmp, index=False, encoding="utf-8"))
    return p
