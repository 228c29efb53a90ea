"""Where to hold permanences: maximal covering, and a weekly itinerant schedule.

Pure functions over a long travel-time table ``from_id, to_id, travel_time`` (seconds) from
resident origins (see :func:`qpv_radar.access.origin_points`) to candidate places.

Maximal covering (Church & ReVelle's MCLP): choose *k* candidate places maximising the number of
residents within *T* minutes of at least one of them.

- :func:`greedy_max_cover` adds, one at a time, the place that covers the most residents not yet
  covered; it reports each place's gain. Greedy is within ``1 − 1/e`` (63 %) of the optimum in
  the worst case and is usually optimal on small city instances; it needs nothing but numpy.
  **The CLI uses greedy by default** (``--exact`` switches to the ILP).
- :func:`exact_max_cover` solves the ILP with PySAL ``spopt`` (``MCLP.from_cost_matrix``, CBC via
  PuLP; install ``qpv-radar[siting]``) and reports the chosen places in greedy order of gain.

:func:`itinerant_schedule` plans one agent's week over several QPVs — method and limits in its
docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._errors import QpvRadarError

__all__ = [
    "SitingError",
    "coverage_matrix",
    "exact_max_cover",
    "greedy_max_cover",
    "itinerant_schedule",
]

HALF_DAYS: tuple[str, ...] = tuple(
    f"{d}-{p}"
    for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
    for p in ("am", "pm")
)


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
        ``covered`` (cumulative), ``share_covered`` (of the total demand), ``method``.
        Places that would add nobody are still listed (gain 0) so that *k* rows come back when
        there are *k* candidates.

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


def exact_max_cover(
    tt: pd.DataFrame,
    demand: pd.Series,
    candidates: Sequence[Any],
    k: int,
    *,
    minutes: float,
) -> pd.DataFrame:
    """Optimal maximal covering (ILP) with PySAL ``spopt``'s MCLP and the CBC solver.

    Same parameters and output as :func:`greedy_max_cover` (chosen places listed in greedy
    order of their gain, ``method="exact"``).

    Raises
    ------
    SitingError
        ``k < 1``, no candidate, or ``spopt``/``pulp`` not installed.
    """
    cand = list(candidates)
    _check(cand, k)
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SitingError(
            "the exact solver needs spopt and pulp: pip install 'qpv-radar[siting]', or use the "
            "greedy solver."
        ) from exc
    a = coverage_matrix(tt, demand, cand, minutes=minutes)
    w = demand.to_numpy(float)
    p = min(k, len(cand))
    cost = np.where(a, 0.0, 1.0)
    model = MCLP.from_cost_matrix(cost, w, service_radius=0.5, p_facilities=p)
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j, v in enumerate(model.fac_vars) if v.value() is not None and v.value() > 0.5]
    # The ILP may leave slots unused when they add nothing; fill them like greedy would.
    rest = [j for j in range(len(cand)) if j not in chosen]
    order = _greedy_order(a, w, chosen)
    covered = a[:, chosen].any(axis=1) if chosen else np.zeros(len(w), bool)
    for _ in range(p - len(chosen)):
        gains = [float(w[a[:, j] & ~covered].sum()) for j in rest]
        b = int(np.argmax(gains))
        j = rest.pop(b)
        order.append((j, gains[b]))
        covered |= a[:, j]
    return _result(order, cand, float(w.sum()), "exact")


def itinerant_schedule(
    tt_residents: pd.DataFrame,
    demand: pd.DataFrame,
    tt_places: pd.DataFrame,
    candidates: Sequence[Any],
    *,
    qpv_codes: Sequence[str] | None = None,
    half_days: int = 10,
    base: Any | None = None,
    agent_weight: float = 1.0,
) -> pd.DataFrame:
    """A weekly itinerant schedule for one agent covering several QPVs.

    Method (a documented heuristic, not an optimum):

    1. **Place per QPV.** For each QPV, the candidate place minimising
       ``residents' mean travel time`` (population-weighted over its origin points)
       ``+ agent_weight × agent's travel time from base`` (when ``base`` is given).
    2. **Half-days per QPV.** ``half_days`` are shared among the QPVs in proportion to their
       population (largest remainder), at least one each (when there are fewer half-days than
       QPVs, the most populous QPVs get one each and the others none).
    3. **Order.** Visits are chained by nearest neighbour on the agent's travel times between
       places (from ``base``, or from the place of the most populous QPV) and laid on the
       half-days Monday morning → Friday afternoon, so the two half-days of a day are as close
       as possible and the agent's moves stay short.

    Limits: travel times are taken at one departure time; it ignores the places' opening
    hours, rooms' availability and residents' preferred days; one agent, one place per
    half-day; the nearest-neighbour order is not an optimal tour.

    Parameters
    ----------
    tt_residents
        Long table from resident origins to candidate places (seconds).
    demand
        Origins with ``code_qp`` and ``population`` (index = origin id).
    tt_places
        Long table between candidate places (and ``base``) for the agent (seconds).
    candidates
        Candidate place ids.
    qpv_codes
        QPVs to serve (default: every QPV of ``demand``).
    half_days
        Half-days available in the week (default 10: Monday–Friday, morning and afternoon).
    base
        The agent's home office id (in ``tt_places``), if any.
    agent_weight
        Weight of the agent's minutes against residents' minutes in step 1.

    Returns
    -------
    pandas.DataFrame
        One row per half-day used: ``half_day`` (``monday-am`` …), ``code_qp``, ``place_id``,
        ``residents_mean_min``, ``agent_move_min`` (from the previous place, or from base).

    Raises
    ------
    SitingError
        No candidate, no QPV, half_days < 1, or a QPV none of whose residents reaches any
        candidate.
    """
    cand = list(candidates)
    _check(cand, 1)
    if half_days < 1:
        raise SitingError(f"half_days={half_days}: give at least one half-day.")
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
    # half-days by largest remainder
    ranked = sorted(codes, key=lambda c: -pops[c])
    total = sum(pops.values())
    if half_days < len(codes):
        alloc = {c: (1 if i < half_days else 0) for i, c in enumerate(ranked)}
    else:
        extra = half_days - len(codes)
        quota = {c: (pops[c] / total * extra if total > 0 else extra / len(codes)) for c in codes}
        alloc = {c: 1 + int(quota[c]) for c in codes}
        left = half_days - sum(alloc.values())
        for c in sorted(codes, key=lambda c: -(quota[c] - int(quota[c])))[:left]:
            alloc[c] += 1
    visits = [c for c in ranked for _ in range(alloc[c])]
    # nearest-neighbour chain over places
    here = base if base is not None else chosen[ranked[0]][0]
    rows = []
    pending = visits[:]
    slots = (
        list(HALF_DAYS) + [f"extra-{i}" for i in range(1, half_days - len(HALF_DAYS) + 1)]
        if half_days > len(HALF_DAYS)
        else list(HALF_DAYS[:half_days])
    )
    for slot in slots[: len(visits)]:
        dists = [move(here, chosen[c][0]) for c in pending]
        b = int(np.argmin(dists))
        c = pending.pop(b)
        place = chosen[c][0]
        rows.append(
            {
                "half_day": slot,
                "code_qp": c,
                "place_id": place,
                "residents_mean_min": chosen[c][1],
                "agent_move_min": dists[b] / 60.0,
            }
        )
        here = place
    return pd.DataFrame(rows)
