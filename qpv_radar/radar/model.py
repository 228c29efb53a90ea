"""The radar's result as plain data: :class:`Radar` and its :class:`Entry`, :class:`Leg`,
:class:`PathStep`, :class:`Ring`, :class:`Notice`; JSON and GeoJSON; what it asks of the
networks (:class:`RadarNetworks`); and the privacy helpers (:func:`blur_lonlat`,
:func:`private_route`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, Protocol

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from .._defaults import ROLES, WGS84
from .._errors import PersonError, RadarFileError
from .person import Person

__all__ = [
    "Entry",
    "Leg",
    "Notice",
    "PathStep",
    "Radar",
    "RadarNetworks",
    "Ring",
    "blur_lonlat",
    "private_route",
]


class RadarNetworks(Protocol):
    """What :func:`~qpv_radar.radar.compute_radar` asks of the networks: the methods of
    :class:`qpv_radar.Networks` it uses. Any object with them plugs in (another router, a
    test's straight lines)."""

    def travel_times(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        mode: str,
        departure: datetime | None = None,
        window_minutes: int = 0,
    ) -> pd.DataFrame:
        """Long table ``from_id, to_id, travel_time`` (seconds, NaN when unreachable)."""
        ...

    def itineraries(
        self,
        origin: Point,
        destinations: gpd.GeoDataFrame,
        *,
        mode: str,
        departure: datetime | None = None,
    ) -> Mapping[Any, Any]:
        """Destination id → itinerary (``legs`` as :class:`~qpv_radar.routing.transit.Leg`)
        or ``None``."""
        ...

    def itinerary(
        self, origin: Point, destination: Point, *, mode: str, departure: datetime | None = None
    ) -> Any:
        """One itinerary (raises :class:`~qpv_radar.UnreachableError` when there is none)."""
        ...

    def isochrones(
        self,
        origin: Point,
        *,
        mode: str,
        minutes: Sequence[int],
        departure: datetime | None = None,
        outline: bool = False,
    ) -> gpd.GeoDataFrame:
        """``minutes`` and geometry (EPSG:4326), one row per band."""
        ...


@dataclass(frozen=True)
class Leg:
    """One leg of an itinerary.

    ``mode`` is ``walk``, ``bike``, ``car`` or a transit vehicle (``tram``, ``bus``, …);
    ``line``/``color`` name the transit line; ``coords`` is the path as (lon, lat) pairs.
    """

    mode: str
    minutes: float
    line: str | None = None
    color: str | None = None
    board: str | None = None
    alight: str | None = None
    departure: datetime | None = None
    arrival: datetime | None = None
    distance_m: float | None = None
    coords: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "mode": self.mode,
            "minutes": self.minutes,
            "line": self.line,
            "color": self.color,
            "board": self.board,
            "alight": self.alight,
            "departure": self.departure.isoformat() if self.departure else None,
            "arrival": self.arrival.isoformat() if self.arrival else None,
            "distance_m": self.distance_m,
            "coords": [list(c) for c in self.coords],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Leg:
        """Inverse of :meth:`to_dict`."""
        return cls(
            mode=d["mode"],
            minutes=float(d["minutes"]),
            line=d.get("line"),
            color=d.get("color"),
            board=d.get("board"),
            alight=d.get("alight"),
            departure=_dt(d.get("departure")),
            arrival=_dt(d.get("arrival")),
            distance_m=d.get("distance_m"),
            coords=tuple((float(x), float(y)) for x, y in d.get("coords", [])),
        )


@dataclass(frozen=True)
class Entry:
    """One structure on the radar, for one role.

    Attributes
    ----------
    minutes
        Travel time by mode (``None`` when unreachable by that mode).
    best_mode, best_minutes
        The fastest of the person's modes.
    within_reach
        ``best_minutes <= person.max_minutes``.
    open_on_arrival
        Open when the person arrives (leaving at ``person.when`` by the fastest mode); ``None``
        when its hours are unknown.
    open_within_hours
        Open at some moment between arrival and the end of the person's hours.
    next_opening
        When not open on arrival: the next opening after arrival (may be another day).
    in_home_qpv
        Inside the person's own QPV.
    """

    id: str
    role: str
    rank: int
    name: str
    roles: tuple[str, ...]
    kind: str | None
    address: str | None
    commune: str | None
    phone: str | None
    email: str | None
    website: str | None
    opening_hours: str | None
    mobile: bool
    source: str | None
    lon: float
    lat: float
    qpv_code: str | None
    qpv_name: str | None
    distance_m: float
    minutes: dict[str, float | None]
    best_mode: str | None
    best_minutes: float | None
    within_reach: bool
    in_home_qpv: bool
    arrival: datetime | None
    open_on_arrival: bool | None
    open_within_hours: bool | None
    next_opening: datetime | None
    legs: tuple[Leg, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["roles"] = list(self.roles)
        d["arrival"] = self.arrival.isoformat() if self.arrival else None
        d["next_opening"] = self.next_opening.isoformat() if self.next_opening else None
        d["legs"] = [leg.to_dict() for leg in self.legs]
        d["minutes"] = dict(self.minutes)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Entry:
        """Inverse of :meth:`to_dict`."""
        kw = dict(d)
        kw["roles"] = tuple(d["roles"])
        kw["arrival"] = _dt(d.get("arrival"))
        kw["next_opening"] = _dt(d.get("next_opening"))
        kw["legs"] = tuple(Leg.from_dict(x) for x in d.get("legs", []))
        kw["minutes"] = {k: (None if v is None else float(v)) for k, v in d["minutes"].items()}
        return cls(**kw)


@dataclass(frozen=True)
class PathStep:
    """One step of a suggested path: the structure chosen for a role (``None`` if none)."""

    need: str
    role: str
    entry_id: str | None
    chosen_by: Literal["radar", "agent"] = "radar"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "need": self.need,
            "role": self.role,
            "entry_id": self.entry_id,
            "chosen_by": self.chosen_by,
        }


@dataclass(frozen=True)
class Ring:
    """A travel-time band around home for one mode: reachable within ``minutes``."""

    minutes: int
    mode: str
    geometry: BaseGeometry

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (geometry as GeoJSON)."""
        return {"minutes": self.minutes, "mode": self.mode, "geometry": mapping(self.geometry)}


@dataclass(frozen=True)
class Notice:
    """Something the agent must know, as data; :mod:`qpv_radar.render.labels` words it.

    ``code`` is one of ``nothing_within`` (no structure of ``role`` within ``minutes`` by the
    person's modes at ``when``; ``nearest``/``nearest_minutes`` name the nearest one, if any),
    ``no_structure`` (the territory has none for ``role``), ``mode_unavailable`` (a mode whose
    engine is missing: ``mode``), ``no_timetable`` (no timetable of ``mode`` covers the date of
    ``when``: the radar is made with the other modes; ``detail`` gives the period the
    timetable covers, as an ISO interval ``2023-12-18/2024-02-25``).
    """

    code: str
    role: str | None = None
    mode: str | None = None
    minutes: float | None = None
    when: datetime | None = None
    nearest: str | None = None
    nearest_minutes: float | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["when"] = self.when.isoformat() if self.when else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Notice:
        """Inverse of :meth:`to_dict`."""
        kw = dict(d)
        kw["when"] = _dt(d.get("when"))
        return cls(**kw)


@dataclass(frozen=True)
class Radar:
    """The result of :func:`compute_radar`: plain data, serialisable, reloadable.

    Attributes
    ----------
    person
        Who it was computed for (exact home: keep the JSON private).
    territory
        Territory name.
    home_qpv_code, home_qpv_name
        The person's own QPV (``None`` outside every QPV).
    entries
        Role → entries ranked by travel time.
    path
        Suggested path steps (relay → entry door → support/financing, relay → employment, …).
    rings
        Travel-time bands around home for the main mode.
    notices
        Things the agent must know (nothing within reach, …).
    attribution
        Data credits to print with any output.
    data_date
        Vintages of the data used, one short line.
    qpv_note
        Caveat about the QPV perimeters (generation).
    home_qpv_geometry
        Perimeter of the person's own QPV (EPSG:4326), drawn on the map.
    """

    person: Person
    territory: str
    home_qpv_code: str | None
    home_qpv_name: str | None
    entries: dict[str, tuple[Entry, ...]]
    path: tuple[PathStep, ...]
    rings: tuple[Ring, ...] = ()
    notices: tuple[Notice, ...] = ()
    attribution: tuple[str, ...] = ()
    data_date: str = ""
    qpv_note: str = ""
    home_qpv_geometry: BaseGeometry | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    # ---- access --------------------------------------------------------------------------
    @property
    def roles(self) -> tuple[str, ...]:
        """Roles on this radar, in path order."""
        return tuple(r for r in ROLES if r in self.entries)

    @property
    def main_mode(self) -> str:
        """The mode whose rings are drawn (the person's first mode)."""
        return self.person.modes[0]

    def entry(self, entry_id: str, role: str | None = None) -> Entry:
        """Return the entry with ``entry_id`` (for ``role`` when given).

        Raises
        ------
        PersonError
            No such entry (the message lists the valid ids).
        """
        for r, entries in self.entries.items():
            if role is not None and r != role:
                continue
            for e in entries:
                if e.id == entry_id:
                    return e
        valid = sorted({e.id for r, es in self.entries.items() for e in es if role in (None, r)})
        raise PersonError(
            f"structure {entry_id!r} is not on this radar{f' for role {role!r}' if role else ''}. "
            f"Valid ids: {', '.join(valid) or '(none)'}.",
            fr=f"la structure {entry_id!r} n'est pas sur ce radar"
            f"{f' pour le rôle {role!r}' if role else ''}. "
            f"Identifiants possibles : {', '.join(valid) or '(aucun)'}.",
        )

    def first_choice(self, role: str) -> Entry | None:
        """The structure the path uses for ``role`` (or the nearest one)."""
        for step in self.path:
            if step.role == role and step.entry_id is not None:
                return self.entry(step.entry_id, role)
        entries = self.entries.get(role, ())
        return entries[0] if entries else None

    def choose(self, role: str, entry_id: str) -> Radar:
        """Return a copy where the agent chose ``entry_id`` for ``role`` in the path.

        Raises
        ------
        PersonError
            ``entry_id`` is not on the radar for ``role``, or ``role`` is not on the path.
        """
        self.entry(entry_id, role)
        if not any(s.role == role for s in self.path):
            raise PersonError(
                f"role {role!r} is not on the suggested path "
                f"({', '.join(s.role for s in self.path)}).",
                fr=f"le rôle {role!r} n'est pas sur le parcours suggéré "
                f"({', '.join(s.role for s in self.path)}).",
            )
        path = tuple(
            replace(s, entry_id=entry_id, chosen_by="agent") if s.role == role else s
            for s in self.path
        )
        return replace(self, path=path)

    def to_frame(self) -> gpd.GeoDataFrame:
        """All entries as one GeoDataFrame (EPSG:4326), one row per (role, structure)."""
        rows = [e.to_dict() for es in self.entries.values() for e in es]
        for r in rows:
            for mode, minutes in r.pop("minutes").items():
                r[f"minutes_{mode}"] = minutes
            r.pop("legs")
        df = pd.DataFrame(rows)
        geom = gpd.points_from_xy(df["lon"], df["lat"]) if len(df) else []
        return gpd.GeoDataFrame(df, geometry=geom, crs=WGS84)

    # ---- serialisation --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (exact home included)."""
        return {
            "type": "qpv_radar.Radar",
            "version": 1,
            "person": self.person.to_dict(),
            "territory": self.territory,
            "home_qpv_code": self.home_qpv_code,
            "home_qpv_name": self.home_qpv_name,
            "entries": {r: [e.to_dict() for e in es] for r, es in self.entries.items()},
            "path": [s.to_dict() for s in self.path],
            "rings": [g.to_dict() for g in self.rings],
            "notices": [n.to_dict() for n in self.notices],
            "attribution": list(self.attribution),
            "data_date": self.data_date,
            "qpv_note": self.qpv_note,
            "home_qpv_geometry": (
                mapping(self.home_qpv_geometry) if self.home_qpv_geometry is not None else None
            ),
            "extra": self.extra,
        }

    def to_json(self, path: Any = None, *, indent: int | None = 1) -> str:
        """Serialise to JSON (also written to ``path`` when given); see :meth:`from_json`."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)
        if path is not None:
            from pathlib import Path

            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Radar:
        """Inverse of :meth:`to_dict`."""
        if d.get("type") != "qpv_radar.Radar":
            raise RadarFileError("not a qpv_radar radar JSON (missing type 'qpv_radar.Radar').")
        return cls(
            person=Person.from_dict(d["person"]),
            territory=d["territory"],
            home_qpv_code=d.get("home_qpv_code"),
            home_qpv_name=d.get("home_qpv_name"),
            entries={r: tuple(Entry.from_dict(e) for e in es) for r, es in d["entries"].items()},
            path=tuple(PathStep(**s) for s in d["path"]),
            rings=tuple(
                Ring(int(g["minutes"]), g["mode"], shape(g["geometry"])) for g in d["rings"]
            ),
            notices=tuple(Notice.from_dict(n) for n in d.get("notices", [])),
            attribution=tuple(d.get("attribution", ())),
            data_date=d.get("data_date", ""),
            qpv_note=d.get("qpv_note", ""),
            home_qpv_geometry=shape(d["home_qpv_geometry"]) if d.get("home_qpv_geometry") else None,
            extra=dict(d.get("extra", {})),
        )

    @classmethod
    def from_json(cls, text_or_path: Any) -> Radar:
        """Reload a radar written by :meth:`to_json` (a JSON string or a file path)."""
        from pathlib import Path

        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise RadarFileError(f"not valid radar JSON: {exc}.") from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, PersonError | RadarFileError):
                raise
            raise RadarFileError(
                f"not a radar written by qpv_radar ({type(exc).__name__}: {exc}). Write it again "
                "with `qpv-radar radar … --json FILE` or Radar.to_json()."
            ) from exc

    def to_geojson(self, *, exact_home: bool = False) -> dict[str, Any]:
        """GeoJSON FeatureCollection: home (blurred to ~100 m unless ``exact_home``), entries,
        the first choice's itinerary of each role, and the rings."""
        lon, lat = (
            (self.person.lon, self.person.lat)
            if exact_home
            else blur_lonlat(self.person.lon, self.person.lat)
        )
        feats: list[dict[str, Any]] = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"kind": "home", "exact": exact_home, "qpv": self.home_qpv_name},
            }
        ]
        for es in self.entries.values():
            for e in es:
                props = e.to_dict()
                props.pop("legs")
                props["kind"] = "structure"
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [e.lon, e.lat]},
                        "properties": props,
                    }
                )
        for role in self.roles:
            first = self.first_choice(role)
            if first is None:
                continue
            coords = [c for leg in first.legs for c in leg.coords]
            if not exact_home and coords:
                coords = private_route(coords, (self.person.lon, self.person.lat))
            if len(coords) >= 2:
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": coords},
                        "properties": {"kind": "route", "role": role, "to": first.id},
                    }
                )
        for g in self.rings:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": mapping(g.geometry),
                    "properties": {"kind": "ring", "minutes": g.minutes, "mode": g.mode},
                }
            )
        return {"type": "FeatureCollection", "features": feats}


def _dt(v: Any) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def private_route(
    coords: Sequence[tuple[float, float]],
    home: tuple[float, float],
    *,
    metres: float = 150.0,
) -> list[tuple[float, float]]:
    """A route that does not lead to the door: its points within ``metres`` of ``home`` are
    dropped and it starts from the blurred home (:func:`blur_lonlat`) instead."""
    lon0, lat0 = home
    kx = 111_320.0 * math.cos(math.radians(lat0))
    far = [
        (x, y) for x, y in coords if math.hypot((x - lon0) * kx, (y - lat0) * 110_540.0) > metres
    ]
    return [blur_lonlat(lon0, lat0), *far]


def blur_lonlat(lon: float, lat: float, metres: float = 100.0) -> tuple[float, float]:
    """Snap a point to the centre of its cell on a ``metres`` grid (Lambert-93).

    Deterministic (the same home always gives the same point) and at most ``metres·√2/2``
    away: the map shows the neighbourhood, not the door.
    """
    from pyproj import Transformer

    fwd = Transformer.from_crs(WGS84, "EPSG:2154", always_xy=True)
    inv = Transformer.from_crs("EPSG:2154", WGS84, always_xy=True)
    x, y = fwd.transform(lon, lat)
    x = (math.floor(x / metres) + 0.5) * metres
    y = (math.floor(y / metres) + 0.5) * metres
    blon, blat = inv.transform(x, y)
    return float(blon), float(blat)
