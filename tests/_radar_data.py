"""Inputs shared by the radar tests: a Mosson resident, real QPV perimeters and structures.

The radar tests run on the real engines. ``straight_line_times`` and friends are a hand-made
provider (straight-line distance × 1.3 at a fixed speed per mode), used only to show that any
router plugs into :func:`~qpv_radar.radar.compute_radar` through the provider types.
"""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from qpv_radar.actors import load_actors
from qpv_radar.qpv import load_qpv
from qpv_radar.radar import Leg, Person
from qpv_radar.territory import load_territory

MOSSON = (3.8200, 43.6321)  # a point inside the Mosson QPV (Montpellier)
TUESDAY = datetime(2024, 1, 16, 9, 0)  # inside the TaM feed's period
SPEEDS = {"walk": 1.25, "bike": 4.0, "car": 8.0, "transit": 3.0}  # m/s, straight line × 1.3


def real_qpv() -> gpd.GeoDataFrame:
    """Montpellier's QPV perimeters (2015 generation)."""
    return load_qpv(load_territory("montpellier"))


def real_actors() -> gpd.GeoDataFrame:
    """Montpellier's structures from every source of the territory."""
    return load_actors(load_territory("montpellier"))


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
    """A Mosson resident, free on Tuesday 16 January 2024, 09:00–12:00, on foot or by bike
    (the street engine; transit is tested in test_radar_transit.py)."""
    args: dict[str, object] = {
        "lon": MOSSON[0],
        "lat": MOSSON[1],
        "when": TUESDAY,
        "until": "12:00",
        "needs": ("creation", "emploi"),
        "modes": ("walk", "bike"),
    }
    args.update(kw)
    return Person(**args)  # type: ignore[arg-type]
