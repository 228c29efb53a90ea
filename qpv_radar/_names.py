"""Place names with their real French capitalisation.

Some sources title-case every word (« Près D'Arènes », « Pas Du Loup - Val De Croze »). French
writes the articles and prepositions inside a name in lower case: « Près d'Arènes », « Pas du
Loup - Val de Croze ». :func:`french_place_name` lowers those small words (and elided ``D'``,
``L'``) when they are not the first word of the name or of a part after a dash; it never
capitalises anything, so a name already written right is left as it is.
"""

from __future__ import annotations

import re

__all__ = ["french_place_name"]

_SMALL = frozenset(
    {"de", "du", "des", "la", "le", "les", "et", "en", "sur", "sous", "aux", "au", "à", "lès",
     "lez"}
)  # fmt: skip
_ELIDED = re.compile(r"^([DdLl])['’](\w)")
# words and separators: a space, a hyphen inside a word, or a spaced dash (a new part)
_SPLIT = re.compile(r"(\s+[-–—]\s+|\s+|-)")


def french_place_name(name: str) -> str:
    """``name`` with the small words inside it in lower case (« Près D'Arènes » → « Près
    d'Arènes »)."""
    parts = _SPLIT.split(name)
    out: list[str] = []
    first = True  # first word of the name, or of a part after a spaced dash
    for piece in parts:
        if not piece:
            continue
        if _SPLIT.fullmatch(piece):
            out.append(piece)
            if piece.strip() in ("-", "–", "—") and piece != "-":
                first = True
            continue
        if not first:
            if piece.lower() in _SMALL and piece[:1].isupper() and not piece.isupper():
                piece = piece.lower()
            else:
                piece = _ELIDED.sub(lambda m: m[1].lower() + m[0][1:], piece)
        out.append(piece)
        first = False
    return "".join(out)
