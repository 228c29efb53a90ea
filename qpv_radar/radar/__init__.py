"""The personal radar: the support structures around one person, ranked by travel time.

A local development agent sits with a resident and describes them as a :class:`Person` (home,
modes, hours, needs, how far they accept to go). :func:`compute_radar` returns a :class:`Radar`:
for each role the person needs, the structures nearest *in minutes* for the person's own modes
at the person's own hours (the ``k`` nearest plus every structure inside the person's own QPV),
whether each is open on arrival, the fastest itinerary, and a suggested path (relay → entry door
→ support/financing for a business, relay → employment for a job) that the agent can change.

Travel times, itineraries and rings come from the territory's :class:`~qpv_radar.Networks`
(or any object with the same methods, :class:`RadarNetworks`: another router plugs in). The
radar never writes HTML or PDF: :mod:`qpv_radar.render` draws a :class:`Radar`.
"""

from __future__ import annotations

from .compute import compute_radar
from .model import (
    Entry,
    Leg,
    Notice,
    PathStep,
    Radar,
    RadarNetworks,
    Ring,
    blur_lonlat,
    private_route,
)
from .person import NEEDS, Person, needs_to_roles

__all__ = [
    "NEEDS",
    "Entry",
    "Leg",
    "Notice",
    "PathStep",
    "Person",
    "Radar",
    "RadarNetworks",
    "Ring",
    "blur_lonlat",
    "compute_radar",
    "needs_to_roles",
    "private_route",
]
