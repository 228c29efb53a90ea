"""``qpv-radar data list|fetch``: the datasets of the registry and the cache."""

from __future__ import annotations

import argparse
from typing import Any

from .. import datasets
from ._util import print_json, t


def register(sub: Any) -> None:
    """Add the ``data`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "data", help="jeux de données (registre, cache) / datasets (registry, cache)"
    )
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    dsub.required = True
    pl = dsub.add_parser("list", help="list every dataset with publisher, licence, vintage")
    pl.add_argument("--json", action="store_true", help="print JSON")
    pl.set_defaults(func=_list)
    pf = dsub.add_parser("fetch", help="fetch datasets into the cache (all when none is given)")
    pf.add_argument("paths", nargs="*", metavar="PATH", help="registry paths")
    pf.set_defaults(func=_fetch)


def _list(args: argparse.Namespace) -> int:
    rows = [
        {
            "path": d.path,
            "publisher": d.publisher,
            "licence": d.licence,
            "vintage": d.vintage,
            "size": d.size,
            "cached": datasets.is_cached(d.path),
            "url": d.url,
        }
        for d in datasets.registry().values()
    ]
    if args.json:
        print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table

    lang = args.lang
    table = Table(title=t("cli.data.title", lang, n=len(rows)))
    for code in (
        "cli.col.path",
        "cli.col.publisher",
        "cli.col.licence",
        "cli.col.vintage",
        "cli.col.cached",
    ):
        table.add_column(t(code, lang))
    for r in rows:
        cached = t("cli.yes", lang) if r["cached"] else t("cli.no", lang)
        table.add_row(
            str(r["path"]), str(r["publisher"]), str(r["licence"]), str(r["vintage"]), cached
        )
    Console(width=200).print(table)
    print(f"cache: {datasets.cache_dir()}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from rich.progress import track

    paths = args.paths or list(datasets.registry())
    for path in track(paths, description="fetch", transient=True):
        local = datasets.fetch(path, progressbar=True)
        print(local)
    return 0
