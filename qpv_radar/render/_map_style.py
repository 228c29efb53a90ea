"""The radar map's look: role colours, the print CSS, the marker drawing."""

from __future__ import annotations

import html

from . import labels as lb

__all__ = ["PRINT_CSS", "RING_COLOR", "ROLE_COLORS", "escape", "marker_svg"]

#: Colour-blind-safe colours (Okabe–Ito) per role.
ROLE_COLORS: dict[str, str] = {
    "relay": "#0072B2",
    "entry_door": "#E69F00",
    "support_financing": "#009E73",
    "employment": "#CC79A7",
    "mobility": "#D55E00",
}
RING_COLOR = "#3b6ea5"

PRINT_CSS = """
<style>
  .qpv-marker { background: none; border: none; }
  .qpv-marker svg { overflow: visible; }
  #qpv-legend, #qpv-header {
    position: fixed; z-index: 1000; background: rgba(255,255,255,0.93);
    font: 12px/1.35 "DejaVu Sans", Arial, sans-serif; color: #111;
    border: 1px solid #777; border-radius: 4px; padding: 6px 9px; max-width: 330px;
  }
  /* above the scale bar (bottom left, about 40 px high) */
  #qpv-legend { left: 10px; bottom: 52px; max-height: calc(100vh - 190px); overflow-y: auto; }
  #qpv-header { left: 50px; top: 10px; max-width: 480px; }
  #qpv-header h1 { font-size: 15px; margin: 0 0 2px 0; }
  #qpv-legend .sym { display: inline-block; width: 16px; height: 16px; border-radius: 50%;
    color: #fff; text-align: center; font-weight: bold; font-size: 11px; line-height: 16px;
    margin-right: 4px; border: 1px solid #222; }
  #qpv-legend .ring { display: inline-block; width: 16px; height: 10px; margin-right: 4px;
    border: 1px solid #3b6ea5; }
  #qpv-legend .notice { color: #8a1c00; }
  #qpv-legend .state svg { vertical-align: middle; margin-right: 4px; }
  #qpv-legend .small, #qpv-header .small { font-size: 10px; color: #444; }
  .qpv-popup h3 { font-size: 14px; margin: 0 0 4px 0; }
  .qpv-popup table { border-collapse: collapse; font-size: 12px; }
  .qpv-popup td { padding: 1px 4px 1px 0; vertical-align: top; }
  .qpv-popup .status { font-weight: bold; }
  .qpv-popup .state-closed { color: #8a1c00; }
  .qpv-popup .state-unknown, .qpv-popup .stale { color: #6b4c00; }
  .qpv-popup .small { font-size: 11px; color: #333; }
  @media print {
    .leaflet-control-zoom, .leaflet-control-layers, .leaflet-control-attribution a.leaflet-link
      { display: none !important; }
    #qpv-legend, #qpv-header { box-shadow: none; border-color: #000; }
    #qpv-legend { max-height: none; overflow: visible; }
    @page { size: A4 landscape; margin: 8mm; }
    html, body { width: 100%; height: 100%; }
  }
</style>
"""


def escape(value: object) -> str:
    """HTML-escape any value (``None`` → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def marker_svg(
    role: str, *, rank: int | None = None, closed: bool = False, state: str | None = None
) -> str:
    """The marker: filled (open during the person's hours), white with the role's letter
    (closed during them), grey with a « ? » (hours unknown: to check), white and dashed
    (beyond the person's time limit)."""
    state = state or ("closed" if closed else "open")
    color = ROLE_COLORS.get(role, "#555")
    sym = escape(lb.ROLE_SYMBOLS.get(role, "?"))
    fill = {"open": color, "unknown": "#d9d9d9"}.get(state, "#fff")
    text = {"open": "#fff", "closed": color, "beyond": "#555", "unknown": "#222"}.get(state)
    stroke = {"beyond": '#777" stroke-dasharray="3 2', "unknown": color}.get(state, "#222")
    badge = ""
    if state == "unknown":  # a « ? » at the lower left: hours unknown
        badge = (
            '<circle cx="4" cy="24" r="6" fill="#fff" stroke="#222" stroke-width="1"/>'
            '<text x="4" y="27.5" font-size="9" font-weight="bold" text-anchor="middle" '
            'fill="#111" font-family="Arial">?</text>'
        )
    if rank is not None:
        badge += (
            f'<circle cx="24" cy="4" r="7" fill="#fff" stroke="#222" stroke-width="1"/>'
            f'<text x="24" y="7.5" font-size="9" text-anchor="middle" fill="#111" '
            f'font-family="Arial">{rank}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28" viewBox="0 0 28 28" '
        f'data-state="{state}">'
        f'<circle cx="14" cy="14" r="11" fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
        f'<text x="14" y="18.5" font-size="13" font-weight="bold" text-anchor="middle" '
        f'fill="{text}" font-family="Arial">{sym}</text>{badge}</svg>'
    )
