"""Helpers shared by the transit modules: points, clock times, completeness, CSR tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import numpy.typing as npt
from shapely.geometry import Point

from ..._defaults import BOARD_SLACK_S as _BOARD_SLACK_S
from ..._defaults import LAMBERT93, WGS84
from ..._errors import CrsError, ServicePeriodError, TimetableError
from ...networks.gtfs import DAY, NEXT_DAY_HORIZON_S, Timetable

METRIC_CRS = LAMBERT93
#: Seconds to be at a stop before a departure to board it (R5's boarding slack).
BOARD_SLACK_S = _BOARD_SLACK_S


# ----------------------------------------------------------------------------------------------
# points
# ----------------------------------------------------------------------------------------------
def _points(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> gpd.GeoSeries:
    geo = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if geo.crs is None:
        raise CrsError(f"{what} have no CRS: set it, e.g. gdf.set_crs('EPSG:4326').")
    if len(geo) and not (geo.geom_type == "Point").all():
        geo = geo.representative_point()
    return geo


def _xy(geo: gpd.GeoSeries) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return geo.x.to_numpy(float), geo.y.to_numpy(float)


def _as_point_gdf(p: Any, name: str) -> gpd.GeoDataFrame:
    if isinstance(p, gpd.GeoDataFrame | gpd.GeoSeries):
        g = _points(p, name)
        return gpd.GeoDataFrame(geometry=g.iloc[:1].to_numpy(), index=[name], crs=g.crs)
    if isinstance(p, Point):
        geom = p
    else:
        lon, lat = p
        geom = Point(float(lon), float(lat))
    return gpd.GeoDataFrame(geometry=[geom], index=[name], crs=WGS84)


# ----------------------------------------------------------------------------------------------
# compressed rows
# ----------------------------------------------------------------------------------------------
def _csr(
    src: npt.NDArray[Any], dst: npt.NDArray[Any], dur: npt.NDArray[Any], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    order = np.argsort(src, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst[order].astype(np.int32), np.ceil(dur[order]).astype(np.int32)


# ----------------------------------------------------------------------------------------------
# departure times
# ----------------------------------------------------------------------------------------------
def _seconds(tt: Timetable, departure: datetime) -> int:
    """Seconds after the timetable's local midnight."""
    tz = ZoneInfo(tt.timezone)
    local = departure.astimezone(tz).replace(tzinfo=None) if departure.tzinfo else departure
    midnight = datetime.combine(tt.date, datetime.min.time())
    sec = (local - midnight).total_seconds()
    if not 0 <= sec < DAY:
        other = local.date().isoformat()
        raise TimetableError(
            f"departure {departure.isoformat()} is not on {tt.date.isoformat()}, the date of "
            f"this timetable. Use the timetable of that date: timetable.for_date('{other}') "
            f"or load_timetable(path, '{other}')."
        )
    return int(sec)


def _clock(tt: Timetable, sec: float) -> str:
    """``YYYY-MM-DDTHH:MM`` of ``sec`` seconds after the timetable's midnight."""
    return (
        datetime.combine(tt.date, datetime.min.time()) + timedelta(seconds=float(sec))
    ).isoformat(timespec="minutes")


def _check_complete(
    tt: Timetable, departures_s: npt.NDArray[np.int64], arrivals_s: npt.NDArray[np.float64]
) -> None:
    """Refuse answers that trips missing from the timetable could improve.

    ``arrivals_s`` (same shape as ``departures_s``, broadcast) are the earliest arrivals found,
    or the latest arrival that would still count (departure + ``max_time_s``) for pairs found
    unreachable; ``inf`` when nothing is known to be missing. An arrival after
    ``tt.complete_until_s`` may have been earlier with trips of the next day that the timetable
    does not hold: the next date is outside the feed's period (:class:`ServicePeriodError`), or
    the trips leave after the next-day horizon (:class:`TimetableError`).
    """
    late = np.isfinite(arrivals_s) & (arrivals_s > tt.complete_until_s)
    if not late.any():
        return
    first = int(np.broadcast_to(departures_s, late.shape)[late].min())
    nxt = (tt.date + timedelta(days=1)).isoformat()
    what = (
        f"journeys leaving at {_clock(tt, first)} (or later) would end after "
        f"{_clock(tt, tt.complete_until_s)}"
    )
    if tt.complete_until_s <= DAY:
        start, end = tt.feed.period
        raise ServicePeriodError(
            f"{what}, but {nxt} is outside the service period of {Path(tt.feed.path).name} "
            f"({start.isoformat()} → {end.isoformat()}): the feed does not say which trips run "
            "then, so these travel times could be shorter (they are not replaced by walking "
            "only). Leave earlier (in Python, or give a max_time_s that ends by midnight), or "
            f"use a feed that covers {nxt}."
        )
    raise TimetableError(
        f"{what}, beyond the trips of {nxt} that the timetable holds (those leaving before "
        f"{(NEXT_DAY_HORIZON_S - DAY) // 3600:02d}:00): these travel times could be shorter. "
        "Give a max_time_s that ends by then, or route from the next day's timetable "
        f"(timetable.for_date('{nxt}'))."
    )
