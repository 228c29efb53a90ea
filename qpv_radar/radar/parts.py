"""The pieces of a radar as plain data, each with its JSON form: :class:`Entry` (one structure
for one role) and its :class:`Leg` s, :class:`PathStep`, :class:`Ring`, :class:`Notice`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

__all__ = ["OPEN_STATES", "Entry", "Leg", "Notice", "OpenState", "PathStep", "Ring", "open_state"]

#: Whether a structure is open during the person's time: ``open`` (open on arrival, or opening
#: within the person's hours), ``closed`` (known hours, not open during the person's hours),
#: ``unknown`` (hours unknown: to check by phone).
OpenState = Literal["open", "closed", "unknown"]
OPEN_STATES: tuple[OpenState, ...] = ("open", "closed", "unknown")


def open_state(open_on_arrival: bool | None, open_within_hours: bool | None) -> OpenState:
    """The state from the two flags (``None`` on arrival: hours unknown)."""
    if open_on_arrival is None:
        return "unknown"
    return "open" if open_on_arrival or open_within_hours else "closed"


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
    state
        ``open``, ``closed`` or ``unknown`` during the person's time (see :data:`OpenState`);
        an unreachable structure with known hours is judged over the person's whole hours.
    vintage
        The vintage of the structure's source (``2011-2012``, ``2019-11``…; sources merged:
        joined with `` + ``).
    minutes_p90
        Public transport over a departure window (the fastest mode): the 90th percentile of
        the travel time over the window (``best_minutes`` is its median); ``None`` otherwise.
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
    state: OpenState = "unknown"
    vintage: str | None = None
    minutes_p90: float | None = None
    leave_by: datetime | None = None  # with an appointment: the latest departure from home

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["leave_by"] = self.leave_by.isoformat() if self.leave_by else None
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
        kw["leave_by"] = _dt(d.get("leave_by"))
        kw["legs"] = tuple(Leg.from_dict(x) for x in d.get("legs", []))
        kw["minutes"] = {k: (None if v is None else float(v)) for k, v in d["minutes"].items()}
        if kw.get("state") not in OPEN_STATES:  # a radar saved before the three states
            kw["state"] = open_state(d.get("open_on_arrival"), d.get("open_within_hours"))
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
    timetable covers, as an ISO interval ``2023-12-18/2024-02-25``), ``timetable_substituted``
    (the date of ``when`` is outside the timetable of ``mode``: the timetable of ``day``, an ISO
    date of the same weekday inside the period, answered; ``network`` names the network,
    ``detail`` the period as above).
    """

    code: str
    role: str | None = None
    mode: str | None = None
    minutes: float | None = None
    when: datetime | None = None
    nearest: str | None = None
    nearest_minutes: float | None = None
    detail: str | None = None
    network: str | None = None
    day: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["when"] = self.when.isoformat() if self.when else None
        for k in ("network", "day"):  # written only by the notices that use them
            if d[k] is None:
                del d[k]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Notice:
        """Inverse of :meth:`to_dict`."""
        kw = dict(d)
        kw["when"] = _dt(d.get("when"))
        return cls(**kw)


def _dt(v: Any) -> datetime | None:
    return datetime.fromisoformat(v) if v else None
