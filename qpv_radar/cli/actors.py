"""``qpv-radar actors list``: the support structures of a territory, with roles and hours."""

from __future__ import annotations

import argparse
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError, h, kind_words, print_json, t


def register(sub: Any) -> None:
    """Add the ``actors`` command."""
    p: argparse.ArgumentParser = sub.add_parser("actors", help=h("cli.help.actors.actors"))
    asub = p.add_subparsers(dest="actors_command", metavar="ACTION")
    asub.required = True
    pl = asub.add_parser("list", help=h("cli.help.actors.list"))
    pl.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.actors.territory"))
    pl.add_argument(
        "--role",
        help=h("cli.help.actors.role"),
    )
    pl.add_argument("--json", action="store_true", help=h("cli.help.actors.json"))
    pl.set_defaults(func=_list)


def actor_records(actors: Any) -> list[dict[str, Any]]:
    """Plain JSON-ready dicts of an actors GeoDataFrame (``lon``/``lat`` instead of geometry)."""
    out = []
    for rec, geom in zip(
        actors.drop(columns=actors.geometry.name).to_dict("records"), actors.geometry, strict=True
    ):
        row = {k: (list(v) if isinstance(v, tuple) else v) for k, v in rec.items()}
        row["lon"] = round(float(geom.x), 7)
        row["lat"] = round(float(geom.y), 7)
        out.append(row)
    return out


def _list(args: argparse.Namespace) -> int:
    from ..actors import ROLES, load_actors

    if args.role is not None and args.role not in ROLES:
        raise CliInputError(f"unknown role {args.role!r}: use one of {', '.join(ROLES)}.")
    actors = load_actors(args.territory)
    if args.role is not None:
        actors = actors[actors["roles"].map(lambda r: args.role in r)]
    rows = actor_records(actors)
    if args.json:
        print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table

    lang = args.lang
    table = Table(title=f"{len(rows)} structures — {args.territory}")
    for code in (
        "cli.col.name",
        "cli.col.roles",
        "cli.col.kind",
        "cli.col.hours",
        "cli.col.source",
    ):
        table.add_column(t(code, lang))
    for r in rows:
        table.add_row(
            str(r["name"]),
            ", ".join(t(f"role.short.{x}", lang) for x in r["roles"]),
            kind_words(str(r["kind"]), lang),
            r["opening_hours"] or t("cli.actors.hours_unknown", lang),
            f"{r['source']} ({r['vintage']})",
        )
    Console(width=200).print(table)
    return 0
