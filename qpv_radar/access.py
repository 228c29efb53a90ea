"""Accessibility of QPV residents to support structures, and coverage gaps by time slot.

Everything here is a pure function over plain inputs: GeoDataFrames of origins and structures
and a *long travel-time table* ``from_id, to_id, travel_time`` (seconds; NaN or absent when
unreachable), as produced by :func:`qpv_radar.routing.travel_times` or
:func:`qpv_radar.routing.transit_travel_times`. Nothing here routes or draws.

Residents as origins
--------------------
:func:`origin_points` spreads each QPV's population (``pop_mun``) over points on its streets:
the street-network nodes inside the perimeter are binned into square cells (``cell_m``, 100 m
by default); each occupied cell gets one origin (the node nearest the cell's node centroid) and
an equal share of the population. Street nodes rather than a regular grid because residents
live along streets and a node is exactly on the network (no snapping error, no origin in a park
or on a railway yard); binning into cells removes the bias of node-dense spots (roundabouts,
footpath meshes) and bounds the number of origins. A QPV with no node inside falls back to a
regular grid clipped to its perimeter (or its representative point).

Indicators
----------
:func:`qpv_indicators` gives, per QPV: population-weighted median and 80th percentile of the
travel time to the nearest structure, share of residents within 10/20/30/45 minutes,
cumulative opportunities (structures within *T* minutes, population-weighted mean), a gravity
score (sum of ``exp(-beta·t)`` over structures, ``beta = ln 2 / half-life``) and 2SFCA (Luo &
Wang 2003, same definition as PySAL ``access``'s ``two_stage_fca``) where a capacity is given.
"Reachable while open" is :func:`open_on_arrival` applied to the table before the indicators:
the time becomes the time until the resident is received (a resident arriving before the
opening waits, and the wait counts); a structure that does not open within the horizon drops.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import CrsError, InputFileError, InputProblem, QpvRadarError

__all__ = [
    "DEFAULT_SLOTS",
    "SlotError",
    "coverage_gaps",
    "gravity_scores",
    "indicator_table",
    "nearest_times",
    "open_on_arrival",
    "open_table",
    "origin_points",
    "parse_slot",
    "qpv_indicators",
    "rank_gaps",
    "two_step_fca",
    "weighted_quantile",
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
_TT_COLUMNS = ("from_id", "to_id", "travel_time")


class SlotError(QpvRadarError, ValueError):
    """A time slot that cannot be understood."""


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
            raise SlotError(
                f"slot {slot!r} is not DAY-HH:MM (weekday-06:00, saturday-10:00, sunday-10:00) "
                "nor an ISO date-time (2024-01-16T06:00).",
                fr=f"créneau {slot!r} : ni JOUR-HH:MM (weekday-06:00, samedi-10:00, "
                "dimanche-10:00) ni une date-heure ISO (2024-01-16T06:00).",
            ) from None
    day, hh, mm = m.group(1).lower(), int(m.group(2)), int(m.group(3))
    if hh > 23 or mm > 59:
        raise SlotError(
            f"slot {slot!r}: hour {hh:02d}:{mm:02d} is not a time of day (00:00–23:59).",
            fr=f"créneau {slot!r} : {hh:02d}:{mm:02d} n'est pas une heure (00:00–23:59).",
        )
    monday = (reference - timedelta(days=reference.weekday())).date()
    if day == "weekday":
        offset = reference.weekday() if reference.weekday() < 5 else 1
    elif day in _DAYS:
        offset = _DAYS[day]
    else:
        raise SlotError(
            f"slot {slot!r}: unknown day {day!r}; use weekday, saturday, sunday or a day name.",
            fr=f"créneau {slot!r} : jour inconnu {day!r} ; utilisez weekday, samedi, dimanche "
            "ou un nom de jour.",
        )
    date = monday + timedelta(days=offset)
    return reference.replace(
        year=date.year, month=date.month, day=date.day, hour=hh, minute=mm, second=0, microsecond=0
    )


# --------------------------------------------------------------------------- origins


def origin_points(
    qpv: gpd.GeoDataFrame,
    nodes: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    *,
    population: str = "pop_mun",
    cell_m: float = 100.0,
    crs: str = "EPSG:2154",
) -> gpd.GeoDataFrame:
    """Spread each QPV's population over origin points on its streets.

    Parameters
    ----------
    qpv
        QPV perimeters (any CRS), with ``code_qp`` and the ``population`` column.
    nodes
        Street-network nodes (points, any CRS). ``None``: a regular grid of ``cell_m`` clipped to
        each perimeter is used instead.
    population
        Column holding the number of residents (missing values count as 0, with the QPV kept).
    cell_m
        Cell size in metres: one origin per occupied cell.
    crs
        Metric CRS used for the cells.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, index ``origin_id`` (``"CODE_QP:n"``), columns ``code_qp``, ``population``
        (residents represented by this point; they sum to the QPV's population), ``weight``
        (share of the QPV), ``source`` (``"street_nodes"``, ``"grid"`` or ``"centroid"``),
        ``geometry``.

    Raises
    ------
    CrsError
        An input without CRS.
    InputFileError
        Missing ``code_qp`` or population column, or a negative population.
    """
    problems = []
    for col in ("code_qp", population):
        if col not in qpv.columns:
            problems.append(
                InputProblem(None, col, "column missing", f"add a {col!r} column to the QPV table")
            )
    if problems:
        raise InputFileError("QPV perimeters", problems)
    if qpv.crs is None or (nodes is not None and nodes.crs is None):
        raise CrsError("QPV perimeters and street nodes need a CRS (set_crs('EPSG:4326')).")
    pop = pd.to_numeric(qpv[population], errors="coerce").fillna(0.0)
    neg = np.flatnonzero(pop.to_numpy() < 0)
    if len(neg):
        raise InputFileError(
            "QPV perimeters",
            [
                InputProblem(int(i) + 1, population, "negative population", "give a count >= 0")
                for i in neg
            ],
        )
    metric = qpv.to_crs(crs)
    node_xy = np.empty((0, 2))
    if nodes is not None:
        node_xy = shapely.get_coordinates(nodes.to_crs(crs).geometry.values)
    rows: list[tuple[str, float, str, float, float]] = []
    for code, geom, p in zip(metric["code_qp"], metric.geometry.values, pop, strict=True):
        xy, source = np.empty((0, 2)), "street_nodes"
        if len(node_xy) and geom is not None and not geom.is_empty:
            inside = shapely.contains_xy(geom, node_xy[:, 0], node_xy[:, 1])
            xy = _one_per_cell(node_xy[inside], cell_m)
        if not len(xy):
            xy, source = _grid_in(geom, cell_m), "grid"
        if not len(xy):
            rp = geom.representative_point()
            xy, source = np.array([[rp.x, rp.y]]), "centroid"
        w = 1.0 / len(xy)
        rows += [(str(code), float(p) * w, source, x, y) for x, y in xy]
    codes = [r[0] for r in rows]
    counter: dict[str, int] = {}
    ids = []
    for c in codes:
        counter[c] = counter.get(c, 0) + 1
        ids.append(f"{c}:{counter[c]}")
    out = gpd.GeoDataFrame(
        {
            "code_qp": codes,
            "population": [r[1] for r in rows],
            "weight": [1.0 / counter[c] for c in codes],
            "source": [r[2] for r in rows],
        },
        geometry=gpd.points_from_xy([r[3] for r in rows], [r[4] for r in rows]),
        index=pd.Index(ids, name="origin_id"),
        crs=crs,
    )
    return out.to_crs("EPSG:4326")


def _one_per_cell(xy: np.ndarray, cell_m: float) -> np.ndarray:
    """Keep, per occupied square cell, the point nearest the cell's mean point."""
    if not len(xy):
        return xy
    cells = np.floor(xy / cell_m).astype(np.int64)
    _, inv = np.unique(cells, axis=0, return_inverse=True)
    inv = inv.ravel()
    n = inv.max() + 1
    counts = np.bincount(inv, minlength=n)
    mx = np.bincount(inv, xy[:, 0], n) / counts
    my = np.bincount(inv, xy[:, 1], n) / counts
    d = (xy[:, 0] - mx[inv]) ** 2 + (xy[:, 1] - my[inv]) ** 2
    order = np.lexsort((d, inv))
    first = order[np.r_[True, inv[order][1:] != inv[order][:-1]]]
    return xy[np.sort(first)]


def _grid_in(geom: Any, cell_m: float) -> np.ndarray:
    """Centres of a regular grid of ``cell_m`` falling inside ``geom``."""
    if geom is None or geom.is_empty:
        return np.empty((0, 2))
    x0, y0, x1, y1 = geom.bounds
    xs = np.arange(math.floor(x0 / cell_m), math.ceil(x1 / cell_m)) * cell_m + cell_m / 2
    ys = np.arange(math.floor(y0 / cell_m), math.ceil(y1 / cell_m)) * cell_m + cell_m / 2
    mx, my = np.meshgrid(xs, ys)
    gx, gy = mx.ravel(), my.ravel()
    inside = shapely.contains_xy(geom, gx, gy)
    return np.c_[gx[inside], gy[inside]]


# --------------------------------------------------------------------------- helpers


def _check_tt(tt: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _TT_COLUMNS if c not in tt.columns]
    if missing:
        raise InputFileError(
            "travel-time table",
            [
                InputProblem(
                    None,
                    c,
                    "column missing",
                    "give a long table from_id, to_id, "
                    "travel_time (seconds), as routing.travel_times returns",
                )
                for c in missing
            ],
        )
    return tt


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
    _check_tt(tt)
    t = tt
    if destination_ids is not None:
        t = t[t["to_id"].isin(list(destination_ids))]
    best = t.groupby("from_id")["travel_time"].min()
    return best.reindex(pd.Index(origin_ids)).fillna(np.inf).astype(float)


def gravity_scores(
    tt: pd.DataFrame, origin_ids: Sequence[Any], *, half_life_min: float = 10.0
) -> pd.Series:
    """Gravity access per origin: ``Σ_j exp(-ln2 · t_ij / half_life)`` (t in minutes)."""
    _check_tt(tt)
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
    catchment holds no demand gets ``R_j = 0`` (``access`` gives inf/NaN there).

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
    _check_tt(tt)
    t = tt[(tt["travel_time"] <= max_time_s) & tt["from_id"].isin(demand.index)]
    t = t[t["to_id"].isin(supply.index)]
    p = demand.reindex(t["from_id"]).to_numpy(float)
    catch = pd.Series(p, index=t.index).groupby(t["to_id"].to_numpy()).sum()
    s = supply.reindex(catch.index).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(catch.to_numpy() > 0, s / catch.to_numpy(), 0.0)
    ratio = pd.Series(r, index=catch.index)
    a = pd.Series(ratio.reindex(t["to_id"]).to_numpy(), index=t.index).groupby(
        t["from_id"].to_numpy()
    )
    return a.sum().reindex(demand.index).fillna(0.0)


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
        from .actors.hours import is_open as _is_open

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
    _check_tt(tt)
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
        Index ``code_qp``; columns ``population``, ``n_origins``, ``median_min``, ``p80_min``
        (to the nearest structure; ``inf`` = not reachable), ``share_within_{m}``,
        ``opportunities`` (structures within *T*), ``gravity``, ``fca2`` (capacity per 1,000
        residents), ``share_uncovered`` (no structure within *T*), ``pop_uncovered``.
    """
    _check_tt(tt)
    if isinstance(destinations, pd.DataFrame):
        dest_ids = list(destinations.index)
    else:
        dest_ids = list(destinations)
    oid = list(origins.index)
    t = tt[tt["to_id"].isin(dest_ids) & tt["from_id"].isin(oid)].dropna(subset=["travel_time"])
    near = nearest_times(t, oid).to_numpy() / 60.0
    pop = origins["population"].to_numpy(float)
    within_t = t[t["travel_time"] <= minutes * 60.0]
    opp = within_t.groupby("from_id").size().reindex(oid).fillna(0).to_numpy(float)
    grav = gravity_scores(t, oid, half_life_min=half_life_min).to_numpy()
    cap: pd.Series | None = None
    if isinstance(capacity, str):
        if isinstance(destinations, pd.DataFrame) and capacity in destinations.columns:
            cap = pd.to_numeric(destinations[capacity], errors="coerce").dropna()
    elif capacity is not None:
        cap = capacity
    if cap is not None and len(cap):
        demand = pd.Series(pop, index=oid)
        fca = two_step_fca(t, demand, cap, max_time_s=minutes * 60.0).to_numpy() * 1000.0
    else:
        fca = np.full(len(oid), np.nan)
    frame = pd.DataFrame(
        {
            "code_qp": origins["code_qp"].to_numpy(),
            "pop": pop,
            "near": near,
            "opp": opp,
            "grav": grav,
            "fca": fca,
        }
    )
    rows = {}
    for code, g in frame.groupby("code_qp", sort=False):
        w = g["pop"].to_numpy()
        tot = w.sum()
        wn = w / tot if tot > 0 else np.full(len(w), 1.0 / len(w))
        nr = g["near"].to_numpy()
        row: dict[str, float] = {
            "population": round(float(tot), 6),
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
        rows[code] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "code_qp"
    out["n_origins"] = out["n_origins"].astype(int)
    return out


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


# --------------------------------------------------------------------------- coverage gaps


def coverage_gaps(
    tables: Mapping[str, pd.DataFrame],
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    minutes: float = 30.0,
    open_tables: Mapping[str, pd.DataFrame] | None = None,
    unknown: Literal["open", "closed"] = "open",
) -> pd.DataFrame:
    """Share of residents who cannot reach any open structure within *T*, per QPV × slot.

    Parameters
    ----------
    tables
        Slot → travel-time table (origins → ``destinations``, departures at that slot).
    origins
        Output of :func:`origin_points`.
    destinations
        Structures of one role (index = id).
    minutes
        *T*.
    open_tables
        Slot → :func:`open_table` frame; slots without one are taken as always open.
    unknown
        Unknown opening hours count as open (default) or closed.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_qp, slot, population, pop_uncovered, share_uncovered, median_min,
        n_open, n_hours_unknown`` (structures known open at the slot time, structures whose
        hours are unknown), one row per QPV and slot.
    """
    parts = []
    for slot, tt in tables.items():
        t = tt
        n_open, n_unknown = len(destinations), 0
        if open_tables is not None and slot in open_tables:
            ot = open_tables[slot]
            t = open_on_arrival(tt, ot, unknown=unknown)
            first = ot.iloc[:, 0].astype("boolean")
            n_unknown = int(first.isna().sum())
            n_open = int(first.fillna(False).sum())
        ind = qpv_indicators(t, origins, destinations, minutes=minutes, capacity=None)
        part = ind[["population", "pop_uncovered", "share_uncovered", "median_min"]].reset_index()
        part.insert(1, "slot", slot)
        part["n_open"] = n_open
        part["n_hours_unknown"] = n_unknown
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def rank_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """Rank the (QPV, slot) gaps: most uncovered residents' share first, then most residents.

    Returns a copy with a ``rank`` column (1 = worst), sorted; rows with nobody uncovered are
    ranked after every gap.
    """
    out = gaps.sort_values(
        ["share_uncovered", "pop_uncovered"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
