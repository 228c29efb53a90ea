"""The person's appointment (« arriver avant 9 h 00 »): latest departures and their journeys.

With :attr:`Person.arrive_by`, a structure's minutes are the time to set aside before the
appointment, ``arrive_by − latest departure`` (:meth:`qpv_radar.Networks.travel_times` with
``arrive_by``, exact to the second), so the radar's usual order — fewest minutes first — ranks
structures by the latest possible departure. Departures are searched from ``person.when`` (the
person is free from then) to the appointment. The legs are those of the journey leaving at the
latest departure (:func:`appointment_legs`).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from .journeys import entry_legs
from .model import Entry, RadarNetworks
from .parts import Leg
from .person import Person

__all__ = ["appointment_legs", "appointment_minutes", "leave_by"]


def _window_minutes(person: Person) -> float:
    assert person.appointment is not None
    return (person.appointment - person.when).total_seconds() / 60.0


def appointment_minutes(
    networks: RadarNetworks, origin: gpd.GeoDataFrame, cand: gpd.GeoDataFrame, mode: str,
    person: Person,
) -> pd.Series:  # fmt: skip
    """Minutes from the latest departure to the appointment, by structure id (NaN: no
    journey leaving after ``person.when`` arrives in time)."""
    assert person.appointment is not None
    # the radar's spread wrapper asks percentiles of forward windows: arrive-by has none
    inner: Any = getattr(networks, "_inner", networks)
    tt = inner.travel_times(
        origin, cand, mode=mode, arrive_by=person.appointment,
        window_minutes=_window_minutes(person),
    )  # fmt: skip
    arrive = pd.Timestamp(person.appointment)
    dep = pd.Series(
        [
            (arrive - pd.Timestamp(d).tz_localize(None)).total_seconds() / 60.0
            if not pd.isna(d)
            else float("nan")
            for d in tt["departure"]
        ],
        index=tt["to_id"],
        dtype=float,
    )
    return dep[~dep.index.duplicated()]


def leave_by(person: Person, minutes: float | None) -> datetime | None:
    """The latest departure from home, to the second below, of a structure ``minutes`` before
    the appointment (``None`` without an appointment or a journey)."""
    if person.appointment is None or minutes is None:
        return None
    # up to the second below: leaving then still arrives by the appointment (street times
    # are fractions of seconds; transit minutes are whole seconds)
    return person.appointment - timedelta(seconds=math.ceil(round(minutes * 60.0, 3)))


def appointment_legs(
    networks: RadarNetworks, home: Point, person: Person, entries: list[Entry]
) -> dict[tuple[str, str], tuple[Leg, ...]]:
    """The legs of the latest-departure journey to each entry, by (structure id, mode).

    One search per distinct departure and mode (the forward journey leaving then arrives by
    the appointment: the reverse search guarantees it).
    """
    by_leave: dict[datetime, list[Entry]] = {}
    for e in entries:
        t = e.leave_by or leave_by(person, e.best_minutes)
        if t is not None:
            by_leave.setdefault(t, []).append(e)
    out: dict[tuple[str, str], tuple[Leg, ...]] = {}
    for t, es in by_leave.items():
        out.update(entry_legs(networks, home, es, t))
    return out
