"""``qpv-radar territory new``: a territory file from the registry's national data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._util import CliInputError, t


def register(sub: Any) -> None:
    """Add the ``territory`` command (``territory new``)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "territory",
        help="créer un territoire depuis les données nationales / make a territory file",
        description="Territory files built from the registry's national data.",
    )
    actions = p.add_subparsers(dest="territory_action", required=True)
    new = actions.add_parser(
        "new",
        help="écrire un fichier de territoire / write a territory file",
        description=(
            "Write a territory file for communes or a département: QPV perimeters where the "
            "registry has them (else ANCT's 2024 commune lists), France services, France "
            "Travail agencies, a metric CRS and the timezone."
        ),
    )
    new.add_argument("name", help="the territory's name")
    where = new.add_mutually_exclusive_group(required=True)
    where.add_argument("--communes", help="INSEE codes separated by commas, e.g. 34172,34095")
    where.add_argument("--departement", help="a département code, e.g. 34, 2A, 974")
    streets = new.add_mutually_exclusive_group()
    streets.add_argument("--streets", help="a street file (OSM, osmnx shapefile, GraphML, …)")
    streets.add_argument(
        "--download", action="store_true", help="download the streets with osmnx (online)"
    )
    new.add_argument("--gtfs", nargs="+", default=[], help="GTFS feeds (registry paths or files)")
    new.add_argument("--out", help="the TOML file to write (default NAME.toml)")
    new.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..territories import new_territory

    communes = None
    if args.communes:
        communes = [c.strip() for c in args.communes.split(",") if c.strip()]
        if not communes:
            raise CliInputError("--communes is empty: give INSEE codes such as 34172,34095.")
    out = Path(args.out or f"{args.name}.toml")
    if out.suffix.lower() != ".toml":
        raise CliInputError(f"--out {out}: give a file ending in .toml.")
    draft = new_territory(
        args.name,
        communes=communes,
        departement=args.departement,
        streets=args.streets,
        gtfs=args.gtfs,
        download_streets=args.download,
    )
    draft.write(out)
    from ..territory import load_territory

    terr = load_territory(out)
    kind = (
        "territory_new.kind_list"
        if "anct" in (terr.qpv.source if terr.qpv else "")
        else ("territory_new.kind_perimeters")
    )
    print(
        t(
            "territory_new.written",
            args.lang,
            name=terr.name,
            file=str(out),
            n=len(terr.communes),
            kind=t(kind, args.lang),
        )
    )
    if terr.streets is None:
        print(t("territory_new.no_streets", args.lang))
    return 0
