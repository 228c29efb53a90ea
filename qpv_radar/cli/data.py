"""``qpv-radar data list|fetch|update-gtfs``: the datasets of the registry and the cache, and
fresh GTFS feeds from the national access point (:mod:`qpv_radar.feeds_update`)."""

from __future__ import annotations

import argparse
from typing import Any

from .. import datasets
from .._defaults import DEFAULT_TERRITORY
from ._util import h, print_json, t


def register(sub: Any) -> None:
    """Add the ``data`` command."""
    p: argparse.ArgumentParser = sub.add_parser("data", help=h("cli.help.data.data"))
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    dsub.required = True
    pl = dsub.add_parser("list", help=h("cli.help.data.list"))
    pl.add_argument("--json", action="store_true", help=h("cli.help.data.json"))
    pl.set_defaults(func=_list)
    pf = dsub.add_parser("fetch", help=h("cli.help.data.fetch"))
    pf.add_argument("paths", nargs="*", metavar="PATH", help=h("cli.help.data.paths"))
    pf.set_defaults(func=_fetch)
    pu = dsub.add_parser(
        "update-gtfs",
        help=h("cli.help.data.update_gtfs"),
    )
    pu.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.data.territory"))
    pu.add_argument(
        "--pan-url",
        default=None,
        help=h("cli.help.data.pan_url"),
    )
    pu.add_argument("--json", action="store_true", help=h("cli.help.data.json"))
    pu.set_defaults(func=_update_gtfs)


def _list(args: argparse.Namespace) -> int:
    from .._data_notes import recorded, without_file

    lang = args.lang
    notes = recorded()  # what reading the built-in data repaired or skipped, said once
    rows = [
        {
            "path": d.path,
            "publisher": d.publisher,
            "licence": d.licence,
            "vintage": d.vintage,
            "size": d.size,
            "cached": datasets.is_cached(d.path),
            "url": d.url,
            "notes": [without_file(m, lang) for m in notes.get(d.path, ())],
        }
        for d in datasets.registry().values()
    ]
    if args.json:
        print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=t("cli.data.title", lang, n=len(rows)))
    for code in (
        "cli.col.path",
        "cli.col.publisher",
        "cli.col.licence",
        "cli.col.vintage",
        "cli.col.cached",
        "cli.col.notes",
    ):
        table.add_column(t(code, lang))
    for r in rows:
        cached = t("cli.yes", lang) if r["cached"] else t("cli.no", lang)
        table.add_row(
            str(r["path"]),
            str(r["publisher"]),
            str(r["licence"]),
            str(r["vintage"]),
            cached,
            "\n".join(r["notes"]),  # type: ignore[arg-type]
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
    if not args.paths:  # everything fetched: build the networks and compile the kernels now
        from .._warmup import warm_up

        took = warm_up()
        if took is not None:
            print(t("cli.data.warmed", args.lang, s=f"{took:.0f}"))
    return 0


def _update_gtfs(args: argparse.Namespace) -> int:
    from datetime import date

    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from ..feeds_update import update_gtfs

    with Progress(
        *Progress.get_default_columns(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True),  # stdout keeps only the answer (or the JSON)
        transient=True,
        disable=args.json,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        updates = update_gtfs(args.territory, base_url=args.pan_url, progress=progress)
    if args.json:
        print_json([u.to_json() for u in updates])
        return 0
    lang = args.lang
    for u in updates:
        print(t("cli.gtfs_update.found", lang, dataset=u.dataset, base=u.base_url))
        for r in u.resources:
            print(t("cli.gtfs_update.file", lang, title=r.title, url=r.url, updated=r.updated))
        print(t("cli.gtfs_update.period", lang, start=u.period[0], end=u.period[1]))
        if u.status == "unchanged":
            print(t("cli.gtfs_update.unchanged", lang, folder=u.folder))
        else:
            print(t("cli.gtfs_update.stored", lang, folder=u.folder, territory=u.territory))
        if u.period[1] < date.today():
            print(t("cli.gtfs_update.expired", lang, end=u.period[1]))
    return 0
