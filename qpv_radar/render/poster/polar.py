"""The radar itself: travel-time rings, sectors, the structures' places and the polar drawing.

Rings are travel-time bands on a square-root scale (the nearby structures get room). In the
``sectors`` layout each structure sits at its shortest travel time inside its role's sector,
ordered by its bearing from home; in the ``compass`` layout at its true bearing (north up).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...radar import Entry, Radar
from ...radar.path import joint_steps
from .. import labels as lb
from .markers import _marker
from .text import _tw

if TYPE_CHECKING:
    from .layout import _Layout
    from .paper import _Page

_ARROWS = "↑↗→↘↓↙←↖"
_OUTER = 1.06  # radius (in outer-ring units) of the structures beyond the person's limit

#: (role, entry, angle rad, radius in outer-ring units) of a structure on the radar.
_Placed = tuple[str, Entry, float, float]


def _bearing(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Initial bearing from point 0 to point 1, degrees clockwise from north."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dl = math.radians(lon1 - lon0)
    x = math.sin(dl) * math.cos(p1)
    y = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def _arrow(bearing: float) -> str:
    """The arrow (↑ ↗ → …) nearest to ``bearing`` (degrees clockwise from north)."""
    return _ARROWS[int(((bearing + 22.5) % 360) // 45)]


def _ring_minutes(radar: Radar) -> list[int]:
    """The rings' travel times, minutes: the usual bands under the limit, then the limit."""
    base = [5, 10, 15, 20, 30, 45, 60, 90]
    top = radar.person.max_minutes
    rings = [m for m in base if m < top]
    rings.append(math.ceil(top))
    return rings


def _drawn_roles(radar: Radar) -> list[str]:
    """The roles that get a sector: those with structures (all of them when none has)."""
    return [r for r in radar.roles if radar.entries.get(r)] or list(radar.roles)


@dataclass(frozen=True)
class _Scale:
    """The radar's radial scale: ring minutes and the outer ring's square root."""

    rings: list[int]
    r_max: float

    def r_of(self, minutes: float | None) -> float:
        """Radius (outer-ring units) of a travel time; unknown or beyond the limit: outside."""
        if minutes is None:
            return _OUTER
        return min(math.sqrt(max(minutes, 0.0)) / self.r_max, _OUTER)


def _scale(radar: Radar) -> _Scale:
    """The radial scale of ``radar``'s poster."""
    rings = _ring_minutes(radar)
    return _Scale(rings, math.sqrt(rings[-1]))


# ---- placement on the radar ----------------------------------------------------------------


def _place(
    radar: Radar,
    r_of: Any,
    layout: str = "sectors",
    *,
    min_gap: float = 0.075,
    clear: float = 0.0,
) -> list[_Placed]:
    """(role, entry, angle rad, radius) per entry.

    ``sectors``: one sector per role, structures in bearing order inside it; ``compass``: every
    structure at its true bearing from home (north up). Markers that touch (closer than
    ``min_gap``, in units of the outer radius) are pushed apart along the arc only: the radius
    stays the travel time. ``clear`` (sectors only) keeps the markers at least that far from the
    upward axis, where the ring labels are written.
    """
    roles = _drawn_roles(radar)
    n = max(len(roles), 1)
    span = 2 * math.pi / n
    p = radar.person
    out: list[_Placed] = []
    bounds: list[tuple[float, float]] = []
    seen: dict[str, int] = {}
    for k, role in enumerate(roles):
        es = sorted(radar.entries.get(role, ()), key=lambda e: _bearing(p.lon, p.lat, e.lon, e.lat))
        m = len(es)
        start = k * span
        for i, e in enumerate(es):
            r = r_of(e.best_minutes)
            if layout == "compass":
                dup = seen.get(e.id, 0)  # a structure with several roles: fan its markers
                seen[e.id] = dup + 1
                a = math.radians(_bearing(p.lon, p.lat, e.lon, e.lat)) + 0.08 * dup
                lo, hi = -math.inf, math.inf
            else:
                lo, hi = start + 0.02, start + span - 0.02
                if clear > 0 and r > 0:
                    keep = math.asin(min(1.0, clear / r))
                    if k == 0:
                        lo = min(max(lo, keep), start + span / 2)
                    if k == n - 1:
                        hi = max(min(hi, 2 * math.pi - keep), start + span / 2)
                a = min(max(start + span * (i + 0.5) / max(m, 1), lo), hi)
            bounds.append((lo, hi))
            out.append((role, e, a, r))
    _push_apart(out, bounds, layout, min_gap)
    return out


def _push_apart(
    out: list[_Placed], bounds: Sequence[tuple[float, float]], layout: str, min_gap: float
) -> None:
    """Move the markers closer than ``min_gap`` apart along their arc, within their ``bounds``
    (angles), in place; in the ``sectors`` layout only markers of the same role meet."""
    for _ in range(80):
        moved = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                ri, ei, ai, rri = out[i]
                rj, ej, aj, rrj = out[j]
                if layout != "compass" and ri != rj:
                    continue
                xi, yi = rri * math.sin(ai), rri * math.cos(ai)
                xj, yj = rrj * math.sin(aj), rrj * math.cos(aj)
                if math.hypot(xi - xj, yi - yj) < min_gap:
                    step = 0.25 * min_gap / max(min(rri, rrj), 0.05)
                    (loi, hii), (loj, hij) = bounds[i], bounds[j]
                    if ai <= aj:
                        ai, aj = max(loi, ai - step), min(hij, aj + step)
                    else:
                        ai, aj = min(hii, ai + step), max(loj, aj - step)
                    out[i] = (ri, ei, ai, rri)
                    out[j] = (rj, ej, aj, rrj)
                    moved = True
        if not moved:
            break


def _free_angle(
    placed: Sequence[_Placed],
    rings: Sequence[int],
    r_max: float,
    rad: float,
    label_w: float,
    label_h: float,
    ms: float,
) -> float:
    """The angle (rad) where the ring labels hit the fewest markers (ties: nearest to 202.5°)."""
    pts = [(r * rad * math.sin(a), r * rad * math.cos(a)) for _role, _e, a, r in placed]

    def hits(angle: float) -> float:
        score = 0.0
        for m in rings:
            rr = math.sqrt(m) / r_max * rad
            lx, ly = rr * math.sin(angle), rr * math.cos(angle)
            for px, py in pts:
                dx = abs(px - lx) - (label_w / 2 + ms / 2)
                dy = abs(py - ly) - (label_h / 2 + ms / 2)
                if dx < 0 and dy < 0:
                    score += 1.0
        return score

    candidates = [math.radians(d) for d in range(0, 360, 5)]
    return min(candidates, key=lambda a: (hits(a), abs(math.degrees(a) - 202.5)))


# ---- the labels around the radar -----------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    """A text around the radar: centre (points, relative to the radar's centre) and size."""

    text: str
    x: float
    y: float
    w: float
    h: float
    align: str
    size: float


def _outer_labels(
    texts: Sequence[tuple[float, str]], size: float, clearance: float
) -> list[_Label]:
    """Place each (angle rad, text) outside the disk of radius ``clearance`` (points).

    The label's box is slid along the ray of its angle until its nearest point is outside the
    disk: no marker (all inside the disk) can touch it, and its extent is known before drawing.
    """
    out = []
    lead = size * 1.22
    for angle, text in texts:
        sx, cy = math.sin(angle), math.cos(angle)
        align = "left" if sx > 0.3 else ("right" if sx < -0.3 else "center")
        body = textwrap.fill(text, 18) if align != "center" else text
        lines = body.split("\n")
        w = max(_tw(line, size, True) for line in lines) + 2.0
        h = lead * len(lines)
        lo, hi = 0.0, clearance + w + h
        for _ in range(40):  # smallest distance along the ray that clears the disk
            d = (lo + hi) / 2
            x, y = d * sx, d * cy
            nx = x - w / 2 if x - w / 2 > 0 else (x + w / 2 if x + w / 2 < 0 else 0.0)
            ny = y - h / 2 if y - h / 2 > 0 else (y + h / 2 if y + h / 2 < 0 else 0.0)
            if math.hypot(nx, ny) >= clearance:
                hi = d
            else:
                lo = d
        out.append(_Label(body, hi * sx, hi * cy, w, h, align, size))
    return out


# ---- drawing -------------------------------------------------------------------------------


def _draw_radar(
    fig: Any, page: Any, radar: Radar, pg: _Page, lay: _Layout, layout: str, lang: str
) -> None:
    """Draw the radar on ``fig`` where ``lay`` puts it; ``page`` is the page-wide axes."""
    from matplotlib.patheffects import withStroke

    ts, ms, rad = pg.ts, pg.ms, lay.rad
    scale = _scale(radar)
    ax = _polar_axes(fig, pg, lay)
    _draw_rings(ax, scale, ts)
    # the ring labels: on the upward axis, kept clear of markers (sectors); at the
    # angle with the fewest markers around (compass)
    ring_size = 7.0 * ts
    ring_label_w = max(_tw(f"{m} min", ring_size) for m in scale.rings)
    label_half = (ring_label_w / 2 + 0.55 * ms + 2.0 * ts) / rad  # outer-ring units
    placed = _place(
        radar,
        scale.r_of,
        layout,
        min_gap=1.02 * ms / rad,
        clear=label_half if layout == "sectors" else 0.0,
    )
    ring_angle = 0.0
    if layout == "compass":
        ring_angle = _free_angle(placed, scale.rings, scale.r_max, rad, ring_label_w, ring_size,
                                 ms)  # fmt: skip
    for m in scale.rings:
        ax.text(ring_angle, math.sqrt(m) / scale.r_max, f"{m} min", fontsize=ring_size,
                color="#222", va="bottom" if layout == "sectors" else "center",
                ha="center", zorder=6, gid="ring-label",
                path_effects=[withStroke(linewidth=2.5 * ts, foreground="white")])  # fmt: skip
    if layout != "compass":
        _draw_sectors(ax, _drawn_roles(radar), ts)
    for lab in lay.labels:
        page.text(lay.cx + lab.x, lay.cy + lab.y, lab.text, ha="center", va="center",
                  multialignment=lab.align if lab.align != "center" else "center",
                  fontsize=lab.size, weight="bold", color="#111", gid="sector-label")  # fmt: skip
    # home
    ax.plot([0], [0], marker="*", ms=16 * ts, color="black", zorder=8)
    page.text(lay.cx, lay.cy - 8.5 * ts, lb.t("me", lang), ha="center", va="top",
              fontsize=8 * ts, weight="bold", zorder=8)  # fmt: skip
    _draw_path(ax, radar, placed, ts)
    for role, e, a, r in placed:
        _marker(ax, role, lb.marker_state(e), a, r, ms, ts, str(e.rank), withStroke)


def _polar_axes(fig: Any, pg: _Page, lay: _Layout) -> Any:
    """The radar's polar axes, north up, clockwise, bare; radius 1 is the outer ring."""
    pw, ph = pg.pw, pg.ph
    side = 2 * 1.08 * lay.rad
    ax: Any = fig.add_axes(
        ((lay.cx - side / 2) / pw, (lay.cy - side / 2) / ph, side / pw, side / ph),
        projection="polar",
    )
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 1.08)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines["polar"].set_visible(False)
    ax.grid(False)
    ax.patch.set_visible(False)
    return ax


def _draw_rings(ax: Any, scale: _Scale, ts: float) -> None:
    """The travel-time rings: dashed, the outer one (the person's limit) solid."""
    theta = np.linspace(0, 2 * np.pi, 361)
    for m in scale.rings:
        r = math.sqrt(m) / scale.r_max
        ax.plot(theta, np.full_like(theta, r), color="#555", lw=0.8 * ts,
                ls="-" if m == scale.rings[-1] else (0, (4, 3)), zorder=1)  # fmt: skip


def _draw_sectors(ax: Any, roles: Sequence[str], ts: float) -> None:
    """One sector per role: its edge, and a light fill every other sector (black and white)."""
    span = 2 * math.pi / max(len(roles), 1)
    for k, _role in enumerate(roles):
        a0 = k * span
        ax.plot([a0, a0], [0.05, 1.0], color="#777", lw=0.7 * ts, zorder=1)
        # light fill per sector, alternating, for black-and-white reading
        tt = np.linspace(a0, a0 + span, 60)
        ax.fill_between(tt, 0, 1.0, color="#000", alpha=0.035 if k % 2 else 0.0, lw=0, zorder=0)


def _draw_path(ax: Any, radar: Radar, placed: Sequence[_Placed], ts: float) -> None:
    """The suggested path, per need: dashed arrows home → step 1 → step 2 … (a structure
    holding two consecutive roles is one step, at its first role's marker)."""
    pos = {(role, e.id): (a, r) for role, e, a, r in placed}
    steps = joint_steps(radar.path)  # one structure for two roles: one step, no self-arrow
    for need in dict.fromkeys(st.need for st in steps):
        pts = [(0.0, 0.0)]
        for st in steps:
            if st.need != need or not st.entry_id:
                continue
            at = next((pos[r, st.entry_id] for r in st.roles if (r, st.entry_id) in pos), None)
            if at is not None:
                pts.append(at)
        for (a1, r1), (a2, r2) in itertools.pairwise(pts):
            ax.annotate(
                "",
                xy=(a2, r2),
                xytext=(a1, r1),
                arrowprops={
                    "arrowstyle": "-|>",
                    "lw": 1.3 * ts,
                    "color": "black",
                    "ls": (0, (3, 2)),
                    "shrinkA": 6 * ts,
                    "shrinkB": 8 * ts,
                    "connectionstyle": "arc3,rad=0.15",
                },
                zorder=4,
            )
