"""Plug the routing engines into the radar as providers.

:class:`RadarEngines` holds the expensive state a radar needs (the territory's structures and
QPV perimeters, one street network per street mode, one transit timetable per service date,
each loaded on first use and kept) and exposes the three
provider functions :func:`qpv_radar.radar.compute_radar` takes:

- ``travel_times(origins, destinations, mode, departure)`` → ``from_id, to_id, travel_time``;
- ``itinerary(origin, destination, mode, departure)`` → legs of the fastest way;
- ``rings(origin, mode, departure, minutes)`` → travel-time bands as polygons.

Street modes (walk, bike, car) use :mod:`qpv_radar.routing` (the street engine); transit uses
the RAPTOR engine with walking access and egress. A mode whose engine is not installed raises
:class:`~qpv_radar.EngineUnavailableError` with what to do.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from ._errors import EngineUnavailableError, QpvRadarError, UnreachableError
from .actors import load_actors
from .networks.streets import StreetNetwork, load_street_network
from .qpv import load_qpv
from .radar import STREET_MODES, WGS84, Leg
from .territory import Territory, load_territory

__all__ = ["RadarEngines", "default_engines", "rings_from_times"]

_ENGINES: dict[str, RadarEngines] = {}


def default_engines(territory: Territory | str) -> RadarEngines:
    """The engines of ``territory``, shared by every radar of this process (networks cached)."""
    terr = territory if isinstance(territory, Territory) else load_territory(territory)
    key = str(terr.path or terr.name)
    if key not in _ENGINES:
        _ENGINES[key] = RadarEngines(terr)
    return _ENGINES[key]


def _module(name: str, mode: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        what = "public-transport (RAPTOR)" if mode == "transit" else "street"
        raise EngineUnavailableError(
            f"mode {mode!r} needs the {what} engine ({name}), which is not available in this "
            f"installation ({exc}). Use other modes (e.g. --modes "
            f"{'walk,bike,car' if mode == 'transit' else 'transit'}) or update qpv_radar."
        ) from exc


class RadarEngines:
    """Street networks and timetables of one territory, loaded on first use.

    Parameters
    ----------
    territory
        Whose networks to load.
    window_minutes
        Transit times are the median over departures every minute of this window (default 10:
        a radar should not depend on just missing a tram); 0 for one departure.
    """

    def __init__(self, territory: Territory, *, window_minutes: int = 10) -> None:
        self.territory = territory
        self.window_minutes = window_minutes
        self._streets: dict[str, StreetNetwork] = {}
        self._actors: gpd.GeoDataFrame | None = None
        self._qpv: gpd.GeoDataFrame | None = None
        self._timetables: dict[date, Any] = {}
        # transit journeys from the last (origin, departure) to every structure: one search
        self._journeys: tuple[Any, dict[tuple[float, float], Any]] | None = None

    # ---- state ---------------------------------------------------------------------------
    def actors(self) -> gpd.GeoDataFrame:
        """The territory's structures (:func:`~qpv_radar.actors.load_actors`), loaded once."""
        if self._actors is None:
            self._actors = load_actors(self.territory, progress=False)  # callers show status
        return self._actors

    def qpv(self) -> gpd.GeoDataFrame:
        """The territory's QPV perimeters (:func:`~qpv_radar.qpv.load_qpv`), loaded once."""
        if self._qpv is None:
            self._qpv = load_qpv(self.territory)
        return self._qpv

    def street_network(self, mode: str) -> StreetNetwork:
        """The street network for ``mode`` (walk, bike, car), built or read from the cache."""
        if mode not in self._streets:
            self._streets[mode] = load_street_network(self.territory, mode=mode)
        return self._streets[mode]

    def timetable(self, day: date) -> Any:
        """The transit timetable of ``day`` (raises ServicePeriodError outside the feed)."""
        if day not in self._timetables:
            gtfs = _module("qpv_radar.networks.gtfs", "transit")
            _module("qpv_radar.routing.transit", "transit")
            if not self.territory.gtfs:
                raise EngineUnavailableError(
                    f"territory {self.territory.name!r} declares no GTFS feed: transit is not "
                    "available there. Add a [[gtfs]] source to the territory file or drop transit."
                )
            path = self.territory.gtfs[0].resolve()
            self._timetables[day] = gtfs.load_timetable(path, day)
        return self._timetables[day]

    # ---- providers -----------------------------------------------------------------------
    def travel_times(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        mode: str,
        departure: datetime,
    ) -> pd.DataFrame:
        """Long table ``from_id, to_id, travel_time`` (seconds, NaN unreachable)."""
        if mode in STREET_MODES:
            from .routing import travel_times

            return travel_times(self.street_network(mode), origins, destinations)
        if mode == "transit":
            transit = _module("qpv_radar.routing.transit", mode)
            out = transit.transit_travel_times(
                self.timetable(departure.date()),
                self.street_network("walk"),
                origins,
                destinations,
                departure=departure,
                window_minutes=self.window_minutes,
                percentiles=(),
                progress=False,
            )
            return out[["from_id", "to_id", "travel_time"]]
        raise EngineUnavailableError(f"unknown mode {mode!r}.")

    def itinerary(
        self, origin: Point, destination: Point, mode: str, departure: datetime
    ) -> tuple[Leg, ...]:
        """Legs of the fastest way from ``origin`` to ``destination``."""
        if mode in STREET_MODES:
            from .routing import route

            res = route(self.street_network(mode), origin, destination)
            coords = tuple((float(x), float(y)) for x, y in res.geometry.coords)
            return (
                Leg(
                    mode=mode,
                    minutes=res.travel_time_s / 60.0,
                    distance_m=float(res.length_m),
                    coords=coords,
                ),
            )
        transit = _module("qpv_radar.routing.transit", mode)
        timetable = self.timetable(departure.date())
        key = (origin.x, origin.y, departure)
        if self._journeys is None or self._journeys[0] != key:
            # a radar asks for the journeys to many structures from one home at one hour:
            # one RAPTOR search gives them all (transit_itineraries)
            actors = self.actors()
            found = transit.transit_itineraries(
                timetable, self.street_network("walk"), origin, actors, departure
            )
            by_xy = {
                (float(g.x), float(g.y)): found[i]
                for i, g in zip(actors.index, actors.geometry, strict=True)
            }
            self._journeys = (key, by_xy)
        trip = self._journeys[1].get((destination.x, destination.y), False)
        if trip is False:  # not a structure of the territory: a search of its own
            trip = transit.transit_itinerary(
                timetable, self.street_network("walk"), origin, destination, departure
            )
        elif trip is None:
            raise UnreachableError(
                "the structure cannot be reached from home, by public transport or on foot.",
                fr="la structure est injoignable depuis le domicile, en transports en commun "
                "comme à pied.",
            )
        return self._draw_transit(trip.legs)

    def _draw_transit(self, legs: Sequence[Any]) -> tuple[Leg, ...]:
        """Radar legs of a transit itinerary, drawn for the map: rides through every stop they
        pass (straight between stops: the feed's shapes are not read), walks along the
        streets between their two ends."""
        from .routing import route

        out: list[Leg] = []
        for x in legs:
            leg = _leg_from_transit(x)
            if x.mode == "walk" and len(x.coords) == 2:
                try:
                    res = route(self.street_network("walk"), Point(x.coords[0]), Point(x.coords[1]))
                    coords = tuple((float(a), float(b)) for a, b in res.geometry.coords)
                    leg = replace(leg, coords=coords, distance_m=float(res.length_m))
                except (QpvRadarError, ValueError):  # a walk it cannot route: a straight line
                    pass
            out.append(leg)
        return tuple(out)

    def rings(
        self, origin: Point, mode: str, departure: datetime, minutes: Sequence[int]
    ) -> gpd.GeoDataFrame:
        """Travel-time bands around ``origin`` (``minutes`` column, EPSG:4326)."""
        if mode in STREET_MODES:
            return _street_rings(self.street_network(mode), origin, minutes)
        # Transit: times to a sample of street nodes, then bands around the reached ones.
        net = self.street_network("walk")
        sample = _node_sample(net, spacing_m=150.0, crs=self.territory.crs)
        origins = gpd.GeoDataFrame({"id": ["home"]}, geometry=[origin], crs=WGS84).set_index("id")
        tt = self.travel_times(origins, sample, "transit", departure)
        secs = tt.set_index("to_id")["travel_time"].reindex(sample.index).to_numpy(dtype=float)
        return rings_from_times(sample, secs, minutes, crs=self.territory.crs)


def _street_rings(
    net: StreetNetwork, origin: Point, minutes: Sequence[int], *, ratio: float = 0.25
) -> gpd.GeoDataFrame:
    """Travel-time bands for the map: the concave hull of the street nodes reached within
    each band, widened by 80 m (one Dijkstra, a few milliseconds per band).

    :func:`qpv_radar.routing.isochrones` (the exact street buffers) is used when the street
    engine's node-time search is not available.
    """
    try:
        from .routing._search import node_times
        from .routing.snapping import snap
    except ImportError:  # pragma: no cover - depends on the street engine's internals
        from .routing import isochrones

        iso = isochrones(net, origin, minutes=list(minutes))
        return iso[["minutes", "geometry"]].to_crs(WGS84)
    orig = snap(net, origin, label="home")
    if not orig.ok.any():
        fr = snap(net, origin, label="home", lang="fr").reason[0]
        raise UnreachableError(f"home {orig.reason[0]}.", fr=f"domicile : {fr}.")
    secs = node_times(net, orig, float(max(minutes)) * 60.0)
    xy = np.c_[net.node_x, net.node_y]
    geoms = []
    for band in minutes:
        ok = np.isfinite(secs) & (secs <= band * 60.0)
        if ok.sum() < 3:
            geoms.append(shapely.Point(xy[ok][0]).buffer(50.0) if ok.any() else shapely.Polygon())
            continue
        hull = shapely.concave_hull(shapely.multipoints(xy[ok]), ratio=ratio)
        geoms.append(shapely.simplify(hull.buffer(80.0, quad_segs=4), 10.0))
    return gpd.GeoDataFrame(
        {"minutes": list(minutes)}, geometry=gpd.GeoSeries(geoms, crs=net.crs)
    ).to_crs(WGS84)


#: GTFS ``route_type`` → vehicle word used in itineraries ("tram 1 → Corum").
ROUTE_TYPES = {
    "0": "tram",
    "1": "métro",
    "2": "train",
    "3": "bus",
    "4": "ferry",
    "5": "tram",
    "6": "télécabine",
    "7": "funiculaire",
    "11": "trolleybus",
    "12": "monorail",
}


def _naive(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=None)


def _leg_from_transit(x: Any) -> Leg:
    """One leg of :func:`qpv_radar.routing.transit.transit_itinerary` as a radar :class:`Leg`."""
    ride = x.mode == "ride"
    color = str(x.route_color or "").strip().lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
        color = ""
    return Leg(
        mode=ROUTE_TYPES.get(str(x.route_type), "bus") if ride else "walk",
        minutes=float(x.duration_s) / 60.0,
        line=str(x.route_short_name) if ride and x.route_short_name else None,
        color=f"#{color}" if ride and color else None,
        board=str(x.from_name) if ride else None,
        alight=str(x.to_name) if ride else None,
        departure=_naive(x.start),
        arrival=_naive(x.end),
        coords=tuple((float(a), float(b)) for a, b in x.coords),
    )


def _node_sample(net: StreetNetwork, *, spacing_m: float, crs: str) -> gpd.GeoDataFrame:
    """One street node per ``spacing_m`` grid cell (the nodes' lon/lat from the network)."""
    lon = np.asarray(net.node_lon, dtype=float)
    lat = np.asarray(net.node_lat, dtype=float)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84)
    m = pts.to_crs(crs)
    cell = np.floor(np.c_[m.x.to_numpy(), m.y.to_numpy()] / spacing_m).astype(np.int64)
    _, first = np.unique(cell, axis=0, return_index=True)
    first = np.sort(first)
    return gpd.GeoDataFrame(
        {"id": [f"n{i}" for i in first]}, geometry=pts.iloc[first].values, crs=WGS84
    ).set_index("id")


def rings_from_times(
    points: gpd.GeoDataFrame,
    seconds: np.ndarray,
    minutes: Sequence[int],
    *,
    crs: str,
    walk_speed_m_s: float = 1.25,
    max_radius_m: float = 250.0,
) -> gpd.GeoDataFrame:
    """Travel-time bands from times to sample points.

    For each band of ``T`` minutes, every point reached at ``t <= T`` contributes a disc of
    radius ``min((T - t)·walk speed, max_radius_m)`` (what is left of the time, walked); the
    band is their union, in EPSG:4326.

    Parameters
    ----------
    points
        Sample points (any CRS).
    seconds
        Travel time to each point, seconds (NaN unreachable).
    minutes
        Band limits.
    crs
        Metric CRS for the buffers.
    """
    m = points.geometry.to_crs(crs)
    xy = shapely.get_coordinates(m.values)
    t = np.asarray(seconds, dtype=float)
    geoms = []
    for band in minutes:
        limit = band * 60.0
        ok = np.isfinite(t) & (t <= limit)
        r = np.minimum((limit - t[ok]) * walk_speed_m_s, max_radius_m)
        r = np.maximum(r, 30.0)
        discs = shapely.buffer(shapely.points(xy[ok]), r, quad_segs=4)
        g = shapely.union_all(discs) if len(discs) else shapely.Polygon()
        geoms.append(shapely.simplify(g, 15.0))
    return gpd.GeoDataFrame(
        {"minutes": list(minutes)}, geometry=gpd.GeoSeries(geoms, crs=crs)
    ).to_crs(WGS84)
