"""Interactive Folium map of a radar.

:func:`radar_map` draws a :class:`~qpv_radar.radar.Radar` (it never computes travel times):
home blurred to about 100 m, travel-time rings of the main mode, one layer per role with markers
coloured and marked by role, popups with the structure's contact, hours and travel times, the
route to the first choice of each role, a legend, and print CSS (controls hidden on paper).

Every text that comes from data (names, addresses, hours…) is HTML-escaped and handed to
Leaflet as a JSON string, never pasted into HTML or JavaScript: a structure named
``<img src=x onerror=alert(1)>`` shows as that text.

The page loads no script from the network: the Leaflet shipped with qpv_radar is inlined (no
jQuery, Bootstrap or icon fonts), so it works offline except for the background tiles.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from ..radar import Entry, Radar, blur_lonlat, private_route
from ..radar.path import joint_steps
from . import labels as lb
from ._map_style import PRINT_CSS, RING_COLOR, ROLE_COLORS, marker_svg
from ._map_style import escape as _e
from ._offline import inline_leaflet
from .trip import clock_text, leave_by_text

__all__ = ["ROLE_COLORS", "radar_map"]


def _js_string(text: str) -> str:
    """A JavaScript string literal of ``text``, safe inside a ``<script>`` element."""
    return (
        json.dumps(text, ensure_ascii=False)
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class _Bind(MacroElement):
    """Bind a popup or tooltip whose HTML is given as a JSON string literal (no jQuery)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.{{ this.method }}({{ this.content }}, {{ this.opts }});
        {% endmacro %}
        """
    )

    def __init__(self, content_html: str, method: str, **options: Any) -> None:
        super().__init__()
        self._name = "Bind"
        self.method = method
        self.content = _js_string(content_html)
        self.opts = json.dumps(options)


#: Structures closer than this (metres) share a place on the map: their markers are fanned.
_SAME_PLACE_M = 30.0
_FAN_PX = 17  # distance of a fanned marker from the place, pixels (markers are 28 px wide)


def _fan_out(radar: Radar) -> dict[tuple[str, str], tuple[int, int]]:
    """Pixel offsets (right, down) of the markers that share a place with another one."""
    import math

    markers = [(role, e) for role in radar.roles for e in radar.entries.get(role, ())]
    groups: list[list[tuple[str, Entry]]] = []
    for role, e in markers:
        for g in groups:
            _, f = g[0]
            dy = (e.lat - f.lat) * 111_320.0
            dx = (e.lon - f.lon) * 111_320.0 * math.cos(math.radians(f.lat))
            if math.hypot(dx, dy) < _SAME_PLACE_M:
                g.append((role, e))
                break
        else:
            groups.append([(role, e)])
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for g in groups:
        n = len(g)
        if n < 2:
            continue
        radius = max(float(_FAN_PX), 34 / (2 * math.sin(math.pi / n)))  # neighbours 34 px apart
        for i, (role, e) in enumerate(g):
            a = -math.pi / 2 + 2 * math.pi * i / n if n > 2 else math.pi * (1 - i)
            out[(role, e.id)] = (round(radius * math.cos(a)), round(radius * math.sin(a)))
    return out


def _popup_html(e: Entry, radar: Radar, lang: str) -> str:
    rows = []
    rows.append((lb.t("address", lang), _e(", ".join(x for x in (e.address,) if x))))
    if e.phone:
        rows.append((lb.t("phone", lang), _e(e.phone)))
    if e.email:
        rows.append((lb.t("email", lang), _e(e.email)))
    if e.website:
        rows.append((lb.t("website", lang), _e(e.website)))
    rows.append((lb.t("opening", lang), _e(lb.humane_hours(e.opening_hours, lang))))
    source = _e(lb.source_text(e, lang))
    stale = lb.stale_text(e, radar, lang)
    if stale:  # « à vérifier (source 2011) »
        source += f' — <b class="stale">{_e(stale)}</b>'
    rows.append((lb.t("source", lang), source))
    rows.append((lb.t("travel", lang), _e(lb.minutes_by_mode(e, radar.modes_shown, lang))))
    if radar.person.appointment is not None:  # « partez au plus tard à 8 h 21 … »
        leave = leave_by_text(e, radar, lang) or lb.t("arrive_by.none_short", lang)
        rows.append(("", f'<b class="leave-by">{_e(leave)}</b>'))
    if e.legs:
        rows.append(("", _e(lb.how_to_get_there(e, lang))))
    if len(e.legs) > 1:  # the steps of a public-transport journey
        steps = "<br>".join(_e(line) for line in lb.leg_lines(e, lang))
        rows.append(("", f'<span class="small">{steps}</span>'))
    km = f"{e.distance_m / 1000:.1f}"
    rows.append(("", _e(lb.t("distance", lang, km=lb.decimal(km, lang)))))
    if e.qpv_name:
        rows.append((lb.t("qpv", lang), _e(e.qpv_name)))
    if e.mobile:
        rows.append(("", _e(lb.t("mobile", lang))))
    roles = ", ".join(lb.role_name(r, lang) for r in e.roles)
    body = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    status = "" if e.state == "unknown" else f" · {_e(lb.open_status(e, lang))}"
    return (
        f'<div class="qpv-popup"><h3>{_e(e.name)}</h3>'
        f'<div class="small">{_e(roles)}</div>'
        f'<div class="status state-{e.state}">{_e(lb.state_text(e, lang))}{status}</div>'
        f"<table>{body}</table></div>"
    )


def _legend_html(radar: Radar, lang: str) -> str:
    items = []
    for role in radar.roles:
        color = ROLE_COLORS.get(role, "#555")
        sym = _e(lb.ROLE_SYMBOLS.get(role, "?"))
        items.append(
            f'<div><span class="sym" style="background:{color}">{sym}</span>'
            f"{_e(lb.role_name(role, lang))}</div>"
        )
    if radar.rings:
        mode = lb.mode_name(radar.rings[0].mode, lang)
        mins = ", ".join(str(r.minutes) for r in sorted(radar.rings, key=lambda r: r.minutes))
        items.append(
            f'<div><span class="ring" style="background:rgba(59,110,165,.25)"></span>'
            f"{_e(lb.t('rings', lang))} {_e(mode)}{lb.colon(lang)}{_e(mins)} min</div>"
        )
    limit = f"{radar.person.max_minutes:g}"
    for state, key in (("open", "map.open"), ("closed", "map.closed"),
                       ("unknown", "map.unknown"), ("beyond", "map.beyond")):  # fmt: skip
        svg = marker_svg("relay", state=state).replace('width="28" height="28"',
                                                        'width="16" height="16"')  # fmt: skip
        items.append(f'<div class="state">{svg}{_e(lb.t(key, lang, m=limit))}</div>')
    steps = []
    for st in joint_steps(radar.path):  # one structure for two roles: one step
        what = lb.joint_step_text(radar, st.roles, st.entry_id, lang)
        if len(st.roles) > 1:
            steps.append(f"<li>{_e(what)}</li>")
        else:
            role = lb.role_name(st.roles[0], lang)
            steps.append(f"<li>{_e(role)}{lb.colon(lang)}{_e(what)}</li>")
    appointment = _appointment_html(radar, lang)
    path = f"<div><b>{_e(lb.t('path', lang))}</b><ol style='margin:2px 0 2px 18px;padding:0'>"
    path += "".join(dict.fromkeys(steps)) + "</ol></div>"
    notices = "".join(
        f'<div class="notice">⚠ {_e(lb.notice_text(n, lang))}</div>' for n in radar.notices
    )
    credits = _e(lb.credits(radar, lang))
    data = _e(radar.data_date)
    qpv_note = lb.qpv_note(radar, lang)
    note = f'<div class="small">{_e(qpv_note)}</div>' if qpv_note else ""
    return (
        f'<div id="qpv-legend"><b>{_e(lb.t("legend", lang))}</b>{"".join(items)}'
        f"{appointment}{path}{notices}"
        f'<div class="small">{_e(lb.t("data", lang))}{lb.colon(lang)}{data}</div>{note}'
        f'<div class="small">{_e(lb.t("attribution", lang))}{lb.colon(lang)}{credits}</div></div>'
    )


def _appointment_html(radar: Radar, lang: str) -> str:
    """With an appointment: the ranking and the latest departure to each first choice."""
    at = radar.person.appointment
    if at is None:
        return ""
    lines = [f"<b>{_e(lb.t('arrive_by.ranked', lang, time=clock_text(at, lang)))}</b>"]
    for st in joint_steps(radar.path):
        e = next((x for r in st.roles for x in radar.entries.get(r, ()) if x.id == st.entry_id),
                 None)  # fmt: skip
        if e is None:
            continue
        leave = leave_by_text(e, radar, lang) or lb.t("arrive_by.none_short", lang)
        lines.append(f"{_e(e.name)}{lb.colon(lang)}{_e(leave)}")
    return '<div class="leave-by">' + "<br>".join(lines) + "</div>"


def _header_html(radar: Radar, lang: str) -> str:
    p = radar.person
    where = (
        lb.t("in_qpv", lang, qpv=radar.home_qpv_name)
        if radar.home_qpv_name
        else lb.t("subtitle.home", lang)
    )
    return (
        f'<div id="qpv-header"><h1>{_e(lb.t("title", lang))}</h1>'
        f"<div>{_e(where)}</div><div>{_e(lb.when_text(radar, lang))}</div>"
        f'<div class="small">{_e(lb.modes_text(radar, lang))} · '
        f"{_e(lb.t('max', lang, m=f'{p.max_minutes:g}'))}</div></div>"
    )


def leaflet_only(m: folium.Map) -> folium.Map:
    """Load nothing from a CDN: folium's jQuery, Bootstrap and icon fonts are not used by
    qpv_radar's layers, and Leaflet itself is the copy shipped with qpv_radar, inlined into the
    page — the map works offline, except for its background tiles."""
    return inline_leaflet(m)


def radar_map(
    radar: Radar,
    m: folium.Map | None = None,
    *,
    lang: str = "fr",
    exact_home: bool = False,
    tiles: str | None = "OpenStreetMap",
) -> folium.Map:
    """Draw a radar on a Folium map.

    Parameters
    ----------
    radar
        The radar to draw.
    m
        An existing map to draw on (its tiles and assets are kept); a new one otherwise,
        centred on the person.
    lang
        ``fr`` (default) or ``en``.
    exact_home
        Show the exact home; by default it is snapped to a 100 m grid and drawn as a 100 m
        circle, so the printed or shared map does not show the door.
    tiles
        Base map of a new map (``None`` for none).

    Returns
    -------
    folium.Map
        Save it with ``m.save("radar.html")``.
    """
    lb.check_lang(lang)
    p = radar.person
    hlon, hlat = (p.lon, p.lat) if exact_home else blur_lonlat(p.lon, p.lat)
    if m is None:
        m = _new_map(hlat, hlon, tiles)
    root: Any = m.get_root()
    root.header.add_child(Element(PRINT_CSS), name="qpv_radar_css")
    _add_rings(m, radar, lang)
    _add_home_qpv(m, radar, lang)
    _add_home(m, hlat, hlon, exact_home, lang)
    # Markers at the same place (a building shared by two structures, a structure with two
    # roles) are fanned out by a few pixels around it, at every zoom, so each stays visible and
    # clickable; a small dot marks the true place.
    offsets = _fan_out(radar)
    _add_spots(m, radar, offsets)
    for role in radar.roles:  # one layer per role: markers, and the route to its first choice
        _add_role(m, radar, role, offsets, exact_home, lang)
    folium.LayerControl(collapsed=False).add_to(m)
    root.html.add_child(Element(_header_html(radar, lang)), name="qpv_radar_header")
    root.html.add_child(Element(_legend_html(radar, lang)), name="qpv_radar_legend")
    _fit(m, radar, hlon, hlat)
    return m


def _new_map(hlat: float, hlon: float, tiles: str | None) -> folium.Map:
    """A new map centred on the (blurred) home, loading Leaflet only."""
    m = folium.Map(location=[hlat, hlon], zoom_start=14, tiles=None, control_scale=True)
    if tiles:
        folium.TileLayer(tiles, control=False).add_to(m)
    return leaflet_only(m)


def _add_rings(m: folium.Map, radar: Radar, lang: str) -> None:
    """The main mode's travel-time rings, largest first so the smaller ones stay on top."""
    if not radar.rings:
        return
    mode = lb.mode_name(radar.rings[0].mode, lang)
    rings_layer = folium.FeatureGroup(name=f"{lb.t('rings', lang)} ({mode})", show=True)
    ordered = sorted(radar.rings, key=lambda r: -r.minutes)
    n = len(ordered)
    for i, ring in enumerate(ordered):
        gj = folium.GeoJson(
            {"type": "Feature", "geometry": ring.geometry.__geo_interface__, "properties": {}},
            style_function=lambda _f, i=i: {
                "color": RING_COLOR,
                "weight": 1.5,
                "dashArray": "4 3",
                "fillColor": RING_COLOR,
                "fillOpacity": 0.06 + 0.05 * i / max(n - 1, 1),
                "className": "qpv-ring",
            },
        )
        gj.add_child(
            _Bind(_e(lb.t("ring", lang, m=ring.minutes, mode=mode)), "bindTooltip", sticky=True)
        )
        gj.add_to(rings_layer)
    rings_layer.add_to(m)


def _add_home_qpv(m: folium.Map, radar: Radar, lang: str) -> None:
    """The person's own QPV, for context (its outline, dotted)."""
    if radar.home_qpv_geometry is None or not radar.home_qpv_name:
        return
    qpv_layer = folium.FeatureGroup(
        name=_e(lb.t("in_qpv", lang, qpv=radar.home_qpv_name)), show=True
    )
    gj = folium.GeoJson(
        {"type": "Feature", "geometry": radar.home_qpv_geometry.__geo_interface__,
         "properties": {}},
        style_function=lambda _f: {
            "color": "#7a0177", "weight": 2, "fill": False, "dashArray": "1 5",
            "className": "qpv-home-qpv",
        },
    )  # fmt: skip
    gj.add_child(_Bind(_e(f"QPV {radar.home_qpv_name} ({radar.home_qpv_code})"),
                       "bindTooltip", sticky=True))  # fmt: skip
    gj.add_to(qpv_layer)
    qpv_layer.add_to(m)


def _add_home(m: folium.Map, hlat: float, hlon: float, exact_home: bool, lang: str) -> None:
    """Home: a house icon, and a 100 m circle unless the exact home is shown."""
    home_layer = folium.FeatureGroup(name=_e(lb.t("me", lang)), show=True)
    if not exact_home:
        folium.Circle(
            [hlat, hlon],
            radius=100,
            color="#111",
            weight=1,
            fill=True,
            fill_opacity=0.15,
            class_name="qpv-home-area",
        ).add_to(home_layer)
    home_icon = folium.DivIcon(
        html=(
            '<svg xmlns="http://www.w3.org/2000/svg" width="26" height="26" viewBox="0 0 26 26">'
            '<path d="M13 2 L24 12 H20 V24 H6 V12 H2 Z" fill="#111" stroke="#fff" '
            'stroke-width="1.5"/></svg>'
        ),
        icon_size=(26, 26),
        icon_anchor=(13, 13),
        class_name="qpv-marker qpv-home",
    )
    home_marker = folium.Marker([hlat, hlon], icon=home_icon)
    home_marker.add_child(
        _Bind(_e(lb.t("home.exact" if exact_home else "home", lang)), "bindTooltip")
    )
    home_marker.add_to(home_layer)
    home_layer.add_to(m)


def _add_spots(
    m: folium.Map, radar: Radar, offsets: dict[tuple[str, str], tuple[int, int]]
) -> None:
    """A small dot at the true place of each group of fanned-out markers."""
    spots = {(round(e.lat, 6), round(e.lon, 6)) for es in radar.entries.values() for e in es
             if (e.role, e.id) in offsets}  # fmt: skip
    if spots:
        spots_layer = folium.FeatureGroup(name="·", show=True, control=False)
        for lat, lon in sorted(spots):
            folium.CircleMarker([lat, lon], radius=3, color="#111", weight=1, fill=True,
                                fill_color="#111", fill_opacity=1.0, interactive=False,
                                class_name="qpv-spot").add_to(spots_layer)  # fmt: skip
        spots_layer.add_to(m)


def _add_role(
    m: folium.Map,
    radar: Radar,
    role: str,
    offsets: dict[tuple[str, str], tuple[int, int]],
    exact_home: bool,
    lang: str,
) -> None:
    """One role's layer: the route to its first choice, then its structures' markers."""
    color = ROLE_COLORS.get(role, "#555")
    sym = _e(lb.ROLE_SYMBOLS.get(role, "?"))
    layer_name = (
        f'<span style="color:{color};font-weight:bold">{sym}</span> {_e(lb.role_name(role, lang))}'
    )
    layer = folium.FeatureGroup(name=layer_name, show=True)
    first = radar.first_choice(role)
    if first is not None:
        _add_route(layer, radar, first, color, exact_home, lang)
    for e in radar.entries.get(role, ()):
        ox, oy = offsets.get((role, e.id), (0, 0))
        icon = folium.DivIcon(
            html=marker_svg(role, rank=e.rank, state=lb.marker_state(e)),
            icon_size=(28, 28),
            icon_anchor=(14 - ox, 14 - oy),  # co-located markers fanned out on screen
            class_name=f"qpv-marker qpv-role-{role}" + (" qpv-fanned" if ox or oy else ""),
        )
        marker = folium.Marker([e.lat, e.lon], icon=icon)
        marker.add_child(_Bind(_popup_html(e, radar, lang), "bindPopup", maxWidth=330))
        tip = f"{e.rank}. {e.name} — {lb.duration(e.best_minutes, lang)}"
        marker.add_child(_Bind(_e(tip), "bindTooltip"))
        marker.add_to(layer)
    layer.add_to(m)


def _add_route(
    layer: folium.FeatureGroup, radar: Radar, first: Entry, color: str, exact_home: bool,
    lang: str,
) -> None:  # fmt: skip
    """The legs to ``first``: rides in their line's colour, walks dashed in the role's colour;
    the first leg starts off the exact home unless ``exact_home``."""
    p = radar.person
    for i, leg in enumerate(first.legs):
        coords = list(leg.coords)
        if i == 0 and not exact_home and coords:
            coords = private_route(coords, (p.lon, p.lat))
        if len(coords) < 2:
            continue
        ride = leg.line is not None
        tip = lb.t("route", lang, name=first.name)
        if ride:
            tip = f"{leg.mode} {leg.line}{lb.colon(lang)}{leg.board} → {leg.alight} — {tip}"
        line = folium.PolyLine(
            [(lat, lon) for lon, lat in coords],
            color=(leg.color or color) if ride else color,
            weight=6 if ride else 4,
            opacity=0.85,
            dash_array=None if ride else "8 6",
            class_name="qpv-route",
        )
        line.add_child(_Bind(_e(tip), "bindTooltip", sticky=True))
        line.add_to(layer)


def _fit(m: folium.Map, radar: Radar, hlon: float, hlat: float) -> None:
    """Frame the map: symmetric around home, wide enough for the rings and the first choices."""
    lons, lats = [hlon], [hlat]
    for ring in radar.rings:
        x0, y0, x1, y1 = ring.geometry.bounds
        lons += [x0, x1]
        lats += [y0, y1]
    for role in radar.roles:
        f = radar.first_choice(role)
        if f is not None:
            lons.append(f.lon)
            lats.append(f.lat)
    dx = max(abs(x - hlon) for x in lons) or 0.01
    dy = max(abs(y - hlat) for y in lats) or 0.01
    m.fit_bounds([[hlat - dy, hlon - dx], [hlat + dy, hlon + dx]])
