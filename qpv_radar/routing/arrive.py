"""Arrive-by questions of :class:`~qpv_radar.routing.networks.Networks`, for every mode.

« Être au travail à 5 h 30 »: the latest departure that still arrives by a time, and the
journey time. Street modes: ``departure = arrive_by − street time``. Public transport: the
exact latest departure of a reverse RAPTOR (:mod:`qpv_radar.routing.transit.arrive`), on the
timetable of the day that answers (:meth:`Networks.timetable_day`; a representative day when
the date is outside the feeds, said by ``attrs["timetable_day"]`` of the table).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd

from .._defaults import ARRIVE_BY_WINDOW_MINUTES, STREET_MODES
from .._errors import OptionError
from .._messages import Message

if TYPE_CHECKING:
    from .networks import Networks
    from .transit import Itinerary

__all__ = ["arrive_by_itineraries", "arrive_by_times", "window_of"]


def window_of(window_minutes: float, max_time_s: float | None) -> float:
    """Seconds before the arrival a departure may be (0 minutes: the default window)."""
    w = 60.0 * (window_minutes if window_minutes > 0 else ARRIVE_BY_WINDOW_MINUTES)
    return w if max_time_s is None else min(w, float(max_time_s))


def _too_early(arrive_by: datetime, window_s: float) -> Message:
    return Message(
        "arrive_by.too_early",
        {
            "arrive": arrive_by.strftime("%H:%M"),
            "earliest": (arrive_by - timedelta(seconds=window_s)).strftime("%H:%M"),
        },
    )


def arrive_by_times(
    nets: Networks,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    mode: str,
    arrive_by: datetime,
    window_minutes: float = 0,
    max_time_s: float | None = None,
) -> pd.DataFrame:
    """``from_id, to_id, departure, arrival, travel_time, reason`` (see
    :meth:`Networks.travel_times` with ``arrive_by``)."""
    window_s = window_of(window_minutes, max_time_s)
    if mode in STREET_MODES:
        from .times import travel_times

        net = nets.street_network(mode)
        out = travel_times(net, origins, destinations, max_time_s=window_s, reasons=True)
        secs = out["travel_time"].to_numpy(float)
        dep = [arrive_by - timedelta(seconds=float(s)) if s == s else pd.NaT for s in secs]
        out.insert(2, "departure", pd.Series(dep, dtype=object))
        out.insert(3, "arrival", pd.Series([arrive_by if s == s else pd.NaT for s in secs]))
        late = out["reason"].map(lambda r: isinstance(r, Message) and r.code == "reason.cut_off")
        out.loc[late, "reason"] = pd.Series([_too_early(arrive_by, window_s)] * int(late.sum()))
        out.attrs["timetable_day"] = None
        return out
    return _transit(nets, origins, destinations, arrive_by, window_s)


def _transit(
    nets: Networks,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    arrive_by: datetime,
    window_s: float,
) -> pd.DataFrame:
    from .transit._common import _points
    from .transit.arrive import arrive_by_day, transit_arrive_by

    route_date, arrive_s, window_s = arrive_by_day(arrive_by, window_s)
    day = nets.timetable_day(route_date)
    tt = nets.timetable(day.used)
    res = transit_arrive_by(
        tt, nets.walking(), origins, destinations, arrive_s=arrive_s, window_s=window_s
    )
    # aware times in the feed's zone, like the itineraries
    zone = arrive_by.tzinfo or ZoneInfo(tt.timezone)
    midnight = datetime.combine(route_date, datetime.min.time()).replace(tzinfo=zone)

    def clock(sec: float) -> Any:
        return midnight + timedelta(seconds=float(sec)) if sec == sec else pd.NaT

    a = _points(origins, "origins")
    b = _points(destinations, "destinations")
    dep = res.departure.ravel()
    arr = res.arrival.ravel()
    why = _too_early(arrive_by, window_s)
    out = pd.DataFrame(
        {
            "from_id": np.repeat(a.index.to_numpy(), len(b)),
            "to_id": np.tile(b.index.to_numpy(), len(a)),
            "departure": pd.Series([clock(x) for x in dep], dtype=object),
            "arrival": pd.Series([clock(x) for x in arr], dtype=object),
            "travel_time": arr - dep,
            "reason": pd.Series([None if x == x else why for x in dep], dtype=object),
        }
    )
    out.attrs["timetable_day"] = day
    return out


def arrive_by_itineraries(
    nets: Networks,
    origin: Any,
    destinations: gpd.GeoDataFrame,
    *,
    mode: str,
    arrive_by: datetime,
    window_minutes: float = 0,
) -> Mapping[Any, Itinerary | None]:
    """The latest-departure journey to each destination (``None``: none arrives in time).

    The journey leaving at the latest departure and arriving soonest from then (at or before
    ``arrive_by``): the forward itinerary of that departure.
    """
    home = gpd.GeoDataFrame({"id": ["o"]}, geometry=[origin], crs="EPSG:4326").set_index("id")
    table = arrive_by_times(
        nets, home, destinations, mode=mode, arrive_by=arrive_by, window_minutes=window_minutes
    )
    out: dict[Any, Itinerary | None] = {}
    for to_id, dep in zip(table["to_id"], table["departure"], strict=True):
        if pd.isna(dep):
            out[to_id] = None
            continue
        one = destinations.loc[[to_id]]
        leave = pd.Timestamp(dep).to_pydatetime()
        found = nets.itineraries(origin, one, mode=mode, departure=leave)
        out[to_id] = found[to_id]
    return out


def check_arrive_by(departure: datetime | None, percentiles: tuple[int, ...]) -> None:
    """Refuse what arrive-by cannot answer: a departure too, or percentiles over a window."""
    if departure is not None:
        raise OptionError("arrive_by.with_departure")
    if percentiles:
        raise OptionError("arrive_by.percentiles")
