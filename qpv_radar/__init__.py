"""qpv_radar — travel-time radar of support structures around France's priority neighbourhoods.

The public API is re-exported here explicitly. Importing the package does no work: no data is
read, nothing is downloaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import (
    ChecksumError,
    CrsError,
    DataNotAvailableError,
    ExportError,
    FeedUpdateError,
    InputFileError,
    InputProblem,
    ModeUnavailableError,
    NetworkError,
    NoStructureError,
    OpeningHoursError,
    OptionError,
    PersonError,
    PlannerError,
    QpvError,
    QpvRadarError,
    RadarFileError,
    ServicePeriodError,
    SitingError,
    SlotError,
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

# Names whose modules import geopandas: loaded on first use (PEP 562), so that `import
# qpv_radar` (and every CLI command) stays light. Each group is imported explicitly.
_ROUTING = {"travel_times", "nearest", "isochrones", "route", "transit_travel_times"}
_ROUTING |= {"transit_itinerary"}


def __getattr__(name: str) -> Any:
    module: Any
    if name == "Networks":
        from .routing import networks as module
    elif name == "load_actors":
        from . import actors as module
    elif name in ("load_qpv", "locate", "read_qpv"):
        from . import qpv as module
    elif name in ("Person", "Radar", "compute_radar"):
        from . import radar as module
    elif name == "radar_map":
        from .render import map as module
    elif name == "radar_poster":
        from .render import poster as module
    elif name == "recommendation_card":
        from .render import card as module
    elif name == "load_street_network":
        from . import networks as module
    elif name == "load_timetable":
        from .networks import gtfs as module
    elif name in _ROUTING:
        from . import routing as module
    else:
        raise AttributeError(f"module 'qpv_radar' has no attribute {name!r}")
    return getattr(module, name)


__all__ = [
    "ChecksumError",
    "CrsError",
    "DataNotAvailableError",
    "ExportError",
    "FeedUpdateError",
    "InputFileError",
    "InputProblem",
    "ModeUnavailableError",
    "NetworkError",
    "Networks",
    "NoStructureError",
    "OpeningHoursError",
    "OptionError",
    "Person",
    "PersonError",
    "PlannerError",
    "QpvError",
    "QpvRadarError",
    "Radar",
    "RadarFileError",
    "ServicePeriodError",
    "SitingError",
    "SlotError",
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
