"""The planner's inputs on one territory: resident origins, structures by role, candidate
places and capacities, each checked with a clear error.

Each function takes plain inputs and returns plain tables, so a notebook can replace any of
them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import analysis
from .._defaults import ROLES, WGS84
from .._errors import (
    InputFileError,
    InputProblem,
    NetworkError,
    NoStructureError,
    PlannerError,
)
from .._geo import lonlat_problems
from .._messages import Message
from ..networks.streets import StreetNetwork
from ..territory import Territory, load_territory

__all__ = [
    "Capacity",
    "candidate_problems",
    "capacity_series",
    "check_window",
    "read_candidates",
    "resident_origins",
    "role_structures",
    "structures",
    "structures_with_role",
    "territory_of",
    "walk_network_of",
    "with_roles",
]


def territory_of(territory: Territory | str) -> Territory:
    """A :class:`~qpv_radar.territory.Territory` from itself or its name."""
    return territory if isinstance(territory, Territory) else load_territory(territory)


def walk_network_of(territory: Territory, networks: Any | None) -> StreetNetwork:
    """The walking network of ``networks`` (a :class:`~qpv_radar.Networks`), or of the
    territory's own networks.

    Raises
    ------
    NetworkError
        The territory has no street network (resident origins are street nodes).
    """
    if networks is None:
        from ..routing.networks import Networks

        networks = Networks(territory)
    if not networks.has_streets:
        raise NetworkError(
            f"territory {territory.name!r} has no street network: the planner places residents "
            "on the street nodes of each QPV. Add a [streets] source to the territory file."
        )
    net: StreetNetwork = networks.street_network("walk")
    return net


def _street_nodes(network: StreetNetwork) -> gpd.GeoSeries:
    """Nodes of the network's main part as points (EPSG:4326).

    Origins only on the main component: a node of a detached fragment (a closed courtyard's
    footpaths) would make its residents look unreachable.
    """
    x, y = np.asarray(network.node_lon), np.asarray(network.node_lat)
    comp = np.asarray(network.component)
    if len(comp) == len(x) and len(comp):
        keep = comp == np.bincount(comp).argmax()
        x, y = x[keep], y[keep]
    return gpd.GeoSeries(gpd.points_from_xy(x, y), crs=WGS84)


def resident_origins(
    territory: Territory | str,
    network: StreetNetwork | None = None,
    *,
    cell_m: float = 100.0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The territory's QPVs and their resident origin points.

    Returns
    -------
    (qpv, origins)
        ``qpv`` from :func:`qpv_radar.qpv.load_qpv` (with ``pop_mun``); ``origins`` from
        :func:`qpv_radar.analysis.origin_points` over the street nodes inside each perimeter,
        or over a grid of ``cell_m`` when the territory has no street network.
    """
    from ..qpv import load_qpv

    t = territory_of(territory)
    qpv = load_qpv(t)
    if network is None and t.streets is None:
        # no street network: a grid of cell_m inside each perimeter (the territory's note says so)
        return qpv, analysis.origin_points(qpv, None, cell_m=cell_m, crs=t.crs)
    nodes = _street_nodes(network if network is not None else walk_network_of(t, None))
    return qpv, analysis.origin_points(qpv, nodes, cell_m=cell_m, crs=t.crs)


def structures(territory: Territory | str, roles: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """The territory's structures holding any of ``roles`` (all when ``None``)."""
    from ..actors import load_actors

    actors = load_actors(territory_of(territory))
    return actors if roles is None else with_roles(actors, roles)


def with_roles(actors: gpd.GeoDataFrame, roles: Sequence[str]) -> gpd.GeoDataFrame:
    unknown = [r for r in roles if r not in ROLES and r != "all"]
    if unknown:
        raise PlannerError(
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


def check_window(window_minutes: int) -> None:
    if window_minutes < 0:
        raise PlannerError(
            f"window_minutes={window_minutes}: give 0 (one departure) or a number of minutes "
            "of departures (median over them)."
        )


def role_structures(
    t: Territory, roles: Sequence[str], *, hint: Message | str = ""
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """All the territory's structures, and those holding any of ``roles``.

    ``hint`` (a catalogue message) is worded into the error before its advice.

    Raises
    ------
    NoStructureError
        A role that no structure of the territory holds (its gaps would all be 100 %).
    """
    actors = structures(t)
    dests = with_roles(actors, roles)
    counts = {r: len(structures_with_role(actors, r)) for r in ROLES}
    empty = [r for r in roles if r != "all" and counts.get(r, 0) == 0]
    if empty:
        held = ", ".join(f"{r} ({n})" for r, n in counts.items() if n)
        raise NoStructureError(
            "planner.no_structure",
            roles=", ".join(repr(r) for r in empty),
            role=empty[0],
            territory=t.name,
            loaders=(
                ", ".join(s.loader or s.source for s in t.actors) or Message("planner.no_loader")
            ),
            toml=str(t.path)
            if t.path is not None
            else Message("planner.copy_builtin", {"name": t.name}),
            hint=hint,
            other=(
                Message("planner.no_structure.other_role", {"held": held})
                if held
                else Message("planner.no_structure.no_role")
            ),
        )
    return actors, dests


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
    if len(rest) and isinstance(network, StreetNetwork):
        from ..routing import snap_points

        snapped = snap_points(network, candidates.iloc[rest])
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
                        f"territory{name}: {reason}",  # English, as the whole problem list
                        f"give a place inside the territory{where}",
                    )
                )
    return sorted(problems, key=lambda p: p.row or 0)


Capacity = str | Mapping[Any, float] | pd.Series


def capacity_series(
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


_HEADER = "id,name,lon,lat"


def _file_problem(path: Path, problem: str, fix: str) -> InputFileError:
    """One problem with the whole file (printed on one line)."""
    return InputFileError(path, [InputProblem(None, None, problem, fix)])


def read_candidates(path: str | Path) -> gpd.GeoDataFrame:
    """Read a CSV of candidate places (``id, name, lon, lat``; WGS84) into a GeoDataFrame
    indexed by id, for :func:`~qpv_radar.planner.permanences`.

    Raises
    ------
    InputFileError
        No such file, an empty file, a header without rows, another delimiter than ``,``
        (one line); missing columns, non-numeric or out-of-range coordinates, duplicate ids
        (every problem at once).
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(
            p, [InputProblem(None, None, "no such file", f"give the path of a CSV with {_HEADER}")]
        )
    text = p.read_text(encoding="utf-8-sig", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise _file_problem(
            p,
            "the file is empty",
            f"write the header line {_HEADER}, then one place per line",
        )
    header = lines[0]
    for sep, label in ((";", "';'"), ("\t", "a tab")):
        if sep in header and not {"id", "lon", "lat"} <= {h.strip() for h in header.split(",")}:
            raise _file_problem(
                p,
                f"the delimiter is probably {label}, not ',' (header {header!r})",
                "save the file as comma-separated CSV (UTF-8, decimal point '.') with "
                f"the header {_HEADER}",
            )
    try:
        df = pd.read_csv(p, dtype=str, encoding="utf-8-sig", skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(
            p, [InputProblem(None, None, f"not a readable CSV ({exc})", f"use {_HEADER}")]
        ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("id", "lon", "lat") if c not in df.columns]
    if missing:
        raise InputFileError(
            p,
            [
                InputProblem(None, c, "column missing", "add it (id, name, lon, lat)")
                for c in missing
            ],
        )
    if df.empty:
        raise _file_problem(
            p,
            "no place in the file, only the header line",
            "add one line per place (id,name,lon,lat)",
        )
    lon = pd.to_numeric(df["lon"], errors="coerce")
    lat = pd.to_numeric(df["lat"], errors="coerce")
    problems = _candidate_row_problems(df, lon, lat)
    if problems:
        raise InputFileError(p, problems)
    return gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]).set_index("id"),
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _candidate_row_problems(df: pd.DataFrame, lon: pd.Series, lat: pd.Series) -> list[InputProblem]:
    """Every bad coordinate and duplicate id of a candidates table, by data row."""
    problems = []
    for i in range(len(df)):
        for col, v in (("lon", lon.iloc[i]), ("lat", lat.iloc[i])):
            lim = 180 if col == "lon" else 90
            if pd.isna(v) or abs(v) > lim:
                problems.append(
                    InputProblem(
                        i + 1,
                        col,
                        f"{df[col].iloc[i]!r} is not a {col}",
                        "give decimal degrees in WGS84, e.g. 3.8200 / 43.6321",
                    )
                )
    dup = df["id"][df["id"].duplicated()]
    for i in dup.index:
        problems.append(
            InputProblem(
                int(i) + 1, "id", f"duplicate id {df['id'][i]!r}", "give each place its own id"
            )
        )
    return problems
