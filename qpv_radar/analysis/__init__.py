"""Planner analytics: pure functions over origins, structures and travel-time tables.

Nothing here routes or draws: the inputs are GeoDataFrames and the *long travel-time table*
``from_id, to_id, travel_time`` (seconds; NaN or absent when unreachable) that
:func:`qpv_radar.routing.travel_times` and :func:`qpv_radar.routing.transit_travel_times` return.
The modules follow the analysis:

- :mod:`~qpv_radar.analysis.origins` — residents as origin points on their streets;
- :mod:`~qpv_radar.analysis.slots` — time slots (:func:`parse_slot`, :data:`DEFAULT_SLOTS`) and
  opening hours on arrival (:func:`open_table`, :func:`open_on_arrival`);
- :mod:`~qpv_radar.analysis.indicators` — accessibility indicators per QPV (nearest-time
  percentiles, shares, opportunities, gravity, 2SFCA);
- :mod:`~qpv_radar.analysis.gaps` — coverage gaps per QPV × slot, worst first;
- :mod:`~qpv_radar.analysis.siting` — maximal covering, optimal or greedy;
- :mod:`~qpv_radar.analysis.schedule` — one agent's itinerant week over several QPVs.

Every public name is re-exported here: ``from qpv_radar import analysis`` then
``analysis.parse_slot(…)``, ``analysis.exact_max_cover(…)``…
"""

from __future__ import annotations

from .gaps import coverage_gaps, rank_gaps
from .indicators import (
    gravity_scores,
    indicator_table,
    nearest_times,
    qpv_indicators,
    two_step_fca,
    weighted_quantile,
)
from .origins import origin_points
from .schedule import HALF_DAYS, WEEK, itinerant_schedule
from .siting import SitingError, coverage_matrix, exact_max_cover, greedy_max_cover
from .slots import DEFAULT_SLOTS, SlotError, open_on_arrival, open_table, parse_slot

__all__ = [
    "DEFAULT_SLOTS",
    "HALF_DAYS",
    "WEEK",
    "SitingError",
    "SlotError",
    "coverage_gaps",
    "coverage_matrix",
    "exact_max_cover",
    "gravity_scores",
    "greedy_max_cover",
    "indicator_table",
    "itinerant_schedule",
    "nearest_times",
    "open_on_arrival",
    "open_table",
    "origin_points",
    "parse_slot",
    "qpv_indicators",
    "rank_gaps",
    "two_step_fca",
    "weighted_quantile",
]
