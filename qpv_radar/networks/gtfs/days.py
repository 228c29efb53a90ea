"""Which timetable answers for a date: :func:`representative_day` and :class:`TimetableDay`.

Published GTFS feeds cover a few weeks or months; a resident's radar is for *their* day,
often after the feed's end. Rather than dropping public transport, routing uses a
*representative* service date of the feed — and every output says so.

The representative date of a date ``D`` (outside the feed's period, or any date when asked):

1. the weekday: ``D``'s own, or Sunday when ``D`` is a French public holiday (networks run
   their Sunday-and-holiday service on public holidays);
2. the *usual pattern* of that weekday: the set of running ``service_id`` (with trips) that
   occurs on most of the feed's dates of that weekday, French public holidays left out; ties
   go to the pattern with more trips (school-term service over holiday service), then to the
   pattern met nearest the middle of the period;
3. among the dates of that weekday with exactly that pattern, never a public holiday (a date
   whose services differ from the usual pattern because of ``calendar_dates.txt`` exceptions
   is never chosen, since its pattern differs), the one whose neighbours (the day before and
   after, whose trips after midnight and before 06:00 the timetable also holds) also run their
   own weekday's usual pattern, then **the nearest to the middle of the feed's period** (ties:
   the later date). The middle, rather than the end, keeps both neighbours inside the period
   and away from the timetable changes that feeds often carry in their last weeks.

A weekday whose usual pattern runs no trip (no bus on Sundays) has no representative date:
:class:`~qpv_radar.ServicePeriodError` says so.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from ..._errors import ServicePeriodError
from .calendar import _as_date, _routable, _routable_services
from .model import WEEKDAYS, DateLike, GtfsFeed

__all__ = [
    "TimetableDay",
    "is_public_holiday",
    "network_name",
    "next_working_day",
    "representative_day",
]


@functools.lru_cache(maxsize=4096)
def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a French public holiday (the ``PH`` rule of *opening-hours-py*,
    metropolitan calendar)."""
    return bool(_ph().is_open(datetime(day.year, day.month, day.day, 12)))


@functools.cache
def _ph() -> Any:
    import opening_hours as oh

    return oh.OpeningHours("PH", country="FR")


def next_working_day(now: datetime, at: time = time(9, 0)) -> datetime:
    """The next working morning: today at ``at`` when today is a working day (Monday to
    Friday, not a French public holiday) and ``at`` is still to come, else the first working
    day after today at ``at`` (naive, the clock of ``now``)."""
    d = now.date()
    if now.time().replace(tzinfo=None) >= at:
        d += timedelta(days=1)
    while d.weekday() >= 5 or is_public_holiday(d):
        d += timedelta(days=1)
    return datetime.combine(d, at)


def network_name(feed: GtfsFeed) -> str:
    """The network's name for people: its agencies' names (``TAM``), else the zip's name."""
    names = [str(n).strip() for n in feed.agencies.get("agency_name", ()) if str(n).strip()]
    if names:
        return " / ".join(dict.fromkeys(names))
    return ", ".join(s.rsplit("/", 1)[-1] for s in (feed.sources or (feed.path,)))


@dataclass(frozen=True)
class TimetableDay:
    """The timetable that answers for a departure date.

    Attributes
    ----------
    asked
        The person's date.
    used
        The service date of the feed whose timetable is used (``asked`` when inside the
        period).
    substituted
        Whether ``used`` differs from ``asked`` (the asked date is outside the feed).
    period
        First and last date of the feed's period.
    network
        The network's name (agencies of the feed), for the sentences that say it.
    """

    asked: date
    used: date
    substituted: bool
    period: tuple[date, date]
    network: str = ""

    @property
    def shift(self) -> timedelta:
        """What to add to a time of the asked date to get the same clock time on ``used``."""
        return timedelta(days=(self.used - self.asked).days)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (ISO dates)."""
        return {
            "asked": self.asked.isoformat(),
            "used": self.used.isoformat(),
            "substituted": self.substituted,
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "network": self.network,
        }


@dataclass(frozen=True)
class _Days:
    """Every date of a feed's period with its service pattern (computed once per feed)."""

    start: date
    pattern: np.ndarray  # per date of the period: pattern id (rows of ``trips``)
    trips: np.ndarray  # per pattern: trips that can be ridden
    usual: dict[int, int]  # weekday → its usual pattern id

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)


def _matrix(feed: GtfsFeed, start: date, n: int) -> tuple[np.ndarray, list[str]]:
    """Dates × services with trips: whether the service runs that date (GTFS rules)."""
    services = sorted(_routable_services(feed))
    col = {s: j for j, s in enumerate(services)}
    days = np.datetime64(start, "D") + np.arange(n)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    runs = np.zeros((n, len(services)), dtype=bool)
    cal = feed.calendar
    for _, r in cal[cal["service_id"].isin(col)].iterrows():
        flags = np.array([bool(r[w]) for w in WEEKDAYS])
        lo, hi = np.datetime64(r["start_date"], "D"), np.datetime64(r["end_date"], "D")
        runs[:, col[r["service_id"]]] |= (days >= lo) & (days <= hi) & flags[weekday]
    cd = feed.calendar_dates
    cd = cd[cd["service_id"].isin(col)]
    if len(cd):
        i = (cd["date"].to_numpy(dtype="datetime64[D]") - days[0]).astype(np.int64)
        j = cd["service_id"].map(col).to_numpy()
        keep = (i >= 0) & (i < n)
        ex = cd["exception_type"].to_numpy()[keep]
        i, j = i[keep], j[keep]
        runs[i[ex == 2], j[ex == 2]] = False
        runs[i[ex == 1], j[ex == 1]] = True
    return runs, services


def _days(feed: GtfsFeed) -> _Days:
    key = "representative_days"
    if key in feed.cache:
        out: _Days = feed.cache[key]
        return out
    start, end = feed.period
    n = (end - start).days + 1
    runs, services = _matrix(feed, start, n)
    patterns, inverse = np.unique(runs, axis=0, return_inverse=True)
    per_service = _routable(feed).value_counts().reindex(services).fillna(0).to_numpy()
    trips = patterns.astype(np.int64) @ per_service.astype(np.int64)
    pattern = np.asarray(inverse).ravel()
    middle = (n - 1) / 2
    usual: dict[int, int] = {}
    for wd in range(7):
        idx = [
            i
            for i in range(n)
            if (start + timedelta(days=i)).weekday() == wd
            and not is_public_holiday(start + timedelta(days=i))
        ]
        if not idx:
            continue
        counts = Counter(int(pattern[i]) for i in idx)
        near = {p: min(abs(i - middle) for i in idx if pattern[i] == p) for p in counts}
        usual[wd] = max(counts, key=lambda p: (counts[p], trips[p], -near[p]))
    feed.cache[key] = out = _Days(start, pattern, trips, usual)
    return out


def _regular(t: _Days, i: int) -> bool:
    """Whether date ``i`` of the period runs its weekday's usual pattern (and is no holiday);
    dates outside the period count as irregular."""
    if i < 0 or i >= len(t.pattern):
        return False
    d = t.day(i)
    return not is_public_holiday(d) and t.usual.get(d.weekday()) == int(t.pattern[i])


def representative_day(feed: GtfsFeed, day: DateLike, *, always: bool = False) -> date:
    """The service date of ``feed`` that stands for ``day`` (see the module's rules).

    Parameters
    ----------
    feed
        A parsed feed (:func:`~qpv_radar.networks.gtfs.read_feed`).
    day
        The date asked (a date, a datetime or ``"2026-12-08"``).
    always
        Also for a date inside the feed's period (default: such a date is its own answer).

    Returns
    -------
    date
        A date of the period, of ``day``'s weekday (Sunday for a public holiday), with that
        weekday's usual services.

    Raises
    ------
    ServicePeriodError
        No trip runs on that weekday in the feed (or the period holds no such weekday).
    """
    d = _as_date(day)
    start, end = feed.period
    if not always and start <= d <= end:
        return d
    t = _days(feed)
    wd = 6 if is_public_holiday(d) else d.weekday()
    usual = t.usual.get(wd)
    if usual is None or t.trips[usual] == 0:
        raise ServicePeriodError(
            "gtfs.no_service_weekday",
            day=d,
            period=(start, end),
            feed=network_name(feed),
        )
    middle = (len(t.pattern) - 1) / 2
    cands = [
        i
        for i in np.flatnonzero(t.pattern == usual)
        if t.day(int(i)).weekday() == wd and not is_public_holiday(t.day(int(i)))
    ]
    best = min(
        (int(i) for i in cands),
        key=lambda i: (
            -(_regular(t, i - 1) + _regular(t, i + 1)),
            abs(i - middle),
            -i,
        ),
    )
    return t.day(best)
