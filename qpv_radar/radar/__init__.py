"""The personal radar: the support structures around one person, ranked by travel time.

A local development agent sits with a resident and describes them as a :class:`Person` (home,
modes, hours, needs, how far they accept to go). :func:`compute_radar` returns a :class:`Radar`:
for each role the person needs, the structures nearest *in minutes* for the person's own modes
at the person's own hours (the ``k`` nearest plus every structure inside the person's own QPV),
whether each is open on arrival, the fastest itinerary, and a suggested path (relay → entry door
→ support/financing for a business, relay → employment for a job) that the agent can change.

Travel times come from *providers*, plain functions of type :data:`TravelTimeProvider`::

    (origins_gdf, destinations_gdf, mode, departure) -> DataFrame[from_id, to_id, travel_time]

(seconds, NaN when unreachable), so the street and transit engines plug in through
:mod:`qpv_radar.engines`, and tests or other routers can give their own. The radar never writes
HTML or PDF: :mod:`qpv_radar.render` draws a :class:`Radar`.
"""

from __future__ import annotations

from .compute import compute_radar
from .model import (
    Entry,
    ItineraryProvider,
    Leg,
    Notice,
    PathStep,
    Radar,
    Ring,
    RingProvider,
    TravelTimeProvider,
    blur_lonlat,
    private_route,
)
from .person import MODES, NEEDS, ROLES, STREET_MODES, WGS84, Person, needs_to_roles

__all__ = [
    "MODES",
    "NEEDS",
    "ROLES",
    "STREET_MODES",
    "WGS84",
    "Entry",
    "ItineraryProvider",
    "Leg",
    "Notice",
    "PathStep",
    "Person",
    "Radar",
    "Ring",
    "RingProvider",
    "TravelTimeProvider",
    "blur_lonlat",
    "compute_radar",
    "needs_to_roles",
    "private_route",
]
