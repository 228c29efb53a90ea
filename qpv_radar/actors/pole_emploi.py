"""Pôle emploi (now France Travail) sites, national snapshot of November 2019 (CSV).

``TYPE_SITE`` tells the kind of site (see the file's PROVENANCE): ``ALE`` = *agence locale*,
the public-facing agency; ``DDA`` = territorial directorate and ``DRA`` = regional
directorate, which are not public counters. Only ``ALE`` rows are loaded by default
(``public_only=False`` keeps all). Role ``employment``, kind ``france_travail``.

Coordinates use a decimal comma (``"43,609497"``). The file has no INSEE commune code, only
the postcode and an upper-case commune name: ``commune_code`` is taken from the
``commune_codes`` option (upper-case name → code) when given, and otherwise left empty for
:func:`qpv_radar.actors.load_actors` to fill from the names seen in the other sources. The
file has no opening hours (``None``: unknown).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path

import geopandas as gpd

from ._common import fold, read_table, require_columns
from .model import actors_frame

__all__ = ["read_pole_emploi_2019"]

REQUIRED = (
    "REFERENCE_PE",
    "NOM",
    "TYPE_SITE",
    "ADRESSE",
    "CODE_POSTAL",
    "COMMUNE",
    "DN_LATITUDE",
    "DN_LONGITUDE",
)
PUBLIC_SITE_TYPES = ("ALE",)
_PREFIX = re.compile(r"^(A?PE)\s+", re.IGNORECASE)


def _text(value: str) -> str:
    return "" if value.strip().upper() == "NULL" else value.strip()


def _commune_label(name: str) -> str:
    words = re.split(r"([ -])", name.strip().lower())
    small = {"le", "la", "les", "de", "du", "des", "l", "d", "sur", "en", "et", "lez"}
    out = [w if (w in small and i) else w.capitalize() for i, w in enumerate(words)]
    return "".join(out)


def read_pole_emploi_2019(
    path: str | Path,
    *,
    public_only: bool = True,
    commune_codes: Mapping[str, str] | None = None,
    communes: Collection[str] | None = None,
    vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the 2019 Pôle emploi sites CSV.

    Parameters
    ----------
    path
        The CSV (UTF-8, decimal commas in ``DN_LATITUDE``/``DN_LONGITUDE``).
    public_only
        Keep only public-facing agencies (``TYPE_SITE == "ALE"``).
    commune_codes
        Upper-case commune name → INSEE code, to fill ``commune_code``.
    communes
        INSEE codes to keep; applied only to rows whose code is known (others are kept for
        :func:`~qpv_radar.actors.load_actors` to resolve).
    vintage
        Vintage label (default ``"2019-11"``).
    """
    p = Path(path)
    df = read_table(p)
    require_columns(p, df.columns, REQUIRED)
    df["_row"] = range(1, len(df) + 1)
    if public_only:
        df = df[df["TYPE_SITE"].str.strip().str.upper().isin(PUBLIC_SITE_TYPES)]
    codes = {fold(k): v for k, v in (commune_codes or {}).items()}
    records, rows = [], []
    for rec in df.to_dict("records"):
        code = codes.get(fold(rec["COMMUNE"]))
        if communes is not None and code is not None and code not in communes:
            continue
        name = _PREFIX.sub("", rec["NOM"].strip())
        commune = _commune_label(rec["COMMUNE"])
        parts = [_text(rec["ADRESSE"]), _text(rec.get("DC_COMPLEMENTADRSITEPHYSIQUE", ""))]
        address = ", ".join(x for x in parts if x)
        records.append(
            {
                "id": f"ft:{rec['REFERENCE_PE'].strip()}",
                "name": f"France Travail {name}",
                "kind": "france_travail",
                "address": f"{address}, {rec['CODE_POSTAL'].strip()} {commune}".strip(", "),
                "commune_code": code,
                "commune": commune,
                "opening_hours": None,
                "mobile": False,
                "source": "Pôle emploi (France Travail) — sites",
                "vintage": vintage or "2019-11",
                "lon": rec["DN_LONGITUDE"],
                "lat": rec["DN_LATITUDE"],
            }
        )
        rows.append(int(rec["_row"]))
    return actors_frame(records, path=p, rows=rows, lon_col="DN_LONGITUDE", lat_col="DN_LATITUDE")
