"""The poster's page as a matplotlib figure: header, radar, key and notes where the layout
puts them."""

from __future__ import annotations

from typing import Any

from ...radar import Radar
from .. import labels as lb
from ..trip import clock_text
from .key import _draw_key
from .layout import _Layout, _layout
from .paper import _Page, _page
from .polar import _draw_radar
from .text import _short, print_text

#: Matplotlib settings of the poster: embedded TrueType DejaVu Sans (searchable text).
_RC: Any = {
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "axes.unicode_minus": False,
    "text.usetex": False,
    "text.parse_math": False,  # data text is text: a `$` in a name stays a `$`
}


def _figure(radar: Radar, paper: str, lang: str, layout: str, given_by: str = "") -> Any:
    """The poster as a matplotlib ``Figure`` (call it inside ``rc_context(_RC)``).

    Its ``page`` axes spans the page in points; the artists the layout keeps apart carry a
    ``gid``: ``ring-label``, ``sector-label``, ``marker``, ``key``, ``notes``.
    """
    from matplotlib.figure import Figure

    pg = _page(paper)
    lay = _layout(radar, pg, layout, lang)
    fig = Figure(figsize=(pg.pw / 72, pg.ph / 72))
    page: Any = fig.add_axes((0, 0, 1, 1))  # the page in points, for text and key markers
    page.set_xlim(0, pg.pw)
    page.set_ylim(0, pg.ph)
    page.axis("off")
    page.patch.set_visible(False)
    _draw_header(page, radar, pg, lang)
    _draw_radar(fig, page, radar, pg, lay, layout, lang)
    _draw_key(page, radar, pg, lay, lang)
    _draw_notes(page, pg, lay, lang, given_by)
    return fig


def _draw_header(page: Any, radar: Radar, pg: _Page, lang: str) -> None:
    """Title, place and time, modes and time limit, centred at the top of the page."""
    pw, s = pg.pw, pg.s
    p = radar.person
    where = (
        lb.t("in_qpv", lang, qpv=_short(radar.home_qpv_name, 120))
        if radar.home_qpv_name
        else lb.t("subtitle.home", lang)
    )
    y = pg.ph * 0.968
    page.text(pw / 2, y, lb.t("title", lang), ha="center", va="top", fontsize=18 * s,
              weight="bold")  # fmt: skip
    y -= 18 * s * 1.35
    page.text(pw / 2, y, f"{where} — {lb.when_text(radar, lang)}", ha="center", va="top",
              fontsize=9.5 * s)  # fmt: skip
    y -= 9.5 * s * 1.5
    limit = f"{p.max_minutes:g}"
    line = f"{lb.modes_text(radar, lang)} · {lb.t('max', lang, m=limit)}"
    if p.appointment is not None:  # « classement : par heure de départ au plus tard (…) »
        line += f" · {lb.t('arrive_by.ranked', lang, time=clock_text(p.appointment, lang))}"
    page.text(pw / 2, y, line, ha="center", va="top", fontsize=8.5 * s, color="#333")


def _draw_notes(page: Any, pg: _Page, lay: _Layout, lang: str, given_by: str = "") -> None:
    """The path, notices, legend and footer (measured by the layout), and at the foot of the
    page who gave the radar (the agent and the relay) and the "made with" line."""
    y = lay.bottom_top
    for text, size, color, bold, indent, before in lay.notes:
        y -= before
        page.text(pg.margin + indent, y, text, fontsize=size, va="top", color=color,
                  weight="bold" if bold else "normal", gid="notes")  # fmt: skip
        y -= size * 1.3
    page.text(pg.pw - pg.margin, 0.010 * pg.ph, lb.t("generated", lang), fontsize=5.5 * pg.ts,
              ha="right", va="bottom", color="#777")  # fmt: skip
    if given_by:
        page.text(pg.margin, 0.010 * pg.ph, print_text(given_by), fontsize=6.5 * pg.ts,
                  ha="left", va="bottom", color="#333")  # fmt: skip
