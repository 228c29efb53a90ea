"""Computing a radar: :func:`compute_radar` over travel-time, itinerary and ring providers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from .._defaults import RADAR_K, RADAR_WINDOW_MINUTES, RING_MINUTES, WGS84
from .._errors import OptionError, ServicePeriodError, UnreachableError
from ..actors import hours, load_actors
from ..qpv import load_qpv, locate
from ..territory import Territory, load_territory
from .appointment import appointment_legs, appointment_minutes, leave_by
from .attribution import attribution, data_date
from .journeys import entry_legs
from .model import Entry, Notice, PathStep, Radar, RadarNetworks, Ring
from .parts import OpenState, open_state
from .path import suggest_path
from .person import Person
from .spread import WindowSpread
from .timetable import substituted_notice, timetable_day, timetable_fields

__all__ = ["compute_radar"]


def _open_status(
    oh: str | None, arrival: datetime | None, end: datetime, tz: str
) -> tuple[bool | None, bool | None, datetime | None]:
    """(open on arrival, open at some moment until ``end``, next opening after arrival), the
    hours read in the territory's timezone ``tz``."""
    if arrival is None:
        return None, None, None
    on_arrival = hours.is_open(oh, arrival, tz=tz)
    if on_arrival is None:
        return None, None, None
    nxt = None if on_arrival else hours.next_opening(oh, arrival, tz=tz)
    if on_arrival:
        within: bool | None = arrival <= end
    else:
        within = nxt is not None and nxt < end
    return bool(on_arrival), within, nxt


def _as_territory(territory: Territory | str) -> Territory:
    return territory if isinstance(territory, Territory) else load_territory(territory)


def _roles_of(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    return s or None


def _check_home_inside(
    home: Point, actors: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, crs: str, territory: str
) -> None:
    """Raise UnreachableError when home is far (> 5 km) from everything the territory holds."""
    parts = [g for g in (actors.geometry, qpv.geometry) if len(g)]
    if not parts:
        return
    geoms = gpd.GeoSeries(pd.concat(parts, ignore_index=True), crs=WGS84).to_crs(crs)
    hull = shapely.convex_hull(shapely.union_all(geoms.values))
    h = gpd.GeoSeries([home], crs=WGS84).to_crs(crs).iloc[0]
    gap = float(hull.distance(h))
    if gap > 5000:
        c = gpd.GeoSeries([hull.centroid], crs=crs).to_crs(WGS84).iloc[0]
        raise UnreachableError(
            "radar.home_outside",
            x=home.x,
            y=home.y,
            km=gap / 1000,
            territory=territory,
            cx=c.x,
            cy=c.y,
        )


def _locate_home(home: Point, qpv: gpd.GeoDataFrame) -> tuple[str | None, str | None]:
    if not len(qpv):
        return None, None
    hit = locate(gpd.GeoSeries([home], crs=WGS84), qpv).iloc[0]
    return _text(hit["code_qp"]), _text(hit["nom_qp"])


def compute_radar(
    territory: Territory | str,
    person: Person,
    *,
    networks: RadarNetworks | None = None,
    k: int = RADAR_K,
    actors: gpd.GeoDataFrame | None = None,
    qpv: gpd.GeoDataFrame | None = None,
    ring_minutes: Sequence[int] = RING_MINUTES,
    itineraries: Literal["all", "first", "none"] | Iterable[str] = "all",
    window_minutes: int = RADAR_WINDOW_MINUTES,
    strict_dates: bool | None = None,
) -> Radar:
    """Compute the radar of one person.

    Parameters
    ----------
    territory
        A :class:`~qpv_radar.territory.Territory` or its name.
    person
        Who, where, when, how, what for.
    networks
        The territory's :class:`~qpv_radar.Networks` (or any object with the methods of
        :class:`~qpv_radar.radar.RadarNetworks`); built for ``territory`` when omitted. Pass
        one to keep the networks warm across radars.
    k
        Structures kept per role: the ``k`` nearest within reach (``person.max_minutes``), plus
        every structure inside the person's own QPV. When none is within reach, the nearest
        one is kept anyway (flagged ``within_reach=False``) and a notice says so.
    actors, qpv
        The structures (columns of :func:`qpv_radar.actors.load_actors`) and QPV perimeters
        (:func:`qpv_radar.qpv.load_qpv`); loaded from the territory when omitted.
    ring_minutes
        Bands of the rings, minutes (empty: no rings).
    itineraries
        Which entries get the itinerary of their fastest mode: ``all`` (default: every entry,
        so the agent can recommend any of them with its way there; public transport finds
        every journey from home in one search), ``first`` (the nearest of each role and the
        path's choices), ``none``, or a collection of structure ids (in addition to
        ``first``).
    window_minutes
        Public transport times are the median over one departure per minute of this window.
    strict_dates
        When ``person.when`` is outside every GTFS feed's period: ``False`` routes public
        transport on a representative day of the same weekday inside the feeds
        (:meth:`qpv_radar.Networks.timetable_day`), recorded in
        :attr:`Radar.timetable_date` and said by a ``timetable_substituted`` notice; ``True``
        raises :class:`~qpv_radar.ServicePeriodError`; ``None`` (default): the networks'
        ``strict_dates`` option (off unless set). Opening hours are always read on the
        person's own date.

    Returns
    -------
    Radar

    Raises
    ------
    PersonError
        Bad person (see :class:`Person`).
    OptionError
        ``k`` below 1.
    UnreachableError
        Home outside the territory or not attachable to the network.
    ServicePeriodError
        ``person.when`` outside every GTFS feed's period with strict dates (the message names
        the period); or no public transport that day (a date of the period without service,
        a weekday without any), with transit the only mode — with other modes the radar is
        made without transit and a ``no_timetable`` notice says so.
    """
    terr = _as_territory(territory)
    if k < 1:
        raise OptionError(f"k must be at least 1, got {k}.")
    networks, actors, qpv = _inputs(terr, networks, actors, qpv)

    home = Point(person.lon, person.lat)
    _check_home_inside(home, actors, qpv, terr.crs, terr.name)
    home_code, home_name = _locate_home(home, qpv)
    home_qpv_geom = (
        qpv.loc[qpv["code_qp"] == home_code].geometry.iloc[0] if home_code is not None else None
    )
    cand, cand_roles = _wanted(actors, person)

    notices: list[Notice] = []
    day = timetable_day(networks, person, strict_dates)
    spread = WindowSpread(networks)  # keeps the window's 90th percentile of public transport
    mins, modes = _minutes_by_mode(spread, home, cand, person, window_minutes, notices)
    if day is not None and day.substituted and "transit" in modes:
        notices.insert(0, substituted_notice(day, person))
    table = _Candidates.of(cand, cand_roles, mins, home, qpv, terr.crs, terr.timezone,
                           p90=spread.p90(cand.index, person.modes))  # fmt: skip
    entries = {
        role: _role_entries(role, table, person, k, home_code, modes, notices)
        for role in person.roles
    }
    path = suggest_path(person, entries)
    if itineraries != "none":
        entries = _with_legs(networks, home, person, entries, path, itineraries)
    return Radar(
        person=person,
        territory=terr.name,
        home_qpv_code=home_code,
        home_qpv_name=home_name,
        entries=entries,
        path=path,
        rings=_rings(networks, home, modes, person.when, ring_minutes),
        notices=tuple(notices),
        attribution=attribution(terr, person, actors),
        data_date=data_date(terr, person),
        qpv_note=terr.qpv_note,
        home_qpv_geometry=home_qpv_geom,
        modes_answered=tuple(modes),
        **timetable_fields(day if "transit" in modes else None),
    )


def _inputs(
    terr: Territory,
    networks: RadarNetworks | None,
    actors: gpd.GeoDataFrame | None,
    qpv: gpd.GeoDataFrame | None,
) -> tuple[RadarNetworks, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The networks, structures and QPVs given, else the territory's; layers in WGS84."""
    if networks is None:
        from ..routing.networks import Networks

        networks = Networks(terr)
    if actors is None:
        actors = load_actors(terr, progress=False)  # callers show status
    if qpv is None:
        qpv = load_qpv(terr)
    actors = actors.to_crs(WGS84)
    qpv = qpv.to_crs(WGS84)
    return networks, actors, qpv


def _wanted(actors: gpd.GeoDataFrame, person: Person) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """The structures with a role the person needs, and their roles."""
    role_sets = actors["roles"].map(_roles_of)
    wanted = role_sets.map(lambda rs: any(r in person.roles for r in rs))
    return actors[wanted].copy(), role_sets[wanted]


def _minutes_by_mode(
    networks: RadarNetworks,
    home: Point,
    cand: gpd.GeoDataFrame,
    person: Person,
    window_minutes: int,
    notices: list[Notice],
) -> tuple[np.ndarray, list[str]]:
    """Minutes from home to each candidate by each of the person's modes (NaN: unreachable,
    or a mode without timetable that day), and the modes that answered."""
    origin = gpd.GeoDataFrame({"id": ["home"]}, geometry=[home], crs=WGS84).set_index("id")
    minutes = pd.DataFrame(index=cand.index, dtype=float)
    modes = list(person.modes)
    for mode in person.modes:
        if not len(cand):
            minutes[mode] = np.array([], dtype=float)
            continue
        try:
            if person.appointment is not None:  # the appointment: minutes before it, latest first
                s = appointment_minutes(networks, origin, cand, mode, person)
                minutes[mode] = s.reindex(cand.index).to_numpy()
                continue
            tt = networks.travel_times(
                origin, cand, mode=mode, departure=person.when, window_minutes=window_minutes
            )
        except ServicePeriodError as exc:
            if len(person.modes) == 1 or exc.code == "gtfs.strict_dates":
                raise
            # still a useful radar with the other modes, and the reason said on it
            modes.remove(mode)
            minutes[mode] = np.nan
            start, end = exc.period or (None, None)
            notices.append(
                Notice(
                    "no_timetable",
                    mode=mode,
                    when=person.when,
                    detail=f"{start.isoformat()}/{end.isoformat()}" if start and end else None,
                )
            )
            continue
        s = tt.set_index("to_id")["travel_time"].astype(float) / 60.0
        s = s[~s.index.duplicated()]
        minutes[mode] = s.reindex(cand.index).to_numpy()
    return minutes.to_numpy(dtype=float), modes


@dataclass(frozen=True)
class _Candidates:
    """The structures holding a wanted role, with their times, distance and QPV."""

    frame: gpd.GeoDataFrame
    roles: pd.Series
    mins: np.ndarray  # candidates × person's modes
    best: np.ndarray  # fastest minutes (NaN: unreachable)
    best_mode_idx: np.ndarray  # column of the fastest mode (-1: unreachable)
    dist: np.ndarray  # straight-line metres from home
    qpv_code: pd.Series
    qpv_name: pd.Series
    pos: dict[Any, int]
    tz: str  # the territory's timezone, for opening hours
    p90: np.ndarray | None = None  # candidates × modes: the window's 90th percentile (NaN: none)

    @classmethod
    def of(
        cls,
        cand: gpd.GeoDataFrame,
        roles: pd.Series,
        mins: np.ndarray,
        home: Point,
        qpv: gpd.GeoDataFrame,
        crs: str,
        tz: str,
        *,
        p90: np.ndarray | None = None,
    ) -> _Candidates:
        all_nan = np.isnan(mins).all(axis=1) if mins.size else np.ones(len(cand), dtype=bool)
        filled = np.where(np.isnan(mins), np.inf, mins)
        best = np.where(all_nan, np.nan, np.nanmin(filled, axis=1) if mins.size else np.nan)
        best_idx = np.where(all_nan, -1, np.argmin(filled, axis=1) if mins.size else -1)
        home_m = gpd.GeoSeries([home], crs=WGS84).to_crs(crs).iloc[0]
        dist = cand.geometry.to_crs(crs).distance(home_m).to_numpy()
        if len(cand) and len(qpv):
            where = locate(cand.geometry, qpv)
            code, name = where["code_qp"], where["nom_qp"]
        else:
            code = pd.Series(None, index=cand.index, dtype=object)
            name = pd.Series(None, index=cand.index, dtype=object)
        pos = {idx: i for i, idx in enumerate(cand.index)}
        return cls(cand, roles, mins, best, best_idx, dist, code, name, pos, tz, p90)

    def spread(self, j: int) -> float | None:
        """The window's 90th percentile of candidate ``j``'s fastest mode, minutes."""
        col = int(self.best_mode_idx[j])
        if self.p90 is None or col < 0 or self.p90.shape[0] <= j:
            return None
        v = float(self.p90[j, col])
        return None if math.isnan(v) else v

    def order(self, ids: Iterable[Any]) -> list[Any]:
        """Ids nearest first (in minutes, then in metres)."""
        p = self.pos
        return sorted(
            ids, key=lambda i: (np.nan_to_num(self.best[p[i]], nan=np.inf), self.dist[p[i]])
        )


def _role_entries(
    role: str,
    c: _Candidates,
    person: Person,
    k: int,
    home_code: str | None,
    modes: list[str],
    notices: list[Notice],
) -> tuple[Entry, ...]:
    """The structures kept for one role, nearest first (a notice when none is within reach)."""
    ids = [i for i in c.frame.index if role in c.roles[i]]
    if not ids:
        notices.append(Notice("no_structure", role=role))
        return ()
    order = c.order(ids)
    reach = [i for i in order if c.best[c.pos[i]] <= person.max_minutes]
    keep = reach[:k]
    if home_code is not None:
        keep += [i for i in order if c.qpv_code[i] == home_code and i not in keep]
    if not reach:
        reachable = [i for i in order if not np.isnan(c.best[c.pos[i]])]
        nearest = reachable[0] if reachable else None
        if nearest is not None and nearest not in keep:
            keep.append(nearest)
        notices.append(
            Notice(
                "nothing_within",
                role=role,
                mode=",".join(modes),
                minutes=person.max_minutes,
                when=person.when,
                nearest=_text(c.frame.at[nearest, "name"]) if nearest is not None else None,
                nearest_minutes=float(c.best[c.pos[nearest]]) if nearest is not None else None,
            )
        )
    return tuple(
        _entry(i, role, rank, c, person, home_code) for rank, i in enumerate(c.order(keep), start=1)
    )


def _entry(
    i: Any, role: str, rank: int, c: _Candidates, person: Person, home_code: str | None
) -> Entry:
    """One structure on the radar, for one role."""
    j = c.pos[i]
    row = c.frame.loc[i]
    b = None if np.isnan(c.best[j]) else float(c.best[j])
    bm = person.modes[c.best_mode_idx[j]] if c.best_mode_idx[j] >= 0 else None
    # with an appointment, the structure is reached by then (its hours are read at it)
    arrival = (person.appointment or person.when + timedelta(minutes=b)) if b is not None else None
    oh = _text(row.get("opening_hours"))
    open_arr, open_within, nxt = _open_status(oh, arrival, person.end, c.tz)
    state = _state(oh, arrival, person, c.tz)
    pt = row.geometry
    return Entry(
        id=str(i),
        role=role,
        rank=rank,
        name=_text(row.get("name")) or str(i),
        roles=c.roles[i],
        kind=_text(row.get("kind")),
        address=_text(row.get("address")),
        commune=_text(row.get("commune")),
        phone=_text(row.get("phone")),
        email=_text(row.get("email")),
        website=_text(row.get("website")),
        opening_hours=oh,
        mobile=bool(row.get("mobile", False) or False),
        source=_text(row.get("source")),
        lon=float(pt.x),
        lat=float(pt.y),
        qpv_code=_text(c.qpv_code[i]),
        qpv_name=_text(c.qpv_name[i]),
        distance_m=float(c.dist[j]),
        minutes={
            m: (None if np.isnan(c.mins[j, col]) else float(c.mins[j, col]))
            for col, m in enumerate(person.modes)
        },
        best_mode=bm,
        best_minutes=b,
        within_reach=b is not None and b <= person.max_minutes,
        in_home_qpv=home_code is not None and c.qpv_code[i] == home_code,
        arrival=arrival,
        open_on_arrival=open_arr,
        open_within_hours=open_within,
        next_opening=nxt,
        state=state,
        vintage=_text(row.get("vintage")),
        minutes_p90=c.spread(j),
        leave_by=leave_by(person, b),
    )


def _state(oh: str | None, arrival: datetime | None, person: Person, tz: str) -> OpenState:
    """Open, closed or unknown during the person's time: from the arrival when reachable,
    else over the person's whole hours (from their start)."""
    on, within, _nxt = _open_status(oh, arrival or person.when, person.end, tz)
    return open_state(on, within)


def _with_legs(
    networks: RadarNetworks,
    home: Point,
    person: Person,
    entries: dict[str, tuple[Entry, ...]],
    path: tuple[PathStep, ...],
    itineraries: Literal["all", "first"] | Iterable[str],
) -> dict[str, tuple[Entry, ...]]:
    """The entries with the legs of their fastest way (all, or the first choices and those
    asked)."""
    firsts = {s.entry_id for s in path if s.entry_id}
    firsts |= {es[0].id for es in entries.values() if es}
    if not isinstance(itineraries, str):
        firsts |= {str(i) for i in itineraries}
        itineraries = "first"
    chosen = {
        e.id: e
        for es in entries.values()
        for e in es
        if e.best_mode is not None and (itineraries == "all" or e.id in firsts)
    }
    if person.appointment is not None:
        legs = appointment_legs(networks, home, person, list(chosen.values()))
    else:
        legs = entry_legs(networks, home, list(chosen.values()), person.when)
    return {
        role: tuple(
            replace(e, legs=legs[e.id, e.best_mode]) if e.id in chosen and e.best_mode else e
            for e in es
        )
        for role, es in entries.items()
    }


def _rings(
    networks: RadarNetworks,
    home: Point,
    modes: list[str],
    when: datetime,
    ring_minutes: Sequence[int],
) -> tuple[Ring, ...]:
    """Travel-time rings of the first mode that answered."""
    if not ring_minutes or not modes:
        return ()
    gdf = networks.isochrones(
        home, mode=modes[0], minutes=list(ring_minutes), departure=when, outline=True
    )
    return tuple(
        Ring(int(m), modes[0], g)
        for m, g in zip(gdf["minutes"], gdf.geometry.to_crs(WGS84), strict=True)
        if g is not None and not g.is_empty
    )
