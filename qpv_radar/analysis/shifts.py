"""Shift reachability per QPV: who can be at work by a shift's start, who can get home after
its end (« à Mosson, 62 % des habitants peuvent être à Euromédecine à 5 h 30 »).

For each QPV, workplace, day and mode: the share of the QPV's residents (its origin points,
:func:`~qpv_radar.analysis.origin_points`, weighted by population where the QPV has one) who

- can **arrive by** a shift's start, leaving home at most ``max_minutes`` before
  (:meth:`qpv_radar.Networks.travel_times` with ``arrive_by``: the exact latest departure);
- can **get home** after a shift's end, leaving the workplace then and home within
  ``max_minutes`` (a forward search from the end).

Public transport runs on the timetable of each day (a representative day of the same weekday
when the date is outside the feeds, in the ``timetable_date`` column): a 05:30 start on Monday
uses Sunday night's trips where they run. Street modes do not depend on the hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._defaults import STREET_MODES

__all__ = ["shift_reachability"]

COLUMNS = [
    "code_qp", "nom_qp", "workplace", "day", "timetable_date", "substituted", "kind", "time",
    "mode", "share", "weighted", "median_departure", "median_arrival", "gap_to_bike",
]  # fmt: skip


def shift_reachability(
    networks: Any,
    workplaces: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    qpv: pd.DataFrame,
    *,
    starts: Sequence[time],
    ends: Sequence[time],
    days: Sequence[date],
    modes: Sequence[str] = ("transit", "bike", "walk"),
    max_minutes: float = 60.0,
) -> pd.DataFrame:
    """The shares of each QPV that can reach each shift, by mode.

    Parameters
    ----------
    networks
        The territory's :class:`~qpv_radar.Networks`.
    workplaces
        Points (any CRS); their index names them.
    origins
        Resident origin points (``code_qp`` and ``population`` columns, as
        :func:`~qpv_radar.analysis.origin_points` gives).
    qpv
        The QPVs (``code_qp``, ``nom_qp``), for the names.
    starts, ends
        Shift starts (arrive by) and ends (leave work at), local clock times of each day.
    days
        The dates.
    modes
        Among the networks' modes.
    max_minutes
        The longest journey counted (door to door, waits included).

    Returns
    -------
    DataFrame
        One row per QPV × workplace × day × (start or end) × mode: ``share`` (0–1),
        ``weighted`` (population weights, else every point counts the same),
        ``median_departure`` (starts: the median latest departure from home of those who make
        it) or ``median_arrival`` (ends: their median arrival home), ``gap_to_bike`` (the
        bicycle's share minus this mode's, when bike is among the modes).
    """
    names = dict(zip(qpv["code_qp"], qpv["nom_qp"], strict=False))
    pop = origins["population"].to_numpy(float) if "population" in origins else None
    rows: list[dict[str, Any]] = []
    street: dict[tuple[str, str], pd.DataFrame] = {}
    for day in days:
        tday = networks.timetable_day(day) if "transit" in modes else None
        for kind, clocks in (("start", starts), ("end", ends)):
            for clock in clocks:
                at = datetime.combine(day, clock)
                for mode in modes:
                    if mode in STREET_MODES and (mode, kind) in street:
                        table = _retimed(street[mode, kind], at, kind)
                    else:
                        table = _reach(networks, origins, workplaces, mode, kind, at, max_minutes)
                        if mode in STREET_MODES:
                            street[mode, kind] = table
                    for wp, part in table.groupby("workplace", sort=False):
                        rows += _shares(part, origins, pop, names, wp, mode, kind, at, tday)
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "gap_to_bike"])
    return _with_bike_gap(out, modes)


def _reach(
    networks: Any,
    origins: gpd.GeoDataFrame,
    workplaces: gpd.GeoDataFrame,
    mode: str,
    kind: str,
    at: datetime,
    max_minutes: float,
) -> pd.DataFrame:
    """``origin, workplace, ok, departure, arrival`` for one shift moment and mode."""
    if kind == "start":
        tt = networks.travel_times(origins, workplaces, mode=mode, arrive_by=at,
                                   window_minutes=max_minutes)  # fmt: skip
        return pd.DataFrame({
            "origin": tt["from_id"].to_numpy(), "workplace": tt["to_id"].to_numpy(),
            "ok": tt["departure"].notna().to_numpy(),
            "departure": [_naive(d) for d in tt["departure"]], "arrival": at,
        })  # fmt: skip
    tt = networks.travel_times(workplaces, origins, mode=mode, departure=at,
                               max_time_s=max_minutes * 60.0)  # fmt: skip
    secs = tt["travel_time"].to_numpy(float)
    return pd.DataFrame({
        "origin": tt["to_id"].to_numpy(), "workplace": tt["from_id"].to_numpy(),
        "ok": np.isfinite(secs), "departure": at,
        "arrival": [at + pd.Timedelta(seconds=s) if s == s else pd.NaT for s in secs],
    })  # fmt: skip


def _retimed(table: pd.DataFrame, at: datetime, kind: str) -> pd.DataFrame:
    """A street-mode table at another clock time (street times do not depend on it)."""
    out = table.copy()
    if kind == "start":
        shift = at - out["arrival"].iloc[0] if len(out) else pd.Timedelta(0)
        out["departure"] = out["departure"] + shift
        out["arrival"] = at
    else:
        shift = at - out["departure"].iloc[0] if len(out) else pd.Timedelta(0)
        out["arrival"] = out["arrival"] + shift
        out["departure"] = at
    return out


def _naive(t: Any) -> Any:
    return pd.NaT if pd.isna(t) else pd.Timestamp(t).tz_localize(None)


def _shares(
    part: pd.DataFrame, origins: gpd.GeoDataFrame, pop: Any, names: dict[Any, Any], wp: Any,
    mode: str, kind: str, at: datetime, tday: Any,
) -> list[dict[str, Any]]:  # fmt: skip
    """One row per QPV for one workplace."""
    pos = origins.index.get_indexer(part["origin"])
    codes = origins["code_qp"].to_numpy()[pos]
    w = pop[pos] if pop is not None else np.ones(len(pos))
    rows = []
    for code in pd.unique(codes):
        sel = codes == code
        ww = w[sel]
        weighted = bool(ww.sum() > 0)
        ww = ww if weighted else np.ones(int(sel.sum()))
        ok = part["ok"].to_numpy()[sel]
        col = "departure" if kind == "start" else "arrival"
        times = pd.to_datetime(part[col].to_numpy()[sel][ok])
        median = pd.Series(times).sort_values().iloc[len(times) // 2] if len(times) else pd.NaT
        if len(times):  # to the second that still makes it
            median = median.floor("s") if kind == "start" else median.ceil("s")
        rows.append({
            "code_qp": code, "nom_qp": names.get(code), "workplace": wp, "day": at.date(),
            "timetable_date": tday.used if tday is not None else None,
            "substituted": bool(tday.substituted) if tday is not None else False,
            "kind": kind, "time": at.time(), "mode": mode,
            "share": float((ww * ok).sum() / ww.sum()), "weighted": weighted,
            "median_departure": median if kind == "start" else pd.NaT,
            "median_arrival": median if kind == "end" else pd.NaT,
        })  # fmt: skip
    return rows


def _with_bike_gap(out: pd.DataFrame, modes: Sequence[str]) -> pd.DataFrame:
    """``gap_to_bike``: the bicycle's share minus each mode's, for the same QPV and shift."""
    if "bike" not in modes or out.empty:
        out["gap_to_bike"] = np.nan
        return out
    keys = ["code_qp", "workplace", "day", "kind", "time"]
    bike = out[out["mode"] == "bike"].set_index(keys)["share"]
    out["gap_to_bike"] = (
        bike.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy() - out["share"].to_numpy()
    )
    return out
