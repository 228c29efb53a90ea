"""Generic loader: any CSV or vector file (GeoJSON, GeoPackage…) with a column mapping.

``columns`` maps the actor fields to the file's columns, e.g.
``{"name": "NOM", "lon": "X", "lat": "Y", "opening_hours": "horaires"}``. Recognised fields:
``id, name, kind, roles, address, commune_code, commune, phone, email, website,
opening_hours, mobile, lon, lat``. Fields not mapped default to a column of the same name when
present. Vector files take coordinates from their geometry (reprojected to WGS84; a file
without CRS is an error). ``kind`` and ``roles`` may also be given for the whole file; a roles
column holds roles separated by commas or semicolons. ``opening_hours`` must be OSM syntax.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from .._errors import CrsError, InputFileError, InputProblem
from .._geo import WGS84
from .._io import check_file, read_vector
from ._common import read_table
from .model import actors_frame, kind_problems, role_problems

__all__ = ["FIELDS", "read_generic"]

FIELDS = (
    "id",
    "name",
    "kind",
    "roles",
    "address",
    "commune_code",
    "commune",
    "phone",
    "email",
    "website",
    "opening_hours",
    "mobile",
    "lon",
    "lat",
)
_VECTOR = {".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml"}
_TRUE = {"1", "true", "yes", "oui", "vrai", "y", "o"}


def read_generic(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    kind: str | None = None,
    roles: Sequence[str] | None = None,
    id_prefix: str | None = None,
    encoding: str = "utf-8",
    sep: str = ",",
    source: str | None = None,
    vintage: str | None = None,
    communes: Collection[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read actors from any table with a column mapping.

    Parameters
    ----------
    path
        CSV, or a vector file (GeoJSON, GeoPackage, shapefile…).
    columns
        Actor field → file column.
    kind, roles
        Kind and roles for rows without their own.
    id_prefix
        Prefix of ids (default: the file's stem); ids are ``<prefix>:<id or row>``.
    encoding, sep
        CSV encoding and separator. Decimal commas in coordinates are accepted.
    source, vintage
        Labels stored with every actor.
    communes
        INSEE codes to keep (rows with a ``commune_code`` outside are dropped).

    Raises
    ------
    InputFileError
        Mapped columns missing, and every row problem, at once.
    CrsError
        A vector file without CRS.
    """
    p = check_file(path)
    if isinstance(roles, str):  # roles = "relay" in a territory file: one role
        roles = [roles]
    given = kind_problems(kind) if kind else []
    given += role_problems(roles or ())
    if given:  # once for the whole file, not once per row
        raise InputFileError(p, given)
    mapping = _checked_mapping(p, columns)
    df = _read_frame(p, mapping, encoding=encoding, sep=sep)
    _complete_mapping(p, df, mapping)
    records, rows = _records(
        df,
        mapping,
        prefix=id_prefix or p.stem,
        kind=kind,
        roles=roles,
        communes=communes,
        source=source or p.name,
        vintage=vintage or "",
    )
    lon_col, lat_col = mapping["lon"], mapping["lat"]
    return actors_frame(
        records,
        path=p,
        rows=rows,
        lon_col="geometry" if lon_col == "__lon" else lon_col,
        lat_col="geometry" if lat_col == "__lat" else lat_col,
    )


def _checked_mapping(p: Path, columns: Mapping[str, str] | None) -> dict[str, str]:
    """The column mapping, as a new dict; raises on fields that are not actor fields."""
    mapping = dict(columns or {})
    unknown = [k for k in mapping if k not in FIELDS]
    if unknown:
        raise InputFileError(
            p,
            [
                InputProblem(None, k, "unknown actor field in the mapping", f"use {FIELDS}")
                for k in unknown
            ],
        )
    return mapping


def _read_frame(p: Path, mapping: dict[str, str], *, encoding: str, sep: str) -> pd.DataFrame:
    """The file as a table; a vector file's points (WGS84) become the ``__lon``/``__lat``
    columns, mapped to ``lon``/``lat`` unless the mapping names others."""
    df: pd.DataFrame
    if p.suffix.lower() in _VECTOR:
        gdf = read_vector(p)
        if gdf.crs is None:
            raise CrsError(f"{p}: no CRS declared. Add one (e.g. a .prj file) or convert to CSV.")
        gdf = gdf.to_crs(WGS84)
        pts = shapely.point_on_surface(gdf.geometry.values)
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        df["__lon"], df["__lat"] = shapely.get_x(pts), shapely.get_y(pts)
        mapping.setdefault("lon", "__lon")
        mapping.setdefault("lat", "__lat")
    else:
        df = read_table(p, encoding=encoding, sep=sep)
    return df


def _complete_mapping(p: Path, df: pd.DataFrame, mapping: dict[str, str]) -> None:
    """Map unmapped fields to same-named columns; raise on mapped columns missing and on
    ``name``, ``lon`` or ``lat`` unmapped."""
    for f in FIELDS:
        if f not in mapping and f in df.columns:
            mapping[f] = f
    problems = [
        InputProblem(None, col, f"column for {field!r} not found", "fix the column mapping")
        for field, col in mapping.items()
        if col not in df.columns
    ]
    problems += [
        InputProblem(None, f, f"no column for {f!r}", f"map it: columns={{'{f}': '<column>'}}")
        for f in ("name", "lon", "lat")
        if f not in mapping
    ]
    if problems:
        raise InputFileError(p, problems)


def _records(
    df: pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    prefix: str,
    kind: str | None,
    roles: Sequence[str] | None,
    communes: Collection[str] | None,
    source: str,
    vintage: str,
) -> tuple[list[dict[str, Any]], list[int]]:
    """The loader records of the rows kept (``communes``) and their row numbers."""
    records, rows = [], []
    for i, rec in enumerate(df.to_dict("records"), start=1):
        r: dict[str, Any] = {f: rec[c] for f, c in mapping.items()}
        r = {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        code = str(r["commune_code"]).strip() if r.get("commune_code") else None
        if communes is not None and code is not None and code not in communes:
            continue
        r["commune_code"] = code
        r["id"] = f"{prefix}:{r['id'] if r.get('id') not in (None, '') else i}"
        r["kind"] = r.get("kind") or kind or "other"
        rs = r.get("roles")
        r["roles"] = (
            tuple(x.strip() for x in str(rs).replace(";", ",").split(",") if x.strip())
            if rs
            else tuple(roles or ())
        )
        r["mobile"] = str(r.get("mobile") or "").strip().lower() in _TRUE
        r["source"] = source
        r["vintage"] = vintage
        records.append(r)
        rows.append(i)
    return records, rows
