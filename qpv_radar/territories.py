"""Territory files built from the registry's national data (``qpv-radar territory new``).

:func:`new_territory` chooses, for a list of communes or a département:

* QPV **perimeters** where the registry has them for those communes (Occitanie's 2015
  re-export, Rennes' 2015 perimeters), else **ANCT's 2024 commune lists** (one point per
  commune, ``is_perimeter=False``: residents are placed at the commune's centre);
* the national structures: France services (ANCT, 2024) and the France Travail agencies (2019),
  kept in the communes by their loaders;
* a metric CRS (Lambert-93 in metropolitan France, the UTM zone overseas) and the timezone;
* optional streets (a local file, or downloaded with osmnx, online only) and GTFS feeds.

A territory without a street network walks in a straight line (× 1.3, on the ellipsoid) and
places its residents on a grid inside each perimeter — or, for ANCT's commune lists, at the
commune's centre (the list's point), whose population is unknown: its ``[qpv] note`` says so,
and the note is printed with every planner result (shares and counts of residents are then
NaN, « population inconnue »).

When the chosen perimeters lack commune codes or population (Rennes), the territory gets two
small side files next to it (``<name>.qpv.geojson``, ``<name>.qpv.csv``): the perimeters of its
communes only, and their population; :meth:`TerritoryDraft.write` writes everything atomically.
"""

from __future__ import annotations

import functools
import io
import json
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import datasets
from ._defaults import LAMBERT93
from ._errors import TerritoryError
from ._outputs import atomic_write, atomic_write_text

__all__ = ["ANCT_LISTS", "PERIMETERS", "TerritoryDraft", "new_territory", "write_territory"]

#: Registry perimeter files (path, indicators or ``None``, generation, note fr, note en).
PERIMETERS: tuple[tuple[str, str | None, int], ...] = (
    ("qpv/occitanie_hackaviz2021/qp.geojson", "qpv/occitanie_hackaviz2021/qp.csv", 2015),
    ("qpv/rennes_resovilles/QPV_rennes_saint-malo.geojson", None, 2015),
)
#: ANCT's 2024 list of communes hosting QPVs (points; a list, not perimeters).
ANCT_LISTS = "qpv/anct_qpv2024_communes/centroide-4326_qpv.geojson"
FRANCE_SERVICES = "actors/france_services/liste-fs-20240801.csv"
FRANCE_TRAVAIL = "actors/france_travail_agences_2019_les_emplois/pole_emploi_agencies_2019-11.csv"
#: Overseas départements: timezone.
OVERSEAS_TZ = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}
#: Week used when no GTFS feed fixes one (France services list of 2024-08-01).
NO_GTFS_WHEN = "2024-09-03T09:00"

_NOTES = {
    "list": (
        "Liste ANCT 2024 des QPV par commune, sans périmètres : les résidents sont placés au "
        "centre de la commune et la population n'est pas connue.",
        "ANCT's 2024 list of QPVs by commune, without perimeters: residents are placed at the "
        "commune's centre and the population is unknown.",
    ),
    "2015": (
        "Périmètres QPV 2015 (la liste 2024 peut différer).",
        "QPV perimeters of 2015 (the 2024 list may differ).",
    ),
    "no_streets": (
        "Pas de réseau de rues : la marche est comptée en ligne droite (× 1,3) et les résidents "
        "sont placés sur une grille dans chaque périmètre.",
        "No street network: walking is counted in a straight line (× 1.3) and residents are "
        "placed on a grid inside each perimeter.",
    ),
    # commune lists have no perimeter to put a grid in: residents stay at the commune's centre
    "no_streets_list": (
        "Pas de réseau de rues : la marche est comptée en ligne droite (× 1,3) depuis le centre "
        "de la commune.",
        "No street network: walking is counted in a straight line (× 1.3) from the commune's "
        "centre.",
    ),
}


@dataclass
class TerritoryDraft:
    """A territory file's text and its side files (name relative to the TOML → bytes)."""

    name: str
    toml: str
    files: dict[str, bytes] = field(default_factory=dict)

    def write(self, out: str | Path) -> Path:
        """Write the TOML file (and its side files next to it), each atomically."""
        out = Path(out)
        for rel, data in self.files.items():
            atomic_write(out.parent / rel, functools.partial(_write_bytes, data=data))
        return atomic_write_text(out, self.toml)


def _write_bytes(tmp: Path, *, data: bytes) -> None:
    tmp.write_bytes(data)


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(s.replace("-", " ").replace("'", " ").casefold().split())


def _anct() -> gpd.GeoDataFrame:
    return gpd.read_file(datasets.fetch(ANCT_LISTS))


def _communes_of(departement: str, anct: gpd.GeoDataFrame) -> list[str]:
    """Communes of a département hosting QPVs (ANCT 2024 and the registry's perimeters)."""
    codes = {c for c in anct["insee_com"].astype(str) if c.startswith(departement)}
    for path, _ind, _gen in PERIMETERS:
        qpv = _read_perimeters(path, anct)
        codes |= {c for cs in qpv["commune_codes"] for c in cs if c.startswith(departement)}
    return sorted(codes)


def _read_perimeters(path: str, anct: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The perimeters of a registry file; commune codes filled from names when missing."""
    from .qpv import read_qpv

    qpv = read_qpv(datasets.fetch(path))
    by_name = {
        (str(c)[:2], _fold(n)): str(c)
        for c, n in zip(anct["insee_com"], anct["lib_com"], strict=True)
    }

    def codes(row: pd.Series) -> list[str]:
        if len(row["commune_codes"]):
            return list(row["commune_codes"])
        dep = str(row["code_qp"])[3:5]  # QP035004 → "35"
        found = [by_name.get((dep, _fold(n))) for n in row["commune_names"]]
        return [c for c in found if c]

    qpv["commune_codes"] = qpv.apply(codes, axis=1)
    return qpv


def _crs_and_tz(communes: Sequence[str], anct: gpd.GeoDataFrame) -> tuple[str, str]:
    deps = {c[:3] for c in communes if c.startswith("97")}
    if not deps:
        return LAMBERT93, "Europe/Paris"
    if len(deps) > 1 or len(deps) != len({c[:3] for c in communes}):
        raise TerritoryError("territory_new.mixed", communes=", ".join(communes))
    dep = deps.pop()
    pts = anct[anct["insee_com"].astype(str).isin(communes)]
    if pts.empty:
        raise TerritoryError("territory_new.no_qpv", communes=", ".join(communes))
    return str(pts.estimate_utm_crs().to_string()), OVERSEAS_TZ.get(dep, "UTC")


def _gtfs_when(path: Path) -> str:
    """A Tuesday 09:00 in the feed's period (the second week when it has one)."""
    days: list[date] = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if "calendar.txt" in names:
            cal = pd.read_csv(io.BytesIO(z.read("calendar.txt")), dtype=str)
            days += [datetime.strptime(d, "%Y%m%d").date() for d in cal["start_date"]]
            days += [datetime.strptime(d, "%Y%m%d").date() for d in cal["end_date"]]
        if "calendar_dates.txt" in names:
            cd = pd.read_csv(io.BytesIO(z.read("calendar_dates.txt")), dtype=str)
            cd = cd[cd["exception_type"].str.strip() == "1"]
            days += [datetime.strptime(d, "%Y%m%d").date() for d in cd["date"].str.strip()]
    if not days:
        raise TerritoryError("territory_new.gtfs_period", file=str(path))
    start, end = min(days), max(days)
    day = start + timedelta(days=7 if (end - start).days >= 14 else 0)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return f"{min(day, end).isoformat()}T09:00"


def _source(value: str) -> str:
    """A registry path as it is, a local file as an absolute path."""
    if value in datasets.registry():
        return value
    p = Path(value).expanduser()
    if not p.is_file():
        raise TerritoryError("territory_new.no_file", file=value)
    return str(p.resolve())


def _q(value: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _choose_qpv(
    communes: list[str], anct: gpd.GeoDataFrame, name: str
) -> tuple[list[str], dict[str, bytes], str]:
    """The ``[qpv]`` lines, side files and kind (``"2015"`` or ``"list"``) for the communes."""
    listed = set(anct.loc[anct["insee_com"].astype(str).isin(communes), "insee_com"].astype(str))
    for path, indicators, gen in PERIMETERS:
        qpv = _read_perimeters(path, anct)
        covered = {c for cs in qpv["commune_codes"] for c in cs}
        if not covered.intersection(communes) or not listed <= covered:
            continue
        raw = gpd.read_file(datasets.fetch(path))
        if indicators is not None and len(raw.columns.intersection(["code_commune"])):
            return (
                [
                    f"perimeters = {_q(path)}",
                    f"indicators = {_q(indicators)}",
                    f"generation = {gen}",
                ],
                {},
                "2015",
            )
        keep = qpv[qpv["commune_codes"].map(lambda cs: bool(set(cs) & set(communes)))].copy()
        keep["code_commune"] = keep["commune_codes"].map(",".join)
        keep["nom_commune"] = keep["commune_names"].map(",".join)
        side = keep[["code_qp", "nom_qp", "code_commune", "nom_commune", "geometry"]]
        pops = _population(raw)
        pop = pd.DataFrame({"code_qp": keep["code_qp"], "pop_mun": keep["code_qp"].map(pops)})
        files = {
            f"{name}.qpv.geojson": side.to_json(drop_id=True).encode("utf-8"),
            f"{name}.qpv.csv": pop.to_csv(index=False).encode("utf-8"),
        }
        lines = [
            f"perimeters = {_q(name + '.qpv.geojson')}",
            f"indicators = {_q(name + '.qpv.csv')}",
            f"generation = {gen}",
        ]
        return lines, files, "2015"
    if not listed:
        raise TerritoryError("territory_new.no_qpv", communes=", ".join(communes))
    empty = pd.DataFrame({"code_qp": [], "pop_mun": []}).to_csv(index=False).encode("utf-8")
    lines = [
        f"perimeters = {_q(ANCT_LISTS)}",
        f"indicators = {_q(name + '.qpv.csv')}",
        "generation = 2024",
    ]
    return lines, {f"{name}.qpv.csv": empty}, "list"


def _population(raw: pd.DataFrame) -> dict[str, float]:
    """Population per QPV code from a raw perimeter file (``pop_mun`` or ``pop``, "6 206")."""
    code = next((c for c in ("code_qp", "CODE_QP") if c in raw.columns), None)
    col = next((c for c in ("pop_mun", "pop", "POP") if c in raw.columns), None)
    if code is None or col is None:
        return {}
    digits = raw[col].astype(str).str.replace(r"[^\d.]", "", regex=True)
    return dict(zip(raw[code].astype(str), pd.to_numeric(digits, errors="coerce"), strict=True))


def new_territory(
    name: str,
    *,
    communes: Sequence[str] | None = None,
    departement: str | None = None,
    streets: str | None = None,
    gtfs: Sequence[str] = (),
    download_streets: bool = False,
) -> TerritoryDraft:
    """A territory file for communes or a département, from the registry's national data.

    Parameters
    ----------
    name
        The territory's name (also the stem of its side files).
    communes
        INSEE codes of the communes.
    departement
        A département code (``"34"``, ``"2A"``, ``"974"``): its communes hosting QPVs.
    streets
        A street file (any format of :data:`~qpv_radar.networks.readers.STREET_FORMATS`).
    gtfs
        GTFS feeds (registry paths or local files).
    download_streets
        Download the walking network of the area with osmnx (online only).

    Returns
    -------
    TerritoryDraft
        ``toml`` checked by :func:`~qpv_radar.territory.load_territory`'s schema; write it with
        :meth:`TerritoryDraft.write`.

    Raises
    ------
    TerritoryError
        Neither or both of ``communes``/``departement``, no QPV in the communes, a file that
        does not exist, a GTFS feed without dates.
    """
    from ._schema import TerritoryModel

    if bool(communes) == bool(departement):
        raise TerritoryError("territory_new.where")
    anct = _anct()
    codes = sorted(set(communes or ())) or _communes_of(str(departement), anct)
    if not codes:
        raise TerritoryError("territory_new.no_qpv", communes=str(departement))
    crs, tz = _crs_and_tz(codes, anct)
    qpv_lines, files, kind = _choose_qpv(codes, anct, name)
    feeds = [_source(g) for g in gtfs]
    when = (
        _gtfs_when(datasets.fetch(feeds[0]) if feeds[0] in datasets.registry() else Path(feeds[0]))
        if feeds
        else NO_GTFS_WHEN
    )
    street_src = _source(streets) if streets else None
    if download_streets:
        street_src, data = _download_streets(codes, anct, name)
        files[f"{name}.streets.graphml"] = data
    no_streets = _NOTES["no_streets_list" if kind == "list" else "no_streets"]
    notes = [_NOTES[kind]] + ([] if street_src else [no_streets])
    out = [
        f"# Built by `qpv-radar territory new` from the registry's national data ({date.today()}).",
        f"name = {_q(name)}",
        f"label = {_q(name)}",
        f"communes = [{', '.join(_q(c) for c in codes)}]",
        f"crs = {_q(crs)}",
        f"timezone = {_q(tz)}",
        f"default_when = {_q(when)}",
        "",
        "[qpv]",
        *qpv_lines,
        f"note = {_q(' '.join(n[0] for n in notes))}",
        f"note_en = {_q(' '.join(n[1] for n in notes))}",
    ]
    for loader, src in (("france_services", FRANCE_SERVICES), ("pole_emploi_2019", FRANCE_TRAVAIL)):
        out += ["", "[[actors]]", f"loader = {_q(loader)}", f"source = {_q(src)}"]
    if street_src:
        out += ["", "[streets]", f"source = {_q(street_src)}"]
    for feed in feeds:
        out += ["", "[[gtfs]]", f"source = {_q(feed)}"]
    text = "\n".join(out) + "\n"
    import tomllib

    TerritoryModel.model_validate(tomllib.loads(text))
    return TerritoryDraft(name=name, toml=text, files=files)


def _download_streets(
    communes: Sequence[str], anct: gpd.GeoDataFrame, name: str
) -> tuple[str, bytes]:
    """The walking network around the communes' QPVs, downloaded with osmnx (GraphML)."""
    try:
        import osmnx as ox
    except ImportError as exc:
        raise TerritoryError("territory_new.osmnx") from exc
    pts = anct[anct["insee_com"].astype(str).isin(communes)].to_crs(LAMBERT93)
    w, s, e, n = pts.buffer(5000).to_crs("EPSG:4326").total_bounds
    try:
        graph = ox.graph_from_bbox((w, s, e, n), network_type="walk")
    except Exception as exc:
        raise TerritoryError("territory_new.download", error=str(exc)) from exc
    buf = io.BytesIO()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "g.graphml"
        ox.save_graphml(graph, p)
        buf.write(p.read_bytes())
    return f"{name}.streets.graphml", buf.getvalue()


def write_territory(name: str, out: str | Path, **kwargs: object) -> Path:
    """:func:`new_territory` written to ``out`` (and its side files next to it)."""
    return new_territory(name, **kwargs).write(out)  # type: ignore[arg-type]
