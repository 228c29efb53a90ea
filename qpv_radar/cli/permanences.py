"""``qpv-radar permanences``: where to hold k permanences to reach the most QPV residents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._util import CliInputError


def register(sub: Any) -> None:
    """Add the ``permanences`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "permanences",
        help="où tenir k permanences / where to hold k outreach sessions",
        description=(
            "Choose k candidate places (default: the relays, Maisons pour tous and France "
            "services) maximising the QPV residents within T minutes (maximal covering; greedy "
            "unless --exact)."
        ),
    )
    p.add_argument("--territory", default="montpellier", help="territory (default montpellier)")
    p.add_argument("--k", type=int, default=3, help="number of places (default 3)")
    p.add_argument("--minutes", type=float, default=20.0, help="T in minutes (default 20)")
    p.add_argument(
        "--candidates",
        help="CSV of candidate places with columns id, name, lon, lat (default: the relays)",
    )
    p.add_argument("--mode", choices=("walk", "transit"), default="walk", help="default walk")
    p.add_argument("--slot", default="weekday-09:00", help="departure slot for transit")
    p.add_argument("--exact", action="store_true", help="optimal ILP (needs qpv-radar[siting])")
    p.add_argument("--out", help="output table: .csv, .gpkg or .parquet")
    p.set_defaults(func=_run)


def read_candidates(path: str) -> Any:
    """Read a candidate CSV (id, name, lon, lat) into a GeoDataFrame; report every bad row."""
    import geopandas as gpd
    import pandas as pd

    from .._errors import InputFileError, InputProblem

    p = Path(path)
    if not p.is_file():
        raise CliInputError(f"--candidates {path}: no such file.")
    df = pd.read_csv(p, dtype=str, encoding="utf-8-sig")
    missing = [c for c in ("id", "lon", "lat") if c not in df.columns]
    if missing:
        raise InputFileError(
            p,
            [
                InputProblem(None, c, "column missing", "add it (id, name, lon, lat)")
                for c in missing
            ],
        )
    problems = []
    lon = pd.to_numeric(df["lon"], errors="coerce")
    lat = pd.to_numeric(df["lat"], errors="coerce")
    for i in range(len(df)):
        for col, v in (("lon", lon.iloc[i]), ("lat", lat.iloc[i])):
            lim = 180 if col == "lon" else 90
            if pd.isna(v) or abs(v) > lim:
                problems.append(
                    InputProblem(
                        i + 1,
                        col,
                        f"{df[col].iloc[i]!r} is not a {col}",
                        "give decimal degrees in WGS84, e.g. 3.8200 / 43.6321",
                    )
                )
    dup = df["id"][df["id"].duplicated()]
    for i in dup.index:
        problems.append(
            InputProblem(
                int(i) + 1, "id", f"duplicate id {df['id'][i]!r}", "give each place its own id"
            )
        )
    if problems:
        raise InputFileError(p, problems)
    return gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]).set_index("id"),
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _run(args: argparse.Namespace) -> int:
    from .. import planner
    from ..export import write_table

    if args.k < 1:
        raise CliInputError(f"--k {args.k}: choose at least one place.")
    if args.minutes <= 0:
        raise CliInputError(f"--minutes {args.minutes:g}: give a positive number of minutes.")
    if args.out and not Path(args.out).parent.exists():
        raise CliInputError(f"{args.out}: its folder does not exist; create it first.")
    cand = read_candidates(args.candidates) if args.candidates else None
    res = planner.permanences(
        args.territory,
        k=args.k,
        minutes=args.minutes,
        candidates=cand,
        mode=args.mode,
        slot=args.slot,
        exact=args.exact,
        progress=sys.stderr.isatty(),
    )
    if args.out:
        out = res
        if Path(args.out).suffix.lower() in (".gpkg", ".parquet", ".geoparquet"):
            import geopandas as gpd

            out = gpd.GeoDataFrame(
                res, geometry=gpd.points_from_xy(res["lon"], res["lat"]), crs="EPSG:4326"
            )
        write_table(out, args.out)
    fr = args.lang == "fr"
    print(
        f"{len(res)} lieux ({res['method'].iloc[0]}, {args.mode}, {args.minutes:g} min) :"
        if fr
        else f"{len(res)} places ({res['method'].iloc[0]}, {args.mode}, {args.minutes:g} min):"
    )
    for r in res.itertuples():
        print(
            f"{r.rank:>2}. {r.name}  +{r.gain:,.0f} "
            + ("hab." if fr else "residents")
            + f"  (cumul {r.covered:,.0f}, {r.share_covered:.0%})"
        )
    return 0
