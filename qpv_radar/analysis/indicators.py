"""Accessibility indicators per QPV: nearest-time percentiles, shares, opportunities, 2SFCA…

Pure functions over plain inputs: origins (:func:`qpv_radar.analysis.origin_points`),
structures and a *long travel-time table* ``from_id, to_id, travel_time`` (seconds; NaN or absent
when unreachable), as produced by :func:`qpv_radar.routing.travel_times` or
:func:`qpv_radar.routing.transit_travel_times`. Nothing here routes or draws.

:func:`qpv_indicators` gives, per QPV: population-weighted median and 80th percentile of the
travel time to the nearest structure, share of residents within 10/20/30/45 minutes,
cumulative opportunities (structures within *T* minutes, population-weighted mean), a gravity
score (sum of ``exp(-beta·t)`` over structures, ``beta = ln 2 / half-life``) and 2SFCA (Luo &
Wang 2003, same definition as PySAL ``access``'s ``two_stage_fca``) where a capacity is given.
"Reachable while open" is :func:`qpv_radar.analysis.open_on_arrival` applied to the table before
the indicators (:func:`indicator_table` does it when given opening tables).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._tables import check_tt
from .slots import open_on_arrival

__all__ = [
    "gravity_scores",
    "indicator_table",
    "nearest_times",
    "qpv_indicators",
    "two_step_fca",
    "weighted_quantile",
]


# --------------------------------------------------------------------------- building blocks


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Weighted quantile (inverted CDF): the smallest value whose cumulative weight share ≥ q.

    ``inf`` values (unreachable) are ordered last; zero total weight gives NaN.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    if not len(v) or total <= 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order]) / total
    i = int(np.searchsorted(cum, q - 1e-12, side="left"))
    return float(v[order][min(i, len(v) - 1)])


def nearest_times(
    tt: pd.DataFrame, origin_ids: Sequence[Any], destination_ids: Sequence[Any] | None = None
) -> pd.Series:
    """Travel time (s) from each origin to its nearest destination (``inf`` when none)."""
    check_tt(tt)
    t = tt
    if destination_ids is not None:
        t = t[t["to_id"].isin(list(destination_ids))]
    best = t.groupby("from_id")["travel_time"].min()
    return best.reindex(pd.Index(origin_ids)).fillna(np.inf).astype(float)


def gravity_scores(
    tt: pd.DataFrame, origin_ids: Sequence[Any], *, half_life_min: float = 10.0
) -> pd.Series:
    """Gravity access per origin: ``Σ_j exp(-ln2 · t_ij / half_life)`` (t in minutes)."""
    check_tt(tt)
    t = tt.dropna(subset=["travel_time"])
    beta = math.log(2) / half_life_min
    s = np.exp(-beta * t["travel_time"].to_numpy(float) / 60.0)
    g = pd.Series(s, index=t.index).groupby(t["from_id"]).sum()
    return g.reindex(pd.Index(origin_ids)).fillna(0.0)


def two_step_fca(
    tt: pd.DataFrame, demand: pd.Series, supply: pd.Series, *, max_time_s: float
) -> pd.Series:
    """Two-step floating catchment area ratio per origin (Luo & Wang).

    ``R_j = S_j / Σ_{i: t_ij ≤ T} P_i`` then ``A_i = Σ_{j: t_ij ≤ T} R_j``: the same as PySAL
    ``access``'s ``two_stage_fca`` with ``max_cost=T`` on the same table. A structure whose
    catchment holds no demand gets ``R_j = 0`` (``access`` gives inf/NaN there). A catchment
    holding an origin of unknown population (NaN) has an unknown ratio, and so has every
    origin reaching that structure (NaN, never a ratio computed on part of the demand).

    Parameters
    ----------
    tt
        Long table ``from_id, to_id, travel_time`` (seconds).
    demand
        Population per origin id.
    supply
        Capacity per destination id.
    max_time_s
        Catchment size *T* in seconds (inclusive).

    Returns
    -------
    pandas.Series
        Access ratio (capacity per resident) per origin id of ``demand``; 0 when no structure
        is within *T*.
    """
    check_tt(tt)
    t = tt[(tt["travel_time"] <= max_time_s) & tt["from_id"].isin(demand.index)]
    t = t[t["to_id"].isin(supply.index)]
    p = demand.reindex(t["from_id"]).to_numpy(float)
    catch = _nan_sum(pd.Series(p, index=t.index), t["to_id"].to_numpy())
    s = supply.reindex(catch.index).to_numpy(float)
    c = catch.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        # a catchment holding residents of unknown number has an unknown ratio (NaN)
        r = np.where(np.isnan(c), np.nan, np.where(c > 0, s / c, 0.0))
    ratio = pd.Series(r, index=catch.index)
    a = _nan_sum(pd.Series(ratio.reindex(t["to_id"]).to_numpy(), index=t.index), t["from_id"])
    out = a.reindex(demand.index)
    # no structure within T: 0; an unknown ratio stays unknown
    return out.where(out.index.isin(a.index), 0.0)


def _nan_sum(values: pd.Series, by: Any) -> pd.Series:
    """Sum by group, NaN when any value of the group is NaN (unknown stays unknown)."""
    g = values.groupby(np.asarray(by))
    total = g.sum()
    return total.where(~values.isna().groupby(np.asarray(by)).any())


# --------------------------------------------------------------------------- indicators


def qpv_indicators(
    tt: pd.DataFrame,
    origins: pd.DataFrame,
    destinations: pd.DataFrame | Sequence[Any],
    *,
    minutes: float = 30.0,
    thresholds: Sequence[float] = (10, 20, 30, 45),
    half_life_min: float = 10.0,
    capacity: pd.Series | str | None = "capacity",
) -> pd.DataFrame:
    """Accessibility indicators per QPV from origin-level travel times.

    Parameters
    ----------
    tt
        Long table ``from_id, to_id, travel_time`` (seconds, NaN = unreachable), from origins to
        structures (filter it first with :func:`open_on_arrival` for "reachable while open").
    origins
        Output of :func:`origin_points` (index = origin id; ``code_qp``, ``population``).
    destinations
        Structures considered (a frame indexed by id, or a list of ids).
    minutes
        *T* for cumulative opportunities and 2SFCA.
    thresholds
        Minutes for the ``share_within_*`` columns.
    half_life_min
        Half-life of the gravity decay, minutes.
    capacity
        Capacity per structure (Series by id, or a column of ``destinations``); when absent the
        ``fca2`` column is NaN.

    Returns
    -------
    pandas.DataFrame
        Index ``code_qp``; columns ``population`` (NaN when unknown), ``population_known``,
        ``n_origins``, ``median_min``, ``p80_min``
        (to the nearest structure; ``inf`` = not reachable), ``share_within_{m}``,
        ``opportunities`` (structures within *T*), ``gravity``, ``fca2`` (capacity per 1,000
        residents), ``share_uncovered`` (no structure within *T*), ``pop_uncovered``.
    """
    check_tt(tt)
    if isinstance(destinations, pd.DataFrame):
        dest_ids = list(destinations.index)
    else:
        dest_ids = list(destinations)
    cap = _capacity(destinations, capacity)
    frame = _origin_measures(
        tt, origins, dest_ids, cap, minutes=minutes, half_life_min=half_life_min
    )
    rows = {}
    for code, g in frame.groupby("code_qp", sort=False):
        rows[code] = _qpv_row(g, thresholds=thresholds, minutes=minutes)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "code_qp"
    out["n_origins"] = out["n_origins"].astype(int)
    out["population_known"] = out["population_known"].astype(bool)
    return out


def _capacity(
    destinations: pd.DataFrame | Sequence[Any], capacity: pd.Series | str | None
) -> pd.Series | None:
    """Capacity per structure id: the Series given, or a column of ``destinations``, or None."""
    if isinstance(capacity, str):
        if isinstance(destinations, pd.DataFrame) and capacity in destinations.columns:
            return pd.to_numeric(destinations[capacity], errors="coerce").dropna()
        return None
    return capacity


def _origin_measures(
    tt: pd.DataFrame,
    origins: pd.DataFrame,
    dest_ids: list[Any],
    cap: pd.Series | None,
    *,
    minutes: float,
    half_life_min: float,
) -> pd.DataFrame:
    """Per origin: QPV, residents, nearest time (min), opportunities, gravity, 2SFCA (/1,000)."""
    oid = list(origins.index)
    t = tt[tt["to_id"].isin(dest_ids) & tt["from_id"].isin(oid)].dropna(subset=["travel_time"])
    near = nearest_times(t, oid).to_numpy() / 60.0
    pop = origins["population"].to_numpy(float)
    within_t = t[t["travel_time"] <= minutes * 60.0]
    opp = within_t.groupby("from_id").size().reindex(oid).fillna(0).to_numpy(float)
    grav = gravity_scores(t, oid, half_life_min=half_life_min).to_numpy()
    if cap is not None and len(cap):
        demand = pd.Series(pop, index=oid)
        fca = two_step_fca(t, demand, cap, max_time_s=minutes * 60.0).to_numpy() * 1000.0
    else:
        fca = np.full(len(oid), np.nan)
    return pd.DataFrame(
        {
            "code_qp": origins["code_qp"].to_numpy(),
            "pop": pop,
            "near": near,
            "opp": opp,
            "grav": grav,
            "fca": fca,
        }
    )


def _qpv_row(g: pd.DataFrame, *, thresholds: Sequence[float], minutes: float) -> dict[str, float]:
    """One QPV's indicators from its origins' measures (population-weighted).

    When the QPV's population is unknown (NaN on its origins), ``population``, the shares,
    ``pop_uncovered`` and ``fca2`` are NaN and ``population_known`` is False; the times,
    ``opportunities`` and ``gravity`` are then averaged over the origin points with equal
    weights (they describe the places residents are put at, not a count of residents).
    """
    w = g["pop"].to_numpy()
    known = not bool(np.isnan(w).any())
    tot = w.sum() if known else math.nan
    wn = w / tot if tot > 0 else np.full(len(w), 1.0 / len(w))
    nr = g["near"].to_numpy()
    row: dict[str, float] = {
        "population": round(float(tot), 6),
        "population_known": known,
        "n_origins": float(len(g)),
        "median_min": weighted_quantile(nr, wn, 0.5),
        "p80_min": weighted_quantile(nr, wn, 0.8),
    }
    for m in thresholds:
        row[f"share_within_{int(m)}"] = _share(wn, nr <= m)
    row["opportunities"] = float((wn * g["opp"].to_numpy()).sum())
    row["gravity"] = float((wn * g["grav"].to_numpy()).sum())
    row["fca2"] = float((wn * g["fca"].to_numpy()).sum())
    unc = _share(wn, ~(nr <= minutes))
    row["share_uncovered"] = unc
    row["pop_uncovered"] = round(unc * float(tot), 1)
    if not known:
        # unknown population: shares and counts of residents are unknown, never 0
        for k in row:
            if k.startswith("share_") or k == "fca2":
                row[k] = math.nan
    return row


def indicator_table(
    tables: Mapping[tuple[str, str, str], pd.DataFrame],
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    roles_column: str = "roles",
    open_tables: Mapping[tuple[str, str, str], pd.DataFrame] | None = None,
    unknown: Literal["open", "closed"] = "open",
    **kwargs: Any,
) -> pd.DataFrame:
    """Tidy indicator table per QPV × role × mode × slot.

    Parameters
    ----------
    tables
        Travel-time tables keyed by ``(role, mode, slot)``; each is filtered to the structures
        holding ``role`` (``roles_column`` holds tuples of roles; role ``"all"`` keeps all).
    origins, destinations
        As in :func:`qpv_indicators`.
    open_tables
        Same keys → :func:`open_table` frames; when given, a second set of rows with
        ``while_open=True`` is added.
    unknown
        Unknown opening hours count as open or closed.
    **kwargs
        Passed to :func:`qpv_indicators`.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_qp, role, mode, slot, while_open`` then the indicators.
    """
    parts = []
    for (role, mode, slot), tt in tables.items():
        dests = _with_role(destinations, role, roles_column)
        variants = [(False, tt)]
        if open_tables is not None and (role, mode, slot) in open_tables:
            variants.append(
                (True, open_on_arrival(tt, open_tables[role, mode, slot], unknown=unknown))
            )
        for while_open, t in variants:
            ind = qpv_indicators(t, origins, dests, **kwargs).reset_index()
            ind.insert(1, "role", role)
            ind.insert(2, "mode", mode)
            ind.insert(3, "slot", slot)
            ind.insert(4, "while_open", while_open)
            ind.insert(5, "n_structures", len(dests))
            parts.append(ind)
    return pd.concat(parts, ignore_index=True)


def _share(wn: np.ndarray, cond: np.ndarray) -> float:
    """Weight share of ``cond``, exactly 0 or 1 when none or all hold."""
    if cond.all():
        return 1.0
    if not cond.any():
        return 0.0
    return float(min(1.0, wn[cond].sum()))


def _with_role(destinations: pd.DataFrame, role: str, roles_column: str) -> pd.DataFrame:
    if role == "all" or roles_column not in destinations.columns:
        return destinations
    has = destinations[roles_column].map(lambda r: role in tuple(r or ()))
    return destinations[has.to_numpy(bool)]
