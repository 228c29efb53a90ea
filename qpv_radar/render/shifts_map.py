"""Folium map of shift reachability: one switchable layer per day × shift moment × workplace ×
mode, each QPV coloured by the share of its residents who cannot make it (offline, like the
planner's maps: :func:`qpv_radar.render.planner_map.coverage_map`)."""

from __future__ import annotations

from typing import Literal

import folium
import geopandas as gpd
import pandas as pd

from . import labels as lb
from .planner_map import coverage_map

__all__ = ["shifts_map"]


def _slot(row: pd.Series, lang: str) -> str:
    at = row["time"]
    words = lb.t(
        f"shifts.slot.{row['kind']}",
        lang,
        day=lb.day_text(row["day"], lang),
        workplace=row["workplace"],
        h=at.hour,
        m=f"{at.minute:02d}",
        mode=lb.t(f"shifts.mode.{row['mode']}", lang),
    )
    # a plain hyphen followed by a clock would be read as a planner slot (« weekday-06:00 »)
    return words.replace("-", "\u2011")


def shifts_map(
    table: pd.DataFrame, qpv: gpd.GeoDataFrame, *, lang: Literal["fr", "en"] = "fr"
) -> folium.Map:
    """The map of :func:`~qpv_radar.analysis.shifts.shift_reachability`'s table.

    Parameters
    ----------
    table
        The table (``code_qp``, ``day``, ``kind``, ``time``, ``workplace``, ``mode``,
        ``share``, ``gap_to_bike``).
    qpv
        The QPV perimeters (``code_qp``, geometry).
    """
    gdf = gpd.GeoDataFrame(
        qpv[["code_qp", "geometry"]].merge(table, on="code_qp"), geometry="geometry", crs=qpv.crs
    )
    gdf["share_unreached"] = 1.0 - gdf["share"]
    gdf["slot"] = [_slot(r, lang) for _, r in gdf.iterrows()]
    return coverage_map(
        gdf,
        value="share_unreached",
        slot_column="slot",
        tooltip_columns=("share", "share_unreached", "gap_to_bike"),
        slots=list(pd.unique(gdf["slot"])),
        title=lb.t("shifts.map_title", lang),
        note=lb.t("shifts.map_note", lang),
        lang=lang,
    )
