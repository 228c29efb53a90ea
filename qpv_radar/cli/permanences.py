"""``qpv-radar permanences``: where to hold k permanences to reach the most QPV residents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError, h, t

_TABLE_SUFFIXES = (".csv", ".gpkg", ".parquet", ".geoparquet")


def register(sub: Any) -> None:
    """Add the ``permanences`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "permanences",
        help=h("cli.help.permanences.permanences"),
        description=(h("cli.help.permanences.permanences.about")),
    )
    p.add_argument(
        "--territory", default=DEFAULT_TERRITORY, help=h("cli.help.permanences.territory")
    )
    p.add_argument("--k", type=int, default=3, help=h("cli.help.permanences.k"))
    p.add_argument("--minutes", type=float, default=20.0, help=h("cli.help.permanences.minutes"))
    p.add_argument(
        "--candidates",
        help=h("cli.help.permanences.candidates"),
    )
    p.add_argument(
        "--mode", choices=("walk", "transit"), default="walk", help=h("cli.help.permanences.mode")
    )
    p.add_argument("--slot", default="weekday-09:00", help=h("cli.help.permanences.slot"))
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--exact",
        dest="method",
        action="store_const",
        const="exact",
        help=h("cli.help.permanences.exact"),
    )
    how.add_argument(
        "--greedy",
        dest="method",
        action="store_const",
        const="greedy",
        help=h("cli.help.permanences.greedy"),
    )
    p.set_defaults(method="exact")
    p.add_argument("--out", help=h("cli.help.permanences.out"))
    p.set_defaults(func=_run)


def check_out(path: str | None, option: str = "--out") -> None:
    """Reject an output path whose format or folder is wrong, before any computation."""
    if not path:
        return
    p = Path(path)
    if p.suffix.lower() not in _TABLE_SUFFIXES:
        raise CliInputError(
            f"{option} {path}: unknown output format {p.suffix or '(no suffix)'!r}; use .csv, "
            ".gpkg or .parquet (GeoParquet)."
        )
    from .._outputs import check_outputs

    check_outputs({option: p})


def _run(args: argparse.Namespace) -> int:
    from .. import planner
    from .._errors import InputFileError
    from ..export import write_table
    from ..routing.networks import Networks
    from ..territory import load_territory

    lang = args.lang
    if args.k < 1:
        raise CliInputError(f"--k {args.k}: choose at least one place.")
    if args.minutes <= 0:
        raise CliInputError(f"--minutes {args.minutes:g}: give a positive number of minutes.")
    from .._outputs import check_outputs, clean_terminal, territory_inputs

    check_out(args.out)
    inputs = {"--candidates": args.candidates, "--territory": args.territory}
    check_outputs({"--out": args.out}, {k: v for k, v in inputs.items() if Path(v or "").is_file()})
    cand = planner.read_candidates(args.candidates) if args.candidates else None
    territory = load_territory(args.territory)
    check_outputs({"--out": args.out}, territory_inputs(territory))
    networks = Networks(territory)
    if cand is not None:
        walk = networks.street_network("walk")
        problems = planner.candidate_problems(cand, walk, territory=territory.name)
        if problems:
            raise InputFileError(args.candidates, problems)
    res = planner.permanences(
        territory,
        k=args.k,
        minutes=args.minutes,
        candidates=cand,
        mode=args.mode,
        slot=args.slot,
        method=args.method,
        networks=networks,
        progress=sys.stderr.isatty(),
    )
    if len(res) < args.k:
        n = len(res)
        print(t("cli.permanences.k_note", lang, k=args.k, n=n), file=sys.stderr)
    if args.out:
        out = res
        if Path(args.out).suffix.lower() in (".gpkg", ".parquet", ".geoparquet"):
            import geopandas as gpd

            out = gpd.GeoDataFrame(
                res, geometry=gpd.points_from_xy(res["lon"], res["lat"]), crs="EPSG:4326"
            )
        write_table(out, args.out)
    method = res["method"].iloc[0]
    print(
        t("cli.permanences.head", lang, n=len(res), method=method, mode=args.mode, m=args.minutes)
    )
    residents = t("cli.residents", lang)
    for r in res.itertuples():
        print(
            f"{r.rank:>2}. {clean_terminal(r.name)}  +{r.gain:,.0f} {residents}"
            f"  (cumul {r.covered:,.0f}, {r.share_covered:.0%})"
        )
    if args.method == "exact" and len(res) > 1:
        print(t("cli.permanences.optimum", lang))
    return 0
