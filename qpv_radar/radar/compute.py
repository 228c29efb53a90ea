"""Computing a radar: :func:`compute_radar` over travel-time, itinerary and ring providers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from .._errors import PersonError, ServicePeriodError, UnreachableError
from ..actors import hours
from ..qpv import locate
from ..territory import Territory, load_territory
from .model import (
    Entry,
    ItineraryProvider,
    Leg,
    Notice,
    PathStep,
    Radar,
    Ring,
    RingProvider,
    TravelTimeProvider,
)
from .person import NEEDS, WGS84, Person

__all__ = ["compute_radar"]


def _open_status(
    oh: str | None, arrival: datetime | None, end: datetime
) -> tuple[bool | None, bool | None, datetime | None]:
    """(open on arrival, open at some moment until ``end``, next opening after arrival)."""
    if arrival is None:
        return None, None, None
    on_arrival = hours.is_open(oh, arrival)
    if on_arrival is None:
        return None, None, None
    nxt = None if on_arrival else hours.next_opening(oh, arrival)
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
            f"home ({home.x:.4f}, {home.y:.4f}) is {gap / 1000:.0f} km outside the {territory} "
            f"territory. Give a point inside it (e.g. near {c.x:.4f},{c.y:.4f}), check that "
            "longitude comes first, or choose another territory.",
            fr=f"le domicile ({home.x:.4f}, {home.y:.4f}) est à {gap / 1000:.0f} km hors du "
            f"territoire {territory}. Donnez un point à l'intérieur (par ex. près de "
            f"{c.x:.4f},{c.y:.4f}), vérifiez que la longitude vient d'abord, ou choisissez un "
            "autre territoire.",
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
    k: int = 5,
    actors: gpd.GeoDataFrame | None = None,
    qpv: gpd.GeoDataFrame | None = None,
    travel_times: TravelTimeProvider | None = None,
    itinerary: ItineraryProvider | None = None,
    rings: RingProvider | None = None,
    ring_minutes: Sequence[int] = (5, 10, 15, 20, 30),
    itineraries: Literal["all", "first", "none"] | Iterable[str] = "all",
) -> Radar:
    """Compute the radar of one person.

    Parameters
    ----------
    territory
        A :class:`~qpv_radar.territory.Territory` or its name.
    person
        Who, where, when, how, what for.
    k
        Structures kept per role: the ``k`` nearest within reach (``person.max_minutes``), plus
        every structure inside the person's own QPV. When none is within reach, the nearest
        one is kept anyway (flagged ``within_reach=False``) and a notice says so.
    actors, qpv
        The structures (columns of :func:`qpv_radar.actors.load_actors`) and QPV perimeters
        (:func:`qpv_radar.qpv.load_qpv`); loaded from the territory when omitted.
    travel_times
        Travel-time provider; default :func:`qpv_radar.engines.default_engines` for the
        territory (street engine for walk/bike/car, RAPTOR for transit).
    itinerary, rings
        Providers of itineraries and travel-time rings (default: the same engines). Pass
        ``rings=None`` together with ``travel_times`` to draw no rings.
    ring_minutes
        Bands of the rings, minutes.
    itineraries
        Which entries get the itinerary of their fastest mode: ``all`` (default: every entry,
        so the agent can recommend any of them with its way there; the default engines find
        every transit journey from home in one search), ``first`` (the nearest of each role
        and the path's choices), ``none``, or a collection of structure ids (in addition to
        ``first``).

    Returns
    -------
    Radar

    Raises
    ------
    PersonError
        Bad person (see :class:`Person`).
    UnreachableError
        Home outside the territory or not attachable to the network.
    ServicePeriodError
        ``person.when`` outside the GTFS feed's period, with transit among the modes.
    """
    terr = _as_territory(territory)
    if k < 1:
        raise PersonError(f"k must be at least 1, got {k}.")
    if travel_times is None or actors is None or qpv is None:
        from ..engines import default_engines

        eng = default_engines(terr)  # holds the territory's loaded data and networks
        if travel_times is None:
            travel_times = eng.travel_times
            itinerary = itinerary or eng.itinerary
            rings = rings or eng.rings
        if actors is None:
            actors = eng.actors()
        if qpv is None:
            qpv = eng.qpv()
    actors = actors.to_crs(WGS84)
    qpv = qpv.to_crs(WGS84)

    home = Point(person.lon, person.lat)
    _check_home_inside(home, actors, qpv, terr.crs, terr.name)
    home_code, home_name = _locate_home(home, qpv)
    home_qpv_geom = (
        qpv.loc[qpv["code_qp"] == home_code].geometry.iloc[0] if home_code is not None else None
    )

    roles = person.roles
    role_sets = actors["roles"].map(_roles_of)
    wanted = role_sets.map(lambda rs: any(r in roles for r in rs))
    cand = actors[wanted].copy()
    cand_roles = role_sets[wanted]

    origin = gpd.GeoDataFrame({"id": ["home"]}, geometry=[home], crs=WGS84).set_index("id")
    minutes = pd.DataFrame(index=cand.index, dtype=float)
    notices: list[Notice] = []
    modes = list(person.modes)  # those that answer; a timetable may not cover the date
    for mode in person.modes:
        if len(cand):
            try:
                tt = travel_times(origin, cand, mode, person.when)
            except ServicePeriodError as exc:
                if len(person.modes) == 1:
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
        else:
            minutes[mode] = np.array([], dtype=float)
    mins = minutes.to_numpy(dtype=float)
    all_nan = np.isnan(mins).all(axis=1) if mins.size else np.ones(len(cand), dtype=bool)
    best = np.where(all_nan, np.nan, np.nanmin(np.where(np.isnan(mins), np.inf, mins), axis=1))
    best_mode_idx = np.where(all_nan, -1, np.argmin(np.where(np.isnan(mins), np.inf, mins), axis=1))

    metric = cand.geometry.to_crs(terr.crs)
    home_m = gpd.GeoSeries([home], crs=WGS84).to_crs(terr.crs).iloc[0]
    dist = metric.distance(home_m).to_numpy()
    if len(cand) and len(qpv):
        where = locate(cand.geometry, qpv)
        cand_qpv_code, cand_qpv_name = where["code_qp"], where["nom_qp"]
    else:
        cand_qpv_code = pd.Series(None, index=cand.index, dtype=object)
        cand_qpv_name = pd.Series(None, index=cand.index, dtype=object)

    pos = {idx: i for i, idx in enumerate(cand.index)}
    entries: dict[str, tuple[Entry, ...]] = {}
    for role in roles:
        ids = [i for i in cand.index if role in cand_roles[i]]
        if not ids:
            entries[role] = ()
            notices.append(Notice("no_structure", role=role))
            continue
        order = sorted(ids, key=lambda i: (np.nan_to_num(best[pos[i]], nan=np.inf), dist[pos[i]]))
        reach = [i for i in order if best[pos[i]] <= person.max_minutes]
        keep = reach[:k]
        if home_code is not None:
            keep += [i for i in order if cand_qpv_code[i] == home_code and i not in keep]
        if not reach:
            reachable = [i for i in order if not np.isnan(best[pos[i]])]
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
                    nearest=_text(cand.at[nearest, "name"]) if nearest is not None else None,
                    nearest_minutes=float(best[pos[nearest]]) if nearest is not None else None,
                )
            )
        keep = sorted(keep, key=lambda i: (np.nan_to_num(best[pos[i]], nan=np.inf), dist[pos[i]]))
        role_entries = []
        for rank, i in enumerate(keep, start=1):
            j = pos[i]
            row = cand.loc[i]
            b = None if np.isnan(best[j]) else float(best[j])
            bm = person.modes[best_mode_idx[j]] if best_mode_idx[j] >= 0 else None
            arrival = person.when + timedelta(minutes=b) if b is not None else None
            oh = _text(row.get("opening_hours"))
            open_arr, open_within, nxt = _open_status(oh, arrival, person.end)
            pt = row.geometry
            role_entries.append(
                Entry(
                    id=str(i),
                    role=role,
                    rank=rank,
                    name=_text(row.get("name")) or str(i),
                    roles=cand_roles[i],
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
                    qpv_code=_text(cand_qpv_code[i]),
                    qpv_name=_text(cand_qpv_name[i]),
                    distance_m=float(dist[j]),
                    minutes={
                        m: (None if np.isnan(mins[j, c]) else float(mins[j, c]))
                        for c, m in enumerate(person.modes)
                    },
                    best_mode=bm,
                    best_minutes=b,
                    within_reach=b is not None and b <= person.max_minutes,
                    in_home_qpv=home_code is not None and cand_qpv_code[i] == home_code,
                    arrival=arrival,
                    open_on_arrival=open_arr,
                    open_within_hours=open_within,
                    next_opening=nxt,
                )
            )
        entries[role] = tuple(role_entries)

    path = _suggest_path(person, entries)
    if itinerary is not None and itineraries != "none":
        firsts = {s.entry_id for s in path if s.entry_id}
        firsts |= {es[0].id for es in entries.values() if es}
        if not isinstance(itineraries, str):
            firsts |= {str(i) for i in itineraries}
            itineraries = "first"
        cache: dict[tuple[str, str], tuple[Leg, ...]] = {}
        for role, es in entries.items():
            new = []
            for e in es:
                if e.best_mode is None or (itineraries == "first" and e.id not in firsts):
                    new.append(e)
                    continue
                key = (e.id, e.best_mode)
                if key not in cache:
                    cache[key] = tuple(
                        itinerary(home, Point(e.lon, e.lat), e.best_mode, person.when)
                    )
                new.append(replace(e, legs=cache[key]))
            entries[role] = tuple(new)

    ring_list: tuple[Ring, ...] = ()
    if rings is not None and ring_minutes:
        gdf = rings(home, modes[0], person.when, list(ring_minutes))
        ring_list = tuple(
            Ring(int(m), modes[0], g)
            for m, g in zip(gdf["minutes"], gdf.geometry.to_crs(WGS84), strict=True)
            if g is not None and not g.is_empty
        )

    return Radar(
        person=person,
        territory=terr.name,
        home_qpv_code=home_code,
        home_qpv_name=home_name,
        entries=entries,
        path=path,
        rings=ring_list,
        notices=tuple(notices),
        attribution=_attribution(terr, person, actors),
        data_date=_data_date(terr, person),
        qpv_note=terr.qpv_note,
        home_qpv_geometry=home_qpv_geom,
    )


def _suggest_path(person: Person, entries: Mapping[str, tuple[Entry, ...]]) -> tuple[PathStep, ...]:
    """The nearest sensible choice per step: within reach and open within the person's hours
    when possible (a relay inside the person's own QPV first), else the nearest."""
    steps: list[PathStep] = []
    needs = person.short_needs or ()
    covered: set[str] = set()
    for need in needs:
        for role in NEEDS[need]:
            steps.append(PathStep(need, role, _pick(role, entries.get(role, ()))))
            covered.add(role)
    for role in person.roles:  # roles asked directly
        if role not in covered:
            steps.append(PathStep(role, role, _pick(role, entries.get(role, ()))))
    return tuple(steps)


def _pick(role: str, es: Sequence[Entry]) -> str | None:
    if not es:
        return None

    def score(e: Entry) -> tuple[int, int, float]:
        trust = 0 if (role == "relay" and e.in_home_qpv) else 1
        usable = 0 if (e.within_reach and e.open_within_hours is not False) else 1
        return (usable, trust, e.best_minutes if e.best_minutes is not None else math.inf)

    return min(es, key=score).id


_ATTRIBUTION_BY_PUBLISHER = (
    ("OpenStreetMap", "© les contributeurs d'OpenStreetMap (ODbL)"),
    ("ANCT", "ANCT"),
    ("INSEE", "INSEE"),
    ("TaM", "TaM / Montpellier Méditerranée Métropole"),
    ("Montpellier", "Ville de Montpellier"),
    ("France Travail", "France Travail"),
    ("Pôle emploi", "France Travail"),
)


def _sources_used(terr: Territory, person: Person) -> list[str]:
    srcs = [s for s in (terr.qpv, terr.indicators, terr.streets) if s is not None]
    srcs += list(terr.actors)
    if "transit" in person.modes:
        srcs += list(terr.gtfs)
    return [s.source for s in srcs]


def _attribution(terr: Territory, person: Person, actors: gpd.GeoDataFrame) -> tuple[str, ...]:
    from ..datasets import registry

    reg = registry()
    text = " ".join(
        f"{reg[s].publisher} {reg[s].url}" for s in _sources_used(terr, person) if s in reg
    )
    if "source" in actors:
        text += " " + " ".join(str(s) for s in actors["source"].dropna().unique())
    out = ["© les contributeurs d'OpenStreetMap (ODbL)"]
    for key, label in _ATTRIBUTION_BY_PUBLISHER[1:]:
        if key.lower() in text.lower() and label not in out:
            out.append(label)
    return tuple(out)


def _data_date(terr: Territory, person: Person) -> str:
    """One short line: the vintage of each kind of data used."""
    from ..datasets import registry

    reg = registry()

    def vintages(sources: Iterable[Any]) -> list[str]:
        return [reg[s.source].vintage for s in sources if s and s.source in reg]

    parts = []
    if terr.qpv is not None:
        gen = f"QPV {terr.qpv_generation}" if terr.qpv_generation else "QPV"
        parts.append(gen)
    if terr.streets is not None:
        parts += [f"OSM {v}" for v in vintages([terr.streets])]
    years = sorted({y for v in vintages(terr.actors) for y in _years(v)})
    if years:
        span = f"{years[0]}–{years[-1]}" if years[0] != years[-1] else years[0]
        parts.append(f"structures {span}")
    if "transit" in person.modes:
        parts += [f"GTFS {v}" for v in vintages(terr.gtfs)]
    return " · ".join(parts)


def _years(v: str) -> list[str]:
    import re

    return re.findall(r"(?:19|20)\d\d", v)
