"""``qpv-radar transit-info``: what a GTFS feed contains and when it runs."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import Any

from .._messages import Message
from ._util import CliInputError, h, print_json, t


def register(sub: Any) -> None:
    """Add the ``transit-info`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "transit-info",
        help=h("cli.help.transit_info.transit_info"),
    )
    p.add_argument("--gtfs", required=True, metavar="FILE", help=h("cli.help.transit_info.gtfs"))
    p.add_argument("--json", action="store_true", help=h("cli.help.transit_info.json"))
    p.set_defaults(func=_run)


def _ranges(days: list[str]) -> list[str]:
    """Compact consecutive ISO dates into ``first → last`` ranges."""
    out: list[str] = []
    ds = [date.fromisoformat(d) for d in days]
    i = 0
    while i < len(ds):
        j = i
        while j + 1 < len(ds) and ds[j + 1] - ds[j] == timedelta(days=1):
            j += 1
        out.append(ds[i].isoformat() if i == j else f"{ds[i].isoformat()} → {ds[j].isoformat()}")
        i = j + 1
    return out


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .. import datasets
    from ..networks.gtfs import feed_info, read_feed

    if args.gtfs in datasets.registry():
        path = datasets.fetch(args.gtfs)
    elif Path(args.gtfs).expanduser().is_file():
        path = Path(args.gtfs).expanduser()
    else:
        raise CliInputError(
            f"--gtfs {args.gtfs!r} is neither an existing file nor a registry path. Give the "
            "path of a GTFS .zip, or a path listed by `qpv-radar data list`."
        )
    info = feed_info(read_feed(path))
    if args.json:
        print_json(info)
        return 0
    lang = args.lang
    c = info["counts"]
    served = info["dates_with_service"]
    agencies = ", ".join(f"{a['name']} ({a['timezone']})" for a in info["agencies"])
    frequencies = c["trips_from_frequencies"]
    lines = [
        t("cli.gtfs.file", lang, file=info["file"]),
        t("cli.gtfs.agencies", lang, agencies=agencies),
        t("cli.gtfs.period", lang, start=info["period"]["start"], end=info["period"]["end"]),
        t(
            "cli.gtfs.counts",
            lang,
            stop_points=c["stop_points"],
            stations=c["stations"],
            routes=c["routes"],
            routes_by_type=c["routes_by_type"],
            trips=c["trips"],
            from_frequencies=(
                Message("cli.gtfs.from_frequencies", {"n": frequencies}) if frequencies else ""
            ),
            stop_times=c["stop_times"],
            transfers=c["transfers"],
        ),
        t(
            "cli.gtfs.served",
            lang,
            n=len(served),
            ranges=", ".join(_ranges([d["date"] for d in served])),
        ),
    ]
    if served:
        most = max(served, key=lambda d: d["trips"])
        least = min(served, key=lambda d: d["trips"])
        lines.append(
            t(
                "cli.gtfs.per_day",
                lang,
                least=least["trips"],
                least_date=least["date"],
                most=most["trips"],
                most_date=most["date"],
            )
        )
    if info["dates_without_service"]:
        lines.append(
            t("cli.gtfs.not_served", lang, ranges=", ".join(_ranges(info["dates_without_service"])))
        )
    print("\n".join(lines))
    return 0
