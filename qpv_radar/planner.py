"""Planner runs on a territory: coverage gaps by slot, where to hold permanences.

This module wires the pure analysis of :mod:`qpv_radar.access` and :mod:`qpv_radar.siting` to
the territory's data (:func:`qpv_radar.qpv.load_qpv`, :func:`qpv_radar.actors.load_actors`)
and engines (street network for walking, GTFS RAPTOR for public transport). Each step takes
plain inputs, so a notebook can replace any of them.

Modes
-----
``walk``
    Walking on the street network (time does not depend on the slot; one table is reused).
``transit``
    Walking + public transport, door to door (the transit engine also keeps the direct walk),
    departing at the slot, median over ``window_minutes`` departures.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm import tqdm

from . import access, siting
from ._errors import QpvRadarError
from .territory import Territory, load_territory

__all__ = [
    "ROLES",
    "CoverageResult",
    "EngineMissingError",
    "accessibility",
    "available_modes",
    "coverage",
    "permanences",
    "resident_origins",
    "slot_travel_times",
    "structures",
    "structures_with_role",
    "walk_network",
]

ROLES: tuple[str, ...] = ("relay", "entry_door", "support_financing", "employment", "mobility")
Mode = Literal["walk", "transit"]


class EngineMissingError(QpvRadarError, RuntimeError):
    """A routing engine this run needs is not installed in this version of qpv_radar."""


def _territory(territory: Territory | str) -> Territory:
    return territory if isinstance(territory, Territory) else load_territory(territory)


def available_modes() -> tuple[str, ...]:
    """Modes this installation can route: ``("walk", "transit")``, or ``("walk",)``."""
    try:
        importlib.import_module("qpv_radar.routing.transit")
        importlib.import_module("qpv_radar.networks.gtfs")
    except ImportError:
        return ("walk",)
    return ("walk", "transit")


def walk_network(territory: Territory | str) -> Any:
    """The territory's walking street network (:func:`load_street_network`, cached on disk)."""
    t = _territory(territory)
    try:
        streets = importlib.import_module("qpv_radar.networks.streets")
    except ImportError as exc:
        raise EngineMissingError(
            "the street engine (qpv_radar.networks.streets) is not available in this version: "
            "walking times cannot be computed yet."
        ) from exc
    return streets.load_street_network(t, mode="walk")


def _street_nodes(network: Any, territory: Territory) -> gpd.GeoSeries:
    """Street-network nodes as points (EPSG:4326)."""
    for name in ("nodes", "node_points"):
        v = getattr(network, name, None)
        if isinstance(v, gpd.GeoDataFrame | gpd.GeoSeries):
            return v.geometry.to_crs("EPSG:4326") if v.crs else v.geometry.set_crs(4326)
    for xs, ys in (("node_lon", "node_lat"), ("lon", "lat")):
        x, y = getattr(network, xs, None), getattr(network, ys, None)
        if x is not None and y is not None:
            comp = getattr(network, "component", None)
            if comp is not None and len(comp) == len(x):
                # origins only on the main component: a node of a detached fragment (a closed
                # courtyard's footpaths) would make its residents look unreachable
                comp = np.asarray(comp)
                keep = comp == np.bincount(comp).argmax()
                x, y = np.asarray(x)[keep], np.asarray(y)[keep]
            return gpd.GeoSeries(gpd.points_from_xy(x, y), crs="EPSG:4326")
    # Fallback: the end points of the territory's street lines.
    if territory.streets is None:
        raise EngineMissingError(f"territory {territory.name!r} has no [streets] source.")
    lines = gpd.read_file(territory.streets.resolve(), engine="pyogrio").to_crs(4326)
    coords = shapely.get_coordinates(lines.geometry.values)
    counts = shapely.get_num_coordinates(lines.geometry.values)
    last = np.cumsum(counts) - 1
    ends = np.unique(np.round(np.vstack([coords[last - counts + 1], coords[last]]), 7), axis=0)
    return gpd.GeoSeries(gpd.points_from_xy(ends[:, 0], ends[:, 1]), crs="EPSG:4326")


def resident_origins(
    territory: Territory | str,
    network: Any | None = None,
    *,
    cell_m: float = 100.0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The territory's QPVs and their resident origin points.

    Returns
    -------
    (qpv, origins)
        ``qpv`` from :func:`qpv_radar.qpv.load_qpv` (with ``pop_mun``); ``origins`` from
        :func:`qpv_radar.access.origin_points` over the street nodes inside each perimeter.
    """
    from .qpv import load_qpv

    t = _territory(territory)
    qpv = load_qpv(t)
    nodes = _street_nodes(network, t) if network is not None else None
    if nodes is None and t.streets is not None:
        nodes = _street_nodes(object(), t)
    return qpv, access.origin_points(qpv, nodes, cell_m=cell_m, crs=t.crs)


def structures(territory: Territory | str, roles: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """The territory's structures holding any of ``roles`` (all when ``None``)."""
    from .actors import load_actors

    actors = load_actors(_territory(territory))
    if roles is None:
        return actors
    unknown = [r for r in roles if r not in ROLES and r != "all"]
    if unknown:
        raise access.SlotError(
            f"unknown role(s) {', '.join(unknown)}: choose among {', '.join(ROLES)}."
        )
    if "all" in roles:
        return actors
    keep = actors["roles"].map(lambda rs: any(r in tuple(rs or ()) for r in roles))
    return actors[keep.to_numpy(bool)]


def structures_with_role(actors: gpd.GeoDataFrame, role: str) -> gpd.GeoDataFrame:
    """The rows of ``actors`` whose ``roles`` hold ``role``."""
    keep = actors["roles"].map(lambda rs: role in tuple(rs or ()))
    return actors[keep.to_numpy(bool)]


def slot_travel_times(
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    slots: Mapping[str, datetime],
    *,
    mode: Mode,
    walk: Any,
    gtfs_path: Any | None = None,
    max_time_s: float | None = None,
    window_minutes: int = 10,
    progress: bool = False,
) -> dict[str, pd.DataFrame]:
    """Travel-time tables origins → destinations for each slot.

    Parameters
    ----------
    origins, destinations
        Points (index = ids).
    slots
        Slot name → departure time.
    mode
        ``"walk"`` (one table reused for every slot) or ``"transit"`` (walking + public
        transport at each slot's time).
    walk
        The walking network (or the transit module's ``CrowFlyWalk``).
    gtfs_path
        GTFS zip, for ``"transit"``.
    max_time_s
        Longer trips are unreachable.
    window_minutes
        Departure window of the transit median.
    progress
        Show a progress bar over the slots (stderr).
    """
    out: dict[str, pd.DataFrame] = {}
    if mode == "walk":
        routing = importlib.import_module("qpv_radar.routing")
        if not hasattr(routing, "travel_times"):
            raise EngineMissingError(
                "the street engine (qpv_radar.routing.travel_times) is not available in this "
                "version: walking times cannot be computed yet."
            )
        tt = routing.travel_times(walk, origins, destinations, max_time_s=max_time_s)
        return {slot: tt for slot in slots}
    if gtfs_path is None:
        raise EngineMissingError("mode 'transit' needs the territory's GTFS feed ([[gtfs]]).")
    try:
        gtfs = importlib.import_module("qpv_radar.networks.gtfs")
        transit = importlib.import_module("qpv_radar.routing.transit")
    except ImportError as exc:
        raise EngineMissingError(
            "the public-transport engine is not available in this version: use --mode walk."
        ) from exc
    bar = tqdm(slots.items(), desc="transit", unit="slot", disable=not progress, leave=False)
    for slot, when in bar:
        bar.set_postfix_str(slot)
        timetable = gtfs.load_timetable(gtfs_path, when.date())
        out[slot] = transit.transit_travel_times(
            timetable,
            walk,
            origins,
            destinations,
            departure=when,
            window_minutes=window_minutes,
            max_time_s=max_time_s,
            progress=False,
        )[["from_id", "to_id", "travel_time"]]
    return out


@dataclass(frozen=True)
class CoverageResult:
    """Output of :func:`coverage`.

    Attributes
    ----------
    table
        GeoDataFrame, one row per QPV × slot: ``rank, code_qp, nom_qp, role, mode, slot,
        departure, minutes, population, pop_uncovered, share_uncovered, median_min, n_open``
        and the QPV perimeter (EPSG:4326); sorted worst gap first.
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
    territory: Territory | str = "montpellier",
    *,
    role: str | Sequence[str] = "entry_door",
    minutes: float = 30.0,
    slots: Sequence[str] = access.DEFAULT_SLOTS,
    mode: Mode = "transit",
    window_minutes: int = 10,
    unknown: Literal["open", "closed"] = "open",
    cell_m: float = 100.0,
    walk: Any | None = None,
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
        Slot names (see :func:`qpv_radar.access.parse_slot`), placed in the week of the
        territory's ``default_when``.
    mode
        ``"transit"`` (walking + public transport) or ``"walk"``.
    window_minutes
        Transit departure window (median over it).
    unknown
        Structures with unknown opening hours count as open (default) or closed.
    cell_m
        Origin cell size (see :func:`qpv_radar.access.origin_points`).
    walk
        A walking network to reuse (default: the territory's).
    progress
        Show progress bars (stderr).
    """
    t = _territory(territory)
    if t.default_when is None:
        raise access.SlotError(
            f"territory {t.name!r} has no default_when: add one inside its GTFS period."
        )
    when = {s: access.parse_slot(s, t.default_when) for s in slots}
    if walk is None:
        walk = walk_network(t)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
    roles = [role] if isinstance(role, str) else list(role)
    dests = structures(t, roles)
    # route beyond T (to 2T, at least 60 min) so that median times past T are still known
    horizon = int(np.ceil(max(2 * minutes, 60.0)))
    gtfs_path = t.gtfs[0].resolve() if t.gtfs else None
    # one routing run per slot for the structures of every role, then split by role
    tables = slot_travel_times(
        origins,
        dests,
        when,
        mode=mode,
        walk=walk,
        gtfs_path=gtfs_path,
        max_time_s=horizon * 60.0,
        window_minutes=window_minutes,
        progress=progress,
    )
    opens = {s: access.open_table(dests, w, horizon_min=horizon) for s, w in when.items()}
    parts = []
    for r in roles:
        sub = structures_with_role(dests, r)
        ids = set(sub.index)
        gaps = access.rank_gaps(
            access.coverage_gaps(
                {s: tt[tt["to_id"].isin(ids)] for s, tt in tables.items()},
                origins,
                sub,
                minutes=minutes,
                open_tables={s: o.loc[o.index.isin(ids)] for s, o in opens.items()},
                unknown=unknown,
            )
        )
        gaps.insert(2, "role", r)
        gaps.insert(3, "mode", mode)
        gaps.insert(
            5, "departure", gaps["slot"].map(lambda s: when[s].isoformat(timespec="minutes"))
        )
        gaps.insert(6, "minutes", float(minutes))
        parts.append(gaps)
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


def permanences(
    territory: Territory | str = "montpellier",
    *,
    k: int = 3,
    minutes: float = 20.0,
    candidates: gpd.GeoDataFrame | None = None,
    mode: Mode = "walk",
    slot: str = "weekday-09:00",
    exact: bool = False,
    cell_m: float = 100.0,
    walk: Any | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Choose *k* places for permanences maximising QPV residents within *T* minutes.

    Parameters
    ----------
    territory
        Territory or its name.
    k
        Number of places.
    minutes
        *T*.
    candidates
        Candidate places (points, index = ids, optional ``name``); default the territory's
        relays (Maisons pour tous, France services…).
    mode, slot
        How residents travel and when (``slot`` matters for ``"transit"`` only).
    exact
        Solve the ILP with spopt (``qpv-radar[siting]``) instead of greedy.
    cell_m
        Origin cell size.
    walk
        A walking network to reuse.
    progress
        Show progress bars (stderr).

    Returns
    -------
    pandas.DataFrame
        ``rank, place_id, name, gain, covered, share_covered, method, lon, lat, qpv_covered``
        (QPV names with residents newly covered by this place).
    """
    t = _territory(territory)
    if walk is None:
        walk = walk_network(t)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
    cand = candidates if candidates is not None else structures(t, ["relay"])
    if cand is None or len(cand) == 0:
        raise siting.SitingError("no candidate place: give --candidates FILE.")
    ref = t.default_when or datetime(2024, 1, 16, 9, 0)
    when = {slot: access.parse_slot(slot, ref)}
    gtfs_path = t.gtfs[0].resolve() if t.gtfs else None
    tt = slot_travel_times(
        origins,
        cand,
        when,
        mode=mode,
        walk=walk,
        gtfs_path=gtfs_path,
        max_time_s=minutes * 60.0,
        progress=progress,
    )[slot]
    solve = siting.exact_max_cover if exact else siting.greedy_max_cover
    res = solve(tt, origins["population"], list(cand.index), k, minutes=minutes)
    names = cand["name"] if "name" in cand.columns else pd.Series(cand.index, index=cand.index)
    res.insert(2, "name", names.reindex(res["place_id"]).to_numpy())
    pts = cand.geometry.to_crs(4326).reindex(res["place_id"])
    res["lon"] = pts.x.to_numpy()
    res["lat"] = pts.y.to_numpy()
    a = siting.coverage_matrix(tt, origins["population"], list(res["place_id"]), minutes=minutes)
    covered = np.zeros(len(origins), bool)
    qnames = qpv.set_index("code_qp")["nom_qp"]
    per_place = []
    for j in range(len(res)):
        new = a[:, j] & ~covered & (origins["population"].to_numpy() > 0)
        codes = pd.unique(origins["code_qp"].to_numpy()[new])
        per_place.append("; ".join(str(qnames.get(c, c)) for c in codes))
        covered |= a[:, j]
    res["qpv_covered"] = per_place
    return res


def accessibility(
    territory: Territory | str = "montpellier",
    *,
    roles: Sequence[str] = ("relay", "entry_door", "employment"),
    modes: Sequence[Mode] = ("walk", "transit"),
    slots: Sequence[str] = ("weekday-09:00",),
    minutes: float = 30.0,
    max_minutes: float = 60.0,
    window_minutes: int = 10,
    unknown: Literal["open", "closed"] = "open",
    cell_m: float = 100.0,
    walk: Any | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Tidy accessibility indicators per QPV × role × mode × slot (all, and while open).

    Travel times are computed once per mode and slot for the structures of every role
    (trips longer than ``max_minutes`` count as unreachable), then
    :func:`qpv_radar.access.indicator_table` gives the indicators.

    Returns
    -------
    pandas.DataFrame
        See :func:`qpv_radar.access.indicator_table`; ``nom_qp`` added after ``code_qp``.
    """
    t = _territory(territory)
    ref = t.default_when or datetime(2024, 1, 16, 9, 0)
    when = {s: access.parse_slot(s, ref) for s in slots}
    if walk is None:
        walk = walk_network(t)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
    dests = structures(t, list(roles))
    gtfs_path = t.gtfs[0].resolve() if t.gtfs else None
    horizon = int(np.ceil(max_minutes))
    opens = {s: access.open_table(dests, w, horizon_min=horizon) for s, w in when.items()}
    tables: dict[tuple[str, str, str], pd.DataFrame] = {}
    open_tables: dict[tuple[str, str, str], pd.DataFrame] = {}
    for mode in modes:
        per_slot = slot_travel_times(
            origins,
            dests,
            when,
            mode=mode,
            walk=walk,
            gtfs_path=gtfs_path,
            max_time_s=max_minutes * 60.0,
            window_minutes=window_minutes,
            progress=progress,
        )
        for role in roles:
            ids = set(structures_with_role(dests, role).index)
            for s, tt in per_slot.items():
                tables[role, mode, s] = tt[tt["to_id"].isin(ids)]
                open_tables[role, mode, s] = opens[s]
    out = access.indicator_table(
        tables, origins, dests, open_tables=open_tables, unknown=unknown, minutes=minutes
    )
    names = qpv.set_index("code_qp")["nom_qp"]
    out.insert(1, "nom_qp", out["code_qp"].map(names))
    return out
