"""Small helpers shared by the CLI commands."""

from __future__ import annotations

import json
import sys
from typing import Any

from .._errors import QpvRadarError


class CliInputError(QpvRadarError, ValueError):
    """A command-line argument that cannot be understood."""


def print_json(obj: Any) -> None:
    """Print ``obj`` as UTF-8 JSON (non-ASCII kept readable) on stdout."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def parse_lonlat(text: str) -> tuple[float, float]:
    """Parse ``"LON,LAT"`` into floats, checking that it looks like a point in France.

    Raises
    ------
    CliInputError
        Not two numbers, or outside longitude/latitude ranges (likely swapped).
    """
    try:
        lon_s, lat_s = text.split(",")
        lon, lat = float(lon_s), float(lat_s)
    except ValueError as exc:
        raise CliInputError(
            f"{text!r} is not LON,LAT (two decimal numbers separated by a comma, "
            "e.g. 3.8200,43.6321)."
        ) from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise CliInputError(f"{text!r} is outside valid longitude/latitude ranges.")
    # Metropolitan France and overseas both have |lon| < 62 and lat within ±52, with lat
    # never between -10 and 10 except Guyane (lat 2–6, lon -55); a swap shows as lat < lon.
    if abs(lat) < abs(lon) and not (-55 <= lon <= -51 and 2 <= lat <= 6):
        raise CliInputError(
            f"{text!r} looks like LAT,LON (latitude {lon} and longitude {lat} would be in France). "
            "Give the longitude first: --lonlat LON,LAT."
        )
    return lon, lat
