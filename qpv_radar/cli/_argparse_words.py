"""argparse's own words (« usage: », « show this help message and exit », its error messages)
in French: argparse words them through :func:`gettext.gettext`, bound as ``argparse._`` —
:func:`install` rebinds it for the command line's help language. Strings argparse does not
use are left as they are; an argparse whose strings differ simply shows its English ones.
"""

from __future__ import annotations

import argparse
import gettext

__all__ = ["install"]

FR: dict[str, str] = {
    "usage: ": "usage : ",
    "positional arguments": "arguments positionnels",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur %(type)s invalide : %(value)r",
    "expected one argument": "une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ambiguous option: %(option)s could match %(matches)s":
        "option ambiguë : %(option)s peut désigner %(matches)s",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "commande inconnue %(parser_name)r (choix : %(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir '%(filename)s' : %(error)s",
}  # fmt: skip
_PLURALS: dict[str, tuple[str, str]] = {
    "expected %s argument": ("%s valeur attendue", "%s valeurs attendues"),
}


def install(lang: str) -> None:
    """Word argparse's own messages in ``lang`` (``fr``; anything else: argparse's English)."""
    if lang == "fr":

        def words(message: str) -> str:
            return FR.get(message, message)

        def plural(singular: str, plural_: str, n: int) -> str:
            fr = _PLURALS.get(singular)
            return (fr[0] if n == 1 else fr[1]) if fr else (singular if n == 1 else plural_)

        argparse._ = words  # type: ignore[attr-defined]
        argparse.ngettext = plural  # type: ignore[attr-defined]
    else:
        argparse._ = gettext.gettext  # type: ignore[attr-defined]
        argparse.ngettext = gettext.ngettext  # type: ignore[attr-defined]
