"""Where to hold permanences: maximal covering, and a weekly itinerant schedule.

Pure functions over a long travel-time table ``from_id, to_id, travel_time`` (seconds) from
resident origins (see :func:`qpv_radar.access.origin_points`) to candidate places.

Maximal covering (Church & ReVelle's MCLP): choose *k* candidate places maximising the number of
residents within *T* minutes of at least one of them.

- :func:`exact_max_cover` solves the integer program to optimality with
  :func:`scipy.optimize.milp` (the HiGHS solver shipped with SciPy: no extra dependency); it is
  **the default of the CLI and of** :func:`qpv_radar.planner.permanences`. ``solver="spopt"``
  solves the same program with PySAL ``spopt``'s ``MCLP`` and CBC instead (install
  ``qpv-radar[siting]``), to cross-check.
- :func:`greedy_max_cover` adds, one at a time, the place that covers the most residents not yet
  covered. Within ``1 − 1/e`` (63 %) of the optimum in the worst case; on Montpellier (k = 3,
  20 min on foot) it reaches 98 % of it (32,767 residents instead of 33,313).

Both report each chosen place's gain: greedy in the order it picked them; the optimum's places
are ordered the same way (the one covering the most first, then the one adding the most…), so
the gains add up to the total covered.

:func:`itinerant_schedule` plans one agent's week over several QPVs — method and limits in its
docstring.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ._errors import QpvRadarError

__all__ = [
    "HALF_DAYS",
    "WEEK",
    "SitingError",
    "coverage_matrix",
    "exact_max_cover",
    "greedy_max_cover",
    "itinerant_schedule",
]

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


class SitingError(QpvRadarError, ValueError):
    """Siting inputs that cannot give an answer (no candidate, k < 1, …)."""


def coverage_matrix(
    tt: pd.DataFrame,
    demand: pd.Series,
    candidates: Sequence[Any],
    *,
    minutes: float,
) -> np.ndarray:
    """Boolean matrix (demand points × candidates): reachable within ``minutes`` (inclusive)."""
    cand = list(candidates)
    t = tt.dropna(subset=["travel_time"])
    t = t[t["travel_time"] <= minutes * 60.0]
    i = pd.Index(demand.index).get_indexer(t["from_id"])
    j = pd.Index(cand).get_indexer(t["to_id"])
    ok = (i >= 0) & (j >= 0)
    a = np.zeros((len(demand), len(cand)), bool)
    a[i[ok], j[ok]] = True
    return a


def _check(candidates: Sequence[Any], k: int) -> None:
    if k < 1:
        raise SitingError(f"k={k}: choose at least one place (k >= 1).")
    if len(candidates) == 0:
        raise SitingError(
            "no candidate place: give a list of places, or a territory with relays (Maisons pour "
            "tous, France services)."
        )


def _greedy_order(a: np.ndarray, w: np.ndarray, chosen: Sequence[int]) -> list[tuple[int, float]]:
    """Order ``chosen`` by greedy marginal gain; returns (index, gain) pairs."""
    covered = np.zeros(a.shape[0], bool)
    left = list(chosen)
    out = []
    while left:
        gains = [float(w[a[:, j] & ~covered].sum()) for j in left]
        b = int(np.argmax(gains))
        j = left.pop(b)
        out.append((j, gains[b]))
        covered |= a[:, j]
    return out


def _result(
    order: list[tuple[int, float]], cand: list[Any], total: float, method: str
) -> pd.DataFrame:
    gains = np.array([g for _, g in order], float)
    cum = np.cumsum(gains)
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "place_id": [cand[j] for j, _ in order],
            "gain": gains,
            "covered": cum,
            "share_covered": cum / total if total > 0 else np.zeros(len(order)),
            "method": method,
        }
    )


def greedy_max_cover(
    tt: pd.DataFrame,
    demand: pd.Series,
    candidates: Sequence[Any],
    k: int,
    *,
    minutes: float,
) -> pd.DataFrame:
    """Greedy maximal covering: *k* places, each added for the most newly covered residents.

    Parameters
    ----------
    tt
        Long table ``from_id, to_id, travel_time`` (seconds) from demand points to candidates.
    demand
        Residents per demand point (index = ``from_id`` values).
    candidates
        Candidate place ids (``to_id`` values).
    k
        Number of places; when larger than the number of candidates, all candidates are ranked.
    minutes
        *T*: a resident is covered within ``minutes`` (inclusive).

    Returns
    -------
    pandas.DataFrame
        One row per chosen place in order: ``rank, place_id, gain`` (residents newly covered),
        ``covered`` (cumulative), ``share_covered`` (of the total demand), ``method``
        (``"greedy"``). Places that would add nobody are still listed (gain 0) so that *k* rows
        come back when there are *k* candidates.

    Raises
    ------
    SitingError
        ``k < 1`` or no candidate.
    """
    cand = list(candidates)
    _check(cand, k)
    a = coverage_matrix(tt, demand, cand, minutes=minutes)
    w = demand.to_numpy(float)
    covered = np.zeros(len(w), bool)
    free = np.ones(len(cand), bool)
    order: list[tuple[int, float]] = []
    for _ in range(min(k, len(cand))):
        gains = (w * ~covered) @ a
        gains[~free] = -1.0
        j = int(np.argmax(gains))  # ties: first candidate in input order
        order.append((j, float(gains[j])))
        covered |= a[:, j]
        free[j] = False
    return _result(order, cand, float(w.sum()), "greedy")


def _highs_max_cover(a: np.ndarray, w: np.ndarray, p: int) -> list[int]:
    """Indices of the ``p`` candidates of an optimal maximal covering (scipy ``milp``, HiGHS).

    Variables: ``x_j`` (place j chosen, binary) and ``y_i`` (demand point i covered, in [0, 1]);
    maximise ``Σ w_i y_i`` subject to ``y_i ≤ Σ_j a_ij x_j`` and ``Σ_j x_j = p``. Demand points
    with no residents or no covering candidate are left out (they change nothing); ``y`` needs
    no integrality (at an optimum with binary ``x`` it is 0 or 1).
    """
    keep = (w > 0) & a.any(axis=1)
    ak, wk = a[keep], w[keep]
    n, m = ak.shape
    if n == 0:
        return list(range(p))  # nobody can be covered: any p places
    cover = sp.hstack([-sp.csr_array(ak.astype(float)), sp.eye_array(n, format="csr")])
    count = sp.hstack([sp.csr_array(np.ones((1, m))), sp.csr_array((1, n))])
    res = milp(
        np.concatenate([np.zeros(m), -wk]),
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=Bounds(0.0, 1.0),
        constraints=[
            LinearConstraint(cover, -np.inf, 0.0),
            LinearConstraint(count, p, p),
        ],
        options={"mip_rel_gap": 0.0},
    )
    if res.status != 0 or res.x is None:  # pragma: no cover - HiGHS solves these to optimality
        raise SitingError(
            f"the maximal covering program was not solved ({res.message}); use the greedy "
            "method (method='greedy', --greedy)."
        )
    return [int(j) for j in np.flatnonzero(res.x[:m] > 0.5)]


def _spopt_max_cover(a: np.ndarray, w: np.ndarray, p: int) -> list[int]:
    """Indices of the chosen candidates of spopt's MCLP (CBC through PuLP)."""
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SitingError(
            "solver='spopt' needs spopt and pulp: pip install 'qpv-radar[siting]', or use the "
            "default solver (HiGHS, shipped with SciPy)."
        ) from exc
    cost = np.where(a, 0.0, 1.0)
    model = MCLP.from_cost_matrix(cost, w, service_radius=0.5, p_facilities=p)
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return [j for j, v in enumerate(model.fac_vars) if v.value() is not None and v.value() > 0.5]


def exact_max_cover(
    tt: pd.DataFrame,
    demand: pd.Series,
    candidates: Sequence[Any],
    k: int,
    *,
    minutes: float,
    solver: Literal["highs", "spopt"] = "highs",
) -> pd.DataFrame:
    """Optimal maximal covering: the *k* places reaching the most residents (integer program).

    Same parameters and output as :func:`greedy_max_cover`, ``method="exact"``. The chosen
    places are listed in greedy order of their gain (the place covering the most first, then the
    one adding the most to it…), so ``gain`` is each place's marginal contribution and the last
    ``covered`` is the optimum.

    Parameters
    ----------
    solver
        ``"highs"`` (default): :func:`scipy.optimize.milp`, solved to a zero optimality gap.
        ``"spopt"``: PySAL ``spopt``'s ``MCLP`` with CBC (``pip install 'qpv-radar[siting]'``).

    Raises
    ------
    SitingError
        ``k < 1``, no candidate, an unknown solver, or ``spopt``/``pulp`` not installed.
    """
    cand = list(candidates)
    _check(cand, k)
    if solver not in ("highs", "spopt"):
        raise SitingError(f"solver={solver!r}: use 'highs' (default) or 'spopt'.")
    a = coverage_matrix(tt, demand, cand, minutes=minutes)
    w = demand.to_numpy(float)
    p = min(k, len(cand))
    chosen = _highs_max_cover(a, w, p) if solver == "highs" else _spopt_max_cover(a, w, p)
    order = _greedy_order(a, w, chosen)
    # A solver may leave places unused when they add nothing; fill them like greedy would.
    rest = [j for j in range(len(cand)) if j not in chosen]
    covered = a[:, chosen].any(axis=1) if chosen else np.zeros(len(w), bool)
    for _ in range(p - len(chosen)):
        gains = [float(w[a[:, j] & ~covered].sum()) for j in rest]
        b = int(np.argmax(gains))
        j = rest.pop(b)
        order.append((j, gains[b]))
        covered |= a[:, j]
    return _result(order, cand, float(w.sum()), "exact")


# --------------------------------------------------------------------------- itinerant week


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

    Method:

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
    _check(cand, 1)
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
    t = tt_residents.dropna(subset=["travel_time"])
    t = t[t["to_id"].isin(cand)]
    agent = tt_places.dropna(subset=["travel_time"]).set_index(["from_id", "to_id"])["travel_time"]

    def move(a: Any, b: Any) -> float:
        if a == b:
            return 0.0
        v = agent.get((a, b), agent.get((b, a), np.inf))
        return float(v)

    chosen: dict[str, tuple[Any, float]] = {}
    pops: dict[str, float] = {}
    for code in codes:
        o = demand[demand["code_qp"] == code]
        pops[code] = float(o["population"].sum())
        sub = t[t["from_id"].isin(o.index)]
        w = o["population"].reindex(sub["from_id"]).to_numpy(float)
        frame = pd.DataFrame(
            {"to_id": sub["to_id"].to_numpy(), "wt": w * sub["travel_time"], "w": w}
        )
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
        chosen[code] = (best, float(mean_min.loc[best]))
    alloc = _share_half_days(codes, pops, half_days)
    served = [c for c in codes if alloc[c] > 0]
    place = {c: chosen[c][0] for c in served}

    def leg(a: Any, b: Any) -> float:
        v = move(a, b)
        return v if math.isfinite(v) else _NO_PATH_S

    week = _plan_week(served, alloc, place, len(day_list), base, leg)
    week = _spread_days(week, [_DAY_INDEX[d] for d in day_list])
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


Day = tuple[str | None, str | None]


def _plan_week(
    served: list[str],
    alloc: dict[str, int],
    place: dict[str, Any],
    n_days: int,
    base: Any | None,
    leg: Any,
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

    nq, nc = len(patterns), len(served)
    mixers = [c for c in served if alloc[c] >= 2]
    nu = 2 * len(mixers)  # u[c, am], u[c, pm] in [0, 1]
    c_obj = np.concatenate([[cost(q) for q in patterns], np.full(nu, -_MIX_BONUS_S)])
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
