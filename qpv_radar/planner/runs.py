"""Planner runs on one territory: coverage gaps by slot, accessibility indicators, where to
hold permanences.

They wire the pure analysis of :mod:`qpv_radar.analysis` to the territory's data and to its
:class:`~qpv_radar.Networks` (walking on the streets; public transport door to door, departing
at each slot, median over a departure window).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm import tqdm

from .. import analysis
from .._defaults import DEFAULT_TERRITORY
from .._errors import InputFileError, PlannerError, SitingError, TerritoryError
from .._messages import Message
from ..territory import Territory
from .inputs import (
    Capacity,
    candidate_problems,
    capacity_series,
    check_window,
    resident_origins,
    role_structures,
    structures_with_role,
    territory_of,
    walk_network_of,
)

__all__ = [
    "CoverageResult",
    "Mode",
    "accessibility",
    "coverage",
    "permanences",
    "slot_travel_times",
]

Mode = Literal["walk", "transit"]


def _is_open_in(tz: str) -> Callable[[str | None, datetime], bool | None]:
    """:func:`qpv_radar.actors.hours.is_open` in the territory's timezone."""
    from ..actors import hours

    return functools.partial(hours.is_open, tz=tz)


def _networks_of(t: Territory, networks: Any | None) -> Any:
    if networks is not None:
        return networks
    from ..routing.networks import Networks

    return Networks(t)


def slot_travel_times(
    networks: Any,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    slots: Mapping[str, datetime],
    *,
    mode: Mode,
    max_time_s: float | None = None,
    window_minutes: int = 10,
    progress: bool = False,
) -> dict[str, pd.DataFrame]:
    """Travel-time tables origins → destinations for each slot.

    Parameters
    ----------
    networks
        The territory's :class:`~qpv_radar.Networks`.
    origins, destinations
        Points (index = ids).
    slots
        Slot name → departure time.
    mode
        ``"walk"`` (one table reused for every slot) or ``"transit"`` (walking + public
        transport at each slot's time).
    max_time_s
        Longer trips are unreachable.
    window_minutes
        Departure window of the transit median.
    progress
        Show a progress bar over the slots (stderr).
    """
    if mode != "transit" and not getattr(networks, "has_streets", True):
        # no street network: straight line × detour (the territory's note says so)
        from ..routing.transit.walking import CrowFlyWalk, walk_table

        tt = walk_table(CrowFlyWalk(), origins, destinations, max_time_s=max_time_s)
        return {slot: tt for slot in slots}
    if mode != "transit":
        tt = networks.travel_times(origins, destinations, mode=mode, max_time_s=max_time_s)
        return {slot: tt for slot in slots}
    out: dict[str, pd.DataFrame] = {}
    bar = tqdm(slots.items(), desc="transit", unit="slot", disable=not progress, leave=False)
    for slot, when in bar:
        bar.set_postfix_str(slot)
        out[slot] = networks.travel_times(
            origins,
            destinations,
            mode="transit",
            departure=when,
            window_minutes=window_minutes,
            max_time_s=max_time_s,
        )
    return out


@dataclass(frozen=True)
class CoverageResult:
    """Output of :func:`coverage`.

    Attributes
    ----------
    table
        GeoDataFrame, one row per QPV × slot: ``rank, code_qp, nom_qp, role, mode, slot,
        departure, minutes, population, population_known, pop_uncovered, share_uncovered,
        median_min, n_open`` and the QPV perimeter (EPSG:4326); sorted worst gap first. A QPV
        whose population is unknown (ANCT's 2024 commune lists) has ``population``,
        ``pop_uncovered`` and ``share_uncovered`` NaN (never 0) and is ranked last.
    origins
        Resident origin points used.
    structures
        Structures of the role.
    note
        Caveats to print with the result (QPV generation, walking model).
    """

    table: gpd.GeoDataFrame
    origins: gpd.GeoDataFrame
    structures: gpd.GeoDataFrame
    note: str


def coverage(
    territory: Territory | str = DEFAULT_TERRITORY,
    *,
    role: str | Sequence[str] = "entry_door",
    minutes: float = 30.0,
    slots: Sequence[str] = analysis.DEFAULT_SLOTS,
    mode: Mode = "transit",
    window_minutes: int = 10,
    unknown: Literal["open", "closed"] = "open",
    cell_m: float = 100.0,
    networks: Any | None = None,
    progress: bool = False,
) -> CoverageResult:
    """Coverage gaps of one role by time slot, for every QPV of a territory.

    Parameters
    ----------
    territory
        Territory or its name.
    role
        Structures' role (``relay``, ``entry_door``, ``support_financing``, ``employment``,
        ``mobility``), or several: travel times are computed once for all of them and the
        gaps are given per role (``rank`` within each role).
    minutes
        *T*.
    slots
        Slot names (see :func:`qpv_radar.analysis.parse_slot`), placed in the week of the
        territory's ``default_when``.
    mode
        ``"transit"`` (walking + public transport) or ``"walk"``.
    window_minutes
        Transit departure window (median over it).
    unknown
        Structures with unknown opening hours count as open (default) or closed.
    cell_m
        Origin cell size (see :func:`qpv_radar.analysis.origin_points`).
    networks
        The territory's :class:`~qpv_radar.Networks` to reuse (default: built for it).
    progress
        Show progress bars (stderr).

    Raises
    ------
    NoStructureError
        A role none of the territory's structures holds.
    PlannerError
        A negative ``window_minutes``.
    """
    t = territory_of(territory)
    check_window(window_minutes)
    if t.default_when is None:
        raise TerritoryError(
            f"territory {t.name!r} has no default_when (the week its slots are placed in): add "
            "one inside its GTFS period."
        )
    when = {s: analysis.parse_slot(s, t.default_when) for s in slots}
    roles = [role] if isinstance(role, str) else list(role)
    _, dests = role_structures(t, roles)
    networks = _networks_of(t, networks)
    net = walk_network_of(t, networks) if networks.has_streets else None  # None: grid origins
    qpv, origins = resident_origins(t, net, cell_m=cell_m)
    # route beyond T (to 2T, at least 60 min) so that median times past T are still known
    horizon = int(np.ceil(max(2 * minutes, 60.0)))
    # one routing run per slot for the structures of every role, then split by role
    tables = slot_travel_times(
        networks,
        origins,
        dests,
        when,
        mode=mode,
        max_time_s=horizon * 60.0,
        window_minutes=window_minutes,
        progress=progress,
    )
    opens = {
        s: analysis.open_table(dests, w, horizon_min=horizon, is_open=_is_open_in(t.timezone))
        for s, w in when.items()
    }
    parts = [
        _role_gaps(r, dests, tables, opens, origins, when, mode, minutes, unknown) for r in roles
    ]
    gaps = pd.concat(parts, ignore_index=True)
    perim = qpv[["code_qp", "nom_qp", "geometry"]]
    table = gpd.GeoDataFrame(
        gaps.merge(perim, on="code_qp", how="left"), geometry="geometry", crs=qpv.crs
    )
    table = table[
        [
            "rank",
            "code_qp",
            "nom_qp",
            *[c for c in gaps.columns if c not in ("rank", "code_qp")],
            "geometry",
        ]
    ]
    note = str(qpv.attrs.get("note") or t.qpv_note or "")
    return CoverageResult(table=table, origins=origins, structures=dests, note=note)


def _role_gaps(
    role: str,
    dests: gpd.GeoDataFrame,
    tables: Mapping[str, pd.DataFrame],
    opens: Mapping[str, pd.DataFrame],
    origins: gpd.GeoDataFrame,
    when: Mapping[str, datetime],
    mode: str,
    minutes: float,
    unknown: Literal["open", "closed"],
) -> pd.DataFrame:
    """The ranked coverage gaps of one role, with its role, mode, departure and *T*."""
    sub = structures_with_role(dests, role)
    ids = set(sub.index)
    gaps = analysis.rank_gaps(
        analysis.coverage_gaps(
            {s: tt[tt["to_id"].isin(ids)] for s, tt in tables.items()},
            origins,
            sub,
            minutes=minutes,
            open_tables={s: o.loc[o.index.isin(ids)] for s, o in opens.items()},
            unknown=unknown,
        )
    )
    gaps.insert(2, "role", role)
    gaps.insert(3, "mode", mode)
    gaps.insert(5, "departure", gaps["slot"].map(lambda s: when[s].isoformat(timespec="minutes")))
    gaps.insert(6, "minutes", float(minutes))
    return gaps


def permanences(
    territory: Territory | str = DEFAULT_TERRITORY,
    *,
    k: int = 3,
    minutes: float = 20.0,
    candidates: gpd.GeoDataFrame | None = None,
    mode: Mode = "walk",
    slot: str = "weekday-09:00",
    method: Literal["exact", "greedy"] = "exact",
    cell_m: float = 100.0,
    networks: Any | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Choose *k* places for permanences maximising QPV residents within *T* minutes.

    Parameters
    ----------
    territory
        Territory or its name.
    k
        Number of places; with fewer candidates, every candidate is ranked (fewer rows).
    minutes
        *T*.
    candidates
        Candidate places (points, index = ids, optional ``name``); default the territory's
        relays (Maisons pour tous, France services…). Checked with
        :func:`candidate_problems`.
    mode, slot
        How residents travel and when (``slot`` matters for ``"transit"`` only).
    method
        ``"exact"`` (default): the optimum (:func:`qpv_radar.analysis.exact_max_cover`, HiGHS);
        ``"greedy"``: :func:`qpv_radar.analysis.greedy_max_cover`.
    cell_m
        Origin cell size.
    networks
        The territory's :class:`~qpv_radar.Networks` to reuse (default: built for it).
    progress
        Show progress bars (stderr).

    Returns
    -------
    pandas.DataFrame
        ``rank, place_id, name, gain, covered, share_covered, method, lon, lat, qpv_covered``
        (QPV names with residents newly covered by this place). ``gain`` is each place's
        marginal gain, places in greedy order (for the optimum too).

    Raises
    ------
    NoStructureError
        No candidates given and the territory has no relay.
    InputFileError
        Candidate places outside the territory, swapped coordinates, no point.
    PlannerError
        Unknown ``method``.
    """
    t = territory_of(territory)
    if method not in ("exact", "greedy"):
        raise PlannerError(f"method={method!r}: use 'exact' (default) or 'greedy'.")
    if candidates is None:
        _, cand = role_structures(t, ["relay"], hint=Message("planner.hint.candidates"))
    else:
        cand = candidates
    if len(cand) == 0:
        raise SitingError(
            "no candidate place: the candidates table is empty; give at least one place."
        )
    networks = _networks_of(t, networks)
    walk = walk_network_of(t, networks)
    if candidates is not None:
        problems = candidate_problems(cand, walk, territory=t.name)
        if problems:
            raise InputFileError("candidate places", problems)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
    unknown_pop = origins.loc[origins["population"].isna(), "code_qp"].nunique()
    if unknown_pop:
        # the places are chosen for the residents they reach: with no count, no choice
        raise PlannerError("planner.population_unknown", territory=t.name, n=unknown_pop)
    ref = t.default_when or datetime(2024, 1, 16, 9, 0)
    when = {slot: analysis.parse_slot(slot, ref)}
    tt = slot_travel_times(
        networks,
        origins,
        cand,
        when,
        mode=mode,
        max_time_s=minutes * 60.0,
        progress=progress,
    )[slot]
    solve = analysis.exact_max_cover if method == "exact" else analysis.greedy_max_cover
    res = solve(tt, origins["population"], list(cand.index), k, minutes=minutes)
    names = cand["name"] if "name" in cand.columns else pd.Series(cand.index, index=cand.index)
    res.insert(2, "name", names.reindex(res["place_id"]).to_numpy())
    pts = cand.geometry.to_crs(4326).reindex(res["place_id"])
    res["lon"] = pts.x.to_numpy()
    res["lat"] = pts.y.to_numpy()
    res["qpv_covered"] = _qpv_newly_covered(tt, res, origins, qpv, minutes)
    return res


def _qpv_newly_covered(
    tt: pd.DataFrame,
    res: pd.DataFrame,
    origins: gpd.GeoDataFrame,
    qpv: gpd.GeoDataFrame,
    minutes: float,
) -> list[str]:
    """Per chosen place (in order), the QPVs with residents it newly covers."""
    a = analysis.coverage_matrix(tt, origins["population"], list(res["place_id"]), minutes=minutes)
    covered = np.zeros(len(origins), bool)
    qnames = qpv.set_index("code_qp")["nom_qp"]
    per_place = []
    for j in range(len(res)):
        new = a[:, j] & ~covered & (origins["population"].to_numpy() > 0)
        codes = pd.unique(origins["code_qp"].to_numpy()[new])
        per_place.append("; ".join(str(qnames.get(c, c)) for c in codes))
        covered |= a[:, j]
    return per_place


def accessibility(
    territory: Territory | str = DEFAULT_TERRITORY,
    *,
    roles: Sequence[str] = ("relay", "entry_door", "employment"),
    modes: Sequence[Mode] = ("walk", "transit"),
    slots: Sequence[str] = ("weekday-09:00",),
    minutes: float = 30.0,
    max_minutes: float = 60.0,
    window_minutes: int = 10,
    unknown: Literal["open", "closed"] = "open",
    capacity: Capacity | None = None,
    cell_m: float = 100.0,
    networks: Any | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Tidy accessibility indicators per QPV × role × mode × slot (all, and while open).

    Travel times are computed once per mode and slot for the structures of every role
    (trips longer than ``max_minutes`` count as unreachable), then
    :func:`qpv_radar.analysis.indicator_table` gives the indicators.

    Parameters
    ----------
    capacity
        Capacity of each structure (advisors, appointment slots…), for the 2SFCA column
        ``fca2`` (capacity per 1,000 residents within ``minutes``): a column name of the
        structures table, a mapping structure id → capacity, or a Series indexed by id. Every
        structure of ``roles`` needs one. ``None`` (default): ``fca2`` is NaN.
    Other parameters
        As in :func:`coverage`; ``minutes`` is *T* of the indicators.

    Returns
    -------
    pandas.DataFrame
        See :func:`qpv_radar.analysis.indicator_table`; ``nom_qp`` added after ``code_qp``.

    Raises
    ------
    NoStructureError
        A role none of the territory's structures holds.
    InputFileError
        A ``capacity`` column that does not exist, unknown ids, missing or negative values.
    """
    t = territory_of(territory)
    check_window(window_minutes)
    ref = t.default_when or datetime(2024, 1, 16, 9, 0)
    when = {s: analysis.parse_slot(s, ref) for s in slots}
    actors, dests = role_structures(t, list(roles))
    cap = capacity_series(capacity, actors, dests) if capacity is not None else None
    networks = _networks_of(t, networks)
    net = walk_network_of(t, networks) if networks.has_streets else None  # None: grid origins
    qpv, origins = resident_origins(t, net, cell_m=cell_m)
    horizon = int(np.ceil(max_minutes))
    opens = {
        s: analysis.open_table(dests, w, horizon_min=horizon, is_open=_is_open_in(t.timezone))
        for s, w in when.items()
    }
    tables: dict[tuple[str, str, str], pd.DataFrame] = {}
    open_tables: dict[tuple[str, str, str], pd.DataFrame] = {}
    for mode in modes:
        per_slot = slot_travel_times(
            networks,
            origins,
            dests,
            when,
            mode=mode,
            max_time_s=max_minutes * 60.0,
            window_minutes=window_minutes,
            progress=progress,
        )
        for role in roles:
            ids = set(structures_with_role(dests, role).index)
            for s, tt in per_slot.items():
                tables[role, mode, s] = tt[tt["to_id"].isin(ids)]
                open_tables[role, mode, s] = opens[s]
    out = analysis.indicator_table(
        tables,
        origins,
        dests,
        open_tables=open_tables,
        unknown=unknown,
        minutes=minutes,
        capacity=cap,
    )
    names = qpv.set_index("code_qp")["nom_qp"]
    out.insert(1, "nom_qp", out["code_qp"].map(names))
    return out
