"""Entry point of the ``qpv-radar`` command.

Each command lives in its own module of :mod:`qpv_radar.cli` exposing
``register(subparsers)``; add the module to ``_COMMAND_MODULES`` to plug it in.
Errors raised on purpose (:class:`~qpv_radar.QpvRadarError`) are printed as one clear message
with exit status 2, never as a traceback. Any other exception is a bug: it is printed as one line
naming it, with a hint to run again with ``--debug`` (which prints the traceback) and report it,
exit status 70; Ctrl-C exits with status 130 without a traceback. Everything printed on stdout
goes through :class:`qpv_radar._outputs.CleanStream` and warnings through
:func:`qpv_radar._outputs.clean_terminal`: data text cannot drive the terminal.

A point west of Greenwich is given as ``--from -46.61,-23.55``: argparse would read that value
as an option (it starts with ``-`` and is not a plain negative number), so :func:`main` first
attaches every such ``LON,LAT`` value to the option before it (``--from=-46.61,-23.55``, the
form argparse documents for values that start with ``-``), for every command at once
(:func:`attach_negative_lonlat`).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from .._data_notes import CliFormatter
from .._errors import QpvRadarError
from .._outputs import CleanStream, clean_terminal
from . import (
    actors,
    coverage,
    data,
    directory,
    isochrones,
    permanences,
    qpv,
    radar,
    serve,
    shifts,
    territory,
    times,
    transit_info,
)
from ._util import h, set_help_lang, t

# Listed explicitly (not discovered) so the help shows commands in the order of the data flow.
_COMMAND_MODULES: tuple[ModuleType, ...] = (
    data,
    territory,
    qpv,
    actors,
    directory,
    times,
    isochrones,
    transit_info,
    radar,
    coverage,
    permanences,
    shifts,
    serve,
)


#: A ``LON,LAT`` value whose longitude is negative, e.g. ``-46.61,-23.55`` (never an option name:
#: no option of this command line starts with a digit).
_NEGATIVE_LONLAT = re.compile(r"^-(\d+\.?\d*|\.\d+)\s*,\s*[-+]?(\d+\.?\d*|\.\d+)$")


def attach_negative_lonlat(argv: Sequence[str]) -> list[str]:
    """``argv`` with each negative ``LON,LAT`` value attached to the option before it.

    ``["times", "--from", "-46.61,-23.55"]`` becomes ``["times", "--from=-46.61,-23.55"]``
    (a one-letter option ``-x`` becomes ``-x-46.61,-23.55``), which argparse reads as the
    option's value. Other arguments, and everything after ``--``, are left as they are.
    """
    out: list[str] = []
    for k, tok in enumerate(argv):
        if tok == "--":
            return out + list(argv[k:])
        prev = out[-1] if out else ""
        is_option = prev.startswith("-") and len(prev) > 1 and not _NEGATIVE_LONLAT.match(prev)
        if _NEGATIVE_LONLAT.match(tok) and is_option and "=" not in prev:
            out[-1] = f"{prev}={tok}" if prev.startswith("--") else f"{prev}{tok}"
        else:
            out.append(tok)
    return out


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="qpv-radar",
        description=(
            "Radar des structures d'accompagnement autour des quartiers prioritaires (QPV), "
            "en temps de parcours réels. / Travel-time radar of support structures around "
            "France's priority neighbourhoods."
        ),
    )
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help=h("cli.help.lang"))
    parser.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of an unexpected error (to report it) / traceback des erreurs "
        "inattendues",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _COMMAND_MODULES:
        module.register(sub)
    return parser


def _log_to_stderr(lang: str) -> None:
    """Print the library's warnings (rows skipped, geometries repaired…) once each on stderr.

    Bound to the process's stderr now, so a progress display that redirects ``sys.stderr``
    (rich's status spinner) does not hold them back. Left alone when the caller has configured
    logging (a handler on the root or the package logger).
    """
    log = logging.getLogger("qpv_radar")
    if log.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    label = t("cli.warning", lang)
    handler.setFormatter(_CleanFormatter(f"qpv-radar: {label}: %(message)s", lang))
    log.addHandler(handler)


class _CleanFormatter(CliFormatter):
    """A log line in the person's language (data notes are worded from the catalogue), without
    control characters (warnings quote data: names, file rows…)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record formatted, then cleaned."""
        return clean_terminal(super().format(record))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    set_help_lang(words)  # help texts and argparse's own words in the language asked
    parser = build_parser()
    args = parser.parse_args(attach_negative_lonlat(words))
    _log_to_stderr(args.lang)
    stdout = sys.stdout
    sys.stdout = CleanStream(stdout)
    try:
        return _run(args)
    finally:
        if isinstance(sys.stdout, CleanStream):
            sys.stdout = stdout


def _run(args: argparse.Namespace) -> int:
    """The command, its errors turned into one line each (status 2: the user's; 70: a bug)."""
    lang = args.lang
    try:
        status = args.func(args)
    except QpvRadarError as exc:
        _say(f"{t('cli.error', lang)}: {exc.message(lang)}")
        return 2
    except KeyboardInterrupt:
        _say(t("cli.interrupted", lang))
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as exc:  # the top level: a bug, said in one line
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _say(t("cli.unexpected", lang, problem=" ".join(problem.split())))
        return 70
    return int(status or 0)


def _say(text: str) -> None:
    """A message on stderr, prefixed with the program's name, control characters removed."""
    print(f"qpv-radar: {clean_terminal(text)}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
