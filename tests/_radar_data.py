"""Inputs shared by the radar tests: real QPV perimeters and structures, and a plain provider.

``straight_line_times`` is a hand-made travel-time provider (straight-line distance × 1.3 at a
fixed speed per mode): it exercises the radar's logic (ranking, reach, open on arrival, path)
independently of the routing engines, whose own tests check their times. The radar is also
tested end to end on the real engines (tests marked with the engine they need).
"""

from __future__ import annotations

import importlib
import json
from datetime import datetime

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from qpv_radar.datasets import fetch
from qpv_radar.radar import Leg, Person
from qpv_radar.territory import load_territory

MOSSON = (3.8200, 43.6321)  # a point inside the Mosson QPV (Montpellier)
TUESDAY = datetime(2024, 1, 16, 9, 0)  # inside the TaM feed's period
SPEEDS = {"walk": 1.25, "bike": 4.0, "car": 8.0, "transit": 3.0}  # m/s, straight line × 1.3


def real_qpv() -> gpd.GeoDataFrame:
    """Montpellier's QPV perimeters (2015), through the project's loader when present."""
    try:
        return importlib.import_module("qpv_radar.qpv").load_qpv(load_territory("montpellier"))
    except ImportError:
        q = gpd.read_file(fetch("qpv/occitanie_hackaviz2021/qp.geojson"))
        return q[q["code_commune"].astype(str).str.contains("34172")].to_crs(4326)


def real_actors() -> gpd.GeoDataFrame:
    """Montpellier's structures, through the project's loader when present."""
    try:
        return importlib.import_module("qpv_radar.actors").load_actors(
            load_territory("montpellier")
        )
    except (ImportError, AttributeError):
        return _mpt_actors()


def _mpt_actors() -> gpd.GeoDataFrame:
    """The city's 24 Maisons pour tous (real) as relays, plus France services and France
    Travail sites and two business-creation structures named in the city's open data."""
    data = json.loads(fetch("actors/montpellier_maisons_pour_tous/mpt.json").read_text("utf-8"))
    rows = [
        {
            "id": f"mpt:{e['slug']}",
            "name": e["name"],
            "roles": ("relay",),
            "kind": "maison_pour_tous",
            "address": e.get("address"),
            "commune": "Montpellier",
            "phone": e.get("phone"),
            "email": e.get("email"),
            "opening_hours": "Mo-Th 09:00-12:30,14:00-19:00; Fr 09:00-12:30,14:00-18:00",
            "mobile": False,
            "source": "Ville de Montpellier",
            "lon": e["coordinates"]["lng"],
            "lat": e["coordinates"]["lat"],
        }
        for e in data
    ]
    fs = pd.read_csv(
        fetch("actors/france_services/liste-fs-20240801.csv"), sep=None, engine="python", dtype=str
    )
    lib = next(c for c in fs.columns if c.lower() in ("lib_com", "commune"))
    fs = fs[fs[lib].str.strip().str.lower() == "montpellier"]
    latc = next(c for c in fs.columns if c.lower() in ("latitude", "lat"))
    lonc = next(c for c in fs.columns if c.lower() in ("longitude", "lon", "long"))
    namec = next(c for c in fs.columns if "nom" in c.lower() or "lib_fs" in c.lower())
    for i, r in enumerate(fs.itertuples(index=False)):
        d = r._asdict()
        rows.append(
            {
                "id": f"fs:{i}",
                "name": str(d[namec]),
                "roles": ("relay",),
                "kind": "france_services",
                "address": None,
                "commune": "Montpellier",
                "phone": None,
                "email": None,
                "opening_hours": "Mo-Fr 09:00-12:00,13:30-17:00",
                "mobile": False,
                "source": "ANCT",
                "lon": float(str(d[lonc]).replace(",", ".")),
                "lat": float(str(d[latc]).replace(",", ".")),
            }
        )
    for sid, name, roles, lon, lat, oh in (
        (
            "etab:cci",
            "Chambre de Commerce et d'Industrie",
            ("entry_door",),
            3.8763,
            43.6087,
            "Mo-Fr 08:30-12:30,13:30-17:30",
        ),
        (
            "assoc:adie",
            "ADIE",
            ("entry_door", "support_financing"),
            3.8790,
            43.6040,
            "Mo-Fr 09:00-12:30,14:00-17:30",
        ),
        (
            "ft:mosson",
            "Pôle emploi Montpellier Mosson",
            ("employment",),
            3.8231,
            43.6291,
            "Mo-Fr 08:30-12:30",
        ),
        (
            "ft:centre",
            "Pôle emploi Montpellier Centre",
            ("employment",),
            3.8701,
            43.6049,
            "Mo-Fr 08:30-16:30",
        ),
    ):
        rows.append(
            {
                "id": sid,
                "name": name,
                "roles": roles,
                "kind": None,
                "address": None,
                "commune": "Montpellier",
                "phone": "04 00 00 00 00",
                "email": None,
                "opening_hours": oh,
                "mobile": False,
                "source": "Ville de Montpellier",
                "lon": lon,
                "lat": lat,
            }
        )
    df = pd.DataFrame(rows).set_index("id", drop=False)
    df.index.name = None
    return gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df.lon, df.lat), crs=4326
    )


def straight_line_times(
    origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, mode: str, departure: datetime
) -> pd.DataFrame:
    """Travel times from straight-line distance × 1.3 at :data:`SPEEDS` (seconds)."""
    o = origins.to_crs(2154)
    d = destinations.to_crs(2154)
    rows = []
    for oid, og in o.geometry.items():
        secs = d.distance(og).to_numpy() * 1.3 / SPEEDS[mode]
        rows += [(oid, did, float(t)) for did, t in zip(d.index, secs, strict=True)]
    return pd.DataFrame(rows, columns=["from_id", "to_id", "travel_time"])


def straight_line_itinerary(o: Point, d: Point, mode: str, departure: datetime) -> tuple[Leg, ...]:
    """One leg along the straight line."""
    dist = gpd.GeoSeries([o, d], crs=4326).to_crs(2154)
    metres = float(dist.iloc[0].distance(dist.iloc[1])) * 1.3
    return (
        Leg(
            mode=mode,
            minutes=metres / SPEEDS[mode] / 60,
            distance_m=metres,
            coords=((o.x, o.y), (d.x, d.y)),
        ),
    )


def circle_rings(o: Point, mode: str, departure: datetime, minutes: list[int]) -> gpd.GeoDataFrame:
    """Discs of the straight-line reach, one per band."""
    c = gpd.GeoSeries([o], crs=4326).to_crs(2154).iloc[0]
    discs = [c.buffer(m * 60 * SPEEDS[mode] / 1.3) for m in minutes]
    return gpd.GeoDataFrame({"minutes": minutes}, geometry=gpd.GeoSeries(discs, crs=2154)).to_crs(
        4326
    )


def person(**kw: object) -> Person:
    """A Mosson resident, free on Tuesday 16 January 2024, 09:00–12:00."""
    args: dict[str, object] = {
        "lon": MOSSON[0],
        "lat": MOSSON[1],
        "when": TUESDAY,
        "until": "12:00",
        "needs": ("creation", "emploi"),
    }
    args.update(kw)
    return Person(**args)  # type: ignore[arg-type]
