"""Printable radar poster (PDF, A4 or A3 portrait), drawn with matplotlib.

The paper prototype made true: the person at the centre, concentric rings are travel-time bands
(square-root scale, so the nearby structures get room), one sector per role, each structure at
its shortest travel time inside its role's sector, ordered by its bearing from home (the key
gives the direction as an arrow). Markers differ by shape as well as colour and carry their rank,
so the page reads in black and white: filled when open during the person's hours (or when the
hours are unknown), outlined when closed during them, dotted and outside the outer ring when
beyond the person's time limit. Below: the key (name, time, direction, opening, address, phone),
the suggested path, the notices, the data date and the attribution.

The page is laid out from measured text: the key keeps each entry's lines together, wraps the
detail lines (a phone number is never cut), and the radar, the key and the notes below share the
page without overlapping; when the key is long the font shrinks (never under 6.5 pt on A4), then
the addresses are shortened, then the radar shrinks. A3 uses its room for a larger radar, larger
text and the opening hours of every structure.

Data text is printed as text, never as markup: no mathtext (a ``$`` stays a ``$``), Arabic and
Hebrew shaped and put in reading order (python-bidi and arabic-reshaper, from the ``print``
extra; without them the letters are kept in logical order), characters DejaVu Sans lacks
(emoji) dropped rather than drawn as empty boxes, and any text longer than
:data:`~.text.MAX_CHARS` cut with an ellipsis before it is measured (bounded time). The PDF is
written to a temporary file and renamed over the target: a failure leaves the previous file.

Modules: :mod:`~.text` (text measurement and wrapping), :mod:`~.paper` (paper sizes),
:mod:`~.markers` (marker styles), :mod:`~.polar` (placement on the radar and its drawing),
:mod:`~.key` (the key), :mod:`~.layout` (measuring the page), :mod:`~.figure` (the page drawn).
"""

from __future__ import annotations

from pathlib import Path

from ...radar import Radar
from .. import labels as lb
from .figure import _RC, _figure
from .paper import PAPER_SIZES_MM
from .text import printable

__all__ = ["PAPER_SIZES_MM", "radar_poster"]


def radar_poster(
    radar: Radar,
    path: str | Path,
    *,
    paper: str = "a4",
    lang: str = "fr",
    layout: str = "sectors",
    agent: str = "",
    relay: str = "",
) -> Path:
    """Write the radar poster as a one-page PDF.

    Parameters
    ----------
    radar
        The radar to draw.
    path
        Output PDF file.
    paper
        ``a4`` (default) or ``a3``, portrait. A3 gets a larger radar, larger text and the
        opening hours of every structure in the key.
    lang
        ``fr`` (default) or ``en``.
    layout
        ``sectors`` (default): one sector per role, as on the workshop's paper radar, each
        structure at its travel time in its role's sector (the key gives its direction);
        ``compass``: every structure at its true bearing from home (north up), roles told apart
        by marker shape and colour.
    agent, relay
        Who gives the radar (the agent's name, their structure): printed at the foot of the
        page (« Remis par Samia B. — Maison pour tous Léo Lagrange »); nothing when empty.

    Returns
    -------
    Path
        The written file.
    """
    import matplotlib

    lb.check_lang(lang)
    if layout not in ("sectors", "compass"):
        from ..._errors import PersonError

        raise PersonError(f"unknown poster layout {layout!r}: choose sectors or compass.")
    if paper not in PAPER_SIZES_MM:
        from ..._errors import PersonError

        raise PersonError(f"unknown paper {paper!r}: choose one of {', '.join(PAPER_SIZES_MM)}.")
    from ..._outputs import atomic_write

    out = Path(path)
    with matplotlib.rc_context(_RC):
        fig = _figure(radar, paper, lang, layout, lb.given_by(agent, relay, lang))
        printable(fig)
        meta = {"Title": lb.t("title", lang), "Creator": "qpv_radar"}
        atomic_write(out, lambda tmp: fig.savefig(tmp, format="pdf", metadata=meta))
    return out
