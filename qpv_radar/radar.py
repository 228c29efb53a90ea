"""The personal radar: the support structures around one person, ranked by travel time.

A local development agent sits with a resident and describes them as a :class:`Person` (home,
modes, hours, needs, how far they accept to go). :func:`compute_radar` returns a :class:`Radar`:
for each role the person needs, the structures nearest *in minutes* for the person's own modes
at the person's own hours (the ``k`` nearest plus every structure inside the person's own QPV),
whether each is open on arrival, the fastest itinerary, and a suggested path (relay → entry door
→ support/financing for a business, relay → employment for a job) that the agent can change.

Travel times come from *providers*, plain functions of type :data:`TravelTimeProvider`::

    (origins_gdf, destinations_gdf, mode, departure) -> DataFrame[from_id, to_id, travel_time]

(seconds, NaN when unreachable), so the street and transit engines plug in through
:mod:`qpv_radar.engines`, and tests or other routers can give their own. The radar never writes
HTML or PDF: :mod:`qpv_radar.render` draws a :class:`Radar`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from ._errors import PersonError, UnreachableError
from .actors import hours
from .qpv import locate
from .territory import Territory, load_territory

__all__ = [
    "MODES",
    "NEEDS",
    "ROLES",
    "STREET_MODES",
    "Entry",
    "ItineraryProvider",
    "Leg",
    "Notice",
    "PathStep",
    "Person",
    "Radar",
    "Ring",
    "RingProvider",
    "TravelTimeProvider",
    "blur_lonlat",
    "compute_radar",
    "needs_to_roles",
    "private_route",
]

WGS84 = "EPSG:4326"

#: The five roles of the support path, in the order of the path.
ROLES: tuple[str, ...] = ("relay", "entry_door", "support_financing", "employment", "mobility")

#: Short needs and the roles they call for, in the order of the suggested path.
NEEDS: dict[str, tuple[str, ...]] = {
    "creation": ("relay", "entry_door", "support_financing"),
    "emploi": ("relay", "employment"),
    "mobilite": ("mobility",),
}

# English and accent-free aliases of the short needs.
_NEED_ALIASES: dict[str, str] = {
    "création": "creation",
    "business": "creation",
    "job": "emploi",
    "employment": "emploi",
    "mobilité": "mobilite",
    "mobility": "mobilite",
}

# data·inclusion thematique families (v0 and v1 code lists) → short need.
_THEMATIQUE_FAMILIES: dict[str, str] = {
    "creation-activite": "creation",
    "creer-une-entreprise": "creation",
    "trouver-un-emploi": "emploi",
    "preparer-sa-candidature": "emploi",
    "choisir-un-metier": "emploi",
    "se-former": "emploi",
    "mobilite": "mobilite",
}

#: Modes a person can use; the street modes are served by the street engine.
STREET_MODES: tuple[str, ...] = ("walk", "bike", "car")
MODES: tuple[str, ...] = (*STREET_MODES, "transit")

#: (origins, destinations, mode, departure) → long table ``from_id, to_id, travel_time`` (s).
TravelTimeProvider = Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame, str, datetime], pd.DataFrame]
#: (origin point, destination point, mode, departure) → legs of the fastest itinerary.
ItineraryProvider = Callable[[Point, Point, str, datetime], "tuple[Leg, ...]"]
#: (origin point, mode, departure, minutes) → GeoDataFrame with ``minutes`` and geometry (4326).
RingProvider = Callable[[Point, str, datetime, Sequence[int]], gpd.GeoDataFrame]


def needs_to_roles(needs: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Resolve needs into short needs and roles.

    Parameters
    ----------
    needs
        Short needs (``creation``, ``emploi``, ``mobilite`` and their English aliases
        ``business``, ``job``, ``mobility``), role names (``relay``, ``entry_door``,
        ``support_financing``, ``employment``, ``mobility``) or data·inclusion thematiques
        (``creation-activite--financer-son-projet``, ``trouver-un-emploi``, ``mobilite--…``).

    Returns
    -------
    short_needs, roles
        The short needs (which define the suggested paths) and every role needed, each without
        duplicates, in a stable order.

    Raises
    ------
    PersonError
        An unknown need (all of them are listed, with the valid values).
    """
    short: list[str] = []
    roles: list[str] = []
    unknown: list[str] = []
    for raw in needs:
        need = str(raw).strip().lower()
        if not need:
            continue
        need = _NEED_ALIASES.get(need, need)
        if need in NEEDS:
            short.append(need)
            roles.extend(NEEDS[need])
        elif need in ROLES:
            roles.append(need)
        elif need.split("--")[0] in _THEMATIQUE_FAMILIES:
            s = _THEMATIQUE_FAMILIES[need.split("--")[0]]
            short.append(s)
            roles.extend(NEEDS[s])
        else:
            unknown.append(str(raw))
    if unknown:
        raise PersonError(
            f"unknown need(s): {', '.join(map(repr, unknown))}. Valid needs: "
            f"{', '.join(NEEDS)} (or business, job, mobility); roles: {', '.join(ROLES)}; "
            "or data·inclusion thematiques starting with "
            f"{', '.join(sorted(_THEMATIQUE_FAMILIES))}."
        )
    if not roles:
        raise PersonError(
            f"no need given. Give at least one of {', '.join(NEEDS)} "
            f"or a role ({', '.join(ROLES)})."
        )
    return tuple(dict.fromkeys(short)), tuple(r for r in ROLES if r in set(roles))


@dataclass(frozen=True)
class Person:
    """One resident, as the agent describes them. Nothing here leaves the machine.

    Parameters
    ----------
    lon, lat
        Home, WGS84 degrees.
    when
        Local date and time from which the person can go (naive, territory's timezone).
    until
        End of the person's hour range on the same day: a ``datetime`` or a ``time``
        (default: three hours after ``when``).
    modes
        Among ``walk``, ``bike``, ``car``, ``transit`` (default walk and transit). The first
        one is the *main mode* whose travel-time rings are drawn.
    needs
        Short needs, roles or data·inclusion thematiques (see :func:`needs_to_roles`).
    max_minutes
        How far, in minutes, the person accepts to go (default 45).

    Raises
    ------
    PersonError
        Unknown need or mode, empty hour range, non-positive ``max_minutes``, coordinates out of
        range.
    """

    lon: float
    lat: float
    when: datetime
    until: datetime | time | None = None
    modes: tuple[str, ...] = ("walk", "transit")
    needs: tuple[str, ...] = ("creation",)
    max_minutes: float = 45.0

    def __post_init__(self) -> None:
        if not (-180 <= float(self.lon) <= 180 and -90 <= float(self.lat) <= 90):
            raise PersonError(
                f"home ({self.lon}, {self.lat}) is not a longitude/latitude pair. "
                "Give the longitude first, in degrees (e.g. 3.8200, 43.6321)."
            )
        object.__setattr__(self, "lon", float(self.lon))
        object.__setattr__(self, "lat", float(self.lat))
        if isinstance(self.when, str):
            object.__setattr__(self, "when", datetime.fromisoformat(self.when))
        when: datetime = self.when
        until = self.until
        if isinstance(until, str):
            until = time.fromisoformat(until) if len(until) <= 8 else datetime.fromisoformat(until)
        if until is None:
            until = when + timedelta(hours=3)
        elif isinstance(until, time):
            until = datetime.combine(when.date(), until)
        if until <= when:
            raise PersonError(
                f"empty hour range: from {when:%Y-%m-%d %H:%M} until {until:%Y-%m-%d %H:%M}. "
                "Give an end after the start (e.g. --when 2024-01-16T09:00 --until 12:00)."
            )
        object.__setattr__(self, "until", until)
        modes = tuple(dict.fromkeys(m.strip().lower() for m in self.modes if m.strip()))
        bad = [m for m in modes if m not in MODES]
        if bad or not modes:
            raise PersonError(
                f"unknown or missing mode(s) {', '.join(map(repr, bad)) or '(none)'}: "
                f"give some of {', '.join(MODES)}."
            )
        object.__setattr__(self, "modes", modes)
        needs = tuple(self.needs) if not isinstance(self.needs, str) else (self.needs,)
        needs_to_roles(needs)  # validates
        object.__setattr__(self, "needs", needs)
        if not (float(self.max_minutes) > 0):
            raise PersonError(f"max_minutes must be positive, got {self.max_minutes}.")
        object.__setattr__(self, "max_minutes", float(self.max_minutes))

    @property
    def end(self) -> datetime:
        """End of the hour range as a datetime."""
        assert isinstance(self.until, datetime)
        return self.until

    @property
    def roles(self) -> tuple[str, ...]:
        """Roles needed, in path order."""
        return needs_to_roles(self.needs)[1]

    @property
    def short_needs(self) -> tuple[str, ...]:
        """Short needs (``creation``, ``emploi``, ``mobilite``) that define suggested paths."""
        return needs_to_roles(self.needs)[0]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {
            "lon": self.lon,
            "lat": self.lat,
            "when": self.when.isoformat(),
            "until": self.end.isoformat(),
            "modes": list(self.modes),
            "needs": list(self.needs),
            "max_minutes": self.max_minutes,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Person:
        """Inverse of :meth:`to_dict`."""
        return cls(
            lon=d["lon"],
            lat=d["lat"],
            when=datetime.fromisoformat(d["when"]),
            until=datetime.fromisoformat(d["until"]),
            modes=tuple(d["modes"]),
            needs=tuple(d["needs"]),
            max_minutes=d["max_minutes"],
        )


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
    engine is missing: ``mode``).
    """

    code: str
    role: str | None = None
    mode: str | None = None
    minutes: float | None = None
    when: datetime | None = None
    nearest: str | None = None
    nearest_minutes: float | None = None

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
            f"Valid ids: {', '.join(valid) or '(none)'}."
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
                f"({', '.join(s.role for s in self.path)})."
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
            raise PersonError("not a qpv_radar radar JSON (missing type 'qpv_radar.Radar').")
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
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PersonError(f"not valid radar JSON: {exc}.") from exc
        return cls.from_dict(d)

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


# ---- computation -----------------------------------------------------------------------------


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
            "longitude comes first, or choose another territory."
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
    itineraries: Literal["all", "first", "none"] | Iterable[str] = "first",
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
        Which entries get the itinerary of their fastest mode: ``first`` (default: the
        nearest of each role and the path's choices — the routes drawn and printed), ``all``
        (every entry; about 70 ms each on Montpellier's walking network), ``none``, or a
        collection of structure ids (in addition to ``first``), e.g. those of a card.

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
        from .engines import default_engines

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
    for mode in person.modes:
        if len(cand):
            tt = travel_times(origin, cand, mode, person.when)
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
    notices: list[Notice] = []
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
                    mode=",".join(person.modes),
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
        gdf = rings(home, person.modes[0], person.when, list(ring_minutes))
        ring_list = tuple(
            Ring(int(m), person.modes[0], g)
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
    from .datasets import registry

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
    from .datasets import registry

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
