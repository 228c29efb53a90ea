"""The poster's markers: one shape and colour per role; filled (open), outlined (closed),
hatched (hours unknown) or dotted (beyond the time limit).

Shape as well as colour, and the rank written inside, so the page reads in black and white.
"""

from __future__ import annotations

from typing import Any

from ..map import ROLE_COLORS

_MARKERS = {
    "relay": "o",
    "entry_door": "s",
    "support_financing": "D",
    "employment": "^",
    "mobility": "p",
}
_BEYOND_GRAY = "#444"


def _marker_style(
    role: str, state: str, size: float, ts: float, *, gray: bool = False
) -> dict[str, Any]:
    """``scatter`` keywords for a marker of ``role`` in ``state`` (``size`` in points)."""
    color = "#8a8a8a" if gray else ROLE_COLORS.get(role, "#333")
    kw: dict[str, Any] = {"marker": _MARKERS.get(role, "o"), "s": size**2}
    if state == "beyond":
        kw.update(facecolors="white", edgecolors=_BEYOND_GRAY, linewidths=1.1 * ts,
                  linestyles=(0, (1.2, 1.2)))  # fmt: skip
    elif state == "closed":
        kw.update(facecolors="white", edgecolors=color, linewidths=2.0 * ts)
    elif state == "unknown":  # hatched: hours unknown, never drawn as open
        kw.update(facecolors="white", edgecolors=color, linewidths=1.2 * ts, hatch="/////")
    else:
        kw.update(facecolors=color, edgecolors="black", linewidths=0.9 * ts)
    return kw


def _marker(
    ax: Any, role: str, state: str, a: float, r: float, ms: float, ts: float, rank: str,
    stroke: Any,
) -> None:  # fmt: skip
    """Draw one structure's marker and its rank at angle ``a``, radius ``r`` of ``ax``."""
    ax.scatter(
        [a], [r], **_marker_style(role, state, ms, ts), zorder=5, clip_on=False, gid="marker"
    )
    filled = state == "open"
    if filled:
        halo = [stroke(linewidth=1.5 * ts, foreground="black")]
    elif state == "unknown":  # the rank readable over the hatching
        halo = [stroke(linewidth=2.0 * ts, foreground="white")]
    else:
        halo = None
    color = "white" if filled else ("black" if state in ("closed", "unknown") else _BEYOND_GRAY)
    ax.text(a, r, rank, ha="center", va="center", fontsize=7 * ts, weight="bold", color=color,
            zorder=6, path_effects=halo)  # fmt: skip
