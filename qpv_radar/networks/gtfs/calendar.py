"""Calendar rules of a parsed feed: services of a date, service period, dates with service.

- a service runs on a date when calendar.txt has it on that weekday within
  ``[start_date, end_date]``, unless calendar_dates.txt removes it that day
  (``exception_type=2``); calendar_dates.txt can also add it (``exception_type=1``). Feeds with
  calendar_dates.txt only are supported;
- a date outside the feed's period, or a date without any service, raises
  :class:`~qpv_radar.ServicePeriodError` naming the period and the nearest dates with service.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._errors import ServicePeriodError, TimetableError
from ..._messages import Message
from .model import WEEKDAYS, GtfsFeed

__all__ = [
    "dates_with_service",
    "feed_info",
    "service_period",
    "services_on",
    "trips_per_date",
]


def _as_date(day: date | datetime | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    try:
        return date.fromisoformat(str(day)[:10])
    except ValueError as exc:
        raise TimetableError(f"{day!r} is not a date like 2024-01-16.") from exc


def services_on(feed: GtfsFeed, day: date | datetime | str) -> set[str]:
    """Service ids running on ``day`` (calendar.txt, then calendar_dates.txt exceptions)."""
    d = _as_date(day)
    cal = feed.calendar
    active: set[str] = set()
    if len(cal):
        m = (cal["start_date"] <= d) & (cal["end_date"] >= d) & cal[WEEKDAYS[d.weekday()]]
        active = set(cal.loc[m, "service_id"])
    cd = feed.calendar_dates
    if len(cd):
        today = cd[cd["date"] == d]
        active -= set(today.loc[today["exception_type"] == 2, "service_id"])
        active |= set(today.loc[today["exception_type"] == 1, "service_id"])
    return active


def service_period(feed: GtfsFeed) -> tuple[date, date]:
    """First and last date that calendar.txt or calendar_dates.txt (additions) cover
    (:attr:`GtfsFeed.period`)."""
    return feed.period


def _routable(feed: GtfsFeed) -> pd.Series:
    """``service_id`` of the trips that can be ridden (two stop times or more)."""
    return feed.trips.loc[feed.trips["pattern"] >= 0, "service_id"]


def _routable_services(feed: GtfsFeed) -> frozenset[str]:
    """The distinct ``service_id`` of :func:`_routable` (computed once per feed)."""
    key = "routable_services"
    if key not in feed.cache:
        feed.cache[key] = frozenset(_routable(feed).unique())
    out: frozenset[str] = feed.cache[key]
    return out


def dates_with_service(feed: GtfsFeed) -> list[date]:
    """Every date of the period on which at least one trip runs (computed once per feed)."""
    key = "dates_with_service"
    if key not in feed.cache:
        start, end = service_period(feed)
        with_trips = _routable_services(feed)
        out = []
        d = start
        while d <= end:
            if services_on(feed, d) & with_trips:
                out.append(d)
            d += timedelta(days=1)
        feed.cache[key] = tuple(out)
    return list(feed.cache[key])


def trips_per_date(feed: GtfsFeed) -> dict[date, int]:
    """Number of trips (that can be ridden) of each service date of the period (0 when none)."""
    start, end = service_period(feed)
    per_service = _routable(feed).value_counts()
    out: dict[date, int] = {}
    d = start
    while d <= end:
        out[d] = int(per_service.reindex(list(services_on(feed, d))).fillna(0).sum())
        d += timedelta(days=1)
    return out


def feed_info(feed: GtfsFeed) -> dict[str, Any]:
    """Agencies, period, counts and trips per date with service (JSON-ready)."""
    start, end = service_period(feed)
    per_date = trips_per_date(feed)
    rtype = feed.routes["route_type"].value_counts().sort_index()
    return {
        "file": feed.path,
        **({"files": list(feed.sources)} if feed.sources else {}),
        "agencies": [
            {"name": r["agency_name"], "timezone": r["agency_timezone"]}
            for _, r in feed.agencies.iterrows()
        ],
        "timezone": feed.timezone,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "calendar": {
            "calendar_txt_services": len(feed.calendar),
            "calendar_dates_additions": int((feed.calendar_dates["exception_type"] == 1).sum()),
            "calendar_dates_removals": int((feed.calendar_dates["exception_type"] == 2).sum()),
        },
        "counts": {
            "stop_points": len(feed.stops),
            "stations": int(
                feed.stops.loc[feed.stops["parent_station"] != "", "parent_station"].nunique()
            ),
            "routes": len(feed.routes),
            "routes_by_type": {str(k): int(v) for k, v in rtype.items()},
            "trips": len(feed.trip_template),
            "trips_from_frequencies": int(
                len(feed.trip_template) - len(np.unique(feed.trip_template))
            ),
            "stop_times": len(feed.tmpl_arr),
            "transfers": len(feed.transfers),
        },
        "dates_with_service": [
            {"date": d.isoformat(), "trips": n} for d, n in per_date.items() if n > 0
        ],
        "dates_without_service": [d.isoformat() for d, n in per_date.items() if n == 0],
    }


def _nearest_dates_with_service(
    feed: GtfsFeed, day: date | datetime | str, n: int = 3
) -> list[date]:
    """The ``n`` dates with service closest to ``day`` (in date order; ties: the earlier)."""
    d = _as_date(day)
    days = dates_with_service(feed)
    return sorted(sorted(days, key=lambda x: (abs((x - d).days), x))[:n])


def _nearest_text(feed: GtfsFeed, d: date) -> str | Message:
    near = _nearest_dates_with_service(feed, d)
    return ", ".join(x.isoformat() for x in near) or Message("gtfs.no_nearest_date")


def _check_in_period(feed: GtfsFeed, day: date | datetime | str) -> date:
    """``day`` as a date, or :class:`~qpv_radar.ServicePeriodError` when outside the period.

    The message names the period and the nearest dates with service.
    """
    d = _as_date(day)
    start, end = service_period(feed)
    if d < start or d > end:
        raise ServicePeriodError(
            "gtfs.outside_period",
            day=d,
            period=(start, end),
            feed=Path(feed.path).name,
            nearest=_nearest_text(feed, d),
        )
    return d


def _check_date(feed: GtfsFeed, d: date) -> None:
    _check_in_period(feed, d)
    if not (services_on(feed, d) & _routable_services(feed)):
        start, end = service_period(feed)
        raise ServicePeriodError(
            "gtfs.no_service_on",
            day=d,
            period=(start, end),
            feed=Path(feed.path).name,
            nearest=_nearest_text(feed, d),
        )
