"""Arrive-by public transport: the latest departure that still arrives by a time.

Defined as R5 (r5r's ``arrival_travel_time_matrix``: « the trip with the latest departure time
that arrives before the arrival time ») and OpenTripPlanner (``arriveBy``) define it, but exact
to the second instead of R5's departure minutes: the latest second one may leave the origin and
still be at the destination by ``arrive_by`` in the forward model of
:mod:`qpv_radar.routing.raptor` (the same walks, boarding slack and transfers). It is found by a
reverse RAPTOR (:mod:`qpv_radar.routing.raptor_reverse`, one backward search per destination
answers every origin); the journey's actual arrival (at or before ``arrive_by``) comes from
forward searches leaving at those departures.

The window bounds the search: only departures in ``[arrive_by − window, arrive_by]`` count, so
a pair whose latest departure is earlier has no answer (NaN and the reason
``arrive_by.too_early``). The timetable day: an arrival whose window starts before midnight is
routed on the previous date's timetable (it holds the trips of the next morning, before 06:00;
for a later arrival the window is shortened to start at midnight); otherwise on the arrival
date's, which holds the previous night's trips still running after
midnight — a 05:30 arrival on Monday may use Sunday night's trips either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._defaults import MAX_ACCESS_S, MAX_EGRESS_S, MAX_TRANSFER_S
from ..._errors import ServicePeriodError
from ...networks.gtfs import DAY, NEXT_DAY_HORIZON_S, Timetable
from .. import raptor, raptor_reverse
from ._common import BOARD_SLACK_S, _csr, _points
from .matrix import _Tables, _tables_by_position
from .walking import _prepare_footpaths, footpaths

__all__ = ["ArriveByTimes", "arrive_by_day", "transit_arrive_by"]


def arrive_by_day(arrive_by: datetime, window_s: float) -> tuple[date, int, float]:
    """The date whose timetable answers, the arrival in seconds after its midnight, and the
    window searched.

    The arrival's own date when the window starts after its midnight, else the previous date
    (its timetable holds the next morning's trips, up to 06:00, at times ``≥ 24 h``). An
    arrival after 06:00 is searched from its own midnight at the earliest (a window reaching
    the evening before is shortened: no urban journey lasts six hours).
    """
    local = arrive_by.replace(tzinfo=None)
    day = local.date()
    sec = int((local - datetime.combine(day, datetime.min.time())).total_seconds())
    if sec - window_s >= 0:
        return day, sec, window_s
    if sec <= NEXT_DAY_HORIZON_S - DAY:
        return day - timedelta(days=1), sec + DAY, window_s
    return day, sec, float(sec)


@dataclass(frozen=True)
class ArriveByTimes:
    """Arrive-by answers by position: ``departure`` and ``arrival`` ``(origins, destinations)``
    seconds after the timetable's midnight (NaN when no journey arrives in time within the
    window)."""

    departure: npt.NDArray[np.float64]
    arrival: npt.NDArray[np.float64]


def transit_arrive_by(
    timetable: Timetable,
    walk_network: Any,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    arrive_s: int,
    window_s: float,
    max_access_s: float = MAX_ACCESS_S,
    max_egress_s: float = MAX_EGRESS_S,
    max_transfer_s: float = MAX_TRANSFER_S,
    board_slack_s: int = BOARD_SLACK_S,
) -> ArriveByTimes:
    """Latest departures (reverse RAPTOR) and their journeys' arrivals (forward searches).

    Parameters
    ----------
    arrive_s
        Time to arrive by, seconds after the timetable's midnight (up to its
        ``complete_until_s``).
    window_s
        Departures earlier than ``arrive_s − window_s`` do not count (NaN).

    Raises
    ------
    ServicePeriodError
        ``arrive_s`` after the hours the timetable holds (the next date is outside the feed).
    """
    if arrive_s > timetable.complete_until_s:
        start, end = timetable.feed.period
        raise ServicePeriodError(
            "arrive_by.next_day_unknown",
            day=timetable.date + timedelta(days=1),
            period=(start, end),
        )
    a = _points(origins, "origins")
    b = _points(destinations, "destinations")
    fp = footpaths(timetable, walk_network, max_transfer_s=max_transfer_s)
    tables = _tables_by_position(
        timetable, walk_network, a, b, max_access_s, max_egress_s, window_s
    )
    dep = _latest_departures(timetable, tables, fp, len(a), len(b), arrive_s, board_slack_s)
    direct = _direct(tables, len(a), len(b))
    dep = np.maximum(dep, arrive_s - direct)  # walking all the way when it leaves later
    ok = dep >= arrive_s - window_s
    arrival = _arrivals(timetable, tables, fp, direct, dep, ok, board_slack_s)
    return ArriveByTimes(
        np.where(ok, dep, np.nan).astype(float), np.where(ok, arrival, np.nan).astype(float)
    )


def _direct(tables: _Tables, n_o: int, n_d: int) -> npt.NDArray[np.int64]:
    """Walking-only seconds (origins × destinations), ``raptor.INF`` when none."""
    dmat = np.full((n_o, n_d), int(raptor.INF), dtype=np.int64)
    d = tables.direct
    if len(d):
        dmat[d["origin"].to_numpy(np.int64), d["destination"].to_numpy(np.int64)] = np.ceil(
            d["time_s"].to_numpy(float)
        ).astype(np.int64)
    return dmat


def _latest_departures(
    tt: Timetable,
    tables: _Tables,
    fp: pd.DataFrame,
    n_o: int,
    n_d: int,
    arrive_s: int,
    slack: int,
) -> npt.NDArray[np.int64]:
    """Reverse RAPTOR: latest transit departure (origins × destinations), very negative when
    none."""
    rfp_ptr, rfp_from, rfp_dur = _csr(
        fp["to_idx"].to_numpy(np.int64),
        fp["from_idx"].to_numpy(np.int64),
        fp["time_s"].to_numpy(np.int64),
        tt.n_stops,
    )
    (a_ptr, a_stop, a_dur), (e_ptr, e_stop, e_dur) = _walk_csr(tables, n_o, n_d)
    out = np.empty((n_o, n_d), dtype=np.int64)
    raptor_reverse._reverse_kernel(
        *raptor.arrays_of(tt),
        rfp_ptr,
        rfp_from,
        rfp_dur,
        a_ptr,
        a_stop,
        a_dur,
        e_ptr,
        e_stop,
        e_dur,
        np.int64(arrive_s),
        out,
        np.int64(slack),
    )
    return out


def _walk_csr(tables: _Tables, n_o: int, n_d: int) -> tuple[Any, Any]:
    """Access walks by origin and egress walks by destination, as CSR (ptr, stop, seconds)."""
    acc, egr = tables.access, tables.egress
    access = _csr(
        acc["origin"].to_numpy(np.int64),
        acc["stop"].to_numpy(np.int64),
        acc["time_s"].to_numpy(float),
        n_o,
    )
    egress = _csr(
        egr["destination"].to_numpy(np.int64),
        egr["stop"].to_numpy(np.int64),
        egr["time_s"].to_numpy(float),
        n_d,
    )
    return access, egress


def _arrivals(
    tt: Timetable,
    tables: _Tables,
    fp: pd.DataFrame,
    direct: npt.NDArray[np.int64],
    dep: npt.NDArray[np.int64],
    ok: npt.NDArray[np.bool_],
    slack: int,
) -> npt.NDArray[np.int64]:
    """Earliest arrival leaving at ``dep`` (forward rRAPTOR over each origin's departures)."""
    n_o, n_d = dep.shape
    w = _prepare_footpaths(tt, fp)
    (a_ptr, a_stop, a_dur), (e_ptr, e_stop, e_dur) = _walk_csr(tables, n_o, n_d)
    o_idx, d_idx = np.nonzero(ok)
    q_dep = dep[o_idx, d_idx]
    order = np.lexsort((-q_dep, o_idx))  # by origin, then latest departure first
    o_idx, d_idx, q_dep = o_idx[order], d_idx[order], q_dep[order]
    q_ptr = np.zeros(n_o + 1, dtype=np.int64)
    np.cumsum(np.bincount(o_idx, minlength=n_o), out=q_ptr[1:])
    found = np.empty(len(q_dep), dtype=np.int64)
    raptor_reverse._arrivals_kernel(
        *raptor.arrays_of(tt),
        w.fp_ptr,
        w.fp_to,
        w.fp_dur,
        a_ptr,
        a_stop,
        a_dur,
        e_ptr,
        e_stop,
        e_dur,
        direct,
        q_ptr,
        q_dep.astype(np.int64),
        d_idx.astype(np.int32),
        found,
        np.int64(slack),
    )
    out = np.full((n_o, n_d), int(raptor.INF), dtype=np.int64)
    out[o_idx, d_idx] = found
    return out
