"""``Networks``: a territory's transport networks, and every routing question asked of them.

One object holds the expensive state — the street network of each mode, the timetable of each
service date (every GTFS feed of the territory merged), the walking tables public transport
reuses — loaded on first use and kept. Everything that routes goes through it: the personal
radar, the planner, the command line, the web page, each worker of a many-territory run. It is
the one dispatcher by mode: street modes (``walk``, ``bike``, ``car``) use the street engine
(:mod:`qpv_radar.routing`), ``transit`` uses RAPTOR with walking access, egress and transfers
(:mod:`qpv_radar.routing.transit`).

Nothing here is global: two ``Networks`` of the same territory share only the on-disk cache.
A ``Networks`` holds no open file or thread, so a process (a web server, a Dask worker) can
build one per territory and keep it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from .._defaults import DEFAULT_TERRITORY, LAMBERT93, MODES, STREET_MODES, WGS84
from .._errors import ModeUnavailableError, ServicePeriodError, UnreachableError
from ..networks.gtfs.days import TimetableDay
from ..networks.streets import StreetNetwork, load_street_network
from ..territory import Territory, load_territory

if TYPE_CHECKING:
    from ..networks.gtfs import GtfsFeed, Timetable
    from .transit import CrowFlyWalk, Itinerary

__all__ = ["MODES", "STREET_MODES", "Networks", "TimetableDay"]


def _point(p: Point | tuple[float, float]) -> Point:
    return p if isinstance(p, Point) else Point(float(p[0]), float(p[1]))


def _shifted(it: Itinerary, by: timedelta) -> Itinerary:
    """``it`` with every time moved by ``by`` (same clock times on another date)."""
    legs = [replace(leg, start=leg.start + by, end=leg.end + by) for leg in it.legs]
    return replace(it, departure=it.departure + by, arrival=it.arrival + by, legs=legs)


class Networks:
    """The transport networks of one territory, loaded on first use.

    Parameters
    ----------
    territory
        A :class:`~qpv_radar.territory.Territory`, a built-in territory name or a territory
        file: its ``[streets]`` (one graph per mode when declared) and every ``[[gtfs]]`` feed.
        ``None`` with explicit ``streets``/``gtfs``.
    streets
        Instead of the territory's streets: one source for every street mode (a file, a
        registry path, an osmnx graph, a GeoDataFrame of lines — see
        :func:`~qpv_radar.networks.load_street_network`) or a mapping mode → source.
    gtfs
        Instead of the territory's feeds: one GTFS zip or several (merged into one timetable
        per service date).
    crs
        Metric CRS (default: the territory's, else Lambert-93).
    max_snap_m
        Farthest a point may lie from a street to be attached to it (default
        :data:`~qpv_radar._defaults.MAX_SNAP_M`).
    strict_dates
        Refuse (:class:`~qpv_radar.ServicePeriodError`) a public-transport departure on a date
        outside every feed's period, instead of routing on a representative day of the same
        weekday (:func:`~qpv_radar.networks.gtfs.days.representative_day`, see
        :meth:`timetable_day`).

    Examples
    --------
    >>> nets = Networks("montpellier")                                  # doctest: +SKIP
    >>> nets.travel_times(homes, structures, mode="walk")                # doctest: +SKIP
    >>> nets.travel_times(homes, structures, mode="transit",
    ...                   departure=datetime(2024, 1, 16, 9), window_minutes=10)  # doctest: +SKIP
    """

    def __init__(
        self,
        territory: Territory | str | Path | None = DEFAULT_TERRITORY,
        *,
        streets: Any | Mapping[str, Any] | None = None,
        gtfs: str | Path | Sequence[str | Path] | None = None,
        crs: str | None = None,
        max_snap_m: float | None = None,
        strict_dates: bool = False,
    ) -> None:
        if territory is not None and not isinstance(territory, Territory):
            territory = load_territory(territory)
        self.territory: Territory | None = territory
        self.crs: str = crs or (territory.crs if territory else LAMBERT93)
        self.max_snap_m = max_snap_m
        self.strict_dates = strict_dates
        self._streets_in = streets
        if gtfs is None:
            self._gtfs_in: tuple[Any, ...] | None = None
        elif isinstance(gtfs, str | Path):
            self._gtfs_in = (gtfs,)
        else:
            self._gtfs_in = tuple(gtfs)
        self._streets: dict[str, StreetNetwork] = {}
        self._timetables: dict[date, Timetable] = {}

    def __repr__(self) -> str:
        loaded = ", ".join(sorted(self._streets)) or "none"
        return f"Networks({self.name!r}, modes={self.modes}, streets loaded: {loaded})"

    # ---- what it holds ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The territory's name (``"custom"`` for explicit inputs)."""
        return self.territory.name if self.territory else "custom"

    @property
    def has_streets(self) -> bool:
        """Whether street networks are declared (else walking is a straight line)."""
        if self._streets_in is not None:
            return True
        return self.territory is not None and self.territory.streets is not None

    @property
    def gtfs_paths(self) -> tuple[Path, ...]:
        """The GTFS feeds (local paths; registry feeds are fetched on first call).

        For a ``[[gtfs]]`` entry naming its dataset on the national access point
        (``pan_dataset``), the newest verified fetch of ``qpv-radar data update-gtfs`` when
        there is one (:func:`~qpv_radar.feeds_update.current_feed`), else the file named.
        """
        if self._gtfs_in is not None:
            return tuple(Path(p) for p in self._gtfs_in)
        if self.territory is None:
            return ()
        from ..feeds_update import current_feed

        name = self.territory.name
        return tuple(p for s in self.territory.gtfs for p in current_feed(name, s))

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes these networks can route."""
        if self._gtfs_in is not None:
            has_gtfs = bool(self._gtfs_in)
        else:
            has_gtfs = bool(self.territory and self.territory.gtfs)
        street = STREET_MODES if self.has_streets else ()
        return tuple(m for m in MODES if m in street or (m == "transit" and has_gtfs))

    def street_network(self, mode: str = "walk") -> StreetNetwork:
        """The street network of ``mode`` (built, or read from the cache, on first use).

        Raises
        ------
        ModeUnavailableError
            No street network is declared, or ``mode`` is not a street mode.
        """
        if mode not in STREET_MODES:
            raise ModeUnavailableError(
                "routing.unknown_mode", mode=mode, modes=", ".join(STREET_MODES)
            )
        if mode not in self._streets:
            if not self.has_streets:
                raise ModeUnavailableError("routing.no_streets", territory=self.name, mode=mode)
            src = self._streets_in
            if isinstance(src, Mapping):
                src = src.get(mode, src.get("walk"))
            self._streets[mode] = load_street_network(
                src if src is not None else self.territory,
                mode,
                crs=self.crs,
                max_snap_m=self.max_snap_m,
            )
        return self._streets[mode]

    def walking(self) -> StreetNetwork | CrowFlyWalk:
        """How public transport walks: the walking network, or a straight line × 1.3 measured
        on the ellipsoid (true anywhere) where the territory has no street network."""
        if self.has_streets:
            return self.street_network("walk")
        from .transit import CrowFlyWalk

        return CrowFlyWalk()

    def _feed(self) -> GtfsFeed:
        """Every GTFS feed of the territory, merged (parsed once, then kept in memory)."""
        from ..networks.gtfs import read_feed

        paths = self.gtfs_paths
        if not paths:
            raise ModeUnavailableError("routing.no_gtfs", territory=self.name)
        return read_feed(paths if len(paths) > 1 else paths[0])

    def timetable_day(self, day: date | datetime, *, strict: bool | None = None) -> TimetableDay:
        """Which service date answers for a departure on ``day``.

        A date inside the feeds' period is its own answer. A date outside every feed's period
        is answered by a *representative* date of the same weekday inside the feeds (the
        weekday's most common services, never a public holiday:
        :func:`~qpv_radar.networks.gtfs.days.representative_day`), with
        ``substituted=True``: routing then runs on that date at the same clock times, and
        returns times on the asked date.

        Parameters
        ----------
        strict
            Refuse a date outside the period instead (default: the ``strict_dates`` option).

        Raises
        ------
        ModeUnavailableError
            No GTFS feed.
        ServicePeriodError
            ``strict`` and ``day`` outside the period (the message names the period); or no
            trip runs on that weekday in the feeds.
        """
        from ..networks.gtfs.days import network_name, representative_day

        d = day.date() if isinstance(day, datetime) else day
        feed = self._feed()
        start, end = feed.period
        name = network_name(feed)
        if start <= d <= end:
            return TimetableDay(d, d, False, (start, end), name)
        if self.strict_dates if strict is None else strict:
            raise ServicePeriodError("gtfs.strict_dates", day=d, period=(start, end), feed=name)
        return TimetableDay(d, representative_day(feed, d), True, (start, end), name)

    def timetable(self, day: date | datetime, *, strict: bool | None = None) -> Timetable:
        """The timetable that answers for ``day``, every feed merged (built once, then kept).

        Its ``date`` is the service date used (:meth:`timetable_day`): ``day`` itself inside
        the feeds' period, else a representative date of the same weekday — route on it with
        departures shifted by :attr:`TimetableDay.shift` (the questions below do it).

        Raises
        ------
        ModeUnavailableError
            No GTFS feed.
        ServicePeriodError
            ``day`` without service, or outside every feed's period with ``strict`` (default:
            the ``strict_dates`` option).
        """
        d = self.timetable_day(day, strict=strict).used
        if d not in self._timetables:
            from ..networks.gtfs import load_timetable

            paths = self.gtfs_paths
            self._timetables[d] = load_timetable(paths if len(paths) > 1 else paths[0], d)
        return self._timetables[d]

    # ---- questions ------------------------------------------------------------------------
    def _check_mode(self, mode: str, departure: datetime | None, arrive_by: Any = None) -> None:
        if mode not in MODES:
            raise ModeUnavailableError("routing.unknown_mode", mode=mode, modes=", ".join(MODES))
        if mode == "transit" and departure is None and arrive_by is None:
            raise ModeUnavailableError("routing.departure_needed", mode=mode)

    def travel_times(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        mode: str,
        departure: datetime | None = None,
        window_minutes: int = 0,
        percentiles: tuple[int, ...] = (),
        max_time_s: float | None = None,
        reasons: bool = False,
        arrive_by: datetime | None = None,
    ) -> pd.DataFrame:
        """Travel times from every origin to every destination (leave at, or arrive by).

        Parameters
        ----------
        origins, destinations
            Points with a CRS; ids are their index.
        mode
            ``walk``, ``bike``, ``car`` or ``transit`` (walking + public transport).
        departure
            Departure (naive = local time); needed for ``transit``, ignored on the streets.
        window_minutes
            Transit: one departure per minute over this window, the median kept (0: one).
        percentiles
            Transit: add one ``pNN`` column per percentile over the window.
        max_time_s
            Longer trips are unreachable (NaN).
        reasons
            Street modes: add a ``reason`` column (a :class:`~qpv_radar._messages.Message`,
            worded by the caller) saying why a time is missing.
        arrive_by
            Instead of ``departure``: the time to arrive by (naive = local time). Each pair
            gets the *latest departure* that still arrives by then, exact to the second
            (transit: reverse RAPTOR, :mod:`qpv_radar.routing.transit.arrive`; street modes:
            ``arrive_by − street time``), searched in ``[arrive_by − window_minutes,
            arrive_by]`` (0: ``ARRIVE_BY_WINDOW_MINUTES`` of :mod:`qpv_radar._defaults`;
            ``max_time_s`` narrows it). See :mod:`qpv_radar.routing.arrive`.

        Returns
        -------
        DataFrame
            ``from_id, to_id, travel_time`` (seconds, NaN when unreachable), plus the
            requested columns. With ``arrive_by``: ``from_id, to_id, departure, arrival,
            travel_time, reason`` (``arrival`` at or before ``arrive_by``; ``travel_time`` =
            arrival − departure; NaN/NaT and a reason when no journey arrives in time), and
            ``attrs["timetable_day"]`` the :class:`TimetableDay` that answered (transit).
        """
        if arrive_by is not None:
            from .arrive import arrive_by_times, check_arrive_by

            check_arrive_by(departure, percentiles)
            self._check_mode(mode, None, arrive_by)
            return arrive_by_times(self, origins, destinations, mode=mode, arrive_by=arrive_by,
                window_minutes=window_minutes, max_time_s=max_time_s)  # fmt: skip
        self._check_mode(mode, departure)
        if mode in STREET_MODES:
            from .times import travel_times

            net = self.street_network(mode)
            return travel_times(net, origins, destinations, max_time_s=max_time_s, reasons=reasons)
        from .transit import transit_travel_times

        assert departure is not None
        day = self.timetable_day(departure)
        out = transit_travel_times(
            self.timetable(day.used),
            self.walking(),
            origins,
            destinations,
            departure=departure + day.shift,
            window_minutes=window_minutes,
            percentiles=percentiles,
            max_time_s=max_time_s,
            progress=False,
        )
        keep = ["from_id", "to_id", "travel_time", *(f"p{q}" for q in percentiles)]
        return out[keep]

    def departure_profile(
        self, origin: Any, destination: Any, *, departure: datetime, window_minutes: int = 0
    ) -> pd.DataFrame:
        """Transit: the travel time of each departure (one per minute) of a window.

        See :func:`qpv_radar.routing.transit.departure_profile`; departures are on the asked
        date even when another date's timetable answered (:meth:`timetable_day`).
        """
        from .transit import departure_profile

        day = self.timetable_day(departure)
        out = departure_profile(
            self.timetable(day.used),
            self.walking(),
            origin,
            destination,
            departure=departure + day.shift,
            window_minutes=window_minutes,
        )
        if day.substituted:
            out["departure"] = [t - day.shift for t in out["departure"]]
        return out

    def itineraries(
        self,
        origin: Point,
        destinations: gpd.GeoDataFrame,
        *,
        mode: str,
        departure: datetime | None = None,
        arrive_by: datetime | None = None,
    ) -> dict[Any, Itinerary | None]:
        """The fastest journey from ``origin`` to each destination (one search for transit).

        With ``arrive_by`` instead of ``departure``: the journey of the latest departure that
        arrives by then (:func:`~qpv_radar.routing.arrive.arrive_by_itineraries`).

        Returns
        -------
        dict
            Destination id → :class:`~qpv_radar.routing.transit.Itinerary` (its legs carry the
            path as lon/lat pairs), or ``None`` when unreachable. Times are on the date of
            ``departure``, also when another date's timetable answered (:meth:`timetable_day`).
        """
        if arrive_by is not None:
            from .arrive import arrive_by_itineraries, check_arrive_by

            check_arrive_by(departure, ())
            self._check_mode(mode, None, arrive_by)
            return dict(arrive_by_itineraries(self, origin, destinations, mode=mode,
                                              arrive_by=arrive_by))  # fmt: skip
        self._check_mode(mode, departure)
        if mode in STREET_MODES:
            pts = destinations.geometry.to_crs(WGS84)
            return {
                i: self._street_itinerary(origin, p, mode, departure)
                for i, p in zip(destinations.index, pts, strict=True)
            }
        from .transit import transit_itineraries

        assert departure is not None
        day = self.timetable_day(departure)
        tt = self.timetable(day.used)
        found = transit_itineraries(tt, self.walking(), origin, destinations, departure + day.shift)
        if not day.substituted:
            return found
        return {k: _shifted(it, -day.shift) if it is not None else None for k, it in found.items()}

    def itinerary(
        self,
        origin: Point | tuple[float, float],
        destination: Point | tuple[float, float],
        *,
        mode: str,
        departure: datetime | None = None,
        arrive_by: datetime | None = None,
    ) -> Itinerary:
        """The fastest journey from ``origin`` to ``destination`` (WGS84 points or lon/lat).

        With ``arrive_by``: the journey of the latest departure that arrives by then.

        Raises
        ------
        UnreachableError
            No way there.
        """
        dest = gpd.GeoDataFrame({"id": ["d"]}, geometry=[_point(destination)], crs=WGS84).set_index(
            "id"
        )
        found = self.itineraries(
            _point(origin), dest, mode=mode, departure=departure, arrive_by=arrive_by
        )["d"]
        if found is None:
            if arrive_by is not None:
                raise UnreachableError("arrive_by.none", arrive=arrive_by.strftime("%H:%M"))
            raise UnreachableError("radar.unreachable_structure")
        return found

    def _street_itinerary(
        self, origin: Point, destination: Point, mode: str, departure: datetime | None
    ) -> Itinerary | None:
        from .routes import route
        from .transit import Itinerary, Leg

        try:
            res = route(self.street_network(mode), origin, destination)
        except UnreachableError:
            return None
        start = departure or datetime.now().replace(second=0, microsecond=0)
        end = start + timedelta(seconds=float(res.travel_time_s))
        coords = tuple((float(x), float(y)) for x, y in res.geometry.coords)
        secs = float(res.travel_time_s)
        leg = Leg(mode, start, end, "", "", secs, coords=coords, distance_m=float(res.length_m))
        return Itinerary(start, end, secs, [leg])

    def isochrones(
        self,
        origin: Any,
        *,
        mode: str,
        minutes: Sequence[float],
        departure: datetime | None = None,
        outline: bool = False,
        buffer_m: float = 40.0,
    ) -> gpd.GeoDataFrame:
        """Areas reachable from ``origin`` within each band of ``minutes``.

        Parameters
        ----------
        origin
            A point (shapely, WGS84). Exact street isochrones also take several points (a
            GeoSeries/GeoDataFrame): their areas are merged.
        buffer_m
            Exact street isochrones: half-width of the strip kept along reachable streets.
        outline
            Street modes: the quick outline of the reached street nodes
            (:func:`~qpv_radar.routing.outlines.street_outlines`, for maps) instead of the
            exact street buffers (:func:`~qpv_radar.routing.isochrones`). Transit bands are
            always outlines: discs of the walk left around reached street nodes.

        Returns
        -------
        GeoDataFrame
            ``minutes`` and geometry (EPSG:4326), one row per band.
        """
        self._check_mode(mode, departure)
        from . import outlines

        if mode in STREET_MODES:
            net = self.street_network(mode)
            if outline:
                return outlines.street_outlines(net, origin, [int(m) for m in minutes])
            from .isochrone import isochrones

            return isochrones(net, origin, minutes=list(minutes), buffer_m=buffer_m)
        sample = outlines.node_sample(self.street_network("walk"), spacing_m=150.0, crs=self.crs)
        home = gpd.GeoDataFrame({"id": ["home"]}, geometry=[origin], crs=WGS84).set_index("id")
        tt = self.travel_times(home, sample, mode=mode, departure=departure)
        secs = tt.set_index("to_id")["travel_time"].reindex(sample.index).to_numpy(dtype=float)
        bands = [int(m) for m in minutes]
        return outlines.time_outlines(sample, np.asarray(secs), bands, crs=self.crs)
