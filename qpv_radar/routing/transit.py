"""Public transport travel times and itineraries: walk, ride, transfer, walk.

Walking legs come from a *walk* object: a street network built by
:func:`qpv_radar.networks.streets.load_street_network` (exact times over the streets, through
:func:`qpv_radar.routing.travel_times`), or :class:`CrowFlyWalk` (straight line × detour, for
feeds without a street network). Three walking tables are built:

- access: origin → stops within ``max_access_s``;
- egress: stops → destination within ``max_egress_s``;
- footpaths: stop → stop within ``max_transfer_s`` (cached per feed and walk), adjusted by
  transfers.txt (``transfer_type`` 3 removes a pair, a ``min_transfer_time`` replaces the
  walking time, types 0–2 add pairs the walk did not find at their straight-line time).

Then :mod:`qpv_radar.routing.raptor` searches every departure minute of the window.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree
from shapely.geometry import Point

from .._errors import CrsError, ServicePeriodError, TimetableError, UnreachableError
from ..networks.gtfs import DAY, NEXT_DAY_HORIZON_S, Timetable
from . import raptor

__all__ = [
    "CrowFlyWalk",
    "Itinerary",
    "Leg",
    "departure_profile",
    "footpaths",
    "stop_arrivals",
    "transit_itinerary",
    "transit_travel_times",
    "walk_table",
]

METRIC_CRS = "EPSG:2154"
#: Seconds to be at a stop before a departure to board it (R5's boarding slack).
BOARD_SLACK_S = 60


@dataclass(frozen=True)
class CrowFlyWalk:
    """Straight-line walking: ``distance × detour / speed`` (distances in ``crs``, metres).

    Used where no street network covers the feed (and by tests that must not depend on one).
    """

    speed_m_s: float = 1.25
    detour: float = 1.3
    crs: str = METRIC_CRS


# ----------------------------------------------------------------------------------------------
# walking tables
# ----------------------------------------------------------------------------------------------
def _points(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> gpd.GeoSeries:
    geo = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if geo.crs is None:
        raise CrsError(f"{what} have no CRS: set it, e.g. gdf.set_crs('EPSG:4326').")
    if len(geo) and not (geo.geom_type == "Point").all():
        geo = geo.representative_point()
    return geo


def walk_table(
    walk: Any,
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    destinations: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_time_s: float | None,
) -> pd.DataFrame:
    """Walking times ``from_id, to_id, travel_time`` (reachable pairs only).

    Parameters
    ----------
    walk
        A street network (walking) or a :class:`CrowFlyWalk`.
    origins, destinations
        Points with a CRS; ids are their index.
    max_time_s
        Pairs beyond are left out (``None``: no limit).
    """
    a = _points(origins, "origins")
    b = _points(destinations, "destinations")
    if isinstance(walk, CrowFlyWalk):
        xa = np.column_stack(_xy(a.to_crs(walk.crs)))
        xb = np.column_stack(_xy(b.to_crs(walk.crs)))
        if max_time_s is None:
            gi, gj = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
            ii, jj = gi.ravel(), gj.ravel()
            dist = np.hypot(*(xa[ii] - xb[jj]).T)
        else:
            radius = max_time_s * walk.speed_m_s / walk.detour
            sdm = cKDTree(xa).sparse_distance_matrix(cKDTree(xb), radius, output_type="coo_matrix")
            ii, jj, dist = sdm.row, sdm.col, sdm.data
            # pairs at distance 0 are not stored by the sparse matrix: add them back
            same = cKDTree(xa).query_ball_tree(cKDTree(xb), 1e-6)
            extra = [(i, j) for i, js in enumerate(same) for j in js]
            if extra:
                ei, ej = np.array(extra).T
                ii = np.concatenate([ii, ei])
                jj = np.concatenate([jj, ej])
                dist = np.concatenate([dist, np.zeros(len(ei))])
        tt = dist * walk.detour / walk.speed_m_s
        df = pd.DataFrame(
            {"from_id": a.index.to_numpy()[ii], "to_id": b.index.to_numpy()[jj], "travel_time": tt}
        ).drop_duplicates(["from_id", "to_id"])
    else:
        from .times import travel_times

        df = travel_times(
            walk, a.to_frame("geometry"), b.to_frame("geometry"), max_time_s=max_time_s
        )
        df = df[["from_id", "to_id", "travel_time"]]
    df = df[np.isfinite(df["travel_time"].to_numpy(float))]
    if max_time_s is not None:
        df = df[df["travel_time"] <= max_time_s]
    return df.reset_index(drop=True)


def _xy(geo: gpd.GeoSeries) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    return geo.x.to_numpy(float), geo.y.to_numpy(float)


def _stops_gdf(tt: Timetable, served_only: bool = True) -> gpd.GeoDataFrame:
    stops = tt.stops
    if served_only:
        stops = stops[np.diff(tt.stop_pattern_ptr) > 0]
    return gpd.GeoDataFrame(
        stops[["stop_id", "stop_name"]],
        geometry=gpd.points_from_xy(stops["stop_lon"], stops["stop_lat"]),
        crs="EPSG:4326",
    )


def _walk_key(walk: Any) -> Any:
    return walk if isinstance(walk, CrowFlyWalk) else ("network", id(walk))


def _fingerprint(points: gpd.GeoSeries) -> str:
    """Identity of a set of points (coordinates, CRS and ids), for caching."""
    h = hashlib.sha1(np.ascontiguousarray(np.column_stack(_xy(points))).tobytes())
    h.update(str(points.crs).encode())
    h.update(repr(tuple(points.index)).encode())
    return h.hexdigest()


def _walk_tables(
    tt: Timetable,
    walk: Any,
    origins: gpd.GeoSeries,
    destinations: gpd.GeoSeries,
    max_access_s: float,
    max_egress_s: float,
    max_time_s: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Access (origins → stops), egress (stops → destinations) and direct walking tables.

    They depend on the feed's stops, not on the date: computed once per feed, walk network and
    points (a planner asks the same origins and destinations for several slots), then kept to
    the stops served on ``tt``'s date.
    """
    key = (
        "walk-tables",
        _walk_key(walk),
        _fingerprint(origins),
        _fingerprint(destinations),
        float(max_access_s),
        float(max_egress_s),
        max_time_s,
    )
    cache = tt.feed.cache
    if key not in cache:
        stops = _stops_gdf(tt, served_only=False)
        cache[key] = (
            walk_table(walk, origins, stops, max_time_s=max_access_s),
            walk_table(walk, stops, destinations, max_time_s=max_egress_s),
            walk_table(walk, origins, destinations, max_time_s=max_time_s),
            walk,  # kept alive, so that its id in the key is not reused
        )
        mine = [k for k in cache if isinstance(k, tuple) and k[0] == "walk-tables"]
        for old in mine[:-8]:  # the 8 newest kept: bounded memory
            del cache[old]
    acc, egr, dire, _ = cache[key]
    served = np.diff(tt.stop_pattern_ptr) > 0
    acc = acc[served[acc["to_id"].to_numpy(np.int64)]]
    egr = egr[served[egr["from_id"].to_numpy(np.int64)]]
    return acc, egr, dire


def footpaths(tt: Timetable, walk: Any, *, max_transfer_s: float = 300.0) -> pd.DataFrame:
    """Stop-to-stop walking transfers ``from_idx, to_idx, time_s`` (cached per feed and walk).

    Built from ``walk`` within ``max_transfer_s`` over all stop points of the feed, then
    adjusted by transfers.txt: ``transfer_type`` 3 removes the pair, a ``min_transfer_time``
    sets its time, types 0–2 missing from the walk are added at their straight-line time.
    """
    key = ("footpaths", _walk_key(walk), float(max_transfer_s))
    cache = tt.feed.cache
    if key in cache:
        return cache[key][0]
    stops = _stops_gdf(tt, served_only=False)
    w = walk_table(walk, stops, stops, max_time_s=max_transfer_s)
    fp = pd.DataFrame(
        {
            "from_idx": w["from_id"].to_numpy(np.int64),
            "to_idx": w["to_id"].to_numpy(np.int64),
            "time_s": np.ceil(w["travel_time"].to_numpy(float)),
        }
    )
    fp = fp[fp["from_idx"] != fp["to_idx"]]
    tr = tt.feed.transfers
    if len(tr):
        tr = tr[tr["from_idx"] != tr["to_idx"]]
        forbidden = tr[tr["transfer_type"] == 3]
        ok = tr[tr["transfer_type"] != 3]
        crow = walk_table(
            CrowFlyWalk(),
            stops.loc[ok["from_idx"].unique()],
            stops.loc[ok["to_idx"].unique()],
            max_time_s=None,
        ).set_index(["from_id", "to_id"])["travel_time"]
        pairs = pd.MultiIndex.from_arrays([ok["from_idx"], ok["to_idx"]])
        t_rule = ok["min_transfer_time"].to_numpy(float)
        t_crow = np.ceil(crow.reindex(pairs).to_numpy(float))
        rules = pd.DataFrame(
            {
                "from_idx": ok["from_idx"].to_numpy(np.int64),
                "to_idx": ok["to_idx"].to_numpy(np.int64),
                "time_s": np.where(np.isnan(t_rule), np.nan, t_rule),
                "crow": t_crow,
            }
        )
        fp = fp.merge(rules, on=["from_idx", "to_idx"], how="outer", suffixes=("", "_rule"))
        fp["time_s"] = fp["time_s_rule"].fillna(fp["time_s"]).fillna(fp["crow"])
        fp = fp[["from_idx", "to_idx", "time_s"]]
        if len(forbidden):
            drop = pd.MultiIndex.from_arrays([forbidden["from_idx"], forbidden["to_idx"]])
            fp = fp[~pd.MultiIndex.from_frame(fp[["from_idx", "to_idx"]]).isin(drop)]
    fp = fp.dropna().sort_values(["from_idx", "to_idx"]).reset_index(drop=True)
    fp = fp.astype({"from_idx": np.int32, "to_idx": np.int32, "time_s": np.int32})
    cache[key] = (fp, walk)  # keep the walk alive so that its id stays unique
    return fp


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


# ----------------------------------------------------------------------------------------------
# many-to-many over a window
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Walking:
    fp_ptr: npt.NDArray[np.int64]
    fp_to: npt.NDArray[np.int32]
    fp_dur: npt.NDArray[np.int32]


def _prepare_footpaths(tt: Timetable, fp: pd.DataFrame) -> _Walking:
    ptr, to, dur = _csr(
        fp["from_idx"].to_numpy(np.int64),
        fp["to_idx"].to_numpy(np.int64),
        fp["time_s"].to_numpy(np.int64),
        tt.n_stops,
    )
    return _Walking(ptr, to, dur)


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
    max_access_s: float = 900.0,
    max_egress_s: float = 900.0,
    max_transfer_s: float = 300.0,
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
        Longest walks to the first stop, from the last stop, and between two rides.
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
    n_dep = max(int(window_minutes), 1)
    deps = t0 + 60 * np.arange(n_dep)
    a = _points(origins, "origins")
    b = _points(destinations, "destinations")
    fp = footpaths(timetable, walk_network, max_transfer_s=max_transfer_s)
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
    qs = sorted({50, *percentiles})
    chunk = 100
    results: list[npt.NDArray[np.float64]] = []
    starts = range(0, len(a), chunk)
    if progress and len(a) > chunk:
        from tqdm import tqdm

        starts = tqdm(starts, desc="transit", unit=f"×{chunk} origins")
    for s0 in starts:
        s1 = min(s0 + chunk, len(a))
        sub = access[(access["origin"] >= s0) & (access["origin"] < s1)]
        subd = direct[(direct["origin"] >= s0) & (direct["origin"] < s1)]
        times = travel_time_matrix(
            timetable,
            access=sub.assign(origin=sub["origin"] - s0),
            egress=egress,
            direct=subd.assign(origin=subd["origin"] - s0),
            footpath_table=fp,
            n_origins=s1 - s0,
            n_destinations=len(b),
            departures_s=deps,
            max_time_s=max_time_s,
            board_slack_s=board_slack_s,
        )
        pct = np.percentile(times, qs, axis=2, method="inverted_cdf")  # (q, o, d)
        results.append(pct.reshape(len(qs), -1))
    allp = np.concatenate(results, axis=1) if results else np.zeros((len(qs), 0))
    allp[~np.isfinite(allp)] = np.nan
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
    max_access_s: float = 900.0,
    max_egress_s: float = 900.0,
    max_transfer_s: float = 300.0,
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


# ----------------------------------------------------------------------------------------------
# itineraries
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leg:
    """One leg of an itinerary (``mode`` is ``"walk"`` or ``"ride"``)."""

    mode: str
    start: datetime
    end: datetime
    from_name: str
    to_name: str
    duration_s: int
    route_short_name: str = ""
    route_long_name: str = ""
    route_color: str = ""
    route_text_color: str = ""
    route_type: str = ""
    headsign: str = ""
    trip_id: str = ""
    coords: tuple[tuple[float, float], ...] = ()
    """(lon, lat) of every stop passed, boarding to alighting (rides), or of the two ends
    (walks): enough to draw the journey without the feed's shapes."""


@dataclass(frozen=True)
class Itinerary:
    """A door-to-door journey: departure, arrival and legs (waits are the gaps between legs)."""

    departure: datetime
    arrival: datetime
    travel_time_s: int
    legs: list[Leg] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """Short names of the lines ridden, in order."""
        return [leg.route_short_name for leg in self.legs if leg.mode == "ride"]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (ISO times)."""
        d = asdict(self)
        d["departure"] = self.departure.isoformat()
        d["arrival"] = self.arrival.isoformat()
        for leg in d["legs"]:
            leg["start"] = leg["start"].isoformat()
            leg["end"] = leg["end"].isoformat()
        return d


def _as_point_gdf(p: Any, name: str) -> gpd.GeoDataFrame:
    if isinstance(p, gpd.GeoDataFrame | gpd.GeoSeries):
        g = _points(p, name)
        return gpd.GeoDataFrame(geometry=g.iloc[:1].to_numpy(), index=[name], crs=g.crs)
    if isinstance(p, Point):
        geom = p
    else:
        lon, lat = p
        geom = Point(float(lon), float(lat))
    return gpd.GeoDataFrame(geometry=[geom], index=[name], crs="EPSG:4326")


def transit_itinerary(
    timetable: Timetable,
    walk_network: Any,
    origin_point: Any,
    destination_point: Any,
    departure: datetime,
    *,
    max_access_s: float = 900.0,
    max_egress_s: float = 900.0,
    max_transfer_s: float = 300.0,
    max_time_s: float | None = None,
    board_slack_s: int = BOARD_SLACK_S,
    lang: str = "fr",
) -> Itinerary:
    """The earliest-arrival journey for one departure, leg by leg.

    Parameters
    ----------
    origin_point, destination_point
        ``(lon, lat)`` in WGS84, a shapely Point (WGS84), or a one-row GeoDataFrame.
    departure
        Naive = local time of the feed's agency.
    max_time_s
        Longest acceptable journey (``None``: no limit, plain walking always gives one).
    lang
        Language of the labels of the two ends (``"fr"``: origine/destination, ``"en"``).

    Raises
    ------
    UnreachableError
        Neither transit nor walking reaches the destination (within ``max_time_s``).
    ServicePeriodError, TimetableError
        The journey would end after what the timetable holds (see
        :attr:`~qpv_radar.networks.gtfs.Timetable.complete_until_s`).
    """
    d = _as_point_gdf(destination_point, "destination")
    found = transit_itineraries(
        timetable,
        walk_network,
        origin_point,
        d,
        departure,
        max_access_s=max_access_s,
        max_egress_s=max_egress_s,
        max_transfer_s=max_transfer_s,
        max_time_s=max_time_s,
        board_slack_s=board_slack_s,
        lang=lang,
    )["destination"]
    if found is None:
        raise UnreachableError(
            "the destination cannot be reached from the origin, by public transport or on "
            "foot. Check the points, or raise max_access_s / max_egress_s."
        )
    return found


def transit_itineraries(
    timetable: Timetable,
    walk_network: Any,
    origin_point: Any,
    destinations: gpd.GeoDataFrame,
    departure: datetime,
    *,
    max_access_s: float = 900.0,
    max_egress_s: float = 900.0,
    max_transfer_s: float = 300.0,
    max_time_s: float | None = None,
    board_slack_s: int = BOARD_SLACK_S,
    lang: str = "fr",
) -> dict[Any, Itinerary | None]:
    """The earliest-arrival journey from one origin to each destination, for one departure.

    One RAPTOR search from the origin serves every destination (the journeys differ only by
    their last walk): as fast as one :func:`transit_itinerary`, whatever the number of
    destinations.

    Parameters
    ----------
    destinations
        Points (any CRS); ids from the index.
    Other parameters
        As :func:`transit_itinerary`.

    Returns
    -------
    dict
        Destination id → :class:`Itinerary`, or ``None`` when neither transit nor walking
        reaches it (within ``max_time_s``).

    Raises
    ------
    ServicePeriodError, TimetableError
        A journey would end after what the timetable holds (see
        :attr:`~qpv_radar.networks.gtfs.Timetable.complete_until_s`).
    """
    t0 = _seconds(timetable, departure)
    here, there = ("origine", "destination") if lang == "fr" else ("origin", "destination")
    o = _as_point_gdf(origin_point, "origin")
    dests = _points(destinations, "destinations")
    if not dests.index.is_unique:
        raise TimetableError("destinations need unique index values (their ids).")
    fp = footpaths(timetable, walk_network, max_transfer_s=max_transfer_s)
    acc, egr_all, dire_all = _walk_tables(
        timetable,
        walk_network,
        _points(o, "origin"),
        dests,
        max_access_s,
        max_egress_s,
        max_time_s,
    )
    w = _prepare_footpaths(timetable, fp)
    best, best_ride, kind, par, ride_p, ride_t, ride_j = raptor._single_kernel(
        *raptor.arrays_of(timetable),
        w.fp_ptr,
        w.fp_to,
        w.fp_dur,
        acc["to_id"].to_numpy(np.int32),
        np.ceil(acc["travel_time"].to_numpy(float)).astype(np.int32),
        np.int64(t0),
        np.int64(board_slack_s),
    )
    midnight = datetime.combine(timetable.date, datetime.min.time())
    tz = ZoneInfo(timetable.timezone)

    def at(sec: float) -> datetime:
        return (midnight + timedelta(seconds=float(sec))).replace(tzinfo=tz)

    names = timetable.stops["stop_name"].to_numpy()
    stop_xy = timetable.stops[["stop_lon", "stop_lat"]].to_numpy(dtype=float)
    o84 = o.to_crs("EPSG:4326").geometry.iloc[0]
    o_xy = (float(o84.x), float(o84.y))
    d84 = dests.geometry.to_crs("EPSG:4326")

    def xy(*idx: int) -> tuple[tuple[float, float], ...]:
        return tuple((float(stop_xy[i, 0]), float(stop_xy[i, 1])) for i in idx)

    walk_only_of = dict(
        zip(dire_all["to_id"], np.ceil(dire_all["travel_time"].to_numpy(float)), strict=True)
    )
    egress_of = {k: g for k, g in egr_all.groupby("to_id", sort=False)}
    limit = np.inf if max_time_s is None else t0 + max_time_s
    out: dict[Any, Itinerary | None] = {}
    plans: dict[Any, tuple[float, int, int] | None] = {}  # id → (arrival, stop, egress s)
    founds = []
    for dest_id in dests.index:
        walk_only = float(walk_only_of.get(dest_id, np.inf))
        egr = egress_of.get(dest_id)
        e_stop = np.empty(0, np.int64) if egr is None else egr["from_id"].to_numpy(np.int64)
        e_time = np.empty(0) if egr is None else np.ceil(egr["travel_time"].to_numpy(float))
        cand = best[e_stop].astype(float) + e_time
        cand[best[e_stop] >= raptor.INF] = np.inf
        found = min(float(cand.min()) if len(cand) else np.inf, t0 + walk_only)
        founds.append(found if found <= limit else limit)
        if len(cand) == 0 or (cand.min() >= t0 + walk_only) or cand.min() > limit:
            plans[dest_id] = None if not np.isfinite(walk_only) else (t0 + walk_only, -1, 0)
            continue
        k = int(np.lexsort((e_time, cand))[0])  # earliest arrival, then the shortest final walk
        plans[dest_id] = (float(cand[k]), int(e_stop[k]), int(e_time[k]))
    _check_complete(timetable, np.full(len(founds), t0), np.asarray(founds, dtype=float))

    for dest_id, plan in plans.items():
        pt = d84.loc[dest_id]
        d_xy = (float(pt.x), float(pt.y))
        if plan is None:
            out[dest_id] = None
            continue
        arrival, s, e_s = plan
        if s < 0:  # walking all the way is fastest
            dur = int(arrival - t0)
            leg = Leg("walk", at(t0), at(arrival), here, there, dur, coords=(o_xy, d_xy))
            out[dest_id] = Itinerary(at(t0), at(arrival), dur, [leg])
            continue
        legs: list[Leg] = [
            Leg("walk", at(best[s]), at(arrival), str(names[s]), there, e_s, coords=(*xy(s), d_xy))
        ]
        ride_arrival = False  # whether the next step back must use the ride parent of s
        for _ in range(200):
            kd = 1 if ride_arrival else int(kind[s])
            if kd == 0:
                a = int(acc.loc[acc["to_id"] == s, "travel_time"].map(np.ceil).min())
                legs.append(
                    Leg("walk", at(t0), at(t0 + a), here, str(names[s]), a, coords=(o_xy, *xy(s)))
                )
                break
            if kd == 2:
                s0 = int(par[s])
                dur = int(fp.loc[(fp["from_idx"] == s0) & (fp["to_idx"] == s), "time_s"].min())
                t_fp = int(best_ride[s0])
                legs.append(
                    Leg(
                        "walk",
                        at(t_fp),
                        at(t_fp + dur),
                        str(names[s0]),
                        str(names[s]),
                        dur,
                        coords=xy(s0, s),
                    )
                )
                s = s0
                ride_arrival = True
                continue
            p, trip, j = int(ride_p[s]), int(ride_t[s]), int(ride_j[s])
            so = int(timetable.pattern_stop_ptr[p])
            n = int(timetable.pattern_stop_ptr[p + 1]) - so
            i = _position(timetable, p, s, j)
            local = trip - int(timetable.pattern_trip_ptr[p])
            base = int(timetable.pattern_time_ptr[p]) + local * n
            t_dep = int(timetable.dep[base + j])
            t_arr = int(timetable.arr[base + i])
            b = int(timetable.pattern_stops[so + j])
            route = timetable.routes.iloc[int(timetable.pattern_route[p])]
            trow = timetable.trips.iloc[trip]
            legs.append(
                Leg(
                    "ride",
                    at(t_dep),
                    at(t_arr),
                    str(names[b]),
                    str(names[s]),
                    t_arr - t_dep,
                    route_short_name=str(route["route_short_name"]),
                    route_long_name=str(route["route_long_name"]),
                    route_color=str(route["route_color"]),
                    route_text_color=str(route["route_text_color"]),
                    route_type=str(route["route_type"]),
                    headsign=str(trow["trip_headsign"]),
                    trip_id=str(trow["trip_id"]),
                    coords=xy(*timetable.pattern_stops[so + j : so + i + 1]),
                )
            )
            s = b
            ride_arrival = False
        legs.reverse()
        out[dest_id] = Itinerary(at(t0), at(arrival), int(arrival - t0), legs)
    return out


def _position(tt: Timetable, p: int, s: int, j: int) -> int:
    """Position of stop ``s`` in pattern ``p`` after the boarding position ``j``."""
    so = int(tt.pattern_stop_ptr[p])
    seq = tt.pattern_stops[so : int(tt.pattern_stop_ptr[p + 1])]
    hits = np.flatnonzero(seq[j + 1 :] == s)
    return int(j + 1 + hits[0])
