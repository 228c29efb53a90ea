"""Privacy helpers: the map shows the neighbourhood, not the door."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._defaults import WGS84

__all__ = ["blur_lonlat", "private_route"]


def private_route(
    coords: Sequence[tuple[float, float]],
    home: tuple[float, float],
    *,
    metres: float = 150.0,
) -> list[tuple[float, float]]:
    """A route that does not lead to the door: its points within ``metres`` of ``home`` are
    dropped and it starts from the blurred home (:func:`blur_lonlat`) instead."""
    lon0, lat0 = home
    kx = 111_320.0 * math.cos(math.radians(lat0))
    far = [
        (x, y) for x, y in coords if math.hypot((x - lon0) * kx, (y - lat0) * 110_540.0) > metres
    ]
    return [blur_lonlat(lon0, lat0), *far]


def blur_lonlat(lon: float, lat: float, metres: float = 100.0) -> tuple[float, float]:
    """Snap a point to the centre of its cell on a ``metres`` grid (Lambert-93).

    Deterministic (the same home always gives the same point) and at most ``metres·√2/2``
    away: the map shows the neighbourhood, not the door.
    """
    from pyproj import Transformer

    fwd = Transformer.from_crs(WGS84, "EPSG:2154", always_xy=True)
    inv = Transformer.from_crs("EPSG:2154", WGS84, always_xy=True)
    x, y = fwd.transform(lon, lat)
    x = (math.floor(x / metres) + 0.5) * metres
    y = (math.floor(y / metres) + 0.5) * metres
    blon, blat = inv.transform(x, y)
    return float(blon), float(blat)
