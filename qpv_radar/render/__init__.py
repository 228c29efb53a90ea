"""Drawing a radar: interactive map (Folium), printable poster and recommendation card (PDF).

Rendering takes a :class:`~qpv_radar.radar.Radar` and never computes travel times. French by
default, English with ``lang="en"`` (words in :mod:`qpv_radar.render.labels`). matplotlib and
reportlab (the ``print`` extra) are imported only when a PDF is drawn.
"""

from __future__ import annotations

from .card import recommendation_card
from .map import ROLE_COLORS, radar_map
from .poster import radar_poster

__all__ = ["ROLE_COLORS", "radar_map", "radar_poster", "recommendation_card"]
