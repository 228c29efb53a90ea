"""Ville de Montpellier's Maisons pour tous (JSON list, ``mpt.json``).

Municipal community centres: role ``relay``, kind ``maison_pour_tous``. All are in Montpellier
(INSEE 34172). Hours: ``openingHours`` per French weekday with ``slots`` (``"9:00-19:00"`` or
``"Fermé"``) and a ``comments`` lunch break (``"(fermée entre 12h30 et 14h)"``) cut out of the
slots.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import geopandas as gpd

from .._errors import InputFileError, InputProblem
from .._io import check_file, check_text_encoding
from . import hours
from ._common import log_bad_hours, safe_hours
from .model import actors_frame

__all__ = ["read_montpellier_mpt"]

MONTPELLIER = "34172"
REQUIRED = ("id", "name", "coordinates")


def read_montpellier_mpt(
    path: str | Path,
    *,
    communes: Collection[str] | None = None,
    vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the Maisons pour tous JSON.

    Parameters
    ----------
    path
        JSON array of objects ``id, name, address, openingHours, phone, email, facebook,
        coordinates{lat,lng}``.
    communes
        Unused filter hook (every MPT is in Montpellier, 34172); when given and without
        34172, the result is empty.
    vintage
        Vintage label (default ``"2025-04"``).

    Raises
    ------
    InputFileError
        Not JSON, not a list, missing keys, bad coordinates… all listed at once.
    """
    p = check_file(path)
    text = check_text_encoding(p)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            p,
            [InputProblem(None, None, f"not valid JSON ({exc})", "fix the JSON syntax")],
        ) from exc
    if not isinstance(data, list) or not data:
        raise InputFileError(
            p,
            [InputProblem(None, None, "expected a non-empty JSON array of objects", "export it")],
        )
    if communes is not None and MONTPELLIER not in set(communes):
        data = []
    problems: list[InputProblem] = []
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    bad: list[str] = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(InputProblem(i, None, "not a JSON object", "give one object per MPT"))
            continue
        missing = [k for k in REQUIRED if k not in item]
        problems += [InputProblem(i, k, "missing key", f"add {k!r}") for k in missing]
        if missing:
            continue
        coords = item["coordinates"] if isinstance(item["coordinates"], dict) else {}
        slug = item.get("slug") or item["id"]
        rows.append(i)
        records.append(
            {
                "id": f"mpt:{str(slug).removeprefix('maison-pour-tous-')}",
                "name": item["name"],
                "kind": "maison_pour_tous",
                "address": item.get("address"),
                "commune_code": MONTPELLIER,
                "commune": "Montpellier",
                "phone": item.get("phone"),
                "email": item.get("email"),
                "website": item.get("facebook") or item.get("instagram"),
                "opening_hours": safe_hours(hours.from_mpt, item.get("openingHours") or {}, i, bad),
                "mobile": False,
                "source": "Ville de Montpellier — Maisons pour tous",
                "vintage": vintage or "2025-04",
                "lon": coords.get("lng"),
                "lat": coords.get("lat"),
            }
        )
    if problems:
        raise InputFileError(p, problems)
    log_bad_hours(p, bad)
    return actors_frame(records, path=p, rows=rows)
