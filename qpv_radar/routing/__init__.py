"""Routing on street networks and public transport.

Street routing: snapping, travel-time tables, nearest, isochrones, routes. Public functions take
a :class:`~qpv_radar.networks.streets.StreetNetwork` and GeoDataFrames of points (ids from their
index) and return plain DataFrames/GeoDataFrames. Public transport (:mod:`.transit`, RAPTOR in
:mod:`.raptor`): door-to-door times over a departure window and itineraries, with walking legs
on the same street network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .isochrone import isochrones
from .routes import Route, route
from .snapping import snap_points
from .times import nearest, travel_times

if TYPE_CHECKING:
    from .transit import CrowFlyWalk, Itinerary, Leg, transit_itinerary, transit_travel_times

# The public-transport names load numba and the RAPTOR kernels on first use only: street
# routing stays light (imports in ~0.1 s less, ~50 MB less).
_TRANSIT = {"CrowFlyWalk", "Itinerary", "Leg", "transit_itinerary", "transit_travel_times"}


def __getattr__(name: str) -> Any:
    if name in _TRANSIT:
        from . import transit

        return getattr(transit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
