"""Residents as origins.

:func:`origin_points` spreads each QPV's population (``pop_mun``) over points on its streets:
the street-network nodes inside the perimeter are binned into square cells (``cell_m``, 100 m
by default); each occupied cell gets one origin (the node nearest the cell's node centroid) and
an equal share of the population. Street nodes rather than a regular grid because residents
live along streets and a node is exactly on the network (no snapping error, no origin in a park
or on a railway yard); binning into cells removes the bias of node-dense spots (roundabouts,
footpath meshes) and bounds the number of origins. A QPV with no node inside falls back to a
regular grid clipped to its perimeter (or its representative point).

A QPV whose population is not known (ANCT's 2024 commune lists carry none) keeps it unknown:
its origins get ``population`` NaN (never 0, which would read as "nobody to cover"), and every
population-weighted figure computed from them is NaN too (see
:func:`qpv_radar.analysis.qpv_indicators`).
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._defaults import LAMBERT93, WGS84
from .._errors import CrsError, InputFileError, InputProblem

__all__ = ["origin_points"]

# One origin: QPV code, residents it stands for, source, x, y (metric CRS).
_Row = tuple[str, float, str, float, float]


def origin_points(
    qpv: gpd.GeoDataFrame,
    nodes: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    *,
    population: str = "pop_mun",
    cell_m: float = 100.0,
    crs: str = LAMBERT93,
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
        Column holding the number of residents (a missing value is kept as unknown: the QPV's
        origins get ``population`` NaN).
    cell_m
        Cell size in metres: one origin per occupied cell.
    crs
        Metric CRS used for the cells.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, index ``origin_id`` (``"CODE_QP:n"``), columns ``code_qp``, ``population``
        (residents represented by this point; they sum to the QPV's population; NaN when the
        QPV's population is unknown), ``weight``
        (share of the QPV), ``source`` (``"street_nodes"``, ``"grid"`` or ``"centroid"``),
        ``geometry``.

    Raises
    ------
    CrsError
        An input without CRS.
    InputFileError
        Missing ``code_qp`` or population column, or a negative population.
    """
    pop = _checked_population(qpv, nodes, population)
    metric = qpv.to_crs(crs)
    node_xy = np.empty((0, 2))
    if nodes is not None:
        node_xy = shapely.get_coordinates(nodes.to_crs(crs).geometry.values)
    rows: list[_Row] = []
    for code, geom, p in zip(metric["code_qp"], metric.geometry.values, pop, strict=True):
        xy, source = _points_in(geom, node_xy, cell_m)
        w = 1.0 / len(xy)
        rows += [(str(code), float(p) * w, source, x, y) for x, y in xy]
    return _origin_frame(rows, crs).to_crs(WGS84)


def _checked_population(
    qpv: gpd.GeoDataFrame, nodes: gpd.GeoSeries | gpd.GeoDataFrame | None, population: str
) -> pd.Series:
    """Residents per QPV (missing = NaN: unknown), after checking the columns, CRSs and signs.

    Raises
    ------
    InputFileError
        Missing ``code_qp`` or population column, or a negative population.
    CrsError
        An input without CRS.
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
    pop = pd.to_numeric(qpv[population], errors="coerce").astype(float)
    neg = np.flatnonzero(pop.fillna(0.0).to_numpy() < 0)
    if len(neg):
        raise InputFileError(
            "QPV perimeters",
            [
                InputProblem(int(i) + 1, population, "negative population", "give a count >= 0")
                for i in neg
            ],
        )
    return pop


def _points_in(geom: Any, node_xy: np.ndarray, cell_m: float) -> tuple[np.ndarray, str]:
    """One QPV's origins (metric x, y) and their source: street nodes, else grid, else centroid."""
    xy, source = np.empty((0, 2)), "street_nodes"
    if len(node_xy) and geom is not None and not geom.is_empty:
        inside = shapely.contains_xy(geom, node_xy[:, 0], node_xy[:, 1])
        xy = _one_per_cell(node_xy[inside], cell_m)
    if not len(xy):
        xy, source = _grid_in(geom, cell_m), "grid"
    if not len(xy):
        rp = geom.representative_point()
        xy, source = np.array([[rp.x, rp.y]]), "centroid"
    return xy, source


def _origin_frame(rows: list[_Row], crs: str) -> gpd.GeoDataFrame:
    """The origins as a GeoDataFrame in ``crs``, indexed ``CODE_QP:n`` in row order."""
    codes = [r[0] for r in rows]
    counter: dict[str, int] = {}
    ids = []
    for c in codes:
        counter[c] = counter.get(c, 0) + 1
        ids.append(f"{c}:{counter[c]}")
    return gpd.GeoDataFrame(
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
