"""qpv_radar — travel-time radar of support structures around France's priority neighbourhoods.

The public API is re-exported here explicitly. Importing the package does no work: no data is
read, nothing is downloaded.
"""

from __future__ import annotations

from ._errors import (
    ChecksumError,
    CrsError,
    DataNotAvailableError,
    InputFileError,
    InputProblem,
    NetworkError,
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

__all__ = [
    "ChecksumError",
    "CrsError",
    "DataNotAvailableError",
    "InputFileError",
    "InputProblem",
    "NetworkError",
    "QpvError",
    "QpvRadarError",
    "ServicePeriodError",
    "Territory",
    "TerritoryError",
    "TimetableError",
    "UnknownDatasetError",
    "UnreachableError",
    "__version__",
    "fetch",
    "load_territory",
]
