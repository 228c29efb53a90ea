"""Time slots, and opening hours on arrival.

A *slot* (``"weekday-06:00"``, ``"saturday-10:00"``…) is a departure time placed in the week of
the territory's reference date by :func:`parse_slot`; :data:`DEFAULT_SLOTS` are the planner's.

"Reachable while open" is :func:`open_on_arrival` applied to a travel-time table before the
indicators: the time becomes the time until the resident is received (a resident arriving before
the opening waits, and the wait counts); a structure that does not open within the horizon
drops. :func:`open_table` gives the structures' state minute by minute after the departure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._errors import SlotError
from ._tables import check_tt

__all__ = [
    "DEFAULT_SLOTS",
    "SlotError",
    "open_on_arrival",
    "open_table",
    "parse_slot",
]

DEFAULT_SLOTS: tuple[str, ...] = (
    "weekday-06:00",
    "weekday-09:00",
    "weekday-12:30",
    "weekday-18:30",
    "weekday-21:00",
    "saturday-10:00",
    "sunday-10:00",
)
_DAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
_SLOT_RE = re.compile(r"^\s*([a-zA-Z]+)-(\d{1,2}):(\d{2})\s*$")


# --------------------------------------------------------------------------- slots


def parse_slot(slot: str, reference: datetime) -> datetime:
    """Map a slot name to a concrete date-time in the week of ``reference``.

    Parameters
    ----------
    slot
        ``"weekday-HH:MM"`` (the reference day when it is Monday–Friday, else the Tuesday of its
        week), ``"saturday-HH:MM"``, ``"sunday-HH:MM"``, any day name in English or French
        (``"monday-…"``, ``"samedi-…"``), or an ISO date-time ``"2024-01-16T06:00"``.
    reference
        A date inside the timetable's service period (the territory's ``default_when``).

    Returns
    -------
    datetime
        Naive or aware like ``reference``.

    Raises
    ------
    SlotError
        Unknown day name or hour.
    """
    m = _SLOT_RE.match(slot)
    if m is None:
        try:
            return datetime.fromisoformat(slot.strip())
        except ValueError:
            raise SlotError("slots.not_a_slot", slot=slot) from None
    day, hh, mm = m.group(1).lower(), int(m.group(2)), int(m.group(3))
    if hh > 23 or mm > 59:
        raise SlotError("slots.bad_hour", slot=slot, hh=hh, mm=mm)
    monday = (reference - timedelta(days=reference.weekday())).date()
    if day == "weekday":
        offset = reference.weekday() if reference.weekday() < 5 else 1
    elif day in _DAYS:
        offset = _DAYS[day]
    else:
        raise SlotError("slots.unknown_day", slot=slot, day=day)
    date = monday + timedelta(days=offset)
    return reference.replace(
        year=date.year, month=date.month, day=date.day, hour=hh, minute=mm, second=0, microsecond=0
    )


# --------------------------------------------------------------------------- opening hours


def open_table(
    destinations: pd.DataFrame,
    departure: datetime,
    *,
    horizon_min: int = 60,
    hours_column: str = "opening_hours",
    is_open: Callable[[str | None, datetime], bool | None] | None = None,
) -> pd.DataFrame:
    """Whether each structure is open at each minute after ``departure``.

    Parameters
    ----------
    destinations
        Structures, index = id, with an ``opening_hours`` column (OSM syntax or None).
    departure
        Departure time of the residents (the slot).
    horizon_min
        Last minute after departure to evaluate (the largest travel time that matters).
    hours_column
        Column with the opening hours.
    is_open
        ``is_open(opening_hours, when) -> bool | None``; defaults to
        :func:`qpv_radar.actors.hours.is_open`.

    Returns
    -------
    pandas.DataFrame
        Index = structure ids, columns ``0 … horizon_min`` (minutes after departure), values
        ``True``/``False`` or ``pd.NA`` when the hours are unknown.
    """
    if is_open is None:
        from ..actors.hours import is_open as _is_open

        is_open = _is_open
    minutes = list(range(horizon_min + 1))
    data: dict[Any, list[Any]] = {}
    hours = destinations.get(hours_column, None)
    for did in destinations.index:
        oh = None if hours is None else hours.loc[did]
        if oh is None or (isinstance(oh, float) and math.isnan(oh)) or oh == "":
            data[did] = [pd.NA] * len(minutes)
            continue
        data[did] = [is_open(str(oh), departure + timedelta(minutes=m)) for m in minutes]
    out = pd.DataFrame.from_dict(data, orient="index", columns=minutes, dtype="boolean")
    out.index.name = destinations.index.name
    return out


def open_on_arrival(
    tt: pd.DataFrame,
    table: pd.DataFrame,
    *,
    unknown: Literal["open", "closed"] = "open",
    wait: bool = True,
) -> pd.DataFrame:
    """Apply opening hours: the time until the resident is received, or the pair dropped.

    Column ``m`` of ``table`` is the state during minute ``[m, m + 1)`` after departure; a
    resident arriving at ``t`` seconds is in minute ``floor(t / 60)``.

    Parameters
    ----------
    tt
        Long table ``from_id, to_id, travel_time`` (seconds), departures at the slot time.
    table
        Output of :func:`open_table` (or any boolean frame: index = structure id, columns =
        consecutive minutes after departure, from 0).
    unknown
        How a structure with unknown hours counts: ``"open"`` (default: optimistic, the gap is
        not overstated) or ``"closed"``.
    wait
        ``True`` (default): a resident arriving before the opening waits, and the wait counts in
        the time (``travel_time`` becomes the minute the structure opens); pairs whose structure
        does not open before the table's last minute are dropped. ``False``: only pairs open at
        the arrival minute are kept, times unchanged.

    Returns
    -------
    pandas.DataFrame
        The rows of ``tt`` kept, with ``travel_time`` including the wait.
    """
    check_tt(tt)
    t = tt.dropna(subset=["travel_time"])
    mask = table.astype("boolean").fillna(unknown == "open").to_numpy(bool)
    n_min = mask.shape[1]
    row = pd.Index(table.index).get_indexer(t["to_id"])
    secs = t["travel_time"].to_numpy(float)
    col = np.floor(secs / 60.0).astype(np.int64)
    ok = (row >= 0) & (col < n_min) & (col >= 0)
    if not wait:
        keep = np.zeros(len(t), bool)
        keep[ok] = mask[row[ok], col[ok]]
        return t[keep]
    # next_open[j, m]: first minute >= m when structure j is open (n_min when never)
    idx = np.where(mask, np.arange(n_min)[None, :], n_min)
    next_open = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
    opens = np.full(len(t), n_min)
    opens[ok] = next_open[row[ok], col[ok]]
    keep = opens < n_min
    out = t[keep].copy()
    waited = opens[keep] > col[keep]
    out["travel_time"] = np.where(waited, opens[keep] * 60.0, secs[keep])
    return out
