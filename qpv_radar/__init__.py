"""qpv_radar — travel-time radar of support structures around France's priority neighbourhoods.

The public API is re-exported here explicitly. Importing the package does no work: no data is
read, nothing is downloaded.
"""

from __future__ import annotations

from ._errors import (
    ChecksumError,
    CrsError,
    DataNotAvailableError,
    EngineUnavailableError,
    InputFileError,
    InputProblem,
    NetworkError,
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

__version__ = "0.1.0"

# The radar's API is imported on first use (it pulls geopandas): `import qpv_radar` stays light.
_LAZY = {
    "Person": "radar",
    "Radar": "radar",
    "compute_radar": "radar",
    "radar_map": "render.map",
    "radar_poster": "render.poster",
    "recommendation_card": "render.card",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'qpv_radar' has no attribute {name!r}")


__all__ = [
    "ChecksumError",
    "CrsError",
    "DataNotAvailableError",
    "EngineUnavailableError",
    "InputFileError",
    "InputProblem",
    "NetworkError",
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
    "load_territory",
    "radar_map",
    "radar_poster",
    "recommendation_card",
]
