"""Documented defaults: every tunable number and name the library falls back on, in one place.

Functions take these as keyword defaults (``max_snap_m: float = MAX_SNAP_M``); a territory file
or a caller overrides them. Changing one here changes it everywhere it applies.
"""

from __future__ import annotations

from typing import Final

# ---- territory --------------------------------------------------------------------------------
#: The built-in territory used when none is given (``qpv_radar/_data/montpellier.toml``).
DEFAULT_TERRITORY: Final = "montpellier"
#: Coordinates of points given to and returned by the library (longitude, latitude).
WGS84: Final = "EPSG:4326"
#: Metric CRS of metropolitan France (Lambert-93): a territory file's ``crs`` defaults to it.
LAMBERT93: Final = "EPSG:2154"
#: Timezone of a territory that does not declare one (opening hours and timetables are local).
DEFAULT_TIMEZONE: Final = "Europe/Paris"

# ---- roles ------------------------------------------------------------------------------------
#: The roles a structure holds along a resident's path (DOMAIN.md), in path order.
ROLES: Final[tuple[str, ...]] = (
    "relay",
    "entry_door",
    "support_financing",
    "employment",
    "mobility",
)

# ---- modes ------------------------------------------------------------------------------------
#: Modes routed on the streets.
STREET_MODES: Final[tuple[str, ...]] = ("walk", "bike", "car")
#: Every mode a person can use.
MODES: Final[tuple[str, ...]] = (*STREET_MODES, "transit")

# ---- streets ----------------------------------------------------------------------------------
#: Farthest a point may lie from a usable street to be attached to it (metres).
MAX_SNAP_M: Final = 300.0
#: Walking speed on streets and between a point and its street (km/h).
WALK_KMH: Final = 4.5
#: Cycling speed (km/h).
BIKE_KMH: Final = 15.0

# ---- public transport -------------------------------------------------------------------------
#: Longest walk from the origin to a first stop (seconds).
MAX_ACCESS_S: Final = 900.0
#: Longest final walk, from the stop where the last ride ends to the destination (seconds).
MAX_EGRESS_S: Final = 900.0
#: Longest walk between two stops to change vehicles (seconds).
MAX_TRANSFER_S: Final = 300.0
#: Seconds between reaching a stop and boarding a vehicle there (a vehicle leaving at the very
#: second one arrives is not caught).
BOARD_SLACK_S: Final = 60
#: Detour factor of straight-line walking when a territory has no street network.
CROW_FLY_DETOUR: Final = 1.3
#: Departure window of the radar's transit times (median over one departure per minute): a
#: radar should not depend on just missing a tram.
RADAR_WINDOW_MINUTES: Final = 10

# ---- radar ------------------------------------------------------------------------------------
#: Travel-time rings drawn around home (minutes).
RING_MINUTES: Final[tuple[int, ...]] = (5, 10, 15, 20, 30)
#: Structures kept per role on a radar.
RADAR_K: Final = 5
#: How far a person accepts to go (minutes).
MAX_MINUTES: Final = 45.0

# ---- arrive-by (issue 16) ---------------------------------------------------------------------
#: How long before an arrive-by time a departure is searched (minutes): a pair whose latest
#: departure is earlier has no answer (NaN and a reason).
ARRIVE_BY_WINDOW_MINUTES: Final = 120
