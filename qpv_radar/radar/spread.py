"""The spread of public-transport times over a departure window, kept for the card
(« d'habitude 41 min, jusqu'à 45 min selon le départ »)."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .model import RadarNetworks

__all__ = ["WindowSpread"]


class WindowSpread:
    """The networks, asking public transport over a window for its 90th percentile too, and
    keeping it (:meth:`p90`); every other call passes through."""

    def __init__(self, networks: RadarNetworks) -> None:
        self._inner = networks
        self._p90: dict[str, pd.Series] = {}
        try:
            params = inspect.signature(networks.travel_times).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        self._asks = "percentiles" in params  # a plugged-in router may not know percentiles

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def travel_times(
        self, origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, *, mode: str,
        **kw: Any,
    ) -> pd.DataFrame:  # fmt: skip
        """:meth:`RadarNetworks.travel_times`, with ``p50``/``p90`` over a transit window."""
        if not (self._asks and mode == "transit" and kw.get("window_minutes", 0) > 1):
            return self._inner.travel_times(origins, destinations, mode=mode, **kw)
        tt = self._inner.travel_times(
            origins,
            destinations,
            mode=mode,
            percentiles=(50, 90),
            **kw,  # type: ignore[call-arg]
        )
        p90 = tt.set_index("to_id")["p90"].astype(float) / 60.0
        self._p90[mode] = p90[~p90.index.duplicated()]
        return tt.drop(columns=[c for c in ("p50", "p90") if c in tt.columns])

    def p90(self, index: pd.Index, modes: Sequence[str]) -> np.ndarray:
        """Candidates × modes: the window's 90th percentile, minutes (NaN: no window)."""
        out = np.full((len(index), len(modes)), np.nan)
        for col, mode in enumerate(modes):
            if mode in self._p90:
                out[:, col] = self._p90[mode].reindex(index).to_numpy(dtype=float)
        return out
