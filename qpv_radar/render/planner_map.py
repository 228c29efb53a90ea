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

from .map import leaflet_only

__all__ = ["LABELS", "coverage_map"]

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "share_uncovered": "Part des habitants sans structure ouverte à {t} min",
        "pop_uncovered": "Habitants sans structure ouverte à moins de {t} min",
        "population": "Population (INSEE)",
        "median_min": "Temps médian jusqu'à la structure la plus proche (min)",
        "p80_min": "80e centile du temps jusqu'à la plus proche (min)",
        "n_open": "Structures ouvertes à ce créneau",
        "n_hours_unknown": "Structures aux horaires inconnus (comptées ouvertes)",
        "rank": "Rang (1 = pire écart)",
        "slot": "Créneau",
        "unreachable": "hors d'atteinte",
        "note": "Périmètres QPV 2015",
    },
    "en": {
        "share_uncovered": "Share of residents without an open structure in {t} min",
        "pop_uncovered": "Residents with no open structure within {t} min",
        "population": "Population (INSEE)",
        "median_min": "Median time to the nearest structure (min)",
        "p80_min": "80th percentile time to the nearest (min)",
        "n_open": "Structures open at this slot",
        "n_hours_unknown": "Structures with unknown hours (counted open)",
        "rank": "Rank (1 = worst gap)",
        "slot": "Slot",
        "unreachable": "unreachable",
        "note": "QPV perimeters 2015",
    },
}
ATTRIBUTION = (
    "© OpenStreetMap contributors (ODbL) · ANCT · INSEE · TaM / Montpellier Méditerranée "
    "Métropole · Ville de Montpellier · France Travail"
)


def _fmt(value: Any, col: str, lang: str) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return LABELS[lang]["unreachable"]
        if math.isnan(value):
            return "–"
        if col.startswith("share"):
            return f"{value:.0%}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return str(value)


_DAYS = {
    "fr": {"weekday": "semaine", "saturday": "samedi", "sunday": "dimanche", "monday": "lundi",
           "tuesday": "mardi", "wednesday": "mercredi", "thursday": "jeudi", "friday": "vendredi"},
    "en": {},
}  # fmt: skip


def slot_label(slot: object, lang: str = "fr") -> str:
    """``weekday-06:00`` → ``semaine 06:00`` (French) or ``weekday 06:00``; other text as is."""
    text = str(slot)
    day, sep, hour = text.partition("-")
    if not sep or ":" not in hour:
        return text
    return f"{_DAYS.get(lang, {}).get(day.lower(), day)} {hour}"


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
    labels = LABELS[lang]
    gdf = table.to_crs("EPSG:4326")
    if m is None:
        b = gdf.total_bounds
        m = leaflet_only(folium.Map(tiles=None, control_scale=True))
        # the background is not a base layer: the radio buttons switch slots only
        folium.TileLayer("OpenStreetMap", control=False).add_to(m)
        m.fit_bounds([[b[1], b[0]], [b[3], b[2]]])
    cmap, vmin, vmax = _colormap(gdf, value)
    is_share = value.startswith("share")
    cmap.caption = labels.get(value, value).format(t=f"{minutes:g}")
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
    m.get_root().html.add_child(_legend(cmap, vmin, vmax, is_share))  # type: ignore[attr-defined]
    heading = " — ".join(x for x in (title, note or labels["note"]) if x)
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
        fill = "#808080" if not (isinstance(v, int | float) and math.isfinite(v)) else cmap(v)
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
    labels = LABELS[lang]
    lines = [f"<b>{html.escape(str(row.get(name_column, '')))}</b>"]
    lines.append(f"{html.escape(labels['slot'])} : {html.escape(slot_label(slot, lang))}")
    for col in tooltip_columns:
        if col in row.index:
            label = labels.get(col, col).format(t=f"{minutes:g}")
            lines.append(f"{html.escape(label)} : {html.escape(_fmt(row[col], col, lang))}")
    return "<br>".join(lines)


def _heading(heading: str) -> folium.Element:
    """The map's heading (title and note, escaped) and the data attribution, top left."""
    return folium.Element(
        '<div style="position:fixed;top:10px;left:56px;max-width:45%;z-index:999;'
        "background:white;opacity:0.9;"
        f'padding:4px 8px;font:12px sans-serif">{html.escape(heading)}<br>'
        f'<span style="font-size:10px">{html.escape(ATTRIBUTION)}</span></div>'
    )


def _legend(cmap: cm.LinearColormap, vmin: float, vmax: float, is_share: bool) -> folium.Element:
    """The colour scale as plain HTML (a CSS gradient and five ticks).

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
        f'</div><div style="position:relative">{ticks}</div></div>'
    )
