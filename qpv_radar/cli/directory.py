"""``qpv-radar directory``: the relay's local directory (annuaire local) of a territory.

``list`` shows it; ``add``, ``correct``, ``permanence`` and ``remove`` append one checked row
(the file is rewritten atomically, the previous version kept as ``.bak``); ``export`` writes
the local entries as data·inclusion v1 structures and services, validated against the schema.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import CliInputError, parse_lonlat, print_json, t

_FIELDS = ("name", "kind", "roles", "address", "hours", "phone", "email", "website", "note")


def _common(p: argparse.ArgumentParser, *, author: bool = True) -> None:
    p.add_argument(
        "--territory", default=DEFAULT_TERRITORY, help="territoire (nom ou fichier TOML)"
    )
    p.add_argument(
        "--file", type=Path, help="fichier de l'annuaire local (défaut : celui du territoire)"
    )
    if author:
        p.add_argument("--author", required=True, help="qui fait ce changement (obligatoire)")
        p.add_argument("--date", help="date du changement, 2026-03-02 (défaut : aujourd'hui)")
        p.add_argument("--note", help="remarque libre")


def _fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", help="nom")
    p.add_argument("--kind", help="type (citeslab, mission_locale, mobility…)")
    p.add_argument("--roles", help="rôles séparés par | (relay|entry_door|…)")
    p.add_argument("--address", help="adresse")
    p.add_argument("--hours", help="horaires : « lun 9-12, mar 14h-17h » ou « Mo 09:00-12:00 »")
    p.add_argument("--phone", help="téléphone")
    p.add_argument("--email", help="courriel")
    p.add_argument("--website", help="site web")
    p.add_argument("--lonlat", help="lieu LON,LAT (WGS84)")


def register(sub: Any) -> None:
    """Add the ``directory`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "directory",
        help="annuaire local du relais / the relay's local directory",
        description=(
            "Annuaire local d'un territoire : corrections, structures ajoutées, permanences, "
            "retraits, posés sur les sources publiées sans jamais les modifier."
        ),
    )
    dsub = p.add_subparsers(dest="directory_command", metavar="ACTION")
    dsub.required = True
    pl = dsub.add_parser("list", help="afficher l'annuaire local")
    _common(pl, author=False)
    pl.add_argument("--json", action="store_true", help="JSON")
    pl.set_defaults(func=_list)
    pa = dsub.add_parser("add", help="ajouter une structure absente des sources")
    _common(pa)
    _fields(pa)
    pa.add_argument("--id", default="", help="identifiant local:… (défaut : tiré du nom)")
    pa.add_argument("--host", help="identifiant de la structure où elle se trouve")
    pa.set_defaults(func=_edit, action="add")
    pc = dsub.add_parser("correct", help="corriger une structure des sources")
    _common(pc)
    pc.add_argument("id", help="identifiant de la structure (qpv-radar actors list)")
    _fields(pc)
    pc.add_argument("--closed", action="store_true", help="fermée définitivement")
    pc.set_defaults(func=_edit, action="correct")
    pp = dsub.add_parser("permanence", help="permanence d'une structure dans un autre lieu")
    _common(pp)
    pp.add_argument("id", help="identifiant de la structure qui tient la permanence")
    pp.add_argument("--host", help="identifiant du lieu d'accueil (par ex. mpt:albert-dubout)")
    pp.add_argument("--lonlat", help="ou le lieu LON,LAT (WGS84)")
    pp.add_argument("--address", help="adresse du lieu")
    pp.add_argument("--hours", required=True, help="jours et heures : « mardi 9h-12h »")
    pp.set_defaults(func=_edit, action="permanence")
    pr = dsub.add_parser("remove", help="retirer une structure du radar")
    _common(pr)
    pr.add_argument("id", help="identifiant de la structure")
    pr.set_defaults(func=_edit, action="remove")
    pe = dsub.add_parser("export", help="exporter au format data·inclusion (schéma v1)")
    _common(pe, author=False)
    pe.add_argument("--out", type=Path, required=True, help="fichier JSON à écrire")
    pe.set_defaults(func=_export)


def _path(args: argparse.Namespace) -> tuple[Any, Path]:
    from ..actors.directory import directory_path
    from ..territory import load_territory

    terr = load_territory(args.territory)
    return terr, (args.file.expanduser() if args.file else directory_path(terr))


def _rows(path: Path) -> list[Any]:
    from ..actors.directory import read_directory

    return read_directory(path) if path.is_file() else []


def _edit(args: argparse.Namespace) -> int:
    from .._errors import InputFileError
    from ..actors import load_actors
    from ..actors.directory import DirectoryRow, append_row, apply_directory, write_directory

    lang = args.lang
    terr, path = _path(args)
    cells = {"action": args.action, "id": args.id, "author": args.author}
    cells["date"] = args.date or date.today().isoformat()
    for f in (*_FIELDS, "host"):
        cells[f] = str(getattr(args, f, None) or "")
    if getattr(args, "closed", False):
        cells["hours"] = "fermé définitivement"
    if getattr(args, "lonlat", None):
        lon, lat = parse_lonlat(args.lonlat)
        cells["lon"], cells["lat"] = repr(lon), repr(lat)
    rows = _rows(path)
    new, problems = DirectoryRow.parse(cells, len(rows) + 1)
    if new is None:
        raise InputFileError(t("cli.directory.new_row", lang), problems)
    rows = append_row(rows, new)
    # the whole directory must still apply over the sources before anything is written
    apply_directory(load_actors(terr, progress=False, directory=False), rows, path=path)
    write_directory(rows, path)
    print(t("cli.directory.written", lang, action=new.action, id=new.id, path=path, n=len(rows)))
    return 0


def _list(args: argparse.Namespace) -> int:
    lang = args.lang
    _terr, path = _path(args)
    rows = _rows(path)
    if args.json:
        print_json({"file": str(path), "rows": [r.cells() | {"row": r.row} for r in rows]})
        return 0
    print(t("cli.directory.file", lang, path=path, n=len(rows)))
    for r in rows:
        what = [
            f"{k}={v}"
            for k, v in r.cells().items()
            if v and k not in ("action", "id", "author", "date")
        ]
        print(
            f"{r.row:>3}. {r.action:<10} {r.id}  {'; '.join(what)}"
            f"  ({r.author}, {r.date.isoformat()})"
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from ..actors import load_actors
    from ..actors.directory_export import to_data_inclusion, validate_data_inclusion

    lang = args.lang
    if args.out.suffix.lower() != ".json":
        raise CliInputError(t("cli.directory.out_json", lang, out=args.out))
    if not args.out.parent.exists():
        raise CliInputError(t("cli.directory.no_folder", lang, out=args.out))
    terr, path = _path(args)
    rows = _rows(path)
    actors = load_actors(terr, progress=False, directory=path if rows else False)
    describe = {
        "service": t("directory.export.service", lang, name="{name}"),
        "permanence": t(
            "directory.export.permanence", lang, name="{name}", place="{place}", hours="{hours}"
        ),
    }
    doc = to_data_inclusion(actors, rows, territory=terr.name, describe=describe)
    validate_data_inclusion(doc, path=args.out)
    tmp = args.out.with_name(f".{args.out.name}.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(args.out)
    n_s, n_v = len(doc["structures"]), len(doc["services"])
    print(t("cli.directory.exported", lang, out=args.out, structures=n_s, services=n_v))
    return 0
