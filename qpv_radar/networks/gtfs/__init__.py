"""GTFS feeds: read zips once, build a compact timetable for one service date.

Two stages:

- :func:`read_feed` parses a zip (or several, merged by :func:`merge_feeds`) into a
  :class:`GtfsFeed`, independent of any date, cached in memory and on disk
  (:mod:`qpv_radar._cache`, keyed by the zip's SHA-256 and the parser's source). Frequencies
  are expanded here (:mod:`.read`, checks in :mod:`.checks`).
- :func:`load_timetable` selects what runs on one date and returns a :class:`Timetable`
  (:mod:`.timetable`): routes as unique stop sequences ("patterns"), trips sorted without
  overtaking, stop times as one ``trips × stops`` matrix per pattern.

Calendar rules (GTFS reference) are in :mod:`.calendar`:

- a service runs on a date when calendar.txt has it on that weekday within
  ``[start_date, end_date]``, unless calendar_dates.txt removes it that day
  (``exception_type=2``); calendar_dates.txt can also add it (``exception_type=1``). Feeds with
  calendar_dates.txt only are supported;
- stop times past 24:00:00 belong to the previous service day: a timetable for date ``D``
  contains the trips of ``D``, the trips of ``D - 1`` still running after midnight, shifted
  by −24 h, and the trips of ``D + 1`` (its own calendar) leaving their first stop before
  06:00, shifted by +24 h, so that late-evening journeys go on with the next morning's trips
  (:data:`NEXT_DAY_HORIZON_S`). When ``D + 1`` is outside the period there are none, and
  :attr:`Timetable.complete_until_s` says so (routing then refuses journeys ending after
  midnight rather than answering with walking only);
- a date outside the feed's period, or a date without any service, raises
  :class:`~qpv_radar.ServicePeriodError` naming the period and the nearest dates with service.
"""

from __future__ import annotations

from .calendar import dates_with_service, feed_info, service_period, services_on, trips_per_date
from .feeds import merge_feeds, read_feed
from .model import DAY, NEXT_DAY_HORIZON_S, DateLike, GtfsFeed
from .timetable import Timetable, load_timetable

__all__ = [
    "DAY",
    "NEXT_DAY_HORIZON_S",
    "DateLike",
    "GtfsFeed",
    "Timetable",
    "dates_with_service",
    "feed_info",
    "load_timetable",
    "merge_feeds",
    "read_feed",
    "service_period",
    "services_on",
    "trips_per_date",
]
