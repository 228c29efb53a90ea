"""Printable radar poster (PDF, A4 or A3 portrait), drawn with matplotlib.

The paper prototype made true: the person at the centre, concentric rings are travel-time bands
(square-root scale, so the nearby structures get room), one sector per role, each structure at
its shortest travel time inside its role's sector, ordered by its bearing from home (the key
gives the direction as an arrow). Markers differ by shape as well as colour and carry their rank,
so the page reads in black and white; structures closed during the person's hours are drawn as
outlines. Below: the key (name, time, direction, opening, address, phone), the suggested path,
the person's hours, notices, the data date and the attribution.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ..radar import Entry, Radar
from . import labels as lb
from .map import ROLE_COLORS

__all__ = ["PAPER_SIZES_MM", "radar_poster"]

#: Portrait paper sizes, millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
_MARKERS = {
    "relay": "o",
    "entry_door": "s",
    "support_financing": "D",
    "employment": "^",
    "mobility": "p",
}
_ARROWS = "↑↗→↘↓↙←↖"


def _bearing(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Initial bearing from point 0 to point 1, degrees clockwise from north."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dl = math.radians(lon1 - lon0)
    x = math.sin(dl) * math.cos(p1)
    y = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def _arrow(bearing: float) -> str:
    return _ARROWS[int(((bearing + 22.5) % 360) // 45)]


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _ring_minutes(radar: Radar) -> list[int]:
    base = [5, 10, 15, 20, 30, 45, 60, 90]
    top = radar.person.max_minutes
    rings = [m for m in base if m < top]
    rings.append(math.ceil(top))
    return rings


def _place(
    radar: Radar, r_of: Any, layout: str = "sectors"
) -> list[tuple[str, Entry, float, float]]:
    """(role, entry, angle rad, radius) per entry.

    ``sectors``: one sector per role, structures in bearing order inside it; ``compass``: every
    structure at its true bearing from home (north up). Markers that touch are pushed apart along
    the arc only: the radius stays the travel time.
    """
    roles = [r for r in radar.roles if radar.entries.get(r)] or list(radar.roles)
    n = max(len(roles), 1)
    span = 2 * math.pi / n
    p = radar.person
    out: list[tuple[str, Entry, float, float]] = []
    bounds: list[tuple[float, float]] = []
    seen: dict[str, int] = {}
    for k, role in enumerate(roles):
        es = sorted(radar.entries.get(role, ()), key=lambda e: _bearing(p.lon, p.lat, e.lon, e.lat))
        m = len(es)
        start = k * span
        for i, e in enumerate(es):
            if layout == "compass":
                dup = seen.get(e.id, 0)  # a structure with several roles: fan its markers
                seen[e.id] = dup + 1
                a = math.radians(_bearing(p.lon, p.lat, e.lon, e.lat)) + 0.08 * dup
                bounds.append((-math.inf, math.inf))
            else:
                a = start + span * (i + 0.5) / max(m, 1)
                bounds.append((start + 0.02, start + span - 0.02))
            out.append((role, e, a, r_of(e.best_minutes)))
    min_gap = 0.075  # in units of the outer radius
    for _ in range(60):
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
                    step = 0.02 / max(min(rri, rrj), 0.05)
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
    return out


def radar_poster(
    radar: Radar,
    path: str | Path,
    *,
    paper: str = "a4",
    lang: str = "fr",
    layout: str = "sectors",
) -> Path:
    """Write the radar poster as a one-page PDF.

    Parameters
    ----------
    radar
        The radar to draw.
    path
        Output PDF file.
    paper
        ``a4`` (default) or ``a3``, portrait.
    lang
        ``fr`` (default) or ``en``.
    layout
        ``sectors`` (default): one sector per role, as on the workshop's paper radar, each
        structure at its travel time in its role's sector (the key gives its direction);
        ``compass``: every structure at its true bearing from home (north up), roles told apart
        by marker shape and colour.

    Returns
    -------
    Path
        The written file.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    lb.check_lang(lang)
    if layout not in ("sectors", "compass"):
        from .._errors import PersonError

        raise PersonError(f"unknown poster layout {layout!r}: choose sectors or compass.")
    if paper not in PAPER_SIZES_MM:
        from .._errors import PersonError

        raise PersonError(f"unknown paper {paper!r}: choose one of {', '.join(PAPER_SIZES_MM)}.")
    w_mm, h_mm = PAPER_SIZES_MM[paper]
    s = w_mm / 210.0  # font scale
    out = Path(path)
    p = radar.person
    rings = _ring_minutes(radar)
    r_max = math.sqrt(rings[-1])

    def r_of(minutes: float | None) -> float:
        if minutes is None:
            return 1.06
        return min(math.sqrt(max(minutes, 0.0)) / r_max, 1.06)

    with matplotlib.rc_context(
        {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "axes.unicode_minus": False}
    ):
        fig = Figure(figsize=(w_mm / 25.4, h_mm / 25.4))
        # ---- header ---------------------------------------------------------------------
        where = (
            lb.t("in_qpv", lang, qpv=radar.home_qpv_name)
            if radar.home_qpv_name
            else lb.t("subtitle.home", lang)
        )
        fig.text(
            0.5, 0.968, lb.t("title", lang), ha="center", va="top", fontsize=18 * s, weight="bold"
        )
        fig.text(
            0.5,
            0.940,
            f"{where} — {lb.when_text(radar, lang)}",
            ha="center",
            va="top",
            fontsize=9.5 * s,
        )
        modes = ", ".join(lb.mode_name(m, lang) for m in p.modes)
        fig.text(
            0.5,
            0.922,
            f"{lb.t('modes', lang, modes=modes)} · {lb.t('max', lang, m=f'{p.max_minutes:g}')}",
            ha="center",
            va="top",
            fontsize=8.5 * s,
            color="#333",
        )

        # ---- the radar ------------------------------------------------------------------
        ax: Any = fig.add_axes((0.10, 0.455, 0.80, 0.445), projection="polar")
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        ax.set_ylim(0, 1.08)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines["polar"].set_visible(False)
        ax.grid(False)
        theta = np.linspace(0, 2 * np.pi, 361)
        for i, m in enumerate(rings):
            r = math.sqrt(m) / r_max
            shade = 0.97 - 0.035 * (len(rings) - 1 - i)
            ax.plot(
                theta,
                np.full_like(theta, r),
                color="#555",
                lw=0.8 * s,
                ls="-" if m == rings[-1] else (0, (4, 3)),
                zorder=1,
            )
            ax.text(
                0.0 if layout == "sectors" else math.radians(202.5),
                r,
                f"{m} min",
                fontsize=7 * s,
                color="#222",
                va="bottom",
                ha="center",
                zorder=6,
                path_effects=[withStroke(linewidth=2.5 * s, foreground="white")],
            )
            del shade
        placed = _place(radar, r_of, layout)
        roles = [r for r in radar.roles if radar.entries.get(r)] or list(radar.roles)
        n = max(len(roles), 1)
        span = 2 * math.pi / n
        if layout == "compass":
            for deg, word in zip((0, 90, 180, 270), ("N", "E", "S", "O" if lang == "fr" else "W"),
                               strict=True):  # fmt: skip
                ax.text(math.radians(deg), 1.2, word, ha="center", va="center",
                        fontsize=11 * s, weight="bold", color="#111")  # fmt: skip
        for k, role in enumerate(roles if layout != "compass" else []):
            a0 = k * span
            ax.plot([a0, a0], [0.05, 1.0], color="#777", lw=0.7 * s, zorder=1)
            # light fill per sector, alternating, for black-and-white reading
            tt = np.linspace(a0, a0 + span, 60)
            ax.fill_between(tt, 0, 1.0, color="#000", alpha=0.035 if k % 2 else 0.0, lw=0, zorder=0)
            mid = a0 + span / 2
            sin = math.sin(mid)
            ha = "left" if sin > 0.3 else ("right" if sin < -0.3 else "center")
            label = f"{lb.ROLE_SYMBOLS.get(role, '?')}  {lb.role_name(role, lang)}"
            if ha != "center":
                label = textwrap.fill(label, 18)
            ax.text(
                mid,
                1.16,
                label,
                ha=ha,
                multialignment=ha,
                va="center",
                fontsize=9.5 * s,
                weight="bold",
                color="#111",  # black text: readable once printed in black and white
                zorder=7,
            )
        # home
        ax.plot([0], [0], marker="*", ms=16 * s, color="black", zorder=8)
        ax.text(
            0,
            0.0,
            f"\n\n{lb.t('me', lang)}",
            ha="center",
            va="top",
            fontsize=8 * s,
            weight="bold",
            zorder=8,
        )
        # suggested path: home → step 1 → step 2 …
        pos = {(role, e.id): (a, r) for role, e, a, r in placed}
        for need in dict.fromkeys(st.need for st in radar.path):
            pts = [(0.0, 0.0)]
            for st in radar.path:
                if st.need == need and st.entry_id and (st.role, st.entry_id) in pos:
                    pts.append(pos[(st.role, st.entry_id)])
            for (a1, r1), (a2, r2) in itertools.pairwise(pts):
                ax.annotate(
                    "",
                    xy=(a2, r2),
                    xytext=(a1, r1),
                    arrowprops={
                        "arrowstyle": "-|>",
                        "lw": 1.3 * s,
                        "color": "black",
                        "ls": (0, (3, 2)),
                        "shrinkA": 6 * s,
                        "shrinkB": 8 * s,
                        "connectionstyle": "arc3,rad=0.15",
                    },
                    zorder=4,
                )
        for role, e, a, r in placed:
            color = ROLE_COLORS.get(role, "#333")
            closed = e.open_within_hours is False or not e.within_reach
            ax.plot(
                [a],
                [r],
                marker=_MARKERS.get(role, "o"),
                ms=15 * s,
                color="white" if closed else color,
                mec="black" if not closed else color,
                mew=(0.9 if not closed else 2.0) * s,
                zorder=5,
                clip_on=False,
            )
            ax.text(
                a,
                r,
                str(e.rank),
                ha="center",
                va="center",
                fontsize=7 * s,
                weight="bold",
                color="black" if closed else "white",
                zorder=6,
                path_effects=None
                if closed
                else [withStroke(linewidth=1.5 * s, foreground="black")],
            )

        # ---- key ------------------------------------------------------------------------
        lines: list[tuple[str, dict[str, Any]]] = []
        for role in roles:
            lines.append(
                (
                    f"     {lb.ROLE_SYMBOLS.get(role, '?')}  {lb.role_name(role, lang)}",
                    {"weight": "bold", "size": 8 * s, "color": "#000", "gid": role},
                )
            )
            for e in radar.entries.get(role, ()):
                b = _bearing(p.lon, p.lat, e.lon, e.lat)
                mode = lb.mode_name(e.best_mode, lang, short=True) if e.best_mode else ""
                head = (
                    f"{e.rank}. {_short(e.name, 46)} — {lb.duration(e.best_minutes, lang)} "
                    f"{mode} {_arrow(b)}"
                )
                lines.append((head, {"size": 7 * s}))
                detail = [lb.open_status(e, lang)]
                if e.address:
                    detail.append(_short(e.address, 48))
                if e.phone:
                    detail.append(e.phone)
                lines.append(
                    ("     " + _short(" · ".join(detail), 80), {"size": 5.8 * s, "color": "#333"})
                )
        half = (len(lines) + 1) // 2
        # do not leave a role heading at the bottom of the first column
        if half < len(lines) and lines[half - 1][1].get("weight") == "bold":
            half -= 1
        top, step = 0.415, 0.0118 / (1 if paper == "a4" else 1.0)
        fig.text(
            0.06, top + 0.012, lb.t("poster.key", lang), fontsize=10 * s, weight="bold", va="bottom"
        )
        for col, chunk in enumerate((lines[:half], lines[half:])):
            y = top
            for text, kw in chunk:
                x = 0.06 + 0.46 * col
                fig.text(x, y, text, va="top", ha="left", **kw)
                role_of = kw.get("gid")
                if role_of:  # the role's marker shape and colour before its heading
                    fig.add_artist(
                        Line2D([x + 0.008], [y - 0.0055], marker=_MARKERS.get(role_of, "o"),
                               ms=8 * s, color=ROLE_COLORS.get(role_of, "#333"), mec="black",
                               mew=0.8 * s, transform=fig.transFigure)
                    )  # fmt: skip
                y -= step * (0.85 if kw.get("size", 7 * s) < 6.5 * s else 1.0)

        # ---- path, notices, legend, footer ----------------------------------------------
        y = 0.118
        steps = []
        for st in radar.path:
            chosen = radar.entry(st.entry_id, st.role) if st.entry_id else None
            steps.append(
                f"{lb.ROLE_SYMBOLS.get(st.role, '?')} "
                f"{_short(chosen.name, 34) if chosen else lb.t('path.none', lang)}"
            )
        by_need: dict[str, list[str]] = {}
        for st, txt in zip(radar.path, steps, strict=True):
            by_need.setdefault(st.need, []).append(txt)
        fig.text(
            0.06,
            y,
            f"{lb.t('path', lang)} : " if lang == "fr" else f"{lb.t('path', lang)}: ",
            fontsize=7.5 * s,
            weight="bold",
            va="top",
        )
        y -= 0.013
        for v in by_need.values():
            fig.text(0.06, y, _short(" → ".join(v), 150), fontsize=6.8 * s, va="top")
            y -= 0.012
        y -= 0.004
        for notice in radar.notices:
            fig.text(
                0.06,
                y,
                "⚠ " + _short(lb.notice_text(notice, lang), 140),
                fontsize=6.8 * s,
                va="top",
                color="#8a1c00",
            )
            y -= 0.012
        legend = (
            f"★ {lb.t('me', lang)} · {lb.t('poster.closed', lang)} · "
            f"{lb.t('poster.direction', lang)}. "
            f"{lb.t('poster.how' if layout == 'sectors' else 'poster.how.compass', lang)}"
        )
        foot = (
            f"{lb.t('data', lang)}{lb.colon(lang)}{radar.data_date}. "
            f"{lb.t('attribution', lang)}{lb.colon(lang)}"
            f"{' · '.join(radar.attribution)}."
        )
        y = 0.058
        for text, size, gray in (
            (legend, 5.8, "#222"),
            (foot, 5.5, "#333"),
            (radar.qpv_note, 5.2, "#555"),
        ):
            for line in textwrap.wrap(text, width=int(880 / size)):
                fig.text(0.06, y, line, fontsize=size * s, va="bottom", color=gray)
                y -= 0.0095 * size / 5.5
        fig.text(
            0.94,
            0.010,
            lb.t("generated", lang),
            fontsize=5 * s,
            ha="right",
            va="bottom",
            color="#777",
        )
        fig.savefig(
            out, format="pdf", metadata={"Title": lb.t("title", lang), "Creator": "qpv_radar"}
        )
    return out
