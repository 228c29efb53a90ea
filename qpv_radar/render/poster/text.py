"""Text measurement and wrapping of the poster, in points of DejaVu Sans (the embedded font)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=4096)
def _tw(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in DejaVu Sans at ``size`` pt, in points."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    w, _h, _d = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(w)


def _short(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters, an ellipsis marking the cut."""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _wrap_words(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points (a word longer than the line stays whole)."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        cand = f"{cur} {word}" if cur else word
        if not cur or _tw(cand, size, bold) <= width:
            cur = cand
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def _wrap(
    segments: Sequence[str],
    size: float,
    width: float,
    *,
    sep: str = " · ",
    bold: bool = False,
    indent: float = 0.0,
    whole: Sequence[bool] = (),
) -> list[str]:
    """Wrap ``segments`` joined by ``sep`` into lines of ``width`` points.

    Lines break between words; a segment flagged in ``whole`` (a phone number, a travel time)
    is never cut: it moves whole to the next line. Lines after the first are ``indent`` points
    narrower (hanging indent).
    """
    tokens: list[tuple[str, str]] = []  # (text, what joins it to the previous token)
    for i, seg in enumerate(segments):
        if not seg:
            continue
        keep = i < len(whole) and whole[i]
        words = [seg] if keep else seg.split(" ")
        for j, word in enumerate(words):
            tokens.append((word, (sep if j == 0 else " ") if tokens else ""))
    lines: list[str] = []
    cur = ""
    for word, join in tokens:
        room = width - (indent if lines else 0.0)
        cand = f"{cur}{join}{word}" if cur else word
        if not cur or _tw(cand, size, bold) <= room:
            cur = cand
        else:
            lines.append(cur.rstrip())
            cur = word
    if cur:
        lines.append(cur)
    return lines
