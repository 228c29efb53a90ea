"""Maps that work offline: the shipped Leaflet inlined into the page, no CDN.

:func:`inline_leaflet` empties a Folium map's list of CDN files (Leaflet, jQuery, Bootstrap,
icon fonts) and puts the Leaflet shipped in :mod:`qpv_radar._static` inside the page instead:
its JavaScript and CSS inline, its images as ``data:`` URIs (the layer control's icon, and
Leaflet's default marker for anyone adding a plain ``folium.Marker``). The saved HTML then
loads nothing from the network except the background tiles.
"""

from __future__ import annotations

import base64
import functools
import re
from typing import Any

from branca.element import Element

from .._static import LEAFLET_VERSION, leaflet_files

__all__ = ["inline_leaflet"]


def _data_uri(name: str) -> str:
    """``data:image/png;base64,…`` of one of Leaflet's images."""
    raw = (leaflet_files()["images"] / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


@functools.lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    """The ``<style>`` and ``<script>`` elements of the shipped Leaflet (read once)."""
    files = leaflet_files()
    css = files["css"].read_text(encoding="utf-8")
    css = re.sub(r"url\(images/([\w.-]+\.png)\)", lambda m: f"url({_data_uri(m[1])})", css)
    js = files["js"].read_text(encoding="utf-8")
    # nothing in Leaflet closes a script element, but never let it end ours early
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    icons = (
        "L.Icon.Default.imagePath='';"
        f"L.Icon.Default.prototype.options.iconUrl='{_data_uri('marker-icon.png')}';"
        f"L.Icon.Default.prototype.options.iconRetinaUrl='{_data_uri('marker-icon-2x.png')}';"
        f"L.Icon.Default.prototype.options.shadowUrl='{_data_uri('marker-shadow.png')}';"
    )
    style = f'<style id="leaflet-{LEAFLET_VERSION}-css">{css}</style>'
    script = f'<script id="leaflet-{LEAFLET_VERSION}-js">{js}\n{icons}</script>'
    return style, script


def inline_leaflet(m: Any) -> Any:
    """Make a new Folium map self-contained: no CDN file, the shipped Leaflet inline.

    Parameters
    ----------
    m
        A ``folium.Map`` (before it is saved).

    Returns
    -------
    folium.Map
        The same map.
    """
    m.default_js = []
    m.default_css = []
    style, script = _assets()
    header = m.get_root().header
    header.add_child(Element(style), name="leaflet_css_inline")
    header.add_child(Element(script), name="leaflet_js_inline")
    return m
