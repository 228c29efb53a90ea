"""What a radar credits and dates: the publishers of the data used, and their vintages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import geopandas as gpd

from ..datasets import registry
from ..territory import Territory
from .person import Person

__all__ = ["attribution", "data_date"]


_ATTRIBUTION_BY_PUBLISHER = (
    ("OpenStreetMap", "© les contributeurs d'OpenStreetMap (ODbL)"),
    ("ANCT", "ANCT"),
    ("INSEE", "INSEE"),
    ("TaM", "TaM / Montpellier Méditerranée Métropole"),
    ("Montpellier", "Ville de Montpellier"),
    ("France Travail", "France Travail"),
    ("Pôle emploi", "France Travail"),
)


def _sources_used(terr: Territory, person: Person) -> list[str]:
    srcs = [s for s in (terr.qpv, terr.indicators, terr.streets) if s is not None]
    srcs += list(terr.actors)
    if "transit" in person.modes:
        srcs += list(terr.gtfs)
    return [s.source for s in srcs]


def attribution(terr: Territory, person: Person, actors: gpd.GeoDataFrame) -> tuple[str, ...]:
    reg = registry()
    text = " ".join(
        f"{reg[s].publisher} {reg[s].url}" for s in _sources_used(terr, person) if s in reg
    )
    if "source" in actors:
        text += " " + " ".join(str(s) for s in actors["source"].dropna().unique())
    out = ["© les contributeurs d'OpenStreetMap (ODbL)"]
    for key, label in _ATTRIBUTION_BY_PUBLISHER[1:]:
        if key.lower() in text.lower() and label not in out:
            out.append(label)
    return tuple(out)


def data_date(terr: Territory, person: Person) -> str:
    """One short line: the vintage of each kind of data used."""
    reg = registry()

    def vintages(sources: Iterable[Any]) -> list[str]:
        return [reg[s.source].vintage for s in sources if s and s.source in reg]

    parts = []
    if terr.qpv is not None:
        gen = f"QPV {terr.qpv_generation}" if terr.qpv_generation else "QPV"
        parts.append(gen)
    if terr.streets is not None:
        parts += [f"OSM {v}" for v in vintages([terr.streets])]
    years = sorted({y for v in vintages(terr.actors) for y in _years(v)})
    if years:
        span = f"{years[0]}–{years[-1]}" if years[0] != years[-1] else years[0]
        parts.append(f"structures {span}")
    if "transit" in person.modes:
        parts += [f"GTFS {v}" for v in vintages(terr.gtfs)]
    return " · ".join(parts)


def _years(v: str) -> list[str]:
    return re.findall(r"(?:19|20)\d\d", v)
