"""The compact timetable of one service date, built from a parsed feed.

Routes become unique stop sequences ("patterns"), trips are sorted without overtaking, stop
times form one ``trips × stops`` matrix per pattern. Stop times past 24:00:00 belong to the
previous service day: a timetable for date ``D`` contains the trips of ``D``, the trips of
``D - 1`` still running after midnight, shifted by −24 h, and the trips of ``D + 1`` (its own
calendar) leaving their first stop before 06:00, shifted by +24 h, so that late-evening
journeys go on with the next morning's trips (:data:`NEXT_DAY_HORIZON_S`). When ``D + 1`` is
outside the period there are none, and :attr:`Timetable.complete_until_s` says so (routing then
refuses journeys ending after midnight rather than answering with walking only).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .calendar import _as_date, _check_date, _check_in_period, service_period, services_on
from .feeds import read_feed
from .model import DAY, NEXT_DAY_HORIZON_S, BoolArray, DateLike, GtfsFeed, IntArray

__all__ = ["Timetable", "load_timetable"]


@dataclass(eq=False)
class Timetable:
    """Compact arrays of what runs on one date (times in seconds after local midnight).

    Patterns are unique stop sequences of one route (with their pickup/drop-off flags), split
    so that no trip overtakes another. Pattern ``p`` serves stops
    ``pattern_stops[pattern_stop_ptr[p]:pattern_stop_ptr[p+1]]``; its trips are
    ``pattern_trip_ptr[p]…pattern_trip_ptr[p+1]`` (sorted by departure) and their times form a
    ``trips × stops`` matrix stored row-major from ``pattern_time_ptr[p]`` in ``arr``/``dep``.
    ``stop_pattern_ptr`` gives, for every stop, its (pattern, position) pairs in
    ``stop_patterns`` / ``stop_positions``.

    The trips are those of the service day ``date`` (``trips.day_offset`` 0), those of the
    previous service day still running after midnight (−1, times shifted by −24 h) and those
    of the next service day leaving their first stop before :data:`NEXT_DAY_HORIZON_S`
    (+1, times shifted by +24 h). A journey that arrives by ``complete_until_s`` is therefore
    exact; one that arrives later might have been faster with trips the timetable lacks.
    """

    feed: GtfsFeed
    date: date
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame  # trip_id, route_idx, trip_headsign, pattern (timetable order)
    pattern_route: IntArray
    pattern_stop_ptr: IntArray
    pattern_stops: IntArray
    pattern_board: BoolArray
    pattern_alight: BoolArray
    pattern_trip_ptr: IntArray
    pattern_time_ptr: npt.NDArray[np.int64]
    arr: IntArray
    dep: IntArray
    stop_pattern_ptr: IntArray
    stop_patterns: IntArray
    stop_positions: IntArray
    complete_until_s: int = NEXT_DAY_HORIZON_S
    """Arrivals up to this time (seconds after midnight of ``date``) are exact:
    :data:`NEXT_DAY_HORIZON_S` when the next date is in the feed's period, 24 h when it is
    not (the feed does not say what runs then)."""

    def for_date(self, day: DateLike) -> Timetable:
        """The timetable of another date of the same feed (built once, then cached).

        Used for the departures of a window that runs past midnight. Unlike
        :func:`load_timetable`, a date of the period without trips of its own is accepted
        (trips of the previous day after midnight may still run).

        Raises
        ------
        ServicePeriodError
            ``day`` is outside the feed's period.
        """
        d = _check_in_period(self.feed, day)
        return self if d == self.date else _timetable_cached(self.feed, d)

    @property
    def timezone(self) -> str:
        """Agency timezone: all times are local times of this zone."""
        return self.feed.timezone

    @property
    def n_stops(self) -> int:
        """Number of stop points."""
        return len(self.stops)

    @property
    def n_patterns(self) -> int:
        """Number of patterns (routes as unique stop sequences)."""
        return len(self.pattern_route)

    @property
    def n_trips(self) -> int:
        """Number of trips (including the previous and next days' ones, see the class)."""
        return len(self.trips)

    def summary(self) -> dict[str, Any]:
        """Counts for display."""
        return {
            "date": self.date.isoformat(),
            "stops": self.n_stops,
            "stops_served": int((np.diff(self.stop_pattern_ptr) > 0).sum()),
            "patterns": self.n_patterns,
            "trips": self.n_trips,
            "stop_times": len(self.arr),
        }


def _split_overtaking(times: npt.NDArray[np.int32]) -> list[list[int]]:
    """Group rows (trips sorted by first departure) into chains where no trip overtakes."""
    chains: list[list[int]] = []
    lasts: list[npt.NDArray[np.int32]] = []
    for i in range(times.shape[0]):
        row = times[i]
        for c, last in enumerate(lasts):
            if (row >= last).all():
                chains[c].append(i)
                lasts[c] = row
                break
        else:
            chains.append([i])
            lasts.append(row)
    return chains


def _select(
    feed: GtfsFeed, d: date
) -> tuple[IntArray, npt.NDArray[np.int64], IntArray, npt.NDArray[np.int8], bool]:
    """The trip instances of the timetable of ``d``, sorted by pattern then first departure.

    Returns
    -------
    sel, shift, pats, day_offset, next_known
        Rows of ``feed.trips``, seconds added to their template's times (day offset
        included), their pattern, their day offset (−1, 0, +1), and whether ``d + 1`` is in
        the feed's period.
    """
    trips = feed.trips
    idx = np.flatnonzero(trips["pattern"].to_numpy() >= 0)  # trips that can be ridden
    tmpl = feed.trip_template[idx]
    shift0 = trips["shift"].to_numpy()[idx]
    first_dep = feed.tmpl_dep[feed.tmpl_ptr[tmpl]] + shift0
    last_arr = feed.tmpl_arr[feed.tmpl_ptr[tmpl + 1] - 1] + shift0
    service = trips["service_id"].iloc[idx]

    def running(day: date) -> BoolArray:
        return service.isin(services_on(feed, day)).to_numpy()

    one = timedelta(days=1)
    next_known = d + one <= service_period(feed)[1]
    parts = [
        (0, running(d)),
        (-1, running(d - one) & (last_arr >= DAY)),  # yesterday's trips after midnight
        # tomorrow's early trips: the journeys of late evening go on with them
        (1, running(d + one) & (first_dep < NEXT_DAY_HORIZON_S - DAY) if next_known else None),
    ]
    chosen = [(k, np.flatnonzero(m)) for k, m in parts if m is not None]
    sel = idx[np.concatenate([i for _, i in chosen])]
    day_offset = np.concatenate([np.full(len(i), k, np.int8) for k, i in chosen])
    offset = day_offset.astype(np.int32) * DAY
    shift = trips["shift"].to_numpy()[sel] + offset
    pats = trips["pattern"].to_numpy()[sel]
    first = np.concatenate([first_dep[i] for _, i in chosen]) + offset
    order = np.lexsort((first, pats))
    return sel[order], shift[order], pats[order], day_offset[order], next_known


@dataclass
class _Patterns:
    """The timetable's patterns as lists, one item per pattern (filled by :func:`_split`)."""

    route: list[int]
    stops: list[IntArray]
    board: list[BoolArray]
    alight: list[BoolArray]
    ntrips: list[int]
    arr: list[IntArray]
    dep: list[IntArray]
    trip_rows: list[int]


def _split(feed: GtfsFeed, sel: IntArray, shift: Any, pats: IntArray) -> _Patterns:
    """Group the selected trips by feed pattern, then into chains without overtaking."""
    out = _Patterns([], [], [], [], [], [], [], [])
    tmpl = feed.trip_template
    bounds = np.flatnonzero(np.diff(pats)) + 1
    for group in np.split(np.arange(len(sel)), bounds):
        if not len(group):
            continue
        p = int(pats[group[0]])
        tt = tmpl[sel[group]]
        starts = feed.tmpl_ptr[tt]
        n = len(feed.pattern_stops[p])
        cols = starts[:, None] + np.arange(n)[None, :]
        a = feed.tmpl_arr[cols] + shift[group][:, None]
        dp = feed.tmpl_dep[cols] + shift[group][:, None]
        for chain in _split_overtaking(np.concatenate([a, dp], axis=1)):
            out.route.append(int(feed.pattern_route[p]))
            out.stops.append(feed.pattern_stops[p])
            out.board.append(feed.pattern_board[p])
            out.alight.append(feed.pattern_alight[p])
            out.ntrips.append(len(chain))
            out.arr.append(a[chain].ravel())
            out.dep.append(dp[chain].ravel())
            out.trip_rows.extend(group[chain].tolist())
    return out


def _build(feed: GtfsFeed, d: date) -> Timetable:
    sel, shift, pats, day_offset, next_known = _select(feed, d)
    pt = _split(feed, sel, shift, pats)
    n_pat = len(pt.route)
    sizes = np.array([len(s) for s in pt.stops], dtype=np.int32)
    stop_ptr = np.zeros(n_pat + 1, dtype=np.int32)
    np.cumsum(sizes, out=stop_ptr[1:])
    trip_ptr = np.zeros(n_pat + 1, dtype=np.int32)
    np.cumsum(np.asarray(pt.ntrips, dtype=np.int32), out=trip_ptr[1:])
    time_ptr = np.zeros(n_pat + 1, dtype=np.int64)
    np.cumsum(sizes.astype(np.int64) * np.asarray(pt.ntrips, dtype=np.int64), out=time_ptr[1:])
    cat = np.concatenate if n_pat else (lambda x: np.zeros(0, np.int32))
    pattern_stops = np.asarray(cat(pt.stops), dtype=np.int32)
    # stop → (pattern, position)
    pat_of = np.repeat(np.arange(n_pat, dtype=np.int32), sizes)
    pos_of = np.arange(len(pattern_stops), dtype=np.int32) - np.repeat(stop_ptr[:-1], sizes)
    o = np.argsort(pattern_stops, kind="stable")
    n_stops = len(feed.stops)
    sp_ptr = np.zeros(n_stops + 1, dtype=np.int32)
    np.cumsum(np.bincount(pattern_stops, minlength=n_stops), out=sp_ptr[1:])
    kept = np.asarray(pt.trip_rows, dtype=np.int64)
    rows = sel[kept]
    trips = feed.trips
    trips_out = pd.DataFrame(
        {
            "trip_id": trips["trip_id"].to_numpy()[rows],
            "route_idx": trips["route_idx"].to_numpy()[rows],
            "trip_headsign": trips["trip_headsign"].to_numpy()[rows],
            "pattern": np.repeat(np.arange(n_pat, dtype=np.int32), pt.ntrips),
            "day_offset": day_offset[kept],
            "previous_day": day_offset[kept] < 0,
        }
    )
    return Timetable(
        feed=feed,
        date=d,
        stops=feed.stops,
        routes=feed.routes,
        trips=trips_out,
        pattern_route=np.asarray(pt.route, dtype=np.int32),
        pattern_stop_ptr=stop_ptr,
        pattern_stops=pattern_stops,
        pattern_board=np.asarray(cat(pt.board), dtype=bool),
        pattern_alight=np.asarray(cat(pt.alight), dtype=bool),
        pattern_trip_ptr=trip_ptr,
        pattern_time_ptr=time_ptr,
        arr=np.asarray(cat(pt.arr), dtype=np.int32),
        dep=np.asarray(cat(pt.dep), dtype=np.int32),
        stop_pattern_ptr=sp_ptr,
        stop_patterns=pat_of[o],
        stop_positions=pos_of[o],
        complete_until_s=NEXT_DAY_HORIZON_S if next_known else DAY,
    )


@functools.lru_cache(maxsize=8)
def _timetable_cached(feed: GtfsFeed, d: date) -> Timetable:
    return _build(feed, d)


def load_timetable(
    gtfs_path: str | Path | Sequence[str | Path], day: date | datetime | str
) -> Timetable:
    """Build the timetable of one date from a GTFS zip, or from several merged.

    Parameters
    ----------
    gtfs_path
        The feed's zip file, or a sequence of zips (e.g. a city's network and the regional
        coaches): each is parsed and cached on its own, then they are merged
        (:func:`~qpv_radar.networks.gtfs.merge_feeds`) into one timetable.
    day
        The service date (a :class:`~datetime.date`, a datetime, or ``"2024-01-16"``). With
        several feeds, a date inside the union of their periods.

    Returns
    -------
    Timetable
        Trips of ``day``, plus the previous day's trips still running after midnight (times
        shifted by −24 h) and the next day's trips leaving before 06:00 (+24 h, see
        :data:`NEXT_DAY_HORIZON_S`), in seconds after local midnight of ``day``.

    Raises
    ------
    ServicePeriodError
        ``day`` is outside the feed's period, or no trip runs that day.
    TimetableError, InputFileError
        Unreadable or malformed feed; feeds in different timezones.
    """
    feed = read_feed(gtfs_path)
    d = _as_date(day)
    _check_date(feed, d)
    return _timetable_cached(feed, d)
