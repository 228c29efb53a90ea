"""Inputs shared by the radar tests: a Mosson resident, real QPV perimeters and structures.

The radar tests run on the real networks. :class:`StraightLines` is a hand-made router
(straight-line distance × 1.3 at a fixed speed per mode), used only to show that any router
plugs into :func:`~qpv_radar.radar.compute_radar` (``networks=``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from qpv_radar.actors import load_actors
from qpv_radar.qpv import load_qpv
from qpv_radar.radar import Person
from qpv_radar.routing.transit import Itinerary
from qpv_radar.routing.transit import Leg as TransitLeg
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


class StraightLines:
    """A router of straight lines × 1.3 at :data:`SPEEDS`: the methods of
    :class:`~qpv_radar.radar.RadarNetworks`, nothing else."""

    def travel_times(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        mode: str,
        departure: datetime | None = None,
        window_minutes: int = 0,
    ) -> pd.DataFrame:
        """Travel times from straight-line distance × 1.3 (seconds)."""
        o = origins.to_crs(2154)
        d = destinations.to_crs(2154)
        rows = []
        for oid, og in o.geometry.items():
            secs = d.distance(og).to_numpy() * 1.3 / SPEEDS[mode]
            rows += [(oid, did, float(t)) for did, t in zip(d.index, secs, strict=True)]
        return pd.DataFrame(rows, columns=["from_id", "to_id", "travel_time"])

    def itinerary(
        self, origin: Point, destination: Point, *, mode: str, departure: datetime | None = None
    ) -> Itinerary:
        """One leg along the straight line."""
        dist = gpd.GeoSeries([origin, destination], crs=4326).to_crs(2154)
        metres = float(dist.iloc[0].distance(dist.iloc[1])) * 1.3
        secs = metres / SPEEDS[mode]
        start = departure or TUESDAY
        end = start + timedelta(seconds=secs)
        coords = ((origin.x, origin.y), (destination.x, destination.y))
        leg = TransitLeg(mode, start, end, "", "", secs, coords=coords, distance_m=metres)
        return Itinerary(start, end, secs, [leg])

    def itineraries(
        self,
        origin: Point,
        destinations: gpd.GeoDataFrame,
        *,
        mode: str,
        departure: datetime | None = None,
    ) -> dict[object, Itinerary | None]:
        """:meth:`itinerary` to each destination."""
        pts = destinations.geometry.to_crs(4326)
        return {
            i: self.itinerary(origin, p, mode=mode, departure=departure)
            for i, p in zip(destinations.index, pts, strict=True)
        }

    def isochrones(
        self,
        origin: Point,
        *,
        mode: str,
        minutes: Sequence[int],
        departure: datetime | None = None,
        outline: bool = False,
    ) -> gpd.GeoDataFrame:
        """Discs of the straight-line reach, one per band."""
        c = gpd.GeoSeries([origin], crs=4326).to_crs(2154).iloc[0]
        discs = [c.buffer(m * 60 * SPEEDS[mode] / 1.3) for m in minutes]
        return gpd.GeoDataFrame(
            {"minutes": list(minutes)}, geometry=gpd.GeoSeries(discs, crs=2154)
        ).to_crs(4326)


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
