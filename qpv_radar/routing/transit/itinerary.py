"""Itineraries: the earliest-arrival journey, leg by leg, for one departure.

One RAPTOR search from the origin (:func:`qpv_radar.routing.raptor._single_kernel`) keeps,
for every stop, how it was reached (access walk, ride or transfer); the legs are read back
from the destination's best stop to the origin.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..._defaults import MAX_ACCESS_S, MAX_EGRESS_S, MAX_TRANSFER_S, WGS84
from ..._errors import TimetableError, UnreachableError
from ...networks.gtfs import Timetable
from .. import raptor
from ._common import BOARD_SLACK_S, _as_point_gdf, _check_complete, _points, _seconds
from .walking import _prepare_footpaths, _walk_tables, footpaths

#: id → (arrival s, last stop or -1 for walking all the way, final walk s), None: unreachable
_Plan = tuple[float, int, int] | None
_XY = tuple[float, float]


@dataclass(frozen=True)
class Leg:
    """One leg of an itinerary (``mode`` is ``"walk"`` or ``"ride"``)."""

    mode: str
    start: datetime
    end: datetime
    from_name: str
    to_name: str
    duration_s: float
    """Seconds (whole seconds on public transport)."""
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
    distance_m: float | None = None
    """Length of the path, metres, when known (legs along the streets)."""


@dataclass(frozen=True)
class Itinerary:
    """A door-to-door journey: departure, arrival and legs (waits are the gaps between legs)."""

    departure: datetime
    arrival: datetime
    travel_time_s: float
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


def transit_itinerary(
    timetable: Timetable,
    walk_network: Any,
    origin_point: Any,
    destination_point: Any,
    departure: datetime,
    *,
    max_access_s: float = MAX_ACCESS_S,
    max_egress_s: float = MAX_EGRESS_S,
    max_transfer_s: float = MAX_TRANSFER_S,
    max_time_s: float | None = None,
    board_slack_s: int = BOARD_SLACK_S,
) -> Itinerary:
    """The earliest-arrival journey for one departure, leg by leg.

    Parameters
    ----------
    origin_point, destination_point
        ``(lon, lat)`` in WGS84, a shapely Point (WGS84), or a one-row GeoDataFrame.
    departure
        Naive = local time of the feed's agency.
    max_access_s, max_egress_s, max_transfer_s
        Longest walks to the first stop, from the stop where the last ride ends to the
        destination (the whole final walk), and between two rides.
    max_time_s
        Longest acceptable journey (``None``: no limit, plain walking always gives one).

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
    max_access_s: float = MAX_ACCESS_S,
    max_egress_s: float = MAX_EGRESS_S,
    max_transfer_s: float = MAX_TRANSFER_S,
    max_time_s: float | None = None,
    board_slack_s: int = BOARD_SLACK_S,
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
    here, there = "origin", "destination"  # codes: the render layer words them
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
    search = _search(timetable, fp, acc, t0, board_slack_s)
    draw = _Drawing.of(timetable, o, here, there)
    d84 = dests.geometry.to_crs(WGS84)
    limit = np.inf if max_time_s is None else t0 + max_time_s
    # the final walk starts where the last ride ends (max_egress_s caps the whole of it)
    plans, founds = _plans(search.best_ride, dests.index, egr_all, dire_all, t0, limit)
    _check_complete(timetable, np.full(len(founds), t0), np.asarray(founds, dtype=float))
    out: dict[Any, Itinerary | None] = {}
    for dest_id, plan in plans.items():
        pt = d84.loc[dest_id]
        d_xy = (float(pt.x), float(pt.y))
        out[dest_id] = None if plan is None else _itinerary(timetable, search, draw, plan, d_xy, t0)
    return out


# ----------------------------------------------------------------------------------------------
# search
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Search:
    """One RAPTOR search from the origin: per stop, the earliest arrival (``best``, and by a
    ride ``best_ride``), how it was reached (``kind`` 0 access walk, 1 ride, 2 transfer from
    ``par``) and the ride reaching it (pattern ``ride_p``, trip ``ride_t``, boarding position
    ``ride_j``); with the access walks and footpaths it used."""

    best: npt.NDArray[np.int32]
    best_ride: npt.NDArray[np.int32]
    kind: npt.NDArray[Any]
    par: npt.NDArray[Any]
    ride_p: npt.NDArray[Any]
    ride_t: npt.NDArray[Any]
    ride_j: npt.NDArray[Any]
    acc: pd.DataFrame
    fp: pd.DataFrame


def _search(
    timetable: Timetable, fp: pd.DataFrame, acc: pd.DataFrame, t0: int, board_slack_s: int
) -> _Search:
    """Earliest arrivals at every stop leaving at ``t0``, walking to the stops of ``acc``."""
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
    return _Search(best, best_ride, kind, par, ride_p, ride_t, ride_j, acc, fp)


def _plans(
    best_ride: npt.NDArray[np.int32],
    dest_ids: pd.Index,
    egr_all: pd.DataFrame,
    dire_all: pd.DataFrame,
    t0: int,
    limit: float,
) -> tuple[dict[Any, _Plan], list[float]]:
    """Per destination, the best final walk (or walking all the way), and the arrivals to check.

    ``best_ride`` holds the earliest arrival by a ride at each stop: the final walk leaves
    from there (never after a transfer footpath, so that it is one walk within
    ``max_egress_s``).

    The second list holds, per destination, the earliest arrival found (capped at ``limit``),
    for :func:`~._common._check_complete`.
    """
    walk_only_of = dict(
        zip(dire_all["to_id"], np.ceil(dire_all["travel_time"].to_numpy(float)), strict=True)
    )
    egress_of = {k: g for k, g in egr_all.groupby("to_id", sort=False)}
    plans: dict[Any, _Plan] = {}
    founds = []
    for dest_id in dest_ids:
        walk_only = float(walk_only_of.get(dest_id, np.inf))
        egr = egress_of.get(dest_id)
        e_stop = np.empty(0, np.int64) if egr is None else egr["from_id"].to_numpy(np.int64)
        e_time = np.empty(0) if egr is None else np.ceil(egr["travel_time"].to_numpy(float))
        cand = best_ride[e_stop].astype(float) + e_time
        cand[best_ride[e_stop] >= raptor.INF] = np.inf
        found = min(float(cand.min()) if len(cand) else np.inf, t0 + walk_only)
        founds.append(found if found <= limit else limit)
        if len(cand) == 0 or (cand.min() >= t0 + walk_only) or cand.min() > limit:
            plans[dest_id] = None if not np.isfinite(walk_only) else (t0 + walk_only, -1, 0)
            continue
        k = int(np.lexsort((e_time, cand))[0])  # earliest arrival, then the shortest final walk
        plans[dest_id] = (float(cand[k]), int(e_stop[k]), int(e_time[k]))
    return plans, founds


# ----------------------------------------------------------------------------------------------
# reconstruction
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Drawing:
    """What the legs show: clock times, stop names and (lon, lat), the labels of the ends."""

    midnight: datetime
    tz: ZoneInfo
    names: npt.NDArray[Any]
    stop_xy: npt.NDArray[np.float64]
    o_xy: _XY
    here: str
    there: str

    @classmethod
    def of(cls, timetable: Timetable, o: gpd.GeoDataFrame, here: str, there: str) -> _Drawing:
        o84 = o.to_crs(WGS84).geometry.iloc[0]
        return cls(
            midnight=datetime.combine(timetable.date, datetime.min.time()),
            tz=ZoneInfo(timetable.timezone),
            names=timetable.stops["stop_name"].to_numpy(),
            stop_xy=timetable.stops[["stop_lon", "stop_lat"]].to_numpy(dtype=float),
            o_xy=(float(o84.x), float(o84.y)),
            here=here,
            there=there,
        )

    def at(self, sec: float) -> datetime:
        """Aware datetime ``sec`` seconds after the timetable's midnight."""
        return (self.midnight + timedelta(seconds=float(sec))).replace(tzinfo=self.tz)

    def xy(self, *idx: int) -> tuple[_XY, ...]:
        """(lon, lat) of the stops ``idx``."""
        return tuple((float(self.stop_xy[i, 0]), float(self.stop_xy[i, 1])) for i in idx)


def _itinerary(
    tt: Timetable,
    search: _Search,
    draw: _Drawing,
    plan: tuple[float, int, int],
    d_xy: _XY,
    t0: int,
) -> Itinerary:
    """The journey of ``plan`` (arrival, last stop, final walk) to the destination at ``d_xy``."""
    at = draw.at
    arrival, s, e_s = plan
    if s < 0:  # walking all the way is fastest
        dur = int(arrival - t0)
        leg = Leg("walk", at(t0), at(arrival), draw.here, draw.there, dur, coords=(draw.o_xy, d_xy))
        return Itinerary(at(t0), at(arrival), dur, [leg])
    last = Leg(
        "walk",
        at(search.best_ride[s]),
        at(arrival),
        str(draw.names[s]),
        draw.there,
        e_s,
        coords=(*draw.xy(s), d_xy),
    )
    legs = [last, *_legs_back(tt, search, draw, s, t0, by_ride=True)]
    legs.reverse()
    return Itinerary(at(t0), at(arrival), int(arrival - t0), legs)


def _legs_back(
    tt: Timetable, search: _Search, draw: _Drawing, s: int, t0: int, *, by_ride: bool
) -> list[Leg]:
    """The legs reaching stop ``s`` (by its ride when ``by_ride``), from the last back to the
    access walk."""
    legs: list[Leg] = []
    ride_arrival = by_ride  # whether the next step back must use the ride parent of s
    for _ in range(200):
        kd = 1 if ride_arrival else int(search.kind[s])
        if kd == 0:
            legs.append(_access_leg(search, draw, s, t0))
            break
        if kd == 2:
            s0 = int(search.par[s])
            legs.append(_transfer_leg(search, draw, s0, s))
            s = s0
            ride_arrival = True
            continue
        leg, s = _ride_leg(tt, search, draw, s)
        legs.append(leg)
        ride_arrival = False
    return legs


def _access_leg(search: _Search, draw: _Drawing, s: int, t0: int) -> Leg:
    """The walk from the origin, leaving at ``t0``, to the first stop ``s``."""
    a = int(search.acc.loc[search.acc["to_id"] == s, "travel_time"].map(np.ceil).min())
    return Leg(
        "walk",
        draw.at(t0),
        draw.at(t0 + a),
        draw.here,
        str(draw.names[s]),
        a,
        coords=(draw.o_xy, *draw.xy(s)),
    )


def _transfer_leg(search: _Search, draw: _Drawing, s0: int, s: int) -> Leg:
    """The footpath from stop ``s0`` (reached by a ride) to stop ``s``."""
    fp = search.fp
    dur = int(fp.loc[(fp["from_idx"] == s0) & (fp["to_idx"] == s), "time_s"].min())
    t_fp = int(search.best_ride[s0])
    return Leg(
        "walk",
        draw.at(t_fp),
        draw.at(t_fp + dur),
        str(draw.names[s0]),
        str(draw.names[s]),
        dur,
        coords=draw.xy(s0, s),
    )


def _ride_leg(tt: Timetable, search: _Search, draw: _Drawing, s: int) -> tuple[Leg, int]:
    """The ride alighting at stop ``s``, and the stop where it was boarded."""
    p, trip, j = int(search.ride_p[s]), int(search.ride_t[s]), int(search.ride_j[s])
    so = int(tt.pattern_stop_ptr[p])
    n = int(tt.pattern_stop_ptr[p + 1]) - so
    i = _position(tt, p, s, j)
    local = trip - int(tt.pattern_trip_ptr[p])
    base = int(tt.pattern_time_ptr[p]) + local * n
    t_dep = int(tt.dep[base + j])
    t_arr = int(tt.arr[base + i])
    b = int(tt.pattern_stops[so + j])
    route = tt.routes.iloc[int(tt.pattern_route[p])]
    trow = tt.trips.iloc[trip]
    leg = Leg(
        "ride",
        draw.at(t_dep),
        draw.at(t_arr),
        str(draw.names[b]),
        str(draw.names[s]),
        t_arr - t_dep,
        route_short_name=str(route["route_short_name"]),
        route_long_name=str(route["route_long_name"]),
        route_color=str(route["route_color"]),
        route_text_color=str(route["route_text_color"]),
        route_type=str(route["route_type"]),
        headsign=str(trow["trip_headsign"]),
        trip_id=str(trow["trip_id"]),
        coords=draw.xy(*tt.pattern_stops[so + j : so + i + 1]),
    )
    return leg, b


def _position(tt: Timetable, p: int, s: int, j: int) -> int:
    """Position of stop ``s`` in pattern ``p`` after the boarding position ``j``."""
    so = int(tt.pattern_stop_ptr[p])
    seq = tt.pattern_stops[so : int(tt.pattern_stop_ptr[p + 1])]
    hits = np.flatnonzero(seq[j + 1 :] == s)
    return int(j + 1 + hits[0])
