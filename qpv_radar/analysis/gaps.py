"""Coverage gaps by time slot: residents who cannot reach any open structure within *T*.

:func:`coverage_gaps` gives, per QPV × slot, the share and number of residents with no open
structure within *T* minutes (opening hours applied with
:func:`qpv_radar.analysis.open_on_arrival`); :func:`rank_gaps` puts the worst first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from .indicators import qpv_indicators
from .slots import open_on_arrival

__all__ = ["coverage_gaps", "rank_gaps"]


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
        Columns ``code_qp, slot, population, population_known, pop_uncovered,
        share_uncovered, median_min, n_open, n_hours_unknown`` (structures known open at the
        slot time, structures whose hours are unknown), one row per QPV and slot. A QPV whose
        population is unknown has ``population``, ``pop_uncovered`` and ``share_uncovered``
        NaN and ``population_known`` False (never 0: that would read as full coverage).
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
        cols = ["population", "population_known", "pop_uncovered", "share_uncovered", "median_min"]
        part = ind[cols].reset_index()
        part.insert(1, "slot", slot)
        part["n_open"] = n_open
        part["n_hours_unknown"] = n_unknown
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def rank_gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    """Rank the (QPV, slot) gaps: most uncovered residents' share first, then most residents.

    Returns a copy with a ``rank`` column (1 = worst), sorted; rows with nobody uncovered are
    ranked after every gap, and rows whose population is unknown (NaN shares) after those.
    """
    out = gaps.sort_values(
        ["share_uncovered", "pop_uncovered"], ascending=[False, False], kind="stable"
    ).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
