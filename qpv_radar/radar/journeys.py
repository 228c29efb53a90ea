"""The radar's ways there: routing itineraries turned into the radar's :class:`Leg` s.

Rides keep their line, colour, stops and times; walks between two points of a public-transport
journey are drawn along the streets when the networks can route them (a straight line
otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import geopandas as gpd
from shapely.geometry import Point

from .._defaults import WGS84
from .._errors import QpvRadarError, UnreachableError
from ..networks.vehicles import vehicle_of
from ..routing.networks import STREET_MODES
from .model import Entry, Leg, RadarNetworks

__all__ = ["entry_legs", "radar_leg"]


def _naive(value: Any) -> datetime | None:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else None


def radar_leg(x: Any) -> Leg:
    """One leg of a :class:`~qpv_radar.routing.transit.Itinerary` as a radar :class:`Leg`."""
    ride = x.mode == "ride"
    color = str(x.route_color or "").strip().lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
        color = ""
    return Leg(
        mode=vehicle_of(x.route_type) if ride else "walk",
        minutes=float(x.duration_s) / 60.0,
        line=str(x.route_short_name) if ride and x.route_short_name else None,
        color=f"#{color}" if ride and color else None,
        board=str(x.from_name) if ride else None,
        alight=str(x.to_name) if ride else None,
        departure=_naive(x.start),
        arrival=_naive(x.end),
        coords=tuple((float(a), float(b)) for a, b in x.coords),
    )


def _street_leg(itinerary: Any, mode: str) -> Leg:
    [x] = itinerary.legs
    return Leg(
        mode=mode, minutes=float(x.duration_s) / 60.0, distance_m=x.distance_m, coords=x.coords
    )


def _drawn_transit(networks: RadarNetworks, legs: Any, when: datetime) -> tuple[Leg, ...]:
    """Radar legs of a transit itinerary, walks drawn along the streets between their ends."""
    out: list[Leg] = []
    for x in legs:
        leg = radar_leg(x)
        if x.mode == "walk" and len(x.coords) == 2:
            try:
                street = networks.itinerary(
                    Point(x.coords[0]), Point(x.coords[1]), mode="walk", departure=when
                )
                [s] = street.legs
                leg = replace(leg, coords=s.coords, distance_m=s.distance_m)
            except (QpvRadarError, ValueError):  # a walk it cannot route: a straight line
                pass
        out.append(leg)
    return tuple(out)


def entry_legs(
    networks: RadarNetworks, home: Point, entries: list[Entry], when: datetime
) -> dict[tuple[str, str], tuple[Leg, ...]]:
    """The legs of the fastest way to each entry, by (structure id, mode).

    One search per mode: public transport finds every journey from home at once.

    Raises
    ------
    UnreachableError
        A structure the travel times reached but no itinerary does.
    """
    by_mode: dict[str, dict[str, Point]] = {}
    for e in entries:
        if e.best_mode is not None:
            by_mode.setdefault(e.best_mode, {})[e.id] = Point(e.lon, e.lat)
    out: dict[tuple[str, str], tuple[Leg, ...]] = {}
    for mode, points in by_mode.items():
        dests = gpd.GeoDataFrame(
            {"id": list(points)}, geometry=list(points.values()), crs=WGS84
        ).set_index("id")
        found: Mapping[Any, Any] = networks.itineraries(home, dests, mode=mode, departure=when)
        for sid in points:
            it = found.get(sid)
            if it is None:
                raise UnreachableError("radar.unreachable_structure")
            if mode in STREET_MODES:
                out[sid, mode] = (_street_leg(it, mode),)
            else:
                out[sid, mode] = _drawn_transit(networks, it.legs, when)
    return out
