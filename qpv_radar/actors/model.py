"""The actor model: one GeoDataFrame schema for every support structure, roles and kinds.

Roles follow the path described in DOMAIN.md:

* ``relay`` — trusted places in the neighbourhood that detect and pre-orient (maisons pour
  tous, centres sociaux, France services…);
* ``entry_door`` — first reception for a business project (CCI, CMA, BGE, ADIE…);
* ``support_financing`` — support and financing (ADIE, BGE, France Active, Initiative…);
* ``employment`` — employment and training (France Travail, missions locales, insertion…);
* ``mobility`` — mobility platforms, social driving schools, solidarity garages.

Every loader builds records (dicts) and hands them to :func:`actors_frame`, which checks them
and returns the common schema (:data:`ACTOR_COLUMNS`), indexed by ``id``, in EPSG:4326.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._data_notes import note
from .._errors import InputFileError, InputProblem
from .._geo import WGS84, lonlat_problems
from .._messages import LANGS, text
from . import hours

__all__ = [
    "ACTOR_COLUMNS",
    "KIND_ROLES",
    "ROLES",
    "ROLE_LABELS",
    "actors_frame",
    "coordinate_problems",
    "empty_actors",
    "normalise_dtypes",
    "parse_decimal",
]

logger = logging.getLogger("qpv_radar.actors")

ROLES: tuple[str, ...] = ("relay", "entry_door", "support_financing", "employment", "mobility")

# Labels for people: {role: {lang: label}} (words of the catalogue, ``role.short.*``).
ROLE_LABELS: dict[str, dict[str, str]] = {
    role: {lang: text(f"role.short.{role}", lang) for lang in LANGS} for role in ROLES
}

# Default roles of each kind of structure (a source may add more, e.g. data·inclusion themes).
KIND_ROLES: dict[str, tuple[str, ...]] = {
    "maison_pour_tous": ("relay",),
    "centre_social": ("relay",),
    "france_services": ("relay",),
    "mediation": ("relay",),
    "ccas": ("relay",),
    "mjc": ("relay",),
    "youth_space": ("relay", "employment"),
    "cci": ("entry_door",),
    "cma": ("entry_door",),
    "chambre_consulaire": ("entry_door",),
    "citeslab": ("entry_door",),
    "adie": ("entry_door", "support_financing"),
    "bge": ("entry_door", "support_financing"),
    "initiative": ("entry_door", "support_financing"),
    "france_active": ("entry_door", "support_financing"),
    "reseau_entreprendre": ("support_financing",),
    "france_travail": ("employment",),
    "mission_locale": ("employment",),
    "maison_emploi": ("employment",),
    "plie": ("employment",),
    "cap_emploi": ("employment",),
    "apec": ("employment",),
    "afpa": ("employment",),
    "insertion": ("employment",),
    "mobility": ("mobility",),
    "other": (),
}

ACTOR_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "roles",
    "kind",
    "address",
    "commune_code",
    "commune",
    "phone",
    "email",
    "website",
    "opening_hours",
    "mobile",
    "source",
    "vintage",
    "geometry",
)

_TEXT = ("address", "commune_code", "commune", "phone", "email", "website", "opening_hours")


def parse_decimal(value: Any) -> float:
    """Parse a number written with a decimal comma or point; NaN when blank or unreadable."""
    if value is None:
        return float("nan")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        return float("nan")


def coordinate_problems(
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    rows: Sequence[int],
    *,
    lon_col: str = "longitude",
    lat_col: str = "latitude",
) -> list[InputProblem]:
    """Problems for missing, swapped or out-of-France WGS84 coordinates (one per row)."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    swapped, outside = lonlat_problems(x, y)
    problems = []
    for k in np.flatnonzero(np.isnan(x) | np.isnan(y)):
        problems.append(
            InputProblem(
                rows[int(k)], f"{lon_col}/{lat_col}", "missing coordinates", "geocode the address"
            )
        )
    for k in np.flatnonzero(swapped):
        problems.append(
            InputProblem(
                rows[int(k)],
                f"{lon_col}/{lat_col}",
                f"latitude and longitude swapped ({x[k]}, {y[k]})",
                f"put the longitude in {lon_col!r} and the latitude in {lat_col!r}",
            )
        )
    for k in np.flatnonzero(outside):
        problems.append(
            InputProblem(
                rows[int(k)],
                f"{lon_col}/{lat_col}",
                f"point ({x[k]}, {y[k]}) is not in France",
                "give WGS84 longitude/latitude in decimal degrees",
            )
        )
    return problems


def empty_actors() -> gpd.GeoDataFrame:
    """An empty actors frame with the right columns and CRS."""
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in ACTOR_COLUMNS if c != "geometry"})
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    gdf.index = pd.Index([], dtype=object)
    return gdf


def normalise_dtypes(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text columns as ``object`` with ``None`` for missing values (never NaN), ``mobile`` bool."""
    out = gdf.copy()
    for col in ("id", "name", "kind", "source", "vintage", *_TEXT):
        if col in out.columns:
            values = out[col].to_numpy(dtype=object)
            out[col] = pd.Series(
                [None if v is None or (isinstance(v, float) and v != v) else v for v in values],
                index=out.index,
                dtype=object,
            )
    if "mobile" in out.columns:
        out["mobile"] = out["mobile"].astype(bool)
    return out


def _clean_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = " ".join(str(value).split())
    return text or None


def actors_frame(
    records: Iterable[Mapping[str, Any]],
    *,
    path: object,
    rows: Sequence[int] | None = None,
    skip_missing_coordinates: bool = False,
    lon_col: str = "longitude",
    lat_col: str = "latitude",
) -> gpd.GeoDataFrame:
    """Check loader records and build the actors GeoDataFrame.

    Parameters
    ----------
    records
        Dicts with the keys of :data:`ACTOR_COLUMNS` except ``geometry``, plus ``lon`` and
        ``lat`` (WGS84). ``roles`` defaults to the kind's :data:`KIND_ROLES`.
    path
        The source file, for error messages.
    rows
        Source row number of each record (1-based), for error messages.
    skip_missing_coordinates
        Drop records without coordinates (logged on the ``qpv_radar.actors`` logger) instead
        of reporting them as problems: for sources known to lack some (associations 2011).
    lon_col, lat_col
        Source column names, for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``id`` (also a column), EPSG:4326.

    Raises
    ------
    InputFileError
        Every problem at once: missing id or name, duplicate ids, unknown roles, missing,
        swapped or out-of-France coordinates, opening hours that are not valid OSM syntax.
    """
    recs = [dict(r) for r in records]
    row_nums = list(rows) if rows is not None else list(range(1, len(recs) + 1))
    if skip_missing_coordinates:
        recs, row_nums = _drop_missing_coordinates(recs, row_nums, path)
    if not recs:
        return empty_actors()
    problems = _record_problems(recs, row_nums)
    lon = [parse_decimal(r.get("lon")) for r in recs]
    lat = [parse_decimal(r.get("lat")) for r in recs]
    problems += coordinate_problems(lon, lat, row_nums, lon_col=lon_col, lat_col=lat_col)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise InputFileError(path, problems)
    return _frame(recs, lon, lat)


def _drop_missing_coordinates(
    recs: list[dict[str, Any]], row_nums: list[int], path: object
) -> tuple[list[dict[str, Any]], list[int]]:
    """The records with coordinates and their row numbers; the others logged."""
    has = [
        not (np.isnan(parse_decimal(r.get("lon"))) or np.isnan(parse_decimal(r.get("lat"))))
        for r in recs
    ]
    dropped = [n for n, h in zip(row_nums, has, strict=True) if not h]
    if dropped:
        rows = ", ".join(map(str, dropped[:20]))
        note(logger, path, "data.note.no_coordinates", n=len(dropped), rows=rows)
    recs = [r for r, h in zip(recs, has, strict=True) if h]
    row_nums = [n for n, h in zip(row_nums, has, strict=True) if h]
    return recs, row_nums


def _closest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def kind_problems(kind: str, row: int | None = None) -> list[InputProblem]:
    """An unknown kind (a structure with no role, that would never appear), with the closest
    known kind."""
    if kind in KIND_ROLES:
        return []
    return [
        InputProblem(
            row,
            "kind",
            f"unknown kind {kind!r}{_closest(kind, KIND_ROLES)}",
            f"use a kind among {', '.join(KIND_ROLES)}, or give the structure's roles",
        )
    ]


def role_problems(roles: Iterable[str], row: int | None = None) -> list[InputProblem]:
    """Unknown roles, each with the closest known role."""
    return [
        InputProblem(
            row,
            "roles",
            f"unknown role {x!r}{_closest(x, ROLES)}",
            f"use roles among {', '.join(ROLES)}",
        )
        for x in roles
        if x not in ROLES
    ]


def _record_problems(recs: list[dict[str, Any]], row_nums: list[int]) -> list[InputProblem]:
    """Problems of ids, names, roles and opening hours; each record's ``kind``, ``roles``
    (canonical order) and ``opening_hours`` normalised in place."""
    problems: list[InputProblem] = []
    seen: dict[str, int] = {}
    for r, n in zip(recs, row_nums, strict=True):
        if not r.get("id"):
            problems.append(InputProblem(n, "id", "missing identifier", "give every row an id"))
        elif r["id"] in seen:
            problems.append(
                InputProblem(
                    n,
                    "id",
                    f"duplicate id {r['id']!r} (also row {seen[r['id']]})",
                    "make ids unique",
                )
            )
        else:
            seen[r["id"]] = n
        if not _clean_text(r.get("name")):
            problems.append(InputProblem(n, "name", "missing name", "give the structure's name"))
        kind = r.get("kind") or "other"
        r["kind"] = kind
        problems += kind_problems(kind, n)
        roles = tuple(r.get("roles") or KIND_ROLES.get(kind, ()))
        problems += role_problems(roles, n)
        r["roles"] = tuple(x for x in ROLES if x in roles)  # canonical order
        oh = r["opening_hours"] = _clean_text(r.get("opening_hours"))
        if oh is not None and not hours.is_valid(oh):
            problems.append(
                InputProblem(
                    n,
                    "opening_hours",
                    f"{oh!r} is not valid OpenStreetMap opening_hours syntax",
                    "write e.g. 'Mo-Fr 09:00-12:00,14:00-17:00' (see "
                    "https://wiki.openstreetmap.org/wiki/Key:opening_hours)",
                )
            )
    return problems


def _frame(recs: list[dict[str, Any]], lon: list[float], lat: list[float]) -> gpd.GeoDataFrame:
    """The checked records as the actors GeoDataFrame, indexed by ``id``."""
    data: dict[str, list[Any]] = {
        "id": [str(r["id"]) for r in recs],
        "name": [_clean_text(r["name"]) for r in recs],
        "roles": [r["roles"] for r in recs],
        "kind": [r["kind"] for r in recs],
    }
    for col in _TEXT:
        data[col] = [_clean_text(r.get(col)) for r in recs]
    data["mobile"] = [bool(r.get("mobile", False)) for r in recs]
    data["source"] = [str(r.get("source", "")) for r in recs]
    data["vintage"] = [str(r.get("vintage", "")) for r in recs]
    df = pd.DataFrame(data, dtype=object)
    df["mobile"] = df["mobile"].astype(bool)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    gdf.index = pd.Index(gdf["id"].to_numpy(dtype=object), dtype=object)
    return normalise_dtypes(gdf[list(ACTOR_COLUMNS)])
