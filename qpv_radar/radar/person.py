"""Who the radar is for: :class:`Person` (home, hours, modes, needs, reach) and the needs →
roles mapping (short needs, role names, data·inclusion thematiques)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from .._defaults import MODES, ROLES, STREET_MODES, WGS84
from .._errors import PersonError
from .._messages import Message

__all__ = ["MODES", "NEEDS", "ROLES", "STREET_MODES", "WGS84", "Person", "needs_to_roles"]

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
            "person.unknown_needs",
            needs=", ".join(map(repr, unknown)),
            valid=", ".join(NEEDS),
            roles=", ".join(ROLES),
            families=", ".join(sorted(_THEMATIQUE_FAMILIES)),
        )
    if not roles:
        raise PersonError("person.no_need", needs=", ".join(NEEDS), roles=", ".join(ROLES))
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
    arrive_by
        An appointment (« arriver avant 9 h 00 »): a ``time`` (on ``when``'s date, or the next
        day when that is not after ``when`` — a night shift) or a ``datetime``. The radar then
        gives each structure the *latest departure* from home that still arrives by then,
        leaving no earlier than ``when``, and ranks structures by it. ``until`` then defaults
        to three hours after the appointment.

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
    arrive_by: datetime | time | None = None

    def __post_init__(self) -> None:
        if not (-180 <= float(self.lon) <= 180 and -90 <= float(self.lat) <= 90):
            raise PersonError("person.home_not_lonlat", lon=self.lon, lat=self.lat)
        object.__setattr__(self, "lon", float(self.lon))
        object.__setattr__(self, "lat", float(self.lat))
        if isinstance(self.when, str):
            object.__setattr__(self, "when", datetime.fromisoformat(self.when))
        when: datetime = self.when
        until = self.until
        if isinstance(until, str):
            until = time.fromisoformat(until) if len(until) <= 8 else datetime.fromisoformat(until)
        arrive = _arrive_by(self.arrive_by, when)
        object.__setattr__(self, "arrive_by", arrive)
        if until is None:
            until = (arrive or when) + timedelta(hours=3)
        elif isinstance(until, time):
            until = datetime.combine(when.date(), until)
        if until <= when:
            raise PersonError("person.empty_hours", when=when, until=until)
        object.__setattr__(self, "until", until)
        modes = tuple(dict.fromkeys(m.strip().lower() for m in self.modes if m.strip()))
        bad = [m for m in modes if m not in MODES]
        if bad or not modes:
            raise PersonError(
                "person.bad_modes",
                bad=", ".join(map(repr, bad)) or Message("person.no_mode"),
                modes=", ".join(MODES),
            )
        object.__setattr__(self, "modes", modes)
        needs = tuple(self.needs) if not isinstance(self.needs, str) else (self.needs,)
        needs_to_roles(needs)  # validates
        object.__setattr__(self, "needs", needs)
        if not (float(self.max_minutes) > 0):
            raise PersonError("person.max_minutes", value=self.max_minutes)
        object.__setattr__(self, "max_minutes", float(self.max_minutes))

    @property
    def end(self) -> datetime:
        """End of the hour range as a datetime."""
        assert isinstance(self.until, datetime)
        return self.until

    @property
    def appointment(self) -> datetime | None:
        """The arrive-by time as a datetime (``None``: no appointment)."""
        assert self.arrive_by is None or isinstance(self.arrive_by, datetime)
        return self.arrive_by

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
            "arrive_by": self.appointment.isoformat() if self.appointment else None,
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
            arrive_by=datetime.fromisoformat(d["arrive_by"]) if d.get("arrive_by") else None,
        )


def _arrive_by(value: datetime | time | str | None, when: datetime) -> datetime | None:
    """The appointment as a datetime after ``when`` (a time: on its date, else the next day)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value) if len(value) <= 8 else datetime.fromisoformat(value)
        except ValueError:
            raise PersonError("arrive_by.bad_time", value=value) from None
    if isinstance(value, time):
        at = datetime.combine(when.date(), value)
        return at if at > when else at + timedelta(days=1)
    if value <= when:
        raise PersonError("person.arrive_before_when", arrive=value, when=when)
    return value
