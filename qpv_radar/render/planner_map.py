"""Folium choropleth of QPV perimeters by time slot (coverage gaps, accessibility).

One layer per slot (radio buttons in the layer control: the slot switcher); each perimeter is
coloured by one indicator and carries every indicator in its tooltip. All text (QPV names,
column values) is HTML-escaped. Rendering only: the numbers come from :mod:`qpv_radar.analysis`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any, Literal

import branca.colormap as cm
import folium
import geopandas as gpd
import pandas as pd

from . import labels as lb
from .map import leaflet_only

__all__ = ["coverage_map", "slot_label"]

ATTRIBUTION = (
    "© OpenStreetMap contributors (ODbL) · ANCT · INSEE · TaM / Montpellier Méditerranée "
    "Métropole · Ville de Montpellier · France Travail"
)


def _fmt(value: Any, col: str, lang: str) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return lb.t("coverage.unreachable", lang)
        if math.isnan(value):
            return "–"
        if col.startswith("share"):
            return f"{value:.0%}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return str(value)


def _column_label(col: str, lang: str, minutes: float) -> str:
    """The words of an indicator column (the column's name when it has none)."""
    code = f"coverage.{col}"
    words = lb.t(code, lang, t=f"{minutes:g}")
    return col if words == code else words


def slot_label(slot: object, lang: str = "fr") -> str:
    """``weekday-06:00`` → ``semaine 06:00`` (French) or ``weekday 06:00``; other text as is."""
    text = str(slot)
    day, sep, hour = text.partition("-")
    if not sep or ":" not in hour:
        return text
    code = f"slot.{day.lower()}"
    words = lb.t(code, lang)
    return f"{day if words == code else words} {hour}"


#: The indicators a perimeter's tooltip shows by default.
_TOOLTIP_COLUMNS = (
    "population",
    "share_uncovered",
    "pop_uncovered",
    "median_min",
    "p80_min",
    "n_open",
    "n_hours_unknown",
    "rank",
)


def coverage_map(
    table: gpd.GeoDataFrame,
    *,
    value: str = "share_uncovered",
    slot_column: str = "slot",
    name_column: str = "nom_qp",
    tooltip_columns: Sequence[str] = _TOOLTIP_COLUMNS,
    minutes: float = 30,
    slots: Sequence[str] | None = None,
    title: str | None = None,
    note: str | None = None,
    lang: Literal["fr", "en"] = "fr",
    m: folium.Map | None = None,
) -> folium.Map:
    """Choropleth of QPV perimeters, one switchable layer per slot.

    Parameters
    ----------
    table
        One row per QPV × slot with a geometry (any CRS; drawn in WGS84).
    value
        Column used for the colour (0–1 for shares).
    slot_column
        Column naming the slot; one layer per distinct value, in order of appearance.
    name_column
        Column with the QPV's name (tooltip heading).
    tooltip_columns
        Indicator columns shown in the tooltip (missing ones are skipped).
    minutes
        *T*, for the labels.
    slots
        Order of the slot layers (the first is shown); default: by ``departure`` when the
        table has it, else in order of appearance.
    title, note
        Optional heading and note (e.g. the QPV generation caveat), escaped.
    lang
        Language of the labels.
    m
        An existing map to draw on (layers stack), or ``None`` for a new one.

    Returns
    -------
    folium.Map
    """
    gdf = table.to_crs("EPSG:4326")
    if m is None:
        b = gdf.total_bounds
        m = leaflet_only(folium.Map(tiles=None, control_scale=True))
        # the background is not a base layer: the radio buttons switch slots only
        folium.TileLayer("OpenStreetMap", control=False).add_to(m)
        m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    cmap, vmin, vmax = _colormap(gdf, value)
    is_share = value.startswith("share")
    cmap.caption = _column_label(value, lang, minutes)
    if slots is None:
        order = gdf.sort_values("departure", kind="stable") if "departure" in gdf else gdf
        slots = list(pd.unique(order[slot_column]))
    for i, slot in enumerate(slots):
        group = folium.FeatureGroup(
            name=html.escape(slot_label(slot, lang)), overlay=False, show=(i == 0)
        )
        rows = gdf[gdf[slot_column] == slot]
        _add_perimeters(group, rows, slot, value, cmap, name_column, tooltip_columns, minutes,
                        lang)  # fmt: skip
        group.add_to(m)
    unknown_pop = "population_known" in gdf and not bool(gdf["population_known"].all())
    grey = lb.t("coverage.population_unknown", lang) if unknown_pop else ""
    legend = _legend(cmap, vmin, vmax, is_share, grey=grey)
    m.get_root().html.add_child(legend)  # type: ignore[attr-defined]
    heading = " — ".join(x for x in (title, note or lb.t("coverage.note", lang)) if x)
    m.get_root().html.add_child(_heading(heading))  # type: ignore[attr-defined]
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _add_perimeters(
    group: folium.FeatureGroup,
    rows: gpd.GeoDataFrame,
    slot: object,
    value: str,
    cmap: cm.LinearColormap,
    name_column: str,
    tooltip_columns: Sequence[str],
    minutes: float,
    lang: str,
) -> None:
    """One slot's perimeters, coloured by ``value`` (grey when unknown), with their tooltips."""
    for _, row in rows.iterrows():
        v = row[value]
        finite = isinstance(v, int | float) and math.isfinite(v)
        if value in _POPULATION_COLUMNS and not _population_known(row):
            finite = False  # unknown population: grey, never the colour of "covered"
        fill = cmap(v) if finite else "#808080"
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, c=fill: {
                "fillColor": c,
                "color": "#333333",
                "weight": 1,
                "fillOpacity": 0.7,
            },
            tooltip=folium.Tooltip(
                _tooltip(row, slot, name_column, tooltip_columns, minutes, lang)
            ),
        ).add_to(group)


def _colormap(gdf: gpd.GeoDataFrame, value: str) -> tuple[cm.LinearColormap, float, float]:
    """The colour scale of ``value`` and its range: 0–1 for shares, else the finite values'."""
    vals = pd.to_numeric(gdf[value], errors="coerce")
    finite = vals[vals.map(lambda v: math.isfinite(v))]
    is_share = value.startswith("share")
    vmin, vmax = (0.0, 1.0) if is_share else (float(finite.min()), float(finite.max() or 1.0))
    if vmin == vmax:
        vmax = vmin + 1.0
    cmap = cm.LinearColormap(
        ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c", "#800026"], vmin=vmin, vmax=vmax
    )
    return cmap, vmin, vmax


def _tooltip(
    row: pd.Series,
    slot: object,
    name_column: str,
    tooltip_columns: Sequence[str],
    minutes: float,
    lang: str,
) -> str:
    """A perimeter's tooltip (HTML, escaped): its name, the slot, then every indicator."""
    lines = [f"<b>{html.escape(str(row.get(name_column, '')))}</b>"]
    slot_word = lb.t("coverage.slot", lang)
    lines.append(f"{html.escape(slot_word)} : {html.escape(slot_label(slot, lang))}")
    unknown = not _population_known(row)
    for col in tooltip_columns:
        if col in row.index:
            label = _column_label(col, lang, minutes)
            text = _fmt(row[col], col, lang)
            if unknown and col in _POPULATION_COLUMNS:
                text = lb.t("coverage.population_unknown", lang)
            lines.append(f"{html.escape(label)} : {html.escape(text)}")
    return "<br>".join(lines)


#: Columns that count or share residents: worded « population inconnue » when it is unknown.
_POPULATION_COLUMNS = frozenset({"population", "pop_uncovered", "share_uncovered"}) | {
    f"share_within_{m}" for m in (10, 20, 30, 45)
}


def _population_known(row: pd.Series) -> bool:
    """False when the row says its QPV's population is unknown (``population_known``)."""
    known = row.get("population_known", True)
    return not (known is False or (isinstance(known, bool | int) and not known))


def _heading(heading: str) -> folium.Element:
    """The map's heading (title and note, escaped) and the data attribution, top left."""
    return folium.Element(
        '<div style="position:fixed;top:10px;left:56px;max-width:45%;z-index:999;'
        "background:white;opacity:0.9;"
        f'padding:4px 8px;font:12px sans-serif">{html.escape(heading)}<br>'
        f'<span style="font-size:10px">{html.escape(ATTRIBUTION)}</span></div>'
    )


def _legend(
    cmap: cm.LinearColormap, vmin: float, vmax: float, is_share: bool, *, grey: str = ""
) -> folium.Element:
    """The colour scale as plain HTML (a CSS gradient and five ticks), and ``grey``'s words
    next to a grey swatch when some perimeters are drawn grey (unknown population).

    branca's own legend draws with d3 from a CDN: offline, or with the CDN blocked, it throws
    and takes the slot switcher down with it. This one needs no script.
    """
    stops = ", ".join(cmap(vmin + (vmax - vmin) * k / 10) for k in range(11))
    ticks = "".join(
        f'<span style="position:absolute;left:{k * 25}%;transform:translateX(-50%)">'
        f"{html.escape(f'{x:.0%}' if is_share else f'{x:.3g}')}</span>"
        for k, x in enumerate(vmin + (vmax - vmin) * k / 4 for k in range(5))
    )
    return folium.Element(
        '<div class="qpv-legend" style="position:fixed;bottom:28px;right:10px;z-index:999;'
        'background:white;opacity:0.9;padding:6px 14px 18px;font:11px sans-serif;width:240px">'
        f"{html.escape(cmap.caption)}"
        f'<div style="height:10px;margin-top:4px;background:linear-gradient(to right, {stops})">'
        f'</div><div style="position:relative">{ticks}</div>'
        + (
            '<div style="margin-top:16px"><span style="display:inline-block;width:12px;'
            f'height:10px;background:#808080"></span> {html.escape(grey)}</div>'
            if grey
            else ""
        )
        + "</div>"
    )
