"""The parsed feed (:class:`GtfsFeed`) and the constants shared by the GTFS modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._errors import ServicePeriodError

__all__ = ["DAY", "NEXT_DAY_HORIZON_S", "DateLike", "GtfsFeed"]

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = 86_400
DateLike = date | datetime | str
#: Trips of the next service day leaving their first stop before this time (seconds after
#: midnight of the timetable's date: 30 h = 06:00 the next morning) are in the timetable.
NEXT_DAY_HORIZON_S = 30 * 3600


@dataclass(eq=False)
class GtfsFeed:
    """A parsed GTFS feed, independent of any date.

    Attributes
    ----------
    path
        The zip file (for feeds merged by :func:`~qpv_radar.networks.gtfs.merge_feeds`, the
        zips' names joined by ``" + "``).
    agencies
        agency.txt (``agency_id, agency_name, agency_timezone, …``).
    timezone
        The agency timezone (GTFS requires one for the whole feed).
    stops
        Stop points (``location_type`` 0 or empty), index ``0..n-1`` used by the timetable:
        ``stop_id, stop_name, stop_lat, stop_lon, parent_station, station_name``.
    routes
        ``route_id, agency_id, route_short_name, route_long_name, route_type, route_color,
        route_text_color``.
    trips
        One row per trip *instance* (frequencies expanded): ``trip_id, route_idx, service_id,
        trip_headsign, pattern, shift`` (seconds added to the template's times).
    calendar, calendar_dates
        As read (dates parsed); empty frames when absent.
    transfers
        ``from_idx, to_idx, transfer_type, min_transfer_time`` (stop indices; NaN time when not
        given).
    sources
        The zip files of a merged feed (empty for a feed read from one zip).
    """

    path: str
    agencies: pd.DataFrame
    timezone: str
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    transfers: pd.DataFrame
    # patterns (unique stop sequence + pickup/drop-off flags), over template trips
    pattern_stops: list[IntArray] = field(repr=False)
    pattern_board: list[BoolArray] = field(repr=False)
    pattern_alight: list[BoolArray] = field(repr=False)
    pattern_route: IntArray = field(repr=False)
    # per template trip: offsets of its stop times in tmpl_arr/tmpl_dep (trip order = templates)
    tmpl_ptr: npt.NDArray[np.int64] = field(repr=False)
    tmpl_arr: IntArray = field(repr=False)
    tmpl_dep: IntArray = field(repr=False)
    trip_template: IntArray = field(repr=False)  # per instance: template trip index
    sources: tuple[str, ...] = ()
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # e.g. footpaths per walk

    @property
    def period(self) -> tuple[date, date]:
        """First and last date that calendar.txt or calendar_dates.txt (additions) cover.

        Raises
        ------
        ServicePeriodError
            The feed defines no service date at all.
        """
        starts: list[date] = []
        ends: list[date] = []
        if len(self.calendar):
            starts.append(min(self.calendar["start_date"]))
            ends.append(max(self.calendar["end_date"]))
        cd = self.calendar_dates
        if len(cd):
            added = cd.loc[cd["exception_type"] == 1, "date"]
            if len(added):
                starts.append(min(added))
                ends.append(max(added))
        if not starts:
            raise ServicePeriodError(
                f"{self.path}: the feed defines no service date at all (calendar.txt and "
                "calendar_dates.txt are empty). Use a feed with a calendar."
            )
        return min(starts), max(ends)
