"""Small geographic helpers shared by the loaders: France's extent, swapped lon/lat checks.

France here means metropolitan France, Corsica and the overseas départements, collectivities
and territories where QPVs or French public services exist. The boxes are generous (a few
tenths of a degree around each area): they catch swapped or garbage coordinates, they are not
a border test.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["FRANCE_BBOXES", "WGS84", "in_france", "lonlat_problems"]

WGS84 = "EPSG:4326"

# (min_lon, min_lat, max_lon, max_lat)
FRANCE_BBOXES: dict[str, tuple[float, float, float, float]] = {
    "metropole": (-5.8, 41.2, 10.0, 51.3),
    "guadeloupe": (-62.0, 15.7, -60.9, 16.6),
    "martinique": (-61.4, 14.3, -60.7, 15.0),
    "guyane": (-54.7, 2.0, -51.5, 6.0),
    "reunion": (55.1, -21.5, 56.0, -20.8),
    "mayotte": (44.9, -13.1, 45.4, -12.5),
    "saint_pierre_et_miquelon": (-56.6, 46.7, -56.1, 47.2),
    "saint_martin_barthelemy": (-63.2, 17.8, -62.7, 18.2),
    "polynesie": (-155.0, -28.0, -134.0, -7.0),
    "nouvelle_caledonie": (163.5, -23.0, 168.5, -19.5),
    "wallis_futuna": (-178.3, -14.5, -176.0, -13.1),
}
_BOXES = np.array(list(FRANCE_BBOXES.values()))


def in_france(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Return, for each point, whether it lies in one of :data:`FRANCE_BBOXES` (vectorised)."""
    x = np.asarray(lon, dtype=float)[..., None]
    y = np.asarray(lat, dtype=float)[..., None]
    b = _BOXES
    inside = (x >= b[:, 0]) & (y >= b[:, 1]) & (x <= b[:, 2]) & (y <= b[:, 3])
    return np.asarray(inside.any(axis=-1))


def lonlat_problems(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Classify WGS84 points that are not in France.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes (degrees); NaN is allowed and reported as neither.

    Returns
    -------
    swapped, outside
        Boolean arrays: ``swapped`` where the point is outside France but (lat, lon) would be
        inside (latitude and longitude swapped); ``outside`` where it is outside France either
        way. Missing coordinates (NaN) are ``False`` in both.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    missing = np.isnan(x) | np.isnan(y)
    ok = in_france(x, y)
    swapped = ~ok & in_france(y, x) & ~missing
    outside = ~ok & ~swapped & ~missing
    return swapped, outside
