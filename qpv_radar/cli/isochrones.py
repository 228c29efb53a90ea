"""``qpv-radar isochrones``: areas reachable within time bands, written as GeoJSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError, h, parse_lonlat


def register(sub: Any) -> None:
    """Add the ``isochrones`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "isochrones",
        help=h("cli.help.isochrones.isochrones"),
    )
    p.add_argument(
        "--territory", default=DEFAULT_TERRITORY, help=h("cli.help.isochrones.territory")
    )
    p.add_argument("--mode", default="walk", choices=("walk", "bike", "car"))
    p.add_argument(
        "--from",
        dest="origin",
        required=True,
        action="append",
        metavar="LON,LAT",
        help=h("cli.help.isochrones.from"),
    )
    p.add_argument("--minutes", default="5,10,15", help=h("cli.help.isochrones.minutes"))
    p.add_argument(
        "--buffer",
        type=float,
        default=40.0,
        metavar="M",
        help=h("cli.help.isochrones.buffer"),
    )
    p.add_argument("--out", required=True, type=Path, help=h("cli.help.isochrones.out"))
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import geopandas as gpd
    import shapely

    from .._outputs import atomic_write, check_outputs, clean_terminal
    from ..routing.networks import Networks

    territory = args.territory if Path(args.territory).is_file() else None
    check_outputs({"--out": args.out}, {"--territory": territory})
    try:
        minutes = [float(m) for m in args.minutes.split(",") if m.strip()]
    except ValueError as exc:
        raise CliInputError(
            f"--minutes {args.minutes!r}: give numbers separated by commas, e.g. 5,10,15."
        ) from exc
    if not minutes or any(m <= 0 for m in minutes):
        raise CliInputError(f"--minutes {args.minutes!r}: give positive numbers, e.g. 5,10,15.")
    points = [parse_lonlat(text, "--from") for text in args.origin]
    origins = gpd.GeoSeries([shapely.Point(lon, lat) for lon, lat in points], crs=4326)
    nets = Networks(args.territory)
    iso = nets.isochrones(origins, mode=args.mode, minutes=minutes, buffer_m=args.buffer)
    atomic_write(args.out, lambda tmp: iso.to_file(tmp, driver="GeoJSON"))
    print(clean_terminal(args.out))
    return 0
