"""``qpv-radar qpv locate|list``: which QPV contains a point; the QPVs of a territory."""

from __future__ import annotations

import argparse
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import h, parse_lonlat, print_json, t

#: Catalogue codes of the QPV table's column heads.
_HEADS = {
    "code_qp": "cli.col.code_qp",
    "nom_qp": "cli.col.nom_qp",
    "generation": "cli.col.generation",
    "pop_mun": "cli.col.pop_mun",
}


def register(sub: Any) -> None:
    """Add the ``qpv`` command."""
    p: argparse.ArgumentParser = sub.add_parser("qpv", help=h("cli.help.qpv.qpv"))
    qsub = p.add_subparsers(dest="qpv_command", metavar="ACTION")
    qsub.required = True
    pl = qsub.add_parser("locate", help=h("cli.help.qpv.locate"))
    pl.add_argument("--lonlat", required=True, help=h("cli.help.qpv.lonlat"))
    pl.add_argument("--qpv-file", help=h("cli.help.qpv.qpv_file"))
    pl.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.qpv.territory"))
    pl.add_argument("--json", action="store_true", help=h("cli.help.qpv.json"))
    pl.set_defaults(func=_locate)
    pli = qsub.add_parser("list", help=h("cli.help.qpv.list"))
    pli.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.qpv.territory"))
    pli.add_argument("--json", action="store_true", help=h("cli.help.qpv.json"))
    pli.set_defaults(func=_list)


def _locate(args: argparse.Namespace) -> int:
    import geopandas as gpd

    from ..qpv import load_qpv, locate
    from ..territory import load_territory

    lon, lat = parse_lonlat(args.lonlat)
    qpv = load_qpv(args.qpv_file if args.qpv_file else load_territory(args.territory))
    pts = gpd.GeoSeries.from_xy([lon], [lat], crs="EPSG:4326")
    row = locate(pts, qpv).iloc[0]
    result = {"code_qp": row["code_qp"], "nom_qp": row["nom_qp"]}
    if args.json:
        print_json(result)
    elif result["code_qp"] is None:
        print(t("cli.qpv.outside", args.lang))
    else:
        print(f"{result['code_qp']} {result['nom_qp']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from ..qpv import load_qpv
    from ..territory import load_territory

    qpv = load_qpv(load_territory(args.territory))
    cols = [c for c in ("code_qp", "nom_qp", "generation", "pop_mun") if c in qpv.columns]
    rows: list[dict[str, Any]] = []
    for rec in qpv[[*cols, "commune_codes"]].to_dict("records"):
        out = {k: (None if _isna(v) else v) for k, v in rec.items()}
        if "pop_mun" in out and out["pop_mun"] is not None:
            out["pop_mun"] = int(out["pop_mun"])
        out["generation"] = int(rec["generation"])
        rows.append(out)
    if args.json:
        print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table

    title = f"{len(rows)} QPV — {args.territory}"
    table = Table(title=title, caption=qpv.attrs.get("note") or None)
    for c in cols:
        table.add_column(t(_HEADS[c], args.lang))
    for r in rows:
        table.add_row(*("" if r[c] is None else str(r[c]) for c in cols))
    Console(width=120).print(table)
    return 0


def _isna(v: Any) -> bool:
    try:
        return bool(v != v)  # NaN
    except (TypeError, ValueError):
        return False
