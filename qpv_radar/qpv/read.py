"""Read a QPV file in any of its published variants and normalise it to :data:`QPV_COLUMNS`.

The variants, the schema and the checks are described in :mod:`qpv_radar.qpv`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._data_notes import note
from .._errors import CrsError, InputFileError, InputProblem
from .._geo import WGS84, lonlat_problems
from .._io import check_file, read_vector
from .._names import french_place_name

__all__ = ["QPV_COLUMNS", "read_qpv"]

logger = logging.getLogger("qpv_radar.qpv")

QPV_COLUMNS = (
    "code_qp",
    "nom_qp",
    "commune_codes",
    "commune_names",
    "generation",
    "is_perimeter",
    "geometry",
)

# Accepted field names, in order of preference.
_CODE = ("code_qp", "CODE_QP", "Code_QP")
_NAME = ("nom_qp", "lib_qp", "NOM_QP", "LIB_QP", "Nom_QP")
_COMMUNE_CODE = ("code_commune", "insee_com", "INSEE_COM", "CODE_COM", "code_insee", "CODE_INSEE")
_COMMUNE_NAME = ("nom_commune", "lib_com", "LIB_COM", "NOM_COM", "commune_qp", "COMMUNE_QP")
_GENERATION_BY_PREFIX = {"QP": 2015, "QN": 2024}


def _first(columns: Any, candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def _split(value: Any, sep: str = ",") -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [" ".join(p.split()) for p in str(value).split(sep) if p.strip()]


def _generation(code: str, default: int | None) -> int | None:
    return _GENERATION_BY_PREFIX.get(code[:2].upper(), default)


def read_qpv(
    path: str | Path,
    *,
    crs: str | None = None,
    generation: int | None = None,
    dissolve_duplicates: bool = False,
) -> gpd.GeoDataFrame:
    """Read a QPV file in any of its published variants and normalise it.

    Parameters
    ----------
    path
        GeoJSON, shapefile, GeoPackage… of QPV perimeters (or ANCT's commune-level list).
    crs
        CRS to assume when the file declares none (e.g. a shapefile without ``.prj``).
    generation
        QPV generation (2015 or 2024) when codes do not tell (codes ``QP…`` are 2015,
        ``QN…`` are 2024).
    dissolve_duplicates
        Merge rows sharing a code (parts of one QPV) into one MultiPolygon instead of raising.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`QPV_COLUMNS`, EPSG:4326, index 0…n-1.

    Raises
    ------
    InputFileError
        Missing/empty/unreadable file, missing columns, bad rows (all listed at once).
    CrsError
        No CRS, or coordinates outside France (wrong CRS, or latitude/longitude swapped).
    """
    p = check_file(path)
    raw = _read_wgs84(p, crs)
    code_col, name_col = _code_and_name_columns(p, raw)
    ccode_col, cname_col = _first(raw.columns, _COMMUNE_CODE), _first(raw.columns, _COMMUNE_NAME)

    codes = raw[code_col].astype("object").where(raw[code_col].notna(), None)
    is_list = codes.map(lambda c: c is not None and "," in str(c)).to_numpy()
    _check_geometries(p, raw, perimeters=not is_list.any())
    _check_extent(p, raw)

    if is_list.any():
        out = _explode_commune_lists(p, raw, code_col, name_col, ccode_col, cname_col, generation)
    else:
        out = _normalise_perimeters(
            p, raw, code_col, name_col, ccode_col, cname_col, generation, dissolve_duplicates
        )
    return out


def _read_wgs84(p: Path, crs: str | None) -> gpd.GeoDataFrame:
    """The file's features in WGS84; an empty file or one without CRS (and no ``crs``) raises."""
    raw = read_vector(p)
    if len(raw) == 0:
        raise InputFileError(
            p, [InputProblem(None, None, "the file holds no features", "export the QPV layer")]
        )
    if raw.crs is None:
        if crs is None:
            raise CrsError(
                f"{p}: the file declares no coordinate reference system. Add the .prj file, "
                "or pass crs='EPSG:2154' (Lambert-93) / crs='EPSG:4326' (WGS84) to read_qpv()."
            )
        raw = raw.set_crs(crs)
    return raw.to_crs(WGS84)


def _code_and_name_columns(p: Path, raw: gpd.GeoDataFrame) -> tuple[str, str]:
    """The QPV code and name columns; raises listing the columns found when one is missing."""
    code_col, name_col = _first(raw.columns, _CODE), _first(raw.columns, _NAME)
    problems: list[InputProblem] = []
    if code_col is None:
        problems.append(
            InputProblem(
                None, "code_qp", "no QPV code column", f"name it one of {', '.join(_CODE)}"
            )
        )
    if name_col is None:
        problems.append(
            InputProblem(None, "nom_qp", "no QPV name column", f"name it one of {', '.join(_NAME)}")
        )
    if problems:
        raise InputFileError(p, [*problems, _found_columns(raw)])
    assert code_col is not None and name_col is not None
    return code_col, name_col


def _found_columns(raw: pd.DataFrame) -> InputProblem:
    cols = ", ".join(str(c) for c in raw.columns if c != "geometry")
    return InputProblem(None, None, f"columns found: {cols}", "rename the columns")


def _check_geometries(p: Path, raw: gpd.GeoDataFrame, *, perimeters: bool) -> None:
    geoms = raw.geometry.values
    problems: list[InputProblem] = []
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for i in np.flatnonzero(missing):
        problems.append(
            InputProblem(int(i) + 1, "geometry", "empty geometry", "draw the perimeter or drop it")
        )
    if perimeters:
        types = np.asarray(shapely.get_type_id(geoms))
        bad = ~missing & ~np.isin(types, (3, 6))  # Polygon, MultiPolygon
        for i in np.flatnonzero(bad):
            problems.append(
                InputProblem(
                    int(i) + 1,
                    "geometry",
                    f"{geoms[i].geom_type} is not a polygon",
                    "QPV perimeters must be Polygon or MultiPolygon",
                )
            )
    if problems:
        raise InputFileError(p, problems)
    invalid = np.flatnonzero(~np.asarray(shapely.is_valid(geoms)))
    if len(invalid):
        repaired = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        empty_after = np.asarray(shapely.is_empty(repaired))
        if empty_after.any():
            raise InputFileError(
                p,
                [
                    InputProblem(
                        int(invalid[j]) + 1,
                        "geometry",
                        "invalid polygon with no area left once repaired",
                        "redraw the perimeter",
                    )
                    for j in np.flatnonzero(empty_after)
                ],
            )
        _warn_changed(p, invalid, np.asarray(geoms[invalid]), repaired)  # before: a view
        raw.loc[raw.index[invalid], raw.geometry.name] = repaired
        rows = ", ".join(str(int(i) + 1) for i in invalid[:20])
        note(logger, p, "data.note.repaired", n=len(invalid), rows=rows)


#: A repair that changes a perimeter's area by more than this share is reported on its own.
REPAIR_AREA_CHANGE = 0.10
#: … and one that splits it into parts, when its area changes by more than this share (a ring
#: that only touches itself — 11 of the Occitanie 2015 perimeters — splits with no change).
REPAIR_SPLIT_AREA_CHANGE = 0.01


def _warn_changed(p: Path, rows: np.ndarray, before: np.ndarray, after: np.ndarray) -> None:
    """Warn, naming the rows, about perimeters that ``make_valid`` changed a lot: a bow-tie
    (self-intersecting ring) whose area changes by more than :data:`REPAIR_AREA_CHANGE`, or
    that is split into several parts with an area change over
    :data:`REPAIR_SPLIT_AREA_CHANGE`. Points near them may be located in the wrong QPV."""
    a0, a1 = np.asarray(shapely.area(before)), np.asarray(shapely.area(after))
    n0 = np.asarray(shapely.get_num_geometries(before))
    n1 = np.asarray(shapely.get_num_geometries(after))
    change = np.abs(a1 - a0) / np.maximum(np.maximum(a0, a1), 1e-300)
    split = (n1 > n0) & (change > REPAIR_SPLIT_AREA_CHANGE)
    big = np.flatnonzero((change > REPAIR_AREA_CHANGE) | split)
    if not len(big):
        return
    details = ", ".join(
        f"row {int(rows[j]) + 1} (area changed by {change[j]:.0%}, {int(n0[j])} → {int(n1[j])} "
        "part(s))"
        for j in big[:20]
    )
    logger.warning(
        "%s: %d self-intersecting perimeter(s) (bow-tie) changed a lot when repaired: %s. "
        "Points near them may be located in the wrong QPV: redraw these perimeters.",
        p,
        len(big),
        details,
    )


def _check_extent(p: Path, raw: gpd.GeoDataFrame) -> None:
    pts = shapely.point_on_surface(raw.geometry.values)
    swapped, outside = lonlat_problems(shapely.get_x(pts), shapely.get_y(pts))
    if swapped.any() or outside.any():
        rows_s = ", ".join(str(int(i) + 1) for i in np.flatnonzero(swapped)[:20])
        rows_o = ", ".join(str(int(i) + 1) for i in np.flatnonzero(outside)[:20])
        msg = [f"{p}: coordinates not in France."]
        if rows_s:
            msg.append(
                f"Rows {rows_s} have latitude and longitude swapped: write coordinates as "
                "(longitude, latitude), the GeoJSON order."
            )
        if rows_o:
            msg.append(
                f"Rows {rows_o} are outside France: the declared CRS ({raw.crs}) is probably "
                "wrong; fix the file's CRS or pass the right crs= when it declares none."
            )
        raise CrsError(" ".join(msg))


def _normalise_perimeters(
    p: Path,
    raw: gpd.GeoDataFrame,
    code_col: str,
    name_col: str,
    ccode_col: str | None,
    cname_col: str | None,
    generation: int | None,
    dissolve: bool,
) -> gpd.GeoDataFrame:
    problems: list[InputProblem] = []
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(raw.drop(columns=raw.geometry.name).to_dict("records")):
        code = rec[code_col]
        name = rec[name_col]
        if code is None or pd.isna(code) or not str(code).strip():
            problems.append(
                InputProblem(i + 1, code_col, "missing QPV code", "fill in the QPV code")
            )
            continue
        code = str(code).strip()
        gen = _generation(code, generation)
        if gen is None:
            problems.append(
                InputProblem(
                    i + 1,
                    code_col,
                    f"cannot tell the generation of code {code!r}",
                    "pass generation=2015 or generation=2024",
                )
            )
        rows.append(
            {
                "code_qp": code,
                "nom_qp": None
                if name is None or pd.isna(name)
                else french_place_name(" ".join(str(name).split())),  # « Près d'Arènes »
                "commune_codes": _split(rec[ccode_col]) if ccode_col else [],
                "commune_names": _split(rec[cname_col]) if cname_col else [],
                "generation": gen,
                "is_perimeter": True,
            }
        )
    df = pd.DataFrame(rows)
    if not problems:
        dup = df["code_qp"].duplicated(keep=False)
        if dup.any() and not dissolve:
            problems += [
                InputProblem(
                    int(i) + 1,
                    code_col,
                    f"duplicate code {df['code_qp'].iat[int(i)]!r}",
                    "keep one row per QPV, or pass dissolve_duplicates=True to merge the parts",
                )
                for i in np.flatnonzero(dup.to_numpy())
            ]
    if problems:
        raise InputFileError(p, problems)
    out = gpd.GeoDataFrame(df, geometry=raw.geometry.values, crs=WGS84)
    if out["code_qp"].duplicated().any():
        out = _dissolve(out)
    return out[list(QPV_COLUMNS)]


def _dissolve(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge rows sharing a code: geometries united, commune lists concatenated."""

    def _union_lists(s: pd.Series) -> list[str]:
        seen: dict[str, None] = {}
        for lst in s:
            seen.update(dict.fromkeys(lst))
        return list(seen)

    grouped = gdf.groupby("code_qp", sort=False)
    geoms = grouped[gdf.geometry.name].agg(lambda s: shapely.union_all(s.values))
    attrs = grouped.agg(
        nom_qp=("nom_qp", "first"),
        commune_codes=("commune_codes", _union_lists),
        commune_names=("commune_names", _union_lists),
        generation=("generation", "first"),
        is_perimeter=("is_perimeter", "all"),
    )
    out = gpd.GeoDataFrame(attrs, geometry=geoms.values, crs=gdf.crs).reset_index()
    return out


def _explode_commune_lists(
    p: Path,
    raw: gpd.GeoDataFrame,
    code_col: str,
    name_col: str,
    ccode_col: str | None,
    cname_col: str | None,
    generation: int | None,
) -> gpd.GeoDataFrame:
    problems: list[InputProblem] = []
    rows: list[dict[str, Any]] = []
    geoms = raw.geometry.values
    for i, rec in enumerate(raw.drop(columns=raw.geometry.name).to_dict("records")):
        codes = _split(rec[code_col])
        names = _split(rec[name_col], ", ")
        if not codes:
            problems.append(InputProblem(i + 1, code_col, "no QPV code", "fill in the codes"))
            continue
        if len(names) != len(codes):
            problems.append(
                InputProblem(
                    i + 1,
                    name_col,
                    f"{len(codes)} codes but {len(names)} names",
                    "give as many names as codes, separated by ', '",
                )
            )
            continue
        commune_code = str(rec[ccode_col]).strip() if ccode_col and rec[ccode_col] else None
        # multi-commune QPVs carry the upstream label "A; B" instead of this commune's name
        commune_names = _split(rec[cname_col], ";") if cname_col else []
        for code, name in zip(codes, names, strict=True):
            gen = _generation(code, generation)
            if gen is None:
                problems.append(
                    InputProblem(
                        i + 1,
                        code_col,
                        f"cannot tell the generation of code {code!r}",
                        "pass generation=2015 or generation=2024",
                    )
                )
            rows.append(
                {
                    "code_qp": code,
                    "nom_qp": name,
                    "commune_codes": [commune_code] if commune_code else [],
                    "commune_names": commune_names,
                    "generation": gen,
                    "is_perimeter": False,
                    "geometry": geoms[i],
                }
            )
    if problems:
        raise InputFileError(p, problems)
    exploded = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    out = _dissolve(exploded)
    out["is_perimeter"] = False
    return out[list(QPV_COLUMNS)]
