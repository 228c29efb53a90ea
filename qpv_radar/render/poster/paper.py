"""Paper sizes and the page's measures in points."""

from __future__ import annotations

from dataclasses import dataclass

#: Portrait paper sizes, millimetres.
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
_PT_PER_MM = 72.0 / 25.4
#: Text scale per paper: A3 is read from the same distance as A4, it gets larger text (not
#: ×1.41) and uses the rest of its room for a larger radar and more key lines.
_TEXT_SCALE = {"a4": 1.0, "a3": 1.25}


@dataclass(frozen=True)
class _Page:
    """A portrait page, in points, and the scales of what is written on it.

    Attributes
    ----------
    paper
        ``a4`` or ``a3``.
    pw, ph
        Page width and height.
    s
        Header scale (the page's width against A4's).
    ts
        Text scale (see ``_TEXT_SCALE``).
    margin
        Left and right margin.
    text_w
        Width between the margins.
    ms
        Marker size.
    """

    paper: str
    pw: float
    ph: float
    s: float
    ts: float
    margin: float
    text_w: float
    ms: float


def _page(paper: str) -> _Page:
    """The measures of ``paper`` (a key of :data:`PAPER_SIZES_MM`)."""
    w_mm, h_mm = PAPER_SIZES_MM[paper]
    pw, ph = w_mm * _PT_PER_MM, h_mm * _PT_PER_MM
    ts = _TEXT_SCALE[paper]
    margin = 0.06 * pw
    return _Page(
        paper=paper,
        pw=pw,
        ph=ph,
        s=w_mm / 210.0,
        ts=ts,
        margin=margin,
        text_w=pw - 2 * margin,
        ms=15.0 * ts,
    )
