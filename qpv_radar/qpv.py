"""QPV perimeters: read the published variants, normalise them, locate points.

Published QPV files differ in field names and layout. :func:`read_qpv` recognises them and
returns one schema, one row per QPV, stored in WGS84 (EPSG:4326):

========================  =====================================================================
column                    meaning
========================  =====================================================================
``code_qp``               QPV code (``QP034005`` for the 2015 generation, ``QN03405M`` for 2024)
``nom_qp``                QPV name
``commune_codes``         list of INSEE commune codes (empty list when the file has none)
``commune_names``         list of commune names
``generation``            2015 or 2024 (from the code prefix ``QP``/``QN``, or given)
``is_perimeter``          ``True`` for real perimeters; ``False`` for ANCT's commune-level lists
``geometry``              (Multi)Polygon perimeter, or the commune geometries for lists
========================  =====================================================================

Variants read:

* Occitanie 2015 re-export: ``code_qp, nom_qp, commune_qp, code_commune, nom_commune…``;
* official upper-case releases: ``CODE_QP, NOM_QP, COMMUNE_QP``;
* 2024 releases: ``code_qp, lib_qp, insee_com, lib_com``;
* ANCT commune-level 2024 layers (one feature per commune, comma-joined ``code_qp`` and
  ``lib_qp``): exploded to one row per QPV, ``is_perimeter=False``, geometry the union of the
  communes' points or outlines; they cannot be used with :func:`locate`. Their ``lib_com`` is
  the upstream multi-commune label (``"Omissy; Saint-Quentin"``) for QPVs spanning several
  communes: ``commune_names`` is then that label split on ``;``, not aligned with the codes.

Bad input (each gives a clear error naming the file, the row and the fix): missing or empty
file, no features, missing code or name column, no CRS (pass ``crs=``), coordinates outside
France or with latitude and longitude swapped (:class:`~qpv_radar.CrsError`), empty
geometries, non-polygonal perimeters, duplicate codes (pass ``dissolve_duplicates=True`` to
merge the parts), wrong encoding. Invalid polygons (self-intersections, often from truncated
coordinates: 32 of the 105 Occitanie polygons) are repaired with ``shapely.make_valid`` and
reported on the ``qpv_radar.qpv`` logger, not raised.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import datasets
from ._errors import CrsError, InputFileError, InputProblem, QpvError
from ._geo import WGS84, lonlat_problems
from ._io import check_file, check_text_encoding, read_vector
from .territory import Territory, builtin_territories, load_territory

__all__ = ["QPV_COLUMNS", "join_indicators", "load_qpv", "locate", "read_qpv"]

logger = logging.getLogger(__name__)

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
    raw = raw.to_crs(WGS84)

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
        raw.loc[raw.index[invalid], raw.geometry.name] = repaired
        logger.warning(
            "%s: %d invalid polygon(s) repaired with shapely.make_valid (rows %s)",
            p,
            len(invalid),
            ", ".join(str(int(i) + 1) for i in invalid[:20]),
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
                "nom_qp": None if name is None or pd.isna(name) else " ".join(str(name).split()),
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


def join_indicators(qpv: gpd.GeoDataFrame, path: str | Path) -> gpd.GeoDataFrame:
    """Join an indicator table (e.g. INSEE's ``qp.csv``: ``pop_mun``, ``tp60``…) by QPV code.

    Columns already in ``qpv`` (``nom_qp``…) are not duplicated. QPVs absent from the table
    get missing values. The index of ``qpv`` is preserved.

    Raises
    ------
    InputFileError
        Unreadable file, no code column, duplicate codes, wrong encoding.
    """
    p = check_file(path)
    text = check_text_encoding(p)
    import io

    try:
        table = pd.read_csv(io.StringIO(text), dtype={"code_qp": str, "CODE_QP": str})
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            p, [InputProblem(None, None, f"not a readable CSV ({exc})", "fix the CSV")]
        ) from exc
    code_col = _first(table.columns, _CODE)
    if code_col is None:
        raise InputFileError(
            p,
            [
                InputProblem(
                    None, "code_qp", "no QPV code column", f"name it one of {', '.join(_CODE)}"
                ),
                _found_columns(table),
            ],
        )
    table = table.rename(columns={code_col: "code_qp"})
    dup = table["code_qp"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise InputFileError(
            p,
            [
                InputProblem(
                    int(i) + 1,
                    "code_qp",
                    f"duplicate code {table['code_qp'].iat[int(i)]!r}",
                    "keep one row per QPV",
                )
                for i in np.flatnonzero(dup)
            ],
        )
    keep = ["code_qp"] + [c for c in table.columns if c not in qpv.columns and c != "nom_commune"]
    merged = qpv.merge(table[keep], on="code_qp", how="left")
    merged.index = qpv.index
    return merged


def load_qpv(
    territory_or_path: Territory | str | Path,
    *,
    indicators: str | Path | None = None,
    crs: str | None = None,
    generation: int | None = None,
) -> gpd.GeoDataFrame:
    """QPVs of a territory (filtered to its communes, indicators joined) or of a file.

    Parameters
    ----------
    territory_or_path
        A :class:`~qpv_radar.Territory`, a built-in territory name (``"montpellier"``), the
        path of a territory TOML file, or a QPV file (local path or registry path).
    indicators
        Indicator CSV to join by code (default: the territory's ``[qpv] indicators``).
    crs, generation
        Passed to :func:`read_qpv`.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`QPV_COLUMNS` plus indicator columns, EPSG:4326, index 0…n-1.
        ``attrs["note"]`` carries the territory's note on the perimeters' vintage.
    """
    territory: Territory | None = None
    if isinstance(territory_or_path, Territory):
        territory = territory_or_path
    elif str(territory_or_path) in builtin_territories() or (
        str(territory_or_path).lower().endswith(".toml")
    ):
        territory = load_territory(territory_or_path)
    if territory is None:
        source = str(territory_or_path)
        path = datasets.fetch(source) if source in datasets.registry() else Path(source)
        gdf = read_qpv(path, crs=crs, generation=generation)
        if indicators is not None:
            gdf = join_indicators(gdf, indicators)
        return gdf
    if territory.qpv is None:
        raise QpvError(
            f"territory {territory.name!r} declares no QPV perimeters: add a [qpv] table with "
            "perimeters = '<registry path or file>' to its TOML file."
        )
    gdf = read_qpv(
        territory.qpv.resolve(), crs=crs, generation=generation or territory.qpv_generation
    )
    if territory.communes:
        has_codes = gdf["commune_codes"].map(len) > 0
        if has_codes.any():
            wanted = set(territory.communes)
            keep = gdf["commune_codes"].map(lambda cs: bool(wanted.intersection(cs)))
            gdf = gdf[keep | ~has_codes].reset_index(drop=True)
        else:
            logger.warning(
                "%s: the QPV file has no commune codes; all its QPVs are kept", territory.name
            )
    ind = indicators if indicators is not None else territory.indicators
    if ind is not None:
        gdf = join_indicators(gdf, ind if isinstance(ind, str | Path) else ind.resolve())
    gdf.attrs["note"] = territory.qpv_note
    gdf.attrs["territory"] = territory.name
    return gdf


def locate(points: gpd.GeoSeries | gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> pd.DataFrame:
    """Find the QPV containing each point (vectorised, shapely STRtree).

    Parameters
    ----------
    points
        Points (any CRS, declared). Non-point geometries are located by a point on their surface.
    qpv
        QPV perimeters from :func:`load_qpv` / :func:`read_qpv`.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``points.index``, columns ``code_qp`` and ``nom_qp`` (``None`` outside every
        QPV). A point on a boundary belongs to the QPV; overlapping perimeters give the first.

    Raises
    ------
    CrsError
        ``points`` or ``qpv`` without CRS, or points with latitude and longitude swapped.
    QpvError
        ``qpv`` is a commune-level list, not perimeters.
    """
    geo = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geo.crs is None:
        raise CrsError(
            "the points have no CRS: set one, e.g. gpd.GeoSeries(..., crs='EPSG:4326') for "
            "longitude/latitude."
        )
    if qpv.crs is None:
        raise CrsError("the QPV layer has no CRS: read it with read_qpv()/load_qpv().")
    if "is_perimeter" in qpv.columns and not bool(qpv["is_perimeter"].all()):
        raise QpvError(
            "this QPV layer is a commune-level list (is_perimeter=False), not perimeters: a "
            "point cannot be located in it. Load real QPV perimeters."
        )
    pts = shapely.point_on_surface(geo.to_crs(WGS84).values)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    swapped, _ = lonlat_problems(x, y)
    if swapped.any():
        labels = ", ".join(str(v) for v in geo.index[swapped][:10])
        raise CrsError(
            f"points {labels} have latitude and longitude swapped (they would be in France "
            "the other way round): build points as (longitude, latitude)."
        )
    poly = qpv.to_crs(WGS84).geometry.values
    tree = shapely.STRtree(poly)
    valid = ~(np.asarray(shapely.is_missing(pts)) | np.asarray(shapely.is_empty(pts)))
    ipt, ipoly = tree.query(pts[valid], predicate="intersects")
    ipt = np.flatnonzero(valid)[ipt]
    order = np.lexsort((ipoly, ipt))
    ipt, ipoly = ipt[order], ipoly[order]
    first_pt, first = np.unique(ipt, return_index=True)
    codes = np.full(len(pts), None, dtype=object)
    names = np.full(len(pts), None, dtype=object)
    codes[first_pt] = qpv["code_qp"].to_numpy(dtype=object)[ipoly[first]]
    names[first_pt] = qpv["nom_qp"].to_numpy(dtype=object)[ipoly[first]]
    return pd.DataFrame({"code_qp": codes, "nom_qp": names}, index=geo.index, dtype=object)
