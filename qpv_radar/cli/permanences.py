"""``qpv-radar permanences``: where to hold k permanences to reach the most QPV residents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError, t

_TABLE_SUFFIXES = (".csv", ".gpkg", ".parquet", ".geoparquet")
_HEADER = "id,name,lon,lat"


def register(sub: Any) -> None:
    """Add the ``permanences`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "permanences",
        help="où tenir k permanences / where to hold k outreach sessions",
        description=(
            "Choose k candidate places (default: the relays, Maisons pour tous and France "
            "services) maximising the QPV residents within T minutes (maximal covering, solved "
            "to optimality; --greedy for the greedy heuristic)."
        ),
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help="territory name or TOML file")
    p.add_argument("--k", type=int, default=3, help="number of places (default 3)")
    p.add_argument("--minutes", type=float, default=20.0, help="T in minutes (default 20)")
    p.add_argument(
        "--candidates",
        help="CSV of candidate places with columns id, name, lon, lat (default: the relays)",
    )
    p.add_argument("--mode", choices=("walk", "transit"), default="walk", help="default walk")
    p.add_argument("--slot", default="weekday-09:00", help="departure slot for transit")
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--exact",
        dest="method",
        action="store_const",
        const="exact",
        help="optimal integer program (the default; accepted for older scripts)",
    )
    how.add_argument(
        "--greedy",
        dest="method",
        action="store_const",
        const="greedy",
        help="greedy heuristic (at least 63 %% of the optimum)",
    )
    p.set_defaults(method="exact")
    p.add_argument("--out", help="output table: .csv, .gpkg or .parquet")
    p.set_defaults(func=_run)


def read_candidates(path: str) -> Any:
    """Read a candidate CSV (id, name, lon, lat) into a GeoDataFrame; report every bad row.

    Raises
    ------
    CliInputError
        No such file, an empty file, a header without rows, another delimiter than ``,``.
    InputFileError
        Missing columns, non-numeric or out-of-range coordinates, duplicate ids (every problem
        at once).
    """
    import geopandas as gpd
    import pandas as pd

    from .._errors import InputFileError, InputProblem

    p = Path(path)
    if not p.is_file():
        raise CliInputError(f"--candidates {path}: no such file.")
    text = p.read_text(encoding="utf-8-sig", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise CliInputError(
            f"--candidates {path}: the file is empty; write the header line {_HEADER}, then "
            "one place per line."
        )
    header = lines[0]
    for sep, label in ((";", "';'"), ("\t", "a tab")):
        if sep in header and not {"id", "lon", "lat"} <= {h.strip() for h in header.split(",")}:
            raise CliInputError(
                f"--candidates {path}: the delimiter is probably {label}, not ',' (header "
                f"{header!r}); save the file as comma-separated CSV (UTF-8, decimal point '.') "
                f"with the header {_HEADER}."
            )
    try:
        df = pd.read_csv(p, dtype=str, encoding="utf-8-sig", skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(
            p, [InputProblem(None, None, f"not a readable CSV ({exc})", f"use {_HEADER}")]
        ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("id", "lon", "lat") if c not in df.columns]
    if missing:
        raise InputFileError(
            p,
            [
                InputProblem(None, c, "column missing", "add it (id, name, lon, lat)")
                for c in missing
            ],
        )
    if df.empty:
        raise CliInputError(
            f"--candidates {path}: no place in the file, only the header line; add one line "
            "per place (id,name,lon,lat)."
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
    if not p.parent.exists():
        raise CliInputError(f"{path}: its folder does not exist; create it first.")


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
    check_out(args.out)
    cand = read_candidates(args.candidates) if args.candidates else None
    territory = load_territory(args.territory)
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
            f"{r.rank:>2}. {r.name}  +{r.gain:,.0f} {residents}"
            f"  (cumul {r.covered:,.0f}, {r.share_covered:.0%})"
        )
    if args.method == "exact" and len(res) > 1:
        print(t("cli.permanences.optimum", lang))
    return 0
