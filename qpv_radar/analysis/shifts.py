"""Shift reachability per QPV: who can be at work by a shift's start, who can get home after
its end (« à Mosson, 62 % des habitants peuvent être à Euromédecine à 5 h 30 »).

For each QPV, workplace, day and mode: the share of the QPV's residents (its origin points,
:func:`~qpv_radar.analysis.origin_points`, weighted by population where the QPV has one) who

- can **arrive by** a shift's start, leaving home at most ``max_minutes`` before
  (:meth:`qpv_radar.Networks.travel_times` with ``arrive_by``: the exact latest departure);
- can **get home** after a shift's end, leaving the workplace then and home within
  ``max_minutes`` (a forward search from the end);

and the services that make it possible: for a start, the latest departure from home
(``median_departure``); for an end, by public transport, the **last departure** from the
workplace after the end whose journey takes at most ``max_minutes`` and gets home within
``home_window_minutes`` of the end (``last_departure``, the median over the residents who
cannot walk home within ``max_minutes``; an arrive-by search — reverse RAPTOR —, see
:func:`_last_home`; ``last_share`` the share of residents who can get home by then, on foot or
with such a departure). Street modes run at any hour: no last departure.

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

#: Ends: the step of the arrival times tried when the latest journey home is too long.
LAST_STEP_MINUTES = 15.0
#: ``_last_home``: home within ``max_minutes`` on foot (no last departure: any hour).
WALK = "walk"

COLUMNS = [
    "code_qp", "nom_qp", "workplace", "day", "timetable_date", "substituted", "kind", "time",
    "mode", "share", "weighted", "median_departure", "median_arrival", "last_departure",
    "last_share", "gap_to_bike",
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
    home_window_minutes: float = 180.0,
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
    home_window_minutes
        Ends, public transport: the last departure home must get home within this many
        minutes of the end.

    Returns
    -------
    DataFrame
        One row per QPV × workplace × day × (start or end) × mode: ``share`` (0–1),
        ``weighted`` (population weights, else every point counts the same),
        ``median_departure`` (starts: the median latest departure from home of those who make
        it) or ``median_arrival`` (ends: their median arrival home), ``last_departure`` (ends by
        public transport: the median, over the residents who cannot walk home within
        ``max_minutes``, of the last departure from the workplace that still gets them home
        in time) and ``last_share`` (the share who get home in time, on foot or so),
        ``gap_to_bike`` (the bicycle's share minus this mode's, when bike
        is among the modes).
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
                        if kind == "end" and mode not in STREET_MODES:
                            table["last"] = _last_home(
                                networks,
                                origins,
                                workplaces,
                                at,
                                max_minutes,
                                home_window_minutes,
                                table,
                            )
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


def _last_home(
    networks: Any,
    origins: gpd.GeoDataFrame,
    workplaces: gpd.GeoDataFrame,
    end: datetime,
    max_minutes: float,
    home_window_minutes: float,
    table: pd.DataFrame,
) -> np.ndarray:
    """For each row of ``table`` (workplace, origin): the last departure from the workplace
    after ``end`` whose journey takes at most ``max_minutes`` and gets home by ``end +
    home_window_minutes`` (NaT: none; ``WALK``: home is within ``max_minutes`` on foot, at any
    hour — no service needed).

    First the latest departure arriving by ``A = end + home_window_minutes`` (exact, searched
    back to the end): when ``A − departure ≤ max`` it is the answer, exact to the second (no
    later departure arrives by ``A``, and a qualifying one always does). Otherwise (typically
    the last night trip ends on a long walk) the latest departure arriving by ``A − k ·
    LAST_STEP_MINUTES`` with ``A_k − departure ≤ max``, ``k = 1, 2, …`` down to the end: a
    real journey that gets home in time, which may be earlier than the true last one when that
    one's journey takes more than ``max − LAST_STEP_MINUTES``. Pairs with no journey at all
    stop at once.
    """
    top = end + pd.Timedelta(minutes=home_window_minutes)
    dep, fits = _latest(networks, workplaces, origins, top, home_window_minutes, max_minutes)
    last = dep.where(fits).astype(object)
    todo = dep.index[dep.notna() & ~fits]  # none arriving by A: none arriving earlier either
    step = pd.Timedelta(minutes=LAST_STEP_MINUTES)
    at = top - step
    while at > end and len(todo):
        dest = origins.loc[origins.index.isin(todo.get_level_values(1).unique())]
        span_k = (at - end).total_seconds() / 60.0
        dep, fits = _latest(networks, workplaces, dest, at, span_k, max_minutes)
        dep, fits = dep.reindex(todo), fits.reindex(todo, fill_value=False)
        last.loc[todo[fits.to_numpy()]] = dep[fits]
        todo = todo[(dep.notna() & ~fits).to_numpy()]
        at -= step
    walk = networks.travel_times(workplaces, origins, mode="walk")
    on_foot = walk["travel_time"].to_numpy(float) <= max_minutes * 60.0
    pairs = pd.MultiIndex.from_arrays([walk["from_id"].to_numpy(), walk["to_id"].to_numpy()])
    last.loc[pairs[on_foot]] = WALK
    index = pd.MultiIndex.from_arrays([table["workplace"], table["origin"]])
    return last.reindex(index).to_numpy()


def _latest(
    networks: Any,
    workplaces: gpd.GeoDataFrame,
    origins: gpd.GeoDataFrame,
    at: datetime,
    span: float,
    max_minutes: float,
) -> tuple[pd.Series, pd.Series]:
    """(workplace, origin) → the latest departure arriving home by ``at`` (NaT: none), and
    whether ``at − departure ≤ max_minutes``."""
    tt = networks.travel_times(workplaces, origins, mode="transit", arrive_by=at,
                               window_minutes=span)  # fmt: skip
    index = pd.MultiIndex.from_arrays([tt["from_id"].to_numpy(), tt["to_id"].to_numpy()])
    dep = pd.Series([_naive(d) for d in tt["departure"]], index=index, dtype="datetime64[ns]")
    fits = ((pd.Timestamp(at) - dep) <= pd.Timedelta(minutes=max_minutes)) & dep.notna()
    return dep, fits


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
        last = _last_of(part, sel, ww) if kind == "end" else (pd.NaT, np.nan)
        rows.append({
            "code_qp": code, "nom_qp": names.get(code), "workplace": wp, "day": at.date(),
            "timetable_date": tday.used if tday is not None else None,
            "substituted": bool(tday.substituted) if tday is not None else False,
            "kind": kind, "time": at.time(), "mode": mode,
            "share": float((ww * ok).sum() / ww.sum()), "weighted": weighted,
            "median_departure": median if kind == "start" else pd.NaT,
            "median_arrival": median if kind == "end" else pd.NaT,
            "last_departure": last[0], "last_share": last[1],
        })  # fmt: skip
    return rows


def _last_of(part: pd.DataFrame, sel: np.ndarray, w: np.ndarray) -> tuple[Any, float]:
    """The median last departure home of one QPV's residents who need the service (floored to
    the second) and the share who get home in time, on foot or by it (NaT, NaN: a street mode,
    any hour)."""
    if "last" not in part:
        return pd.NaT, np.nan
    last = part["last"].to_numpy()[sel]
    walk = np.array([x is WALK or x == WALK for x in last], dtype=bool)
    times = pd.to_datetime(pd.Series([x for x, f in zip(last, walk, strict=True) if not f]))
    has = walk.copy()
    has[~walk] = times.notna().to_numpy()
    share = float((w * has).sum() / w.sum())
    times = times.dropna().sort_values()
    return (times.iloc[len(times) // 2].floor("s") if len(times) else pd.NaT), share


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
