"""Public transport travel times and itineraries: walk, ride, transfer, walk.

Walking legs come from a *walk* object: a street network built by
:func:`qpv_radar.networks.streets.load_street_network` (exact times over the streets, through
:func:`qpv_radar.routing.travel_times`), or :class:`CrowFlyWalk` (straight line × detour, for
feeds without a street network). Three walking tables are built:

- access: origin → stops within ``max_access_s`` (the walk to the first boarding);
- egress: stops → destination within ``max_egress_s`` (the whole final walk, from the stop
  where the last ride ends);
- footpaths: stop → stop within ``max_transfer_s`` (cached per feed and walk), only between two
  rides, adjusted by transfers.txt: ``transfer_type`` 3 removes a pair; a pair with both stops
  on the street network keeps its street walk (``max_transfer_s`` applies, a
  ``min_transfer_time`` is a lower bound); a pair with a stop off it takes its
  ``min_transfer_time``, else its straight-line time.

Then :mod:`qpv_radar.routing.raptor` searches every departure minute of the window.

Modules: :mod:`.walking` (walking tables and footpaths), :mod:`.matrix` (travel times over a
window), :mod:`.itinerary` (journeys leg by leg); shared helpers in :mod:`._common`.
"""

from __future__ import annotations

# The names other modules, tests and benchmarks import from ``qpv_radar.routing.transit``
# (``__all__`` unchanged; the others re-exported as before the split into modules).
from ._common import BOARD_SLACK_S as BOARD_SLACK_S
from ._common import METRIC_CRS as METRIC_CRS
from .itinerary import Itinerary, Leg, transit_itinerary
from .itinerary import transit_itineraries as transit_itineraries
from .matrix import departure_profile, stop_arrivals, transit_travel_times
from .matrix import travel_time_matrix as travel_time_matrix
from .walking import CrowFlyWalk, footpaths, walk_table
from .walking import _stops_gdf as _stops_gdf  # benchmarks/transit.py

__all__ = [
    "CrowFlyWalk",
    "Itinerary",
    "Leg",
    "departure_profile",
    "footpaths",
    "stop_arrivals",
    "transit_itinerary",
    "transit_travel_times",
    "walk_table",
]
