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
from ._util import CliInputError, h, parse_lonlat, print_json, t

_FIELDS = ("name", "kind", "roles", "address", "hours", "phone", "email", "website", "note")


def _common(p: argparse.ArgumentParser, *, author: bool = True) -> None:
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.directory.territory"))
    p.add_argument("--file", type=Path, help=h("cli.help.directory.file"))
    if author:
        p.add_argument("--author", required=True, help=h("cli.help.directory.author"))
        p.add_argument("--date", help=h("cli.help.directory.date"))
        p.add_argument("--note", help=h("cli.help.directory.note"))


def _fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", help=h("cli.help.directory.name"))
    p.add_argument("--kind", help=h("cli.help.directory.kind"))
    p.add_argument("--roles", help=h("cli.help.directory.roles"))
    p.add_argument("--address", help=h("cli.help.directory.address"))
    p.add_argument("--hours", help=h("cli.help.directory.hours"))
    p.add_argument("--phone", help=h("cli.help.directory.phone"))
    p.add_argument("--email", help=h("cli.help.directory.email"))
    p.add_argument("--website", help=h("cli.help.directory.website"))
    p.add_argument("--lonlat", help=h("cli.help.directory.lonlat"))


def register(sub: Any) -> None:
    """Add the ``directory`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "directory",
        help=h("cli.help.directory.directory"),
        description=(h("cli.help.directory.directory.about")),
    )
    dsub = p.add_subparsers(dest="directory_command", metavar="ACTION")
    dsub.required = True
    pl = dsub.add_parser("list", help=h("cli.help.directory.list"))
    _common(pl, author=False)
    pl.add_argument("--json", action="store_true", help=h("cli.help.directory.json"))
    pl.set_defaults(func=_list)
    pa = dsub.add_parser("add", help=h("cli.help.directory.add"))
    _common(pa)
    _fields(pa)
    pa.add_argument("--id", default="", help=h("cli.help.directory.id"))
    pa.add_argument("--host", help=h("cli.help.directory.host"))
    pa.set_defaults(func=_edit, action="add")
    pc = dsub.add_parser("correct", help=h("cli.help.directory.correct"))
    _common(pc)
    pc.add_argument("id", help=h("cli.help.directory.id.2"))
    _fields(pc)
    pc.add_argument("--closed", action="store_true", help=h("cli.help.directory.closed"))
    pc.set_defaults(func=_edit, action="correct")
    pp = dsub.add_parser("permanence", help=h("cli.help.directory.permanence"))
    _common(pp)
    pp.add_argument("id", help=h("cli.help.directory.id.3"))
    pp.add_argument("--host", help=h("cli.help.directory.host.2"))
    pp.add_argument("--lonlat", help=h("cli.help.directory.lonlat.2"))
    pp.add_argument("--address", help=h("cli.help.directory.address.2"))
    pp.add_argument("--hours", required=True, help=h("cli.help.directory.hours.2"))
    pp.set_defaults(func=_edit, action="permanence")
    pr = dsub.add_parser("remove", help=h("cli.help.directory.remove"))
    _common(pr)
    pr.add_argument("id", help=h("cli.help.directory.id.4"))
    pr.set_defaults(func=_edit, action="remove")
    pe = dsub.add_parser("export", help=h("cli.help.directory.export"))
    _common(pe, author=False)
    pe.add_argument("--out", type=Path, required=True, help=h("cli.help.directory.out"))
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
    from .._outputs import atomic_write_text, check_outputs, territory_inputs

    if args.out.suffix.lower() != ".json":
        raise CliInputError(t("cli.directory.out_json", lang, out=args.out))
    if not args.out.parent.exists():
        raise CliInputError(t("cli.directory.no_folder", lang, out=args.out))
    terr, path = _path(args)
    # the export may not replace the directory itself, the territory file or its sources
    check_outputs({"--out": args.out}, {"directory": path, **territory_inputs(terr)})
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
    atomic_write_text(args.out, json.dumps(doc, ensure_ascii=False, indent=2))
    n_s, n_v = len(doc["structures"]), len(doc["services"])
    print(t("cli.directory.exported", lang, out=args.out, structures=n_s, services=n_v))
    return 0
