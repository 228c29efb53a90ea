"""Routing on street networks and public transport.

Street routing: snapping, travel-time tables, nearest, isochrones, routes. Public functions take
a :class:`~qpv_radar.networks.streets.StreetNetwork` and GeoDataFrames of points (ids from their
index) and return plain DataFrames/GeoDataFrames. Public transport (:mod:`.transit`, RAPTOR in
:mod:`.raptor`): door-to-door times over a departure window and itineraries, with walking legs
on the same street network.
"""

from __future__ import annotations

from .isochrone import isochrones
from .routes import Route, route
from .snapping import snap_points
from .times import nearest, travel_times
from .transit import CrowFlyWalk, Itinerary, Leg, transit_itinerary, transit_travel_times

__all__ = [
    "CrowFlyWalk",
    "Itinerary",
    "Leg",
    "Route",
    "isochrones",
    "nearest",
    "route",
    "snap_points",
    "transit_itinerary",
    "transit_travel_times",
    "travel_times",
]
