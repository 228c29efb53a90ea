"""The radar's result as plain data: :class:`Radar` (its pieces, :class:`Entry`, :class:`Leg`,
:class:`PathStep`, :class:`Ring`, :class:`Notice`, live in :mod:`.parts`); JSON and GeoJSON;
what it asks of the networks (:class:`RadarNetworks`); the privacy helpers
(:func:`blur_lonlat`, :func:`private_route`) live in :mod:`.privacy`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
from shapely.errors import ShapelyError
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from .._defaults import ROLES, WGS84
from .._errors import PersonError, RadarFileError
from .._messages import Message
from .parts import Entry, Leg, Notice, PathStep, Ring
from .person import Person
from .privacy import blur_lonlat, private_route

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
    modes_answered
        The person's modes that answered (a mode without timetable that day is left out, and
        a notice names it): what headers and legends list. Empty on radars built by hand: the
        person's modes are shown then (:attr:`modes_shown`).
    timetable_date
        The service date whose public-transport timetable answered (``None`` without
        transit): the person's own date, or — when it is outside every feed —
        a representative date of the same weekday inside the feed (``timetable_substituted``;
        a ``timetable_substituted`` notice says so). Opening hours are always read on the
        person's own date.
    timetable_period
        First and last date of the feed's period.
    timetable_network
        The network's name (the feed's agencies), for the sentences that say it.
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
    modes_answered: tuple[str, ...] = ()
    timetable_date: date | None = None
    timetable_substituted: bool = False
    timetable_period: tuple[date, date] | None = None
    timetable_network: str | None = None

    # ---- access --------------------------------------------------------------------------
    @property
    def roles(self) -> tuple[str, ...]:
        """Roles on this radar, in path order."""
        return tuple(r for r in ROLES if r in self.entries)

    @property
    def modes_shown(self) -> tuple[str, ...]:
        """The modes to list in headers and legends: those that answered (the person's modes
        for a radar that does not say)."""
        return self.modes_answered or self.person.modes

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
            "radar.not_on_radar",
            entry_id=entry_id,
            for_role=Message("radar.for_role", {"role": role}) if role else "",
            valid=", ".join(valid) if valid else Message("words.none"),
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
        if not any(s.role == role for s in self.path):  # first: else « possible ids: (none) »
            roles = dict.fromkeys(s.role for s in self.path)
            raise PersonError("radar.role_not_on_path", role=role, roles=", ".join(roles))
        self.entry(entry_id, role)
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
            "modes_answered": list(self.modes_shown),
            "timetable_date": self.timetable_date.isoformat() if self.timetable_date else None,
            "timetable_substituted": self.timetable_substituted,
            "timetable_period": _period_dict(self.timetable_period),
            "timetable_network": self.timetable_network,
        }

    def to_json(self, path: Any = None, *, indent: int | None = 1) -> str:
        """Serialise to JSON (also written to ``path`` when given, atomically: a temporary file
        renamed over it); see :meth:`from_json`."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)
        if path is not None:
            from .._outputs import atomic_write_text

            atomic_write_text(path, text)
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Radar:
        """Inverse of :meth:`to_dict` (checked first against the radar file's versioned schema,
        :mod:`qpv_radar.radar.file_schema`)."""
        from .file_schema import check_radar_dict

        check_radar_dict(d)
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
            modes_answered=tuple(d.get("modes_answered") or ()),
            timetable_date=_date(d.get("timetable_date")),
            timetable_substituted=bool(d.get("timetable_substituted", False)),
            timetable_period=_period(d.get("timetable_period")),
            timetable_network=d.get("timetable_network"),
        )

    @classmethod
    def from_json(cls, text_or_path: Any) -> Radar:
        """Reload a radar written by :meth:`to_json` (a JSON string or a file path)."""
        from pathlib import Path

        from .file_schema import check_radar_dict

        text, file = str(text_or_path), "radar JSON"
        if not text.lstrip().startswith("{"):
            text, file = _read_radar_file(Path(text)), text
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RadarFileError("radar_file.json", file=file, error=str(exc)) from exc
        check_radar_dict(d, file=file)
        try:
            return cls.from_dict(d)
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            OverflowError,
            ShapelyError,
        ) as exc:
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


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _period_dict(period: tuple[date, date] | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {"start": period[0].isoformat(), "end": period[1].isoformat()}


def _period(value: Any) -> tuple[date, date] | None:
    if not value:
        return None
    return date.fromisoformat(value["start"]), date.fromisoformat(value["end"])


#: What a radar file whose fields passed the schema can still raise while being rebuilt.
_BAD_CONTENT = (KeyError, TypeError, ValueError, AttributeError, OverflowError, ShapelyError)


def _read_radar_file(path: Any) -> str:
    """A radar file's text: missing, unreadable or not UTF-8 → :class:`RadarFileError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RadarFileError("radar_file.unreadable", file=str(path), error=str(exc)) from exc
    try:
        return str(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RadarFileError("radar_file.encoding", file=str(path), position=exc.start) from exc
