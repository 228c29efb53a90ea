"""Ville de Montpellier open data 2011–2014: public establishments and associations.

Both files list many places; only those matching the **classification rules** below are
loaded as actors. Rules match on accent-free, lower-case text (:func:`classify_establishment`,
:func:`classify_association`), first match wins:

Public establishments 2014 (GeoJSON, field ``LIBEL``):

=====================================  ===============  =============================
``LIBEL`` contains                     kind             roles
=====================================  ===============  =============================
``chambre de commerce``                ``cci``          entry_door
``chambre`` and ``metiers``            ``cma``          entry_door
``espace montpellier jeunesse``        ``youth_space``  relay, employment
=====================================  ===============  =============================

Associations 2011 (CSV, Windows-1252, decimal commas; ``NomAsso``, ``Sigle``, ``Domaine``,
``Sous-Domaine``), first matching rule wins:

1. ``Sigle`` is ADIE, or the name has "droit a l'initiative economique" → ``adie``
   (entry_door, support_financing);
2. the name has "boutique" and "gestion", or ``Sigle`` is BGE → ``bge`` (entry_door,
   support_financing);
3. ``Sigle`` is APEC with ``Domaine`` ENTREPRISE ET TRAVAIL, or the name has "emploi des
   cadres" → ``apec`` (employment);
4. ``Sous-Domaine`` is INSERTION (the city's own classification) and the name speaks of work
   or training ("insertion", "emploi", "travail", "professionnel", "reclassement",
   "formation") → ``insertion`` (employment). The city files social insertion under the same
   sub-domain (community associations, mutual-help clubs): without such a word in the name
   the association is not taken for an employment structure;
5. the name has the word "insertion" and ``Domaine`` is ENTREPRISE ET TRAVAIL, or the name
   also has "emploi", "travail" or "professionnel" → ``insertion`` (employment).

Every other row is ignored. Associations without coordinates are skipped (logged); all rows
are Ville de Montpellier data (``commune_code`` 34172). The vintage is old (2011–2014):
structures may have moved since.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from .._errors import CrsError
from .._geo import WGS84
from .._io import check_file, read_vector
from ._common import fold, read_table, require_columns
from .model import actors_frame, empty_actors

__all__ = [
    "classify_association",
    "classify_establishment",
    "read_montpellier_associations_2011",
    "read_montpellier_etablissements_2014",
]

MONTPELLIER = "34172"
MONTPELLIER_POSTCODES = {"34000", "34070", "34080", "34090", "34295"}
_INSERTION = re.compile(r"\binsertion\b")
_WORK = re.compile(r"\b(insertion|emploi|travail|professionnel(le)?|reclassement|formation)\b")


def classify_establishment(libel: str) -> str | None:
    """Kind of a 2014 public establishment from its ``LIBEL``, or ``None`` (not an actor)."""
    t = fold(libel)
    if "chambre de commerce" in t:
        return "cci"
    if "chambre" in t and "metiers" in t:
        return "cma"
    if "espace montpellier jeunesse" in t:
        return "youth_space"
    return None


def classify_association(name: str, sigle: str, domaine: str, sous_domaine: str) -> str | None:
    """Kind of a 2011 association from its name, acronym and domains, or ``None``."""
    n, s, d, sd = fold(name), fold(sigle), fold(domaine), fold(sous_domaine)
    if s == "adie" or "droit a l'initiative economique" in n:
        return "adie"
    if ("boutique" in n and "gestion" in n) or s == "bge":
        return "bge"
    if (s == "apec" and d == "entreprise et travail") or "emploi des cadres" in n:
        return "apec"
    if sd == "insertion" and _WORK.search(n):
        return "insertion"
    if _INSERTION.search(n) and (
        d == "entreprise et travail" or any(w in n for w in ("emploi", "travail", "professionnel"))
    ):
        return "insertion"
    return None


def read_montpellier_etablissements_2014(
    path: str | Path,
    *,
    communes: Collection[str] | None = None,
    vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the 2014 public establishments GeoJSON and keep the classified ones.

    Ids are ``etab2014:<FID_eqpt_2>``. No street address is published (only city street codes).
    """
    p = check_file(path)
    raw = read_vector(p)
    require_columns(p, raw.columns, ("FID_eqpt_2", "LIBEL"))
    if raw.crs is None:
        raise CrsError(f"{p}: no CRS declared; this file is WGS84 longitude/latitude GeoJSON.")
    if communes is not None and MONTPELLIER not in set(communes):
        return empty_actors()
    raw = raw.to_crs(WGS84)
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    for i, (rec, geom) in enumerate(
        zip(raw.drop(columns=raw.geometry.name).to_dict("records"), raw.geometry, strict=True),
        start=1,
    ):
        kind = classify_establishment(rec["LIBEL"] or "")
        if kind is None:
            continue
        pt = None if geom is None or geom.is_empty else shapely.point_on_surface(geom)
        records.append(
            {
                "id": f"etab2014:{int(rec['FID_eqpt_2'])}",
                "name": rec["LIBEL"],
                "kind": kind,
                "address": None,
                "commune_code": MONTPELLIER,
                "commune": "Montpellier",
                "mobile": False,
                "source": "Ville de Montpellier — établissements publics",
                "vintage": vintage or "2014-05",
                "lon": None if pt is None else pt.x,
                "lat": None if pt is None else pt.y,
            }
        )
        rows.append(i)
    return actors_frame(records, path=p, rows=rows)


REQUIRED_ASSOC = ("NomAsso", "Sigle", "Domaine", "Sous-Domaine", "Longitude", "Latitude")


def read_montpellier_associations_2011(
    path: str | Path,
    *,
    encoding: str = "cp1252",
    communes: Collection[str] | None = None,
    vintage: str | None = None,
) -> gpd.GeoDataFrame:
    """Read the 2011 associations CSV (Windows-1252) and keep the classified ones.

    Ids are ``asso2011:<row>`` (1-based data row). Coordinates use decimal commas.
    """
    p = Path(path)
    df = read_table(p, encoding=encoding)
    require_columns(p, df.columns, REQUIRED_ASSOC)
    if communes is not None and MONTPELLIER not in set(communes):
        return empty_actors()
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    for i, rec in enumerate(df.to_dict("records"), start=1):
        kind = classify_association(
            rec["NomAsso"], rec["Sigle"], rec["Domaine"], rec["Sous-Domaine"]
        )
        if kind is None:
            continue
        postcode = rec.get("Code_Postal", "").strip()
        in_city = postcode in MONTPELLIER_POSTCODES
        address = " ".join(rec.get("Adresse", "").split())
        records.append(
            {
                "id": f"asso2011:{i}",
                "name": rec["NomAsso"],
                "kind": kind,
                "address": f"{address}, {postcode} Montpellier" if in_city else address,
                "commune_code": MONTPELLIER if in_city else None,
                "commune": "Montpellier" if in_city else None,
                "phone": rec.get("Tel_Asso"),
                "email": rec.get("Mail_Asso"),
                "website": rec.get("INTERNET"),
                "mobile": False,
                "source": "Ville de Montpellier — associations",
                "vintage": vintage or "2011-2012",
                "lon": rec["Longitude"],
                "lat": rec["Latitude"],
            }
        )
        rows.append(i)
    return actors_frame(
        records,
        path=p,
        rows=rows,
        skip_missing_coordinates=True,
        lon_col="Longitude",
        lat_col="Latitude",
    )
