"""qpv_radar — travel-time radar of support structures around France's priority neighbourhoods.

The public API is re-exported here explicitly. Importing the package does no work: no data is
read, nothing is downloaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import (
    ChecksumError,
    CrsError,
    DataNotAvailableError,
    InputFileError,
    InputProblem,
    ModeUnavailableError,
    NetworkError,
    NoStructureError,
    OptionError,
    PersonError,
    QpvError,
    QpvRadarError,
    ServicePeriodError,
    TerritoryError,
    TimetableError,
    UnknownDatasetError,
    UnreachableError,
)
from .datasets import fetch
from .territory import Territory, load_territory

if TYPE_CHECKING:
    from .actors import load_actors
    from .networks import load_street_network
    from .networks.gtfs import load_timetable
    from .qpv import load_qpv, locate, read_qpv
    from .radar import Person, Radar, compute_radar
    from .render.card import recommendation_card
    from .render.map import radar_map
    from .render.poster import radar_poster
    from .routing import (
        isochrones,
        nearest,
        route,
        transit_itinerary,
        transit_travel_times,
        travel_times,
    )
    from .routing.networks import Networks

__version__ = "0.1.0"

# Functions whose modules import geopandas: loaded on first use, so that `import qpv_radar`
# (and every CLI command) stays light.
_LAZY = {
    "Networks": "qpv_radar.routing.networks",
    "load_actors": "qpv_radar.actors",
    "load_qpv": "qpv_radar.qpv",
    "locate": "qpv_radar.qpv",
    "read_qpv": "qpv_radar.qpv",
    "Person": "qpv_radar.radar",
    "Radar": "qpv_radar.radar",
    "compute_radar": "qpv_radar.radar",
    "radar_map": "qpv_radar.render.map",
    "radar_poster": "qpv_radar.render.poster",
    "recommendation_card": "qpv_radar.render.card",
    "load_street_network": "qpv_radar.networks",
    "travel_times": "qpv_radar.routing",
    "nearest": "qpv_radar.routing",
    "isochrones": "qpv_radar.routing",
    "route": "qpv_radar.routing",
    "load_timetable": "qpv_radar.networks.gtfs",
    "transit_travel_times": "qpv_radar.routing",
    "transit_itinerary": "qpv_radar.routing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qpv_radar' has no attribute {name!r}")


__all__ = [
    "ChecksumError",
    "CrsError",
    "DataNotAvailableError",
    "InputFileError",
    "InputProblem",
    "ModeUnavailableError",
    "NetworkError",
    "Networks",
    "NoStructureError",
    "OptionError",
    "Person",
    "PersonError",
    "QpvError",
    "QpvRadarError",
    "Radar",
    "ServicePeriodError",
    "Territory",
    "TerritoryError",
    "TimetableError",
    "UnknownDatasetError",
    "UnreachableError",
    "__version__",
    "compute_radar",
    "fetch",
    "isochrones",
    "load_actors",
    "load_qpv",
    "load_street_network",
    "load_territory",
    "load_timetable",
    "locate",
    "nearest",
    "radar_map",
    "radar_poster",
    "read_qpv",
    "recommendation_card",
    "route",
    "transit_itinerary",
    "transit_travel_times",
    "travel_times",
]
