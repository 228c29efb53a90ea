"""ANCT's list of France services (CSV, ``liste-fs-YYYYMMDD.csv``).

Each row is a France services (role ``relay``), fixed or mobile: ``format_fs`` ``Bus_équivalent``
and ``Itinérante`` are mobile (they are at a place only on given days). Hours come from the
weekday columns ``h_lundi … h_samedi`` (``"09:00 - 12:00 / 13:30 - 17:00"``), converted to OSM
``opening_hours``; a row with no hours at all keeps ``None`` (unknown), unreadable hours are
logged and kept as unknown.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import geopandas as gpd

from . import hours
from ._common import log_bad_hours, read_table, require_columns, safe_hours
from .model import actors_frame

__all__ = ["read_france_services"]

DAY_COLUMNS = ("h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi")
REQUIRED = ("id_fs", "lib_fs", "insee_com", "lib_com", "latitude", "longitude", *DAY_COLUMNS)
MOBILE_FORMATS = {"bus_équivalent", "bus_equivalent", "itinérante", "itinerante"}


def read_france_services(
    path: str | Path,
    *,
    communes: Collection[str] | None = None,
    vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the France services CSV.

    Parameters
    ----------
    path
        The CSV (UTF-8, comma-separated; quoted fields may hold newlines).
    communes
        INSEE codes to keep (filtered before validation); all rows when ``None``.
    vintage
        Vintage label stored in the ``vintage`` column (default: the file's date if any).

    Returns
    -------
    geopandas.GeoDataFrame
        The actor schema; ids ``fs:<id_fs>``.

    Raises
    ------
    InputFileError
        Missing columns, duplicate ids, missing/swapped coordinates… all listed at once.
    """
    p = Path(path)
    df = read_table(p)
    require_columns(p, df.columns, REQUIRED)
    df["_row"] = range(1, len(df) + 1)
    if communes is not None:
        df = df[df["insee_com"].str.strip().isin(set(communes))]
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    bad: list[str] = []
    for rec in df.to_dict("records"):
        row = int(rec["_row"])
        oh = safe_hours(hours.from_france_services, {d: rec[d] for d in DAY_COLUMNS}, row, bad)
        address = ", ".join(
            x for x in (rec["adresse"], rec.get("complement_adresse", "")) if x and x.strip()
        )
        postcode = rec.get("code_postal", "")
        records.append(
            {
                "id": f"fs:{rec['id_fs'].strip()}",
                "name": rec["lib_fs"],
                "kind": "france_services",
                "address": f"{address}, {postcode} {rec['lib_com']}".strip(", "),
                "commune_code": rec["insee_com"].strip() or None,
                "commune": rec["lib_com"],
                "phone": rec.get("telephone"),
                "email": rec.get("mail"),
                "website": None,
                "opening_hours": oh,
                "mobile": rec.get("format_fs", "").strip().lower() in MOBILE_FORMATS,
                "source": "ANCT — France services",
                "vintage": vintage or _vintage_from_name(p.name),
                "lon": rec["longitude"],
                "lat": rec["latitude"],
            }
        )
        rows.append(row)
    log_bad_hours(p, bad)
    return actors_frame(records, path=p, rows=rows)


def _vintage_from_name(name: str) -> str:
    digits = "".join(c for c in name if c.isdigit())
    if len(digits) == 8:
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return ""
