"""Text measurement and wrapping of the poster, in points of DejaVu Sans (the embedded font),
and the preparation of data text for print (:func:`print_text`, :func:`printable`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

#: Longest piece of text measured or wrapped (characters): longer ones are cut with an
#: ellipsis first, so that a hostile 18,000-character name costs no more than a long one.
MAX_CHARS = 300
#: The same for a whole note below the radar (several sentences, the sources' credits).
MAX_NOTE_CHARS = 2000


@lru_cache(maxsize=8)
def _cmap(font_file: str) -> frozenset[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(font_file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _font_file(bold: bool = False) -> str:
    from matplotlib.font_manager import FontProperties, findfont

    return str(findfont(FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")))


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def print_text(text: str, font_file: str | None = None) -> str:
    """``text`` as it should be drawn with ``font_file`` (default DejaVu Sans).

    Characters the font has no glyph for (most emoji, their variation selectors and joiners)
    are dropped instead of printing as empty boxes; control characters too. Arabic is shaped
    (letters joined) and right-to-left runs put in display order (python-bidi and
    arabic-reshaper of the ``print`` extra; without them the text keeps its logical order,
    letters unjoined: readable letter by letter, the documented fallback).
    """
    cmap = _cmap(font_file or _font_file())
    kept = "".join(
        c for c in text if c == "\n" or (ord(c) in cmap and unicodedata.category(c) != "Cc")
    )
    if not _has_rtl(kept):
        return kept
    try:
        import arabic_reshaper
        from bidi import get_display
    except ImportError:  # documented fallback: logical order, unshaped
        return kept
    lines = [get_display(arabic_reshaper.reshape(line)) for line in kept.split("\n")]
    return "\n".join("".join(c for c in line if ord(c) in cmap) for line in lines)


def printable(fig: Any) -> None:
    """Prepare every text of a matplotlib figure for print, in place: never mathtext (a ``$``
    stays a ``$``), then :func:`print_text` with the artist's own font."""
    from matplotlib.font_manager import findfont
    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        artist.set_parse_math(False)
        text = artist.get_text()
        if text:
            font_file = str(findfont(artist.get_fontproperties()))
            artist.set_text(print_text(text, font_file))


@lru_cache(maxsize=4096)
def _tw(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in DejaVu Sans at ``size`` pt, in points, as it will be printed
    (:func:`print_text`: shaped, characters without a glyph dropped)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    text = print_text(text, _font_file(bold))
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    w, _h, _d = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return float(w)


def _short(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters, an ellipsis marking the cut."""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _fit(word: str, size: float, width: float, bold: bool = False) -> str:
    """``word`` (capped at :data:`MAX_CHARS`) cut with an ellipsis to fit ``width`` points:
    a bisection, so a few measures whatever the length."""
    word = _short(word, MAX_CHARS)
    if _tw(word, size, bold) <= width:
        return word
    lo, hi = 1, len(word)  # _short(word, lo) fits (or lo == 1), _short(word, hi) does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _tw(_short(word, mid), size, bold) <= width:
            lo = mid
        else:
            hi = mid
    return _short(word, lo)


def _wrap_words(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points (a word longer than the line is cut with an
    ellipsis; the text is first capped at :data:`MAX_NOTE_CHARS`)."""
    lines: list[str] = []
    cur = ""
    for word in _short(text, MAX_NOTE_CHARS).split(" "):
        word = _fit(word, size, width, bold)
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
    narrower (hanging indent). Each segment is capped at :data:`MAX_CHARS` and a word wider
    than a line is cut with an ellipsis, so the time is bounded whatever the text.
    """
    tokens: list[tuple[str, str]] = []  # (text, what joins it to the previous token)
    for i, seg in enumerate(segments):
        if not seg:
            continue
        keep = i < len(whole) and whole[i]
        seg = _short(seg, MAX_CHARS)
        words = [seg] if keep else [_fit(w, size, width - indent, bold) for w in seg.split(" ")]
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
