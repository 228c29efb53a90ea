"""Find the QPV containing each point."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import CrsError, QpvError
from .._geo import WGS84, lonlat_problems

__all__ = ["locate"]


def locate(points: gpd.GeoSeries | gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> pd.DataFrame:
    """Find the QPV containing each point (vectorised, shapely STRtree).

    Parameters
    ----------
    points
        Points (any CRS, declared). Non-point geometries are located by a point on their surface.
    qpv
        QPV perimeters from :func:`load_qpv` / :func:`read_qpv`.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``points.index``, columns ``code_qp`` and ``nom_qp`` (``None`` outside every
        QPV). A point on a boundary belongs to the QPV; overlapping perimeters give the first.

    Raises
    ------
    CrsError
        ``points`` or ``qpv`` without CRS, or points with latitude and longitude swapped.
    QpvError
        ``qpv`` is a commune-level list, not perimeters.
    """
    geo = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geo.crs is None:
        raise CrsError(
            "the points have no CRS: set one, e.g. gpd.GeoSeries(..., crs='EPSG:4326') for "
            "longitude/latitude."
        )
    if qpv.crs is None:
        raise CrsError("the QPV layer has no CRS: read it with read_qpv()/load_qpv().")
    if "is_perimeter" in qpv.columns and not bool(qpv["is_perimeter"].all()):
        raise QpvError(
            "this QPV layer is a commune-level list (is_perimeter=False), not perimeters: a "
            "point cannot be located in it. Load real QPV perimeters."
        )
    pts = shapely.point_on_surface(geo.to_crs(WGS84).values)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    swapped, _ = lonlat_problems(x, y)
    if swapped.any():
        labels = ", ".join(str(v) for v in geo.index[swapped][:10])
        raise CrsError(
            f"points {labels} have latitude and longitude swapped (they would be in France "
            "the other way round): build points as (longitude, latitude)."
        )
    poly = qpv.to_crs(WGS84).geometry.values
    tree = shapely.STRtree(poly)
    valid = ~(np.asarray(shapely.is_missing(pts)) | np.asarray(shapely.is_empty(pts)))
    ipt, ipoly = tree.query(pts[valid], predicate="intersects")
    ipt = np.flatnonzero(valid)[ipt]
    order = np.lexsort((ipoly, ipt))
    ipt, ipoly = ipt[order], ipoly[order]
    first_pt, first = np.unique(ipt, return_index=True)
    codes = np.full(len(pts), None, dtype=object)
    names = np.full(len(pts), None, dtype=object)
    codes[first_pt] = qpv["code_qp"].to_numpy(dtype=object)[ipoly[first]]
    names[first_pt] = qpv["nom_qp"].to_numpy(dtype=object)[ipoly[first]]
    return pd.DataFrame({"code_qp": codes, "nom_qp": names}, index=geo.index, dtype=object)
