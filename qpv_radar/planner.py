"""Planner runs on a territory: coverage gaps by slot, where to hold permanences.

This module wires the pure analysis of :mod:`qpv_radar.analysis` to
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

from . import analysis
from ._errors import InputFileError, InputProblem, QpvRadarError
from ._geo import lonlat_problems
from .territory import Territory, load_territory

__all__ = [
    "ROLES",
    "CoverageResult",
    "EngineMissingError",
    "NoStructureError",
    "PlannerError",
    "accessibility",
    "available_modes",
    "candidate_problems",
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


class PlannerError(QpvRadarError, ValueError):
    """Planner options that cannot give a meaningful answer (negative window, unknown method…)."""


class NoStructureError(PlannerError):
    """A role none of the territory's structures holds: every QPV would look 100 % uncovered."""


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
        :func:`qpv_radar.analysis.origin_points` over the street nodes inside each perimeter.
    """
    from .qpv import load_qpv

    t = _territory(territory)
    qpv = load_qpv(t)
    nodes = _street_nodes(network, t) if network is not None else None
    if nodes is None and t.streets is not None:
        nodes = _street_nodes(object(), t)
    return qpv, analysis.origin_points(qpv, nodes, cell_m=cell_m, crs=t.crs)


def structures(territory: Territory | str, roles: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """The territory's structures holding any of ``roles`` (all when ``None``)."""
    from .actors import load_actors

    actors = load_actors(_territory(territory))
    return actors if roles is None else _with_roles(actors, roles)


def _with_roles(actors: gpd.GeoDataFrame, roles: Sequence[str]) -> gpd.GeoDataFrame:
    unknown = [r for r in roles if r not in ROLES and r != "all"]
    if unknown:
        raise analysis.SlotError(
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


def _check_window(window_minutes: int) -> None:
    if window_minutes < 0:
        raise PlannerError(
            f"window_minutes={window_minutes}: give 0 (one departure) or a number of minutes "
            "of departures (median over them)."
        )


def _role_structures(
    t: Territory, roles: Sequence[str], *, hint: str = ""
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """All the territory's structures, and those holding any of ``roles``.

    Raises
    ------
    NoStructureError
        A role that no structure of the territory holds (its gaps would all be 100 %).
    """
    actors = structures(t)
    dests = _with_roles(actors, roles)
    counts = {r: len(structures_with_role(actors, r)) for r in ROLES}
    empty = [r for r in roles if r != "all" and counts.get(r, 0) == 0]
    if empty:
        loaders = ", ".join(s.loader or s.source for s in t.actors) or "none"
        held = ", ".join(f"{r} ({n})" for r, n in counts.items() if n)
        other = (
            f"or choose a role the territory has: {held}."
            if held
            else "its sources hold no structure at all."
        )
        which = ", ".join(repr(r) for r in empty)
        toml = (
            f"{t.path}"
            if t.path is not None
            else f"for the built-in one, copy {t.name}.toml from qpv_radar/_data/ and pass the "
            "copy as --territory FILE"
        )
        raise NoStructureError(
            f"role {which}: the structure sources of territory {t.name!r} ({loaders}) hold no "
            "structure with this role, so every QPV would look 100 % uncovered. Add a source "
            f"that has some as an [[actors]] table of the territory file ({toml}), e.g. "
            f'loader = "generic", source = "my_structures.csv", roles = ["{empty[0]}"] '
            f"(README, 'Your own territory'); {hint}{other}",
            fr=f"rôle {which} : aucune structure des sources du territoire {t.name!r} "
            f"({loaders}) n'a ce rôle ; chaque QPV paraîtrait découvert à 100 %. Ajoutez une "
            "source qui en contient, comme table [[actors]] du fichier du territoire (par ex. "
            f'loader = "generic", source = "mes_structures.csv", roles = ["{empty[0]}"] ; '
            "README, « Your own territory »)"
            + (f", ou choisissez un rôle présent : {held}." if held else "."),
        )
    return actors, dests


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
    slots: Sequence[str] = analysis.DEFAULT_SLOTS,
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
    walk
        A walking network to reuse (default: the territory's).
    progress
        Show progress bars (stderr).

    Raises
    ------
    NoStructureError
        A role none of the territory's structures holds.
    PlannerError
        A negative ``window_minutes``.
    """
    t = _territory(territory)
    _check_window(window_minutes)
    if t.default_when is None:
        raise analysis.SlotError(
            f"territory {t.name!r} has no default_when: add one inside its GTFS period."
        )
    when = {s: analysis.parse_slot(s, t.default_when) for s in slots}
    roles = [role] if isinstance(role, str) else list(role)
    _, dests = _role_structures(t, roles)
    if walk is None:
        walk = walk_network(t)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
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
    opens = {s: analysis.open_table(dests, w, horizon_min=horizon) for s, w in when.items()}
    parts = []
    for r in roles:
        sub = structures_with_role(dests, r)
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


def candidate_problems(
    candidates: gpd.GeoDataFrame, network: Any, *, territory: str = ""
) -> list[InputProblem]:
    """Every candidate place that cannot be a place of the territory, one problem per row.

    A place is rejected when it has no point geometry, when its longitude and latitude look
    swapped (outside France and outside the network's extent, inside with the two exchanged:
    :func:`qpv_radar._geo.lonlat_problems`), or when it lies too far from the territory's
    street network to be walked to (farther than the network's snapping distance: residents
    would never reach it and it would silently cover nobody).

    Parameters
    ----------
    candidates
        Places (points with a CRS, index = ids), in the order of the input file.
    network
        The territory's walking network (:func:`walk_network`); without its snapping (another
        walking model), only the geometry and swap checks are made.
    territory
        Territory name, for the messages.

    Returns
    -------
    list of InputProblem
        ``row`` = 1-based position in ``candidates`` (the data row of a CSV read in order).
    """
    if candidates.crs is None:
        return [
            InputProblem(None, "geometry", "no CRS", "declare it, e.g. gdf.set_crs('EPSG:4326')")
        ]
    geoms = candidates.geometry.to_crs("EPSG:4326").to_numpy()
    ids = list(candidates.index)
    problems: list[InputProblem] = []
    is_point = ~pd.isna(geoms)
    is_point[is_point] = (shapely.get_type_id(geoms[is_point]) == 0) & ~shapely.is_empty(
        geoms[is_point]
    )
    for i in np.flatnonzero(~is_point):
        problems.append(
            InputProblem(
                int(i) + 1, "geometry", f"place {ids[i]!r} has no point", "give lon and lat"
            )
        )
    ok = np.flatnonzero(is_point)
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    lon[ok], lat[ok] = shapely.get_x(geoms[ok]), shapely.get_y(geoms[ok])
    swapped, _ = lonlat_problems(lon, lat)
    bounds = getattr(network, "bounds_lonlat", None)
    box = bounds() if callable(bounds) else None
    if box is not None:
        x0, y0, x1, y1 = box
        pad = 0.05

        def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return (x >= x0 - pad) & (x <= x1 + pad) & (y >= y0 - pad) & (y <= y1 + pad)

        swapped |= ~inside(lon, lat) & inside(lat, lon)
    for i in np.flatnonzero(swapped):
        problems.append(
            InputProblem(
                int(i) + 1,
                "lon/lat",
                f"place {ids[i]!r} at lon {lon[i]:.4f}, lat {lat[i]:.4f} looks like latitude "
                "and longitude swapped",
                f"exchange the two values (lon {lat[i]:.4f}, lat {lon[i]:.4f})",
            )
        )
    rest = np.setdiff1d(ok, np.flatnonzero(swapped))
    if len(rest) and hasattr(network, "edge_tree"):
        routing = importlib.import_module("qpv_radar.routing")
        snapped = routing.snap_points(network, candidates.iloc[rest], lang="en")
        where = (
            f" (its streets span lon {box[0]:.3f}–{box[2]:.3f}, lat {box[1]:.3f}–{box[3]:.3f})"
            if box is not None
            else ""
        )
        name = f" {territory!r}" if territory else ""
        for i, reason in zip(rest, snapped["reason"].to_numpy(), strict=True):
            if reason is not None:
                problems.append(
                    InputProblem(
                        int(i) + 1,
                        "lon/lat",
                        f"place {ids[i]!r} at lon {lon[i]:.4f}, lat {lat[i]:.4f} is outside "
                        f"territory{name}: {reason}",
                        f"give a place inside the territory{where}",
                    )
                )
    return sorted(problems, key=lambda p: p.row or 0)


def permanences(
    territory: Territory | str = "montpellier",
    *,
    k: int = 3,
    minutes: float = 20.0,
    candidates: gpd.GeoDataFrame | None = None,
    mode: Mode = "walk",
    slot: str = "weekday-09:00",
    method: Literal["exact", "greedy"] = "exact",
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
    walk
        A walking network to reuse.
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
    t = _territory(territory)
    if method not in ("exact", "greedy"):
        raise PlannerError(f"method={method!r}: use 'exact' (default) or 'greedy'.")
    if candidates is None:
        _, cand = _role_structures(t, ["relay"], hint="give your own candidate places, ")
    else:
        cand = candidates
    if len(cand) == 0:
        raise analysis.SitingError(
            "no candidate place: the candidates table is empty; give at least one place."
        )
    if walk is None:
        walk = walk_network(t)
    if candidates is not None:
        problems = candidate_problems(cand, walk, territory=t.name)
        if problems:
            raise InputFileError("candidate places", problems)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
    ref = t.default_when or datetime(2024, 1, 16, 9, 0)
    when = {slot: analysis.parse_slot(slot, ref)}
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
    solve = analysis.exact_max_cover if method == "exact" else analysis.greedy_max_cover
    res = solve(tt, origins["population"], list(cand.index), k, minutes=minutes)
    names = cand["name"] if "name" in cand.columns else pd.Series(cand.index, index=cand.index)
    res.insert(2, "name", names.reindex(res["place_id"]).to_numpy())
    pts = cand.geometry.to_crs(4326).reindex(res["place_id"])
    res["lon"] = pts.x.to_numpy()
    res["lat"] = pts.y.to_numpy()
    a = analysis.coverage_matrix(tt, origins["population"], list(res["place_id"]), minutes=minutes)
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


Capacity = str | Mapping[Any, float] | pd.Series


def _capacity_series(
    capacity: Capacity, actors: gpd.GeoDataFrame, dests: gpd.GeoDataFrame
) -> pd.Series:
    """Capacity per structure of ``dests`` from a column name, a mapping or a Series."""
    problems: list[InputProblem] = []
    if isinstance(capacity, str):
        if capacity not in dests.columns:
            cols = ", ".join(str(c) for c in dests.columns if c != "geometry")
            raise InputFileError(
                "capacity",
                [
                    InputProblem(
                        None,
                        capacity,
                        "no such column in the structures table",
                        f"give one of {cols}, or a mapping structure id → capacity",
                    )
                ],
            )
        raw = dests[capacity]
    else:
        raw = pd.Series(capacity, dtype=object) if isinstance(capacity, Mapping) else capacity
        unknown = [i for i in raw.index if i not in actors.index]
        if unknown:
            problems.append(
                InputProblem(
                    None,
                    None,
                    f"{len(unknown)} id(s) that are not structures of the territory: "
                    + ", ".join(map(repr, unknown[:5]))
                    + (" …" if len(unknown) > 5 else ""),
                    "use the structures' ids (planner.structures(territory).index)",
                )
            )
        raw = raw.reindex(dests.index)
    cap = pd.to_numeric(raw, errors="coerce")
    missing = [i for i, v in zip(dests.index, cap, strict=True) if pd.isna(v)]
    if missing:
        problems.append(
            InputProblem(
                None,
                None,
                f"no numeric capacity for {len(missing)} structure(s): "
                + ", ".join(map(repr, missing[:5]))
                + (" …" if len(missing) > 5 else ""),
                "give every structure of the roles a capacity (0 when it receives nobody)",
            )
        )
    negative = [i for i, v in zip(dests.index, cap, strict=True) if v < 0]
    if negative:
        problems.append(
            InputProblem(
                None,
                None,
                "negative capacity for " + ", ".join(map(repr, negative[:5])),
                "give a count >= 0",
            )
        )
    if problems:
        raise InputFileError("capacity", problems)
    return cap.astype(float)


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
    capacity: Capacity | None = None,
    cell_m: float = 100.0,
    walk: Any | None = None,
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
    t = _territory(territory)
    _check_window(window_minutes)
    ref = t.default_when or datetime(2024, 1, 16, 9, 0)
    when = {s: analysis.parse_slot(s, ref) for s in slots}
    actors, dests = _role_structures(t, list(roles))
    cap = _capacity_series(capacity, actors, dests) if capacity is not None else None
    if walk is None:
        walk = walk_network(t)
    qpv, origins = resident_origins(t, walk, cell_m=cell_m)
    gtfs_path = t.gtfs[0].resolve() if t.gtfs else None
    horizon = int(np.ceil(max_minutes))
    opens = {s: analysis.open_table(dests, w, horizon_min=horizon) for s, w in when.items()}
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
