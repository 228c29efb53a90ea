"""Travel times over a departure window: many-to-many matrices, profiles, one-to-all arrivals.

:func:`transit_travel_times` builds the walking tables (:mod:`.walking`), then
:func:`travel_time_matrix` runs the RAPTOR window kernel (:mod:`qpv_radar.routing.raptor`)
once per date of the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._defaults import MAX_ACCESS_S, MAX_EGRESS_S, MAX_TRANSFER_S
from ..._errors import ServicePeriodError, TimetableError
from ...networks.gtfs import DAY, Timetable
from .. import raptor
from ._common import (
    BOARD_SLACK_S,
    _as_point_gdf,
    _check_complete,
    _clock,
    _csr,
    _points,
    _seconds,
)
from .walking import _prepare_footpaths, _stops_gdf, _walk_tables, footpaths, walk_table


# ----------------------------------------------------------------------------------------------
# many-to-many over a window
# ----------------------------------------------------------------------------------------------
def travel_time_matrix(
    tt: Timetable,
    *,
    access: pd.DataFrame,
    egress: pd.DataFrame,
    direct: pd.DataFrame,
    footpath_table: pd.DataFrame,
    n_origins: int,
    n_destinations: int,
    departures_s: npt.ArrayLike,
    max_time_s: float | None = None,
    board_slack_s: int = BOARD_SLACK_S,
) -> npt.NDArray[np.float64]:
    """Travel times from plain walking tables (the layer below :func:`transit_travel_times`).

    Parameters
    ----------
    access
        ``origin, stop, time_s`` (origin position 0..n_origins-1, stop index).
    egress
        ``stop, destination, time_s``.
    direct
        ``origin, destination, time_s`` walking only.
    footpath_table
        ``from_idx, to_idx, time_s``.
    departures_s
        Departure times, seconds after the timetable's midnight. Those of a window running
        past midnight (``≥ 86400``) are routed on the timetable of the next date
        (:meth:`~qpv_radar.networks.gtfs.Timetable.for_date`).

    Returns
    -------
    ndarray
        ``(n_origins, n_destinations, n_departures)`` seconds, ``inf`` when unreachable or
        above ``max_time_s``; departures in the order given.

    Raises
    ------
    ServicePeriodError
        Departures on a date outside the feed's period, or journeys that would end after
        midnight of the period's last date (the next day's trips are unknown).
    TimetableError
        Journeys that would end after the timetable's next-day horizon (06:00).
    """
    deps = np.asarray(departures_s, dtype=np.int64)
    out = np.empty((n_origins, n_destinations, len(deps)), dtype=np.float64)
    days = deps // DAY
    for k in np.unique(days):
        on = np.flatnonzero(days == k)
        day_tt = tt if k == 0 else _timetable_of_window(tt, int(k), deps[on])
        out[:, :, on] = _matrix_one_day(
            day_tt,
            access=access,
            egress=egress,
            direct=direct,
            footpath_table=footpath_table,
            n_origins=n_origins,
            n_destinations=n_destinations,
            departures_s=deps[on] - int(k) * DAY,
            max_time_s=max_time_s,
            board_slack_s=board_slack_s,
        )
    return out


def _timetable_of_window(tt: Timetable, k: int, deps: npt.NDArray[np.int64]) -> Timetable:
    """The timetable of the date ``k`` days after ``tt``'s, for the departures ``deps``."""
    day = tt.date + timedelta(days=k)
    try:
        return tt.for_date(day)
    except ServicePeriodError as exc:
        start, end = tt.feed.period
        raise ServicePeriodError(
            f"the departures run until {_clock(tt, int(deps.max()))}, into {day.isoformat()}, "
            f"which is outside the service period of {Path(tt.feed.path).name} "
            f"({start.isoformat()} → {end.isoformat()}): the feed does not say which trips run "
            "then. Shorten the departure window, or use a feed that covers that date."
        ) from exc


def _matrix_one_day(
    tt: Timetable,
    *,
    access: pd.DataFrame,
    egress: pd.DataFrame,
    direct: pd.DataFrame,
    footpath_table: pd.DataFrame,
    n_origins: int,
    n_destinations: int,
    departures_s: npt.NDArray[np.int64],
    max_time_s: float | None,
    board_slack_s: int,
) -> npt.NDArray[np.float64]:
    """:func:`travel_time_matrix` for departures on the timetable's own date (``[0, 24 h)``)."""
    deps = departures_s
    order = np.argsort(deps, kind="stable")
    sorted_deps = deps[order]
    w = _prepare_footpaths(tt, footpath_table)
    a_ptr, a_stop, a_dur = _csr(
        access["origin"].to_numpy(np.int64),
        access["stop"].to_numpy(np.int64),
        access["time_s"].to_numpy(float),
        n_origins,
    )
    e_ptr, e_dest, e_dur = _csr(
        egress["stop"].to_numpy(np.int64),
        egress["destination"].to_numpy(np.int64),
        egress["time_s"].to_numpy(float),
        tt.n_stops,
    )
    dmat = np.full((n_origins, n_destinations), int(raptor.INF), dtype=np.int64)
    if len(direct):
        dmat[direct["origin"].to_numpy(np.int64), direct["destination"].to_numpy(np.int64)] = (
            np.ceil(direct["time_s"].to_numpy(float)).astype(np.int64)
        )
    out = np.empty((n_origins, n_destinations, len(deps)), dtype=np.float64)
    raptor._window_kernel(
        *raptor.arrays_of(tt),
        w.fp_ptr,
        w.fp_to,
        w.fp_dur,
        a_ptr,
        a_stop,
        a_dur,
        e_ptr,
        e_dest,
        e_dur,
        dmat,
        sorted_deps,
        np.inf if max_time_s is None else float(max_time_s),
        out,
        np.int64(board_slack_s),
    )
    res = np.empty_like(out)
    res[:, :, order] = out
    # arrivals (or, for pairs unreachable within max_time_s, the limit) that missing trips
    # could improve; pairs unreachable without a limit are left as they are
    limit = np.inf if max_time_s is None else float(max_time_s)
    _check_complete(tt, deps, deps.astype(float) + np.where(np.isfinite(res), res, limit))
    return res


def transit_travel_times(
    timetable: Timetable,
    walk_network: Any,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    departure: datetime,
    window_minutes: int = 0,
    percentiles: tuple[int, ...] = (50, 80),
    max_time_s: float | None = None,
    max_access_s: float = MAX_ACCESS_S,
    max_egress_s: float = MAX_EGRESS_S,
    max_transfer_s: float = MAX_TRANSFER_S,
    board_slack_s: int = BOARD_SLACK_S,
    progress: bool = True,
) -> pd.DataFrame:
    """Door-to-door public transport travel times over a departure window.

    Parameters
    ----------
    timetable
        From :func:`~qpv_radar.networks.gtfs.load_timetable`.
    walk_network
        Walking street network, or :class:`CrowFlyWalk`.
    origins, destinations
        Points (any CRS); ids are their index.
    departure
        First departure (naive = local time of the feed's agency).
    window_minutes
        Departures every minute in ``[departure, departure + window)``; 0 means one departure.
        A window may run past midnight (the next date's departures use its timetable).
    percentiles
        Percentiles of the travel time over the window (nearest rank: every value is an
        observed travel time).
    max_time_s
        Travel times above are unreachable (NaN).
    max_access_s, max_egress_s, max_transfer_s
        Longest walks to the first stop, from the stop where the last ride ends to the
        destination (the whole final walk: no transfer footpath comes before it), and between
        two rides (see :func:`~.walking.footpaths` for transfers.txt pairs).
    board_slack_s
        Boarding needs to be at the stop this long before the departure (every boarding).
    progress
        Show a progress bar for many origins.

    Returns
    -------
    DataFrame
        ``from_id, to_id, travel_time`` (median over the window, seconds; NaN when
        unreachable at more than half of the departures) and one ``pNN`` column per percentile.

    Raises
    ------
    ServicePeriodError, TimetableError
        Journeys the timetable cannot complete: see :func:`travel_time_matrix`.
    """
    t0 = _seconds(timetable, departure)
    deps = t0 + 60 * np.arange(max(int(window_minutes), 1))
    a = _points(origins, "origins")
    b = _points(destinations, "destinations")
    fp = footpaths(timetable, walk_network, max_transfer_s=max_transfer_s)
    tables = _tables_by_position(
        timetable, walk_network, a, b, max_access_s, max_egress_s, max_time_s
    )
    qs = sorted({50, *percentiles})
    allp = _window_percentiles(
        timetable,
        tables,
        fp,
        n_origins=len(a),
        n_destinations=len(b),
        departures_s=deps,
        qs=qs,
        max_time_s=max_time_s,
        board_slack_s=board_slack_s,
        progress=progress,
    )
    return _percentile_frame(a, b, allp, qs, percentiles)


@dataclass(frozen=True)
class _Tables:
    """Walking tables by position: ``access`` (origin, stop, time_s), ``egress`` (stop,
    destination, time_s) and ``direct`` (origin, destination, time_s), as
    :func:`travel_time_matrix` reads them."""

    access: pd.DataFrame
    egress: pd.DataFrame
    direct: pd.DataFrame


def _tables_by_position(
    timetable: Timetable,
    walk_network: Any,
    a: gpd.GeoSeries,
    b: gpd.GeoSeries,
    max_access_s: float,
    max_egress_s: float,
    max_time_s: float | None,
) -> _Tables:
    """Access, egress and direct walking tables, origins and destinations by position."""
    o_pos = pd.Series(np.arange(len(a)), index=a.index)
    d_pos = pd.Series(np.arange(len(b)), index=b.index)
    if not o_pos.index.is_unique or not d_pos.index.is_unique:
        raise TimetableError("origins and destinations need unique index values (their ids).")
    acc, egr, dire = _walk_tables(
        timetable, walk_network, a, b, max_access_s, max_egress_s, max_time_s
    )
    access = pd.DataFrame(
        {
            "origin": o_pos.loc[acc["from_id"]].to_numpy(),
            "stop": acc["to_id"].to_numpy(np.int64),
            "time_s": acc["travel_time"].to_numpy(float),
        }
    )
    egress = pd.DataFrame(
        {
            "stop": egr["from_id"].to_numpy(np.int64),
            "destination": d_pos.loc[egr["to_id"]].to_numpy(),
            "time_s": egr["travel_time"].to_numpy(float),
        }
    )
    direct = pd.DataFrame(
        {
            "origin": o_pos.loc[dire["from_id"]].to_numpy(),
            "destination": d_pos.loc[dire["to_id"]].to_numpy(),
            "time_s": dire["travel_time"].to_numpy(float),
        }
    )
    return _Tables(access, egress, direct)


def _window_percentiles(
    timetable: Timetable,
    tables: _Tables,
    fp: pd.DataFrame,
    *,
    n_origins: int,
    n_destinations: int,
    departures_s: npt.NDArray[np.int64],
    qs: Sequence[int],
    max_time_s: float | None,
    board_slack_s: int,
    progress: bool,
) -> npt.NDArray[np.float64]:
    """Percentiles ``qs`` of the travel times over the departures, by chunks of 100 origins.

    Returns ``(len(qs), n_origins * n_destinations)`` seconds (origin-major), NaN unreachable.
    """
    access, direct = tables.access, tables.direct
    chunk = 100
    results: list[npt.NDArray[np.float64]] = []
    starts: Iterable[int] = range(0, n_origins, chunk)
    if progress and n_origins > chunk:
        from tqdm import tqdm

        starts = tqdm(starts, desc="transit", unit=f"×{chunk} origins")
    for s0 in starts:
        s1 = min(s0 + chunk, n_origins)
        sub = access[(access["origin"] >= s0) & (access["origin"] < s1)]
        subd = direct[(direct["origin"] >= s0) & (direct["origin"] < s1)]
        times = travel_time_matrix(
            timetable,
            access=sub.assign(origin=sub["origin"] - s0),
            egress=tables.egress,
            direct=subd.assign(origin=subd["origin"] - s0),
            footpath_table=fp,
            n_origins=s1 - s0,
            n_destinations=n_destinations,
            departures_s=departures_s,
            max_time_s=max_time_s,
            board_slack_s=board_slack_s,
        )
        pct = np.percentile(times, qs, axis=2, method="inverted_cdf")  # (q, o, d)
        results.append(pct.reshape(len(qs), -1))
    allp = np.concatenate(results, axis=1) if results else np.zeros((len(qs), 0))
    allp[~np.isfinite(allp)] = np.nan
    return allp


def _percentile_frame(
    a: gpd.GeoSeries,
    b: gpd.GeoSeries,
    allp: npt.NDArray[np.float64],
    qs: Sequence[int],
    percentiles: tuple[int, ...],
) -> pd.DataFrame:
    """Long table ``from_id, to_id, travel_time`` (median) and one ``pNN`` per percentile."""
    out = pd.DataFrame(
        {
            "from_id": np.repeat(a.index.to_numpy(), len(b)),
            "to_id": np.tile(b.index.to_numpy(), len(a)),
            "travel_time": allp[qs.index(50)],
        }
    )
    for q in percentiles:
        out[f"p{q}"] = allp[qs.index(q)]
    return out


def departure_profile(
    timetable: Timetable,
    walk_network: Any,
    origin_point: Any,
    destination_point: Any,
    *,
    departure: datetime,
    window_minutes: int = 0,
    max_time_s: float | None = None,
    max_access_s: float = MAX_ACCESS_S,
    max_egress_s: float = MAX_EGRESS_S,
    max_transfer_s: float = MAX_TRANSFER_S,
    board_slack_s: int = BOARD_SLACK_S,
) -> pd.DataFrame:
    """Travel time for each departure minute of the window, for one origin and destination.

    Returns
    -------
    DataFrame
        ``departure`` (timezone-aware datetime), ``travel_time`` (seconds, NaN when
        unreachable), one row per minute.
    """
    t0 = _seconds(timetable, departure)
    n_dep = max(int(window_minutes), 1)
    deps = t0 + 60 * np.arange(n_dep)
    o = _as_point_gdf(origin_point, "origin")
    d = _as_point_gdf(destination_point, "destination")
    stops = _stops_gdf(timetable)
    fp = footpaths(timetable, walk_network, max_transfer_s=max_transfer_s)
    acc = walk_table(walk_network, o, stops, max_time_s=max_access_s)
    egr = walk_table(walk_network, stops, d, max_time_s=max_egress_s)
    dire = walk_table(walk_network, o, d, max_time_s=max_time_s)
    times = travel_time_matrix(
        timetable,
        access=pd.DataFrame(
            {"origin": 0, "stop": acc["to_id"].to_numpy(np.int64), "time_s": acc["travel_time"]}
        ),
        egress=pd.DataFrame(
            {
                "stop": egr["from_id"].to_numpy(np.int64),
                "destination": 0,
                "time_s": egr["travel_time"],
            }
        ),
        direct=pd.DataFrame(
            {"origin": [0] * len(dire), "destination": 0, "time_s": dire["travel_time"]}
        ),
        footpath_table=fp,
        n_origins=1,
        n_destinations=1,
        departures_s=deps,
        max_time_s=max_time_s,
        board_slack_s=board_slack_s,
    )[0, 0]
    midnight = datetime.combine(timetable.date, datetime.min.time())
    tz = ZoneInfo(timetable.timezone)
    return pd.DataFrame(
        {
            "departure": [(midnight + timedelta(seconds=int(x))).replace(tzinfo=tz) for x in deps],
            "travel_time": np.where(np.isfinite(times), times, np.nan),
        }
    )


# ----------------------------------------------------------------------------------------------
# one origin, all stops (benchmarks, isochrones)
# ----------------------------------------------------------------------------------------------
def stop_arrivals(
    tt: Timetable,
    footpath_table: pd.DataFrame,
    access_stops: npt.ArrayLike,
    access_s: npt.ArrayLike,
    departure_s: int,
    *,
    board_slack_s: int = BOARD_SLACK_S,
) -> npt.NDArray[np.int32]:
    """Earliest arrival (seconds after midnight; ``raptor.INF`` when unreached) at every stop.

    Arrivals after ``tt.complete_until_s`` are not checked here: they could be earlier with
    trips the timetable does not hold (see :class:`~qpv_radar.networks.gtfs.Timetable`).
    """
    w = _prepare_footpaths(tt, footpath_table)
    res = raptor._single_kernel(
        *raptor.arrays_of(tt),
        w.fp_ptr,
        w.fp_to,
        w.fp_dur,
        np.asarray(access_stops, dtype=np.int32),
        np.ceil(np.asarray(access_s, dtype=float)).astype(np.int32),
        np.int64(departure_s),
        np.int64(board_slack_s),
    )
    return res[0]
