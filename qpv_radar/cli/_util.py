"""Small helpers shared by the CLI commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from .._errors import CliInputError, LanguageError
from .._messages import LANGS, text

__all__ = [
    "CliInputError",
    "h",
    "help_lang",
    "kind_words",
    "parse_lonlat",
    "print_json",
    "set_help_lang",
    "t",
]

_HELP_LANG: dict[str, str] = {}


def t(code: str, lang: str, /, **params: Any) -> str:
    """The words of a catalogue ``code`` in ``lang``: :func:`qpv_radar.render.labels.t` for the
    commands that draw nothing (importing the render layer would slow their start)."""
    if lang not in LANGS:
        raise LanguageError("errors.language", lang=lang, langs=", ".join(LANGS))
    return text(code, lang, **params)


def help_lang(argv: Sequence[str] | None = None) -> str:
    """The language of the help: ``en`` when the command line says ``--lang en``, else ``fr``.

    The help is built before the command line is parsed, so ``--lang`` is looked for in
    ``argv`` (default: the one given to :func:`set_help_lang`, else ``sys.argv``).
    """
    if argv is None and "lang" in _HELP_LANG:
        return _HELP_LANG["lang"]
    args = list(sys.argv[1:] if argv is None else argv)
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "fr"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1] == "en" else "fr"
    return "fr"


def set_help_lang(argv: Sequence[str]) -> str:
    """Word the help (ours and argparse's) in the language ``argv`` asks for; return it.

    Call before building the parser (``main`` does, with the arguments it parses).
    """
    from ._argparse_words import install

    _HELP_LANG["lang"] = help_lang(argv)
    install(_HELP_LANG["lang"])
    return _HELP_LANG["lang"]


def h(code: str, /, **params: Any) -> str:
    """A help text of the catalogue in the help's language (:func:`help_lang`)."""
    return text(code, help_lang(), **params)


def kind_words(kind: str, lang: str) -> str:
    """A structure's kind in words (« maison pour tous »); the code itself when it has none."""
    code = f"kind.{kind}"
    words = t(code, lang)
    return kind if words == code else words


def print_json(obj: Any) -> None:
    """Print ``obj`` as UTF-8 JSON (non-ASCII kept readable) on stdout."""
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def parse_lonlat(text: str, option: str = "--lonlat") -> tuple[float, float]:
    """Parse ``"LON,LAT"`` into floats, catching latitude and longitude given the other way round.

    A point counts as swapped when it lies outside France (metropolitan and overseas, see
    :data:`qpv_radar._geo.FRANCE_BBOXES`) but would lie inside with the two numbers exchanged.
    Other points outside France are accepted (a territory may be anywhere). A negative
    longitude may follow its option without ``=`` (``--from -46.61,-23.55``): the command line's
    entry point attaches it (:func:`qpv_radar.cli.main.attach_negative_lonlat`).

    Raises
    ------
    CliInputError
        Not two numbers, outside longitude/latitude ranges, or swapped.
    """
    try:
        lon_s, lat_s = text.split(",")
        lon, lat = float(lon_s), float(lat_s)
    except ValueError as exc:
        raise CliInputError("cli.lonlat.not_two_numbers", option=option, text=text) from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise CliInputError("cli.lonlat.out_of_range", option=option, text=text)
    from .._geo import lonlat_problems  # numpy: not needed for --help

    swapped, _ = lonlat_problems(lon, lat)
    if bool(swapped):
        raise CliInputError(
            "cli.lonlat.swapped", option=option, text=text, lat=lat_s.strip(), lon=lon_s.strip()
        )
    return lon, lat


# Word argparse's own messages now, before any parser is built (from ``sys.argv``: ``main``
# refines it with :func:`set_help_lang` when it is given other arguments).
set_help_lang(sys.argv[1:])
