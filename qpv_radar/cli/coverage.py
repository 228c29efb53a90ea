"""``qpv-radar coverage``: residents without an open structure within T minutes, by slot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from .._messages import Message
from ._util import CliInputError, h

_HTML = (".html", ".htm")


def register(sub: Any) -> None:
    """Add the ``coverage`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "coverage",
        help=h("cli.help.coverage.coverage"),
        description=(h("cli.help.coverage.coverage.about")),
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.coverage.territory"))
    p.add_argument(
        "--role",
        default="entry_door",
        help=h("cli.help.coverage.role"),
    )
    p.add_argument("--minutes", type=float, default=30.0, help=h("cli.help.coverage.minutes"))
    p.add_argument(
        "--slots",
        default=None,
        help=h("cli.help.coverage.slots"),
    )
    p.add_argument(
        "--mode",
        choices=("transit", "walk"),
        default="transit",
        help=h("cli.help.coverage.mode"),
    )
    p.add_argument(
        "--window",
        type=int,
        default=10,
        help=h("cli.help.coverage.window"),
    )
    p.add_argument(
        "--unknown-hours",
        choices=("open", "closed"),
        default="open",
        help=h("cli.help.coverage.unknown_hours"),
    )
    p.add_argument("--out", help=h("cli.help.coverage.out"))
    p.add_argument("--html", help=h("cli.help.coverage.html"))
    p.add_argument("--csv", help=h("cli.help.coverage.csv"))
    p.add_argument("--top", type=int, default=10, help=h("cli.help.coverage.top"))
    p.add_argument("--territories", help=h("cli.help.coverage.territories"))
    p.add_argument("--scheduler", default="local", help=h("cli.help.coverage.scheduler"))
    p.add_argument("--workers", type=int, help=h("cli.help.coverage.workers"))
    p.set_defaults(func=_run)


def _run_many(args: argparse.Namespace, slots: list[str]) -> int:
    """``--territories``: :func:`qpv_radar.planner.coverage_many`, then one line per territory."""
    from .. import planner
    from .._outputs import clean_terminal
    from ._util import t

    files = [f.strip() for f in args.territories.split(",") if f.strip()]
    if not files:
        raise CliInputError("many.territories")
    if not args.out:
        raise CliInputError("--out: give the folder of the results (with --territories).")
    if args.workers is not None and args.workers < 1:
        raise CliInputError(f"--workers {args.workers}: give 1 or more.")
    res = planner.coverage_many(
        files,
        role=args.role,
        minutes=args.minutes,
        slots=slots,
        mode=args.mode,
        window_minutes=args.window,
        unknown=args.unknown_hours,
        out_dir=args.out,
        scheduler=args.scheduler,
        n_workers=args.workers,
        progress=sys.stderr.isatty(),
    )
    for r in res.summary.to_dict("records"):
        name = clean_terminal(str(r["territory"]))
        if r["status"] == "failed":
            print(t("many.failed", args.lang, name=name, error=clean_terminal(str(r["error"]))))
            continue
        key = "many.skipped" if r["status"] == "skipped" else "many.done"
        print(t(key, args.lang, name=name, rows=int(r["rows"]), seconds=float(r["seconds"])))
        if isinstance(r.get("notice"), str) and r["notice"]:
            print(f"  {t(r['notice'], args.lang)}")
        n_unknown = r.get("n_qpv_population_unknown")
        if isinstance(n_unknown, int | float) and n_unknown == n_unknown and n_unknown > 0:
            print(f"  {t('many.population_unknown', args.lang, n=int(n_unknown))}")
        if isinstance(r.get("note"), str) and r["note"]:
            print(f"  {clean_terminal(r['note'])}")
    counts = res.summary["status"].value_counts()
    print(
        t(
            "many.summary",
            args.lang,
            ok=int(counts.get("ok", 0)),
            skipped=int(counts.get("skipped", 0)),
            failed=int(counts.get("failed", 0)),
            out=str(res.dataset),
        )
    )
    return 0 if len(res.failed) < len(res.summary) else 1


def _run(args: argparse.Namespace) -> int:
    from .. import analysis, planner
    from .._outputs import check_outputs, territory_inputs
    from ..export import write_table
    from ..territory import load_territory
    from .permanences import check_out

    if args.minutes <= 0:
        raise CliInputError(f"--minutes {args.minutes:g}: give a positive number of minutes.")
    if args.window < 0:
        raise CliInputError(
            f"--window {args.window}: give 0 (one departure) or a positive number of minutes."
        )
    slots = (
        [s.strip() for s in args.slots.split(",") if s.strip()]
        if args.slots
        else list(analysis.DEFAULT_SLOTS)
    )
    if not slots:
        raise CliInputError("--slots is empty: give e.g. weekday-06:00,sunday-10:00.")
    if args.role not in planner.ROLES:
        raise CliInputError(f"--role {args.role!r}: choose among {', '.join(planner.ROLES)}.")
    if args.territories:
        return _run_many(args, slots)
    check_out(args.out)
    for path, option, suffixes in ((args.csv, "--csv", (".csv",)), (args.html, "--html", _HTML)):
        if path and Path(path).suffix.lower() not in suffixes:
            raise CliInputError(f"{option} {path}: give a file ending in {' or '.join(suffixes)}.")
    outputs = {"--out": args.out, "--csv": args.csv, "--html": args.html}
    territory = args.territory if Path(args.territory).is_file() else None
    check_outputs(outputs, {"--territory": territory})
    check_outputs(outputs, territory_inputs(load_territory(args.territory)))
    res = planner.coverage(
        args.territory,
        role=args.role,
        minutes=args.minutes,
        slots=slots,
        mode=args.mode,
        window_minutes=args.window,
        unknown=args.unknown_hours,
        progress=sys.stderr.isatty(),
    )
    table = res.table
    if args.out:
        write_table(table, args.out, layer="coverage")
    if args.csv:
        write_table(table.drop(columns="geometry"), args.csv)
    from .._outputs import clean_terminal
    from ..render import labels
    from ..render.planner_map import slot_label

    role = labels.role_name(args.role, args.lang)
    mode = labels.mode_name(args.mode, args.lang)  # transit: door to door, walks included
    if args.html:
        from .._outputs import atomic_write
        from ..render.planner_map import coverage_map

        label = labels.t("cli.coverage.title", args.lang)
        the_map = coverage_map(
            table,
            minutes=args.minutes,
            slots=slots,
            title=f"{label} — {role} — {mode}",
            note=res.note,
            lang=args.lang,
        )
        atomic_write(args.html, lambda tmp: the_map.save(str(tmp)))
    print(labels.t("cli.coverage.head", args.lang, role=role, mode=mode, m=args.minutes))
    residents = labels.t("cli.residents", args.lang)
    unknown = labels.t("coverage.population_unknown", args.lang)
    for r in table.head(args.top).itertuples():
        head = f"{r.rank:>3}  {slot_label(r.slot, args.lang):<15} {clean_terminal(r.nom_qp):<32} "
        if not getattr(r, "population_known", True):
            print(f"{head}{unknown}")  # never a share: the population is not known
            continue
        print(
            f"{head}{r.share_uncovered:6.0%}  "
            f"{r.pop_uncovered:8,.0f} / {r.population:,.0f} {residents}"
        )
    print(_hours_line(res, args.role, args.unknown_hours, args.lang))
    if res.note:
        print(clean_terminal(res.note))
    return 0


def _hours_line(res: Any, role: str, unknown: str, lang: str) -> str:
    """How many of the role's structures have unknown opening hours, and how they counted."""
    from ..render import labels

    s = res.structures
    s = s[s["roles"].map(lambda rs: role in tuple(rs or ())).to_numpy(bool)]
    hours = list(s["opening_hours"]) if "opening_hours" in s.columns else [None] * len(s)
    n_unknown = sum(not isinstance(h, str) or not h.strip() for h in hours)
    return labels.t(
        "cli.coverage.hours",
        lang,
        n_unknown=n_unknown,
        n=len(s),
        role=role,
        how=(
            Message("cli.coverage.counted_open")
            if unknown == "open"
            else Message("cli.coverage.counted_closed")
        ),
        other="closed" if unknown == "open" else "open",
        tail=Message("cli.coverage.travel_only") if n_unknown and unknown == "open" else ".",
    )
