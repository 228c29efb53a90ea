"""A weekly itinerant schedule: one agent, several QPVs, a place and half-days for each.

Pure functions over long travel-time tables ``from_id, to_id, travel_time`` (seconds): from
resident origins (see :func:`qpv_radar.analysis.origin_points`) to candidate places, and between
the places for the agent.

Method of :func:`itinerant_schedule`:

1. **Place per QPV** (a rule). For each QPV, the candidate place minimising
   ``residents' mean travel time`` (population-weighted over its origin points)
   ``+ agent_weight × agent's travel time from base`` (when ``base`` is given), among the
   places every origin of the QPV reaches.
2. **Half-days per QPV** (a rule). ``half_days`` are shared among the QPVs in proportion to
   their population (largest remainder), at least one each (when there are fewer half-days
   than QPVs, the most populous QPVs get one each and the others none).
3. **Week** (optimal for what it models). Each day holds a morning and an afternoon visit,
   one of them or none. A small integer program (:func:`scipy.optimize.milp`) chooses the
   days' contents: every QPV gets its half-days, **on as many different days as possible**
   (a QPV with up to ``len(days)`` half-days never has two on the same day, so a resident
   who cannot come one day has another), and the agent's total travel is the least:
   ``base → morning place → afternoon place → base`` each day with a ``base``, the move
   between the two places of a day without one. Among equal travel, a QPV with several
   half-days gets both a morning and an afternoon (worth up to one minute of the agent's
   travel). The days are then ordered to spread each QPV's visits over the week (the
   largest smallest gap between two of its visits, counting the weekend).

Limits: travel times are taken at one departure time; the places' opening hours, rooms'
availability and residents' preferred days are ignored; one agent, one place per QPV, one
visit per half-day; the agent goes back to ``base`` every evening (no travel between days);
steps 1 and 2 are rules, not part of the optimisation (a place cheaper for the agent is not
traded against residents' minutes beyond ``agent_weight``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from .siting import SitingError, check_candidates

__all__ = ["HALF_DAYS", "WEEK", "itinerant_schedule"]

WEEK: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday")
_DAY_INDEX = {
    d: i
    for i, d in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
HALF_DAYS: tuple[str, ...] = tuple(f"{d}-{p}" for d in WEEK for p in ("am", "pm"))
# Bonus (seconds of the agent's travel) for giving a QPV with several visits both a morning and
# an afternoon: a tie-break, it never costs the agent more than a minute.
_MIX_BONUS_S = 60.0
# Stand-in cost for an agent's move with no known travel time (keeps the program feasible).
_NO_PATH_S = 1e7

# The agent's travel time (seconds, inf when unknown) between two places.
Move = Callable[[Any, Any], float]
# A day's contents: the QPV visited in the morning, in the afternoon (None: no visit).
Day = tuple[str | None, str | None]


def itinerant_schedule(
    tt_residents: pd.DataFrame,
    demand: pd.DataFrame,
    tt_places: pd.DataFrame,
    candidates: Sequence[Any],
    *,
    qpv_codes: Sequence[str] | None = None,
    half_days: int = 10,
    days: Sequence[str] = WEEK,
    base: Any | None = None,
    agent_weight: float = 1.0,
) -> pd.DataFrame:
    """A weekly itinerant schedule for one agent covering several QPVs.

    Three steps: a place per QPV and half-days per QPV (rules), then the week (a small integer
    program); the method and its limits are in the module docstring
    (:mod:`qpv_radar.analysis.schedule`).

    Parameters
    ----------
    tt_residents
        Long table from resident origins to candidate places (seconds).
    demand
        Origins with ``code_qp`` and ``population`` (index = origin id).
    tt_places
        Long table between candidate places (and ``base``) for the agent (seconds); a missing
        direction is taken from the other one.
    candidates
        Candidate place ids.
    qpv_codes
        QPVs to serve (default: every QPV of ``demand``).
    half_days
        Half-days available in the week (default 10), at most ``2 × len(days)``.
    days
        Working days, English names (default Monday–Friday).
    base
        The agent's home office id (in ``tt_places``), if any.
    agent_weight
        Weight of the agent's minutes against residents' minutes in step 1.

    Returns
    -------
    pandas.DataFrame
        One row per half-day used, in week order: ``half_day`` (``monday-am`` …), ``code_qp``,
        ``place_id``, ``residents_mean_min``, ``agent_move_min`` (from ``base``, or from the
        morning's place for an afternoon visit; 0 for a day's first visit without ``base``).

    Raises
    ------
    SitingError
        No candidate, no QPV, half_days out of range, unknown day names, or a QPV none of whose
        residents reaches any candidate.
    """
    cand = list(candidates)
    day_list, codes = _checked_week(cand, demand, qpv_codes, half_days, days)
    t = tt_residents.dropna(subset=["travel_time"])
    t = t[t["to_id"].isin(cand)]
    move = _agent_moves(tt_places)
    chosen: dict[str, tuple[Any, float]] = {}
    pops: dict[str, float] = {}
    for code in codes:
        o = demand[demand["code_qp"] == code]
        pops[code] = float(o["population"].sum())
        chosen[code] = _best_place(code, o, t, move, base, agent_weight)
    alloc = _share_half_days(codes, pops, half_days)
    served = [c for c in codes if alloc[c] > 0]
    place = {c: chosen[c][0] for c in served}

    def leg(a: Any, b: Any) -> float:
        v = move(a, b)
        return v if math.isfinite(v) else _NO_PATH_S

    week = _plan_week(served, alloc, place, len(day_list), base, leg)
    week = _spread_days(week, [_DAY_INDEX[d] for d in day_list])
    return _schedule_rows(day_list, week, place, chosen, base, move)


def _checked_week(
    cand: list[Any],
    demand: pd.DataFrame,
    qpv_codes: Sequence[str] | None,
    half_days: int,
    days: Sequence[str],
) -> tuple[list[str], list[str]]:
    """The working days (lower case) and the QPVs to serve, after checking the inputs.

    Raises
    ------
    SitingError
        No candidate, unknown or repeated day names, half_days out of range, or no QPV.
    """
    check_candidates(cand, 1)
    day_list = [str(d).lower() for d in days]
    bad_days = [d for d in day_list if d not in _DAY_INDEX]
    if bad_days or not day_list or len(set(day_list)) < len(day_list):
        raise SitingError(
            f"days={list(days)!r}: give distinct English day names, e.g. "
            "('monday', 'tuesday', 'wednesday', 'thursday', 'friday')."
        )
    if not 1 <= half_days <= 2 * len(day_list):
        raise SitingError(
            f"half_days={half_days}: give 1 to {2 * len(day_list)} half-days "
            f"({len(day_list)} days, morning and afternoon)."
        )
    codes = list(qpv_codes) if qpv_codes is not None else list(pd.unique(demand["code_qp"]))
    if not codes:
        raise SitingError("no QPV to serve: give qpv_codes or a non-empty demand table.")
    return day_list, codes


def _agent_moves(tt_places: pd.DataFrame) -> Move:
    """The agent's travel time between two places; a missing direction from the other one."""
    agent = tt_places.dropna(subset=["travel_time"]).set_index(["from_id", "to_id"])["travel_time"]

    def move(a: Any, b: Any) -> float:
        if a == b:
            return 0.0
        v = agent.get((a, b), agent.get((b, a), np.inf))
        return float(v)

    return move


def _best_place(
    code: str,
    o: pd.DataFrame,
    t: pd.DataFrame,
    move: Move,
    base: Any | None,
    agent_weight: float,
) -> tuple[Any, float]:
    """A QPV's place (step 1) and its residents' mean travel time there, in minutes.

    Raises
    ------
    SitingError
        No candidate place is reachable from every origin ``o`` of the QPV.
    """
    sub = t[t["from_id"].isin(o.index)]
    w = o["population"].reindex(sub["from_id"]).to_numpy(float)
    frame = pd.DataFrame({"to_id": sub["to_id"].to_numpy(), "wt": w * sub["travel_time"], "w": w})
    agg = frame.groupby("to_id").sum()
    # only places every origin of the QPV reaches
    n_reach = sub.groupby("to_id").size()
    agg = agg[n_reach.reindex(agg.index).to_numpy() == len(o)]
    if agg.empty:
        raise SitingError(
            f"QPV {code}: no candidate place is reachable from all its residents; add "
            "candidates or raise the travel-time limit."
        )
    mean_min = (agg["wt"] / agg["w"].where(agg["w"] > 0, 1.0) / 60.0).where(
        agg["w"] > 0, agg["wt"] * 0
    )
    if base is not None:
        score = mean_min + agent_weight * np.array([move(base, p) / 60.0 for p in agg.index])
    else:
        score = mean_min
    best = score.idxmin()
    return best, float(mean_min.loc[best])


def _schedule_rows(
    day_list: list[str],
    week: list[Day],
    place: dict[str, Any],
    chosen: dict[str, tuple[Any, float]],
    base: Any | None,
    move: Move,
) -> pd.DataFrame:
    """The schedule table: one row per half-day used, in week order."""
    rows = []
    for d, (am, pm) in zip(day_list, week, strict=True):
        for period, c, prev in (("am", am, base), ("pm", pm, place[am] if am else base)):
            if c is None:
                continue
            rows.append(
                {
                    "half_day": f"{d}-{period}",
                    "code_qp": c,
                    "place_id": place[c],
                    "residents_mean_min": chosen[c][1],
                    "agent_move_min": move(prev, place[c]) / 60.0 if prev is not None else 0.0,
                }
            )
    return pd.DataFrame(rows)


def _share_half_days(codes: list[str], pops: dict[str, float], half_days: int) -> dict[str, int]:
    """Half-days per QPV: proportional to population (largest remainder), at least one each."""
    ranked = sorted(codes, key=lambda c: -pops[c])
    total = sum(pops.values())
    if half_days < len(codes):
        return {c: (1 if i < half_days else 0) for i, c in enumerate(ranked)}
    extra = half_days - len(codes)
    quota = {c: (pops[c] / total * extra if total > 0 else extra / len(codes)) for c in codes}
    alloc = {c: 1 + int(quota[c]) for c in codes}
    left = half_days - sum(alloc.values())
    for c in sorted(codes, key=lambda c: -(quota[c] - int(quota[c])))[:left]:
        alloc[c] += 1
    return alloc


def _plan_week(
    served: list[str],
    alloc: dict[str, int],
    place: dict[str, Any],
    n_days: int,
    base: Any | None,
    leg: Move,
) -> list[Day]:
    """Days' contents (morning QPV, afternoon QPV) minimising the agent's travel.

    An integer program over *day patterns*: ``y_q`` = number of days run with pattern ``q``
    (an ordered pair of QPVs, or one QPV in the morning or the afternoon only). Days are
    interchangeable, so this is exact and free of the symmetry of a day-by-day model.
    Constraints: each QPV's half-days are met; it is on at least ``min(half-days, n_days)``
    different days; at most ``n_days`` days are used. Objective: the agent's travel (seconds)
    minus :data:`_MIX_BONUS_S` for each QPV with both a morning and an afternoon.
    """
    patterns: list[Day] = [(a, b) for a in served for b in served]
    patterns += [(a, None) for a in served] + [(None, b) for b in served]

    def cost(q: Day) -> float:
        a, b = (place[c] if c is not None else None for c in q)
        if base is None:
            return leg(a, b) if a is not None and b is not None else 0.0
        stops = [base, *(s for s in (a, b) if s is not None), base]
        return float(sum(leg(u, v) for u, v in itertools.pairwise(stops)))

    nq = len(patterns)
    mixers = [c for c in served if alloc[c] >= 2]
    nu = 2 * len(mixers)  # u[c, am], u[c, pm] in [0, 1]
    c_obj = np.concatenate([[cost(q) for q in patterns], np.full(nu, -_MIX_BONUS_S)])
    constraints = _week_constraints(patterns, served, mixers, alloc, n_days)
    res = milp(
        c_obj,
        integrality=np.concatenate([np.ones(nq), np.zeros(nu)]),
        bounds=Bounds(0, np.concatenate([np.full(nq, n_days), np.ones(nu)])),
        constraints=constraints,
        options={"mip_rel_gap": 0.0},
    )
    if res.status != 0 or res.x is None:  # pragma: no cover - always feasible by construction
        raise SitingError(f"the weekly schedule could not be built ({res.message}).")
    week: list[Day] = []
    for j, q in enumerate(patterns):
        week += [q] * round(float(res.x[j]))
    return week + [(None, None)] * (n_days - len(week))


def _week_constraints(
    patterns: list[Day],
    served: list[str],
    mixers: list[str],
    alloc: dict[str, int],
    n_days: int,
) -> list[LinearConstraint]:
    """Constraints of :func:`_plan_week` over ``y_q`` (one per pattern) then ``u[c, period]``.

    Each QPV's half-days met exactly; each QPV on at least ``min(half-days, n_days)`` days; at
    most ``n_days`` days used; ``u[c, period]`` (for the ``mixers``, QPVs with two half-days or
    more) at most the number of days with ``c`` in that period.
    """
    nq, nc, nu = len(patterns), len(served), 2 * len(mixers)
    visits = np.zeros((nc, nq + nu))
    present = np.zeros((nc, nq + nu))
    for j, (a, b) in enumerate(patterns):
        for c in (a, b):
            if c is not None:
                visits[served.index(c), j] += 1
                present[served.index(c), j] = 1
    used = np.concatenate([np.ones(nq), np.zeros(nu)])[None, :]
    # u[c, period] <= number of days with c in that period
    mix = np.zeros((nu, nq + nu))
    for m, c in enumerate(mixers):
        for k, period in enumerate((0, 1)):
            row = 2 * m + k
            mix[row, nq + row] = 1.0
            for j, q in enumerate(patterns):
                if q[period] == c:
                    mix[row, j] = -1.0
    need = np.array([alloc[c] for c in served], float)
    spread = np.array([min(alloc[c], n_days) for c in served], float)
    constraints = [
        LinearConstraint(visits, need, need),
        LinearConstraint(present, spread, np.inf),
        LinearConstraint(used, 0, n_days),
    ]
    if nu:
        constraints.append(LinearConstraint(mix, -np.inf, 0.0))
    return constraints


def _spread_days(week: list[Day], weekday: list[int]) -> list[Day]:
    """Order the days to spread each QPV's visits over the week.

    Score of an order: for each QPV on two days or more, the smallest gap (in days, across the
    weekend too) between two of its visits, summed over QPVs; the best order wins, the first
    found among equals (busy days first).
    """
    week = sorted(week, key=lambda q: -sum(c is not None for c in q))
    best, best_score = week, -1.0
    for perm in itertools.permutations(range(len(week))):
        order = [week[i] for i in perm]
        on: dict[str, list[int]] = {}
        for d, q in zip(weekday, order, strict=True):
            for c in dict.fromkeys(x for x in q if x is not None):
                on.setdefault(c, []).append(d)
        score = 0.0
        for ds in on.values():
            if len(ds) > 1:
                gaps = np.diff([*ds, ds[0] + 7])
                score += float(gaps.min())
        if score > best_score:
            best, best_score = order, score
    return best
