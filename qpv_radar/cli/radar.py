"""``qpv-radar radar``: the personal radar of one resident (map, poster, card, JSON).

Example (a resident of La Mosson, Montpellier, free on Tuesday morning)::

    qpv-radar radar --lonlat 3.8200,43.6321 --when 2024-01-16T09:00 --until 12:00 \\
        --needs creation,emploi --html radar.html --pdf radar.pdf --card card.pdf
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .._defaults import DEFAULT_TERRITORY
from .._errors import PersonError
from .._outputs import clean_terminal
from ._util import CliInputError, h, parse_lonlat

if TYPE_CHECKING:  # the radar package (geopandas, scipy) is imported when a radar is computed
    from ..radar import Entry, Radar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``radar`` command."""
    p = sub.add_parser(
        "radar",
        help=h("cli.help.radar.radar"),
        description=(h("cli.help.radar.radar.about")),
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help=h("cli.help.radar.territory"))
    p.add_argument("--lonlat", help=h("cli.help.radar.lonlat"))
    p.add_argument(
        "--from-json", type=Path, metavar="RADAR.json",
        help=h("cli.help.radar.from_json"),
    )  # fmt: skip
    p.add_argument(
        "--when",
        help=h("cli.help.radar.when"),
    )
    p.add_argument(
        "--strict-dates",
        action="store_true",
        help=h("cli.help.radar.strict_dates"),
    )
    p.add_argument("--until", help=h("cli.help.radar.until"))
    p.add_argument(
        "--arrive-by",
        metavar="HH:MM",
        help="an appointment: the latest departure from home that arrives by then, for each "
        "structure, ranked by it (departures from --when; default --when: 3 h before)",
    )
    p.add_argument(
        "--modes",
        default="walk,transit",
        help=h("cli.help.radar.modes"),
    )
    p.add_argument(
        "--needs",
        default="creation",
        help=h("cli.help.radar.needs"),
    )
    p.add_argument("--max-minutes", type=float, default=45.0, help=h("cli.help.radar.max_minutes"))
    p.add_argument("-k", type=int, default=5, help=h("cli.help.radar.k"))
    p.add_argument("--html", type=Path, help=h("cli.help.radar.html"))
    p.add_argument("--pdf", type=Path, help=h("cli.help.radar.pdf"))
    p.add_argument("--paper", choices=("a4", "a3"), default="a4", help=h("cli.help.radar.paper"))
    p.add_argument(
        "--poster-layout", choices=("sectors", "compass"), default="sectors",
        help=h("cli.help.radar.poster_layout"),
    )  # fmt: skip
    p.add_argument("--card", type=Path, help=h("cli.help.radar.card"))
    p.add_argument(
        "--card-to",
        action="append",
        metavar="STRUCTURE_ID",
        help=h("cli.help.radar.card_to"),
    )
    p.add_argument(
        "--from-relay",
        help=h("cli.help.radar.from_relay"),
    )
    p.add_argument("--agent", default="", help=h("cli.help.radar.agent"))
    p.add_argument("--card-note", default="", help=h("cli.help.radar.card_note"))
    p.add_argument(
        "--card-paper",
        choices=("a4", "a6"),
        default="a4",
        help=h("cli.help.radar.card_paper"),
    )
    p.add_argument("--json", type=Path, help=h("cli.help.radar.json"))
    p.add_argument("--geojson", type=Path, help=h("cli.help.radar.geojson"))
    p.add_argument(
        "--choose",
        action="append",
        metavar="ROLE=STRUCTURE_ID",
        help=h("cli.help.radar.choose"),
    )
    p.add_argument("--exact-home", action="store_true", help=h("cli.help.radar.exact_home"))
    p.add_argument(
        "--lang",
        choices=("fr", "en"),
        default=argparse.SUPPRESS,
        help=h("cli.help.radar.lang"),
    )
    p.set_defaults(func=run)


def _parse_when(text: str | None, tz: str) -> datetime:
    """``--when``, or the next working day at 09:00 from now in the territory's timezone."""
    if not text:
        from zoneinfo import ZoneInfo

        from ..networks.gtfs.days import next_working_day

        return next_working_day(datetime.now(ZoneInfo(tz)).replace(tzinfo=None))
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliInputError("cli.when_not_iso", text=text) from exc


def _parse_until(text: str | None) -> time | datetime | None:
    if not text:
        return None
    try:
        return time.fromisoformat(text) if len(text) <= 8 else datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliInputError("cli.until_not_time", text=text) from exc


def _outputs(args: argparse.Namespace) -> dict[str, Path | None]:
    return {
        "--json": args.json,
        "--geojson": args.geojson,
        "--html": args.html,
        "--pdf": args.pdf,
        "--card": args.card,
    }


def _check_outputs(args: argparse.Namespace) -> None:
    """Every output writable and none an input of the run, the ``print`` extra there when a
    PDF is asked: checked before anything is computed."""
    from .._outputs import check_extra, check_outputs

    territory = Path(args.territory).expanduser()
    inputs = {"--from-json": args.from_json, "--territory": territory}
    check_outputs(_outputs(args), {k: v for k, v in inputs.items() if v and v.is_file()})
    if args.pdf:
        check_extra("--pdf", ("matplotlib",))
    if args.card:
        check_extra("--card", ("reportlab", "matplotlib"))


def _parse_arrive_by(text: str | None, when: datetime, *, given: bool) -> datetime | None:
    """``--arrive-by HH:MM`` (or an ISO date-time): on ``--when``'s date (the next day when not
    after it); without ``--when``, on the default day."""
    if not text:
        return None
    try:
        at = time.fromisoformat(text) if len(text) <= 8 else datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliInputError("arrive_by.bad_time", value=text) from exc
    if isinstance(at, datetime):
        return at
    out = datetime.combine(when.date(), at)
    return out + timedelta(days=1) if given and out <= when else out


def _compute(args: argparse.Namespace, lang: str) -> Radar:
    from rich.console import Console

    from .._outputs import check_outputs, territory_inputs
    from ..radar import Person, compute_radar
    from ..render import labels
    from ..territory import load_territory

    terr = load_territory(args.territory)
    check_outputs(_outputs(args), territory_inputs(terr))  # its GTFS, streets, structures…
    lon, lat = parse_lonlat(args.lonlat)
    when = _parse_when(args.when, terr.timezone)
    arrive = _parse_arrive_by(args.arrive_by, when, given=bool(args.when))
    if arrive is not None and not args.when:
        when = arrive - timedelta(hours=3)
    person = Person(
        lon=lon,
        lat=lat,
        when=when,
        until=_parse_until(args.until),
        modes=tuple(m for m in args.modes.split(",") if m.strip()),
        needs=tuple(n for n in args.needs.split(",") if n.strip()),
        max_minutes=args.max_minutes,
        arrive_by=arrive,
    )
    # every structure gets its itinerary: the agent may pick or recommend any of them
    status = labels.t("cli.radar.computing", lang)
    with Console(stderr=True).status(status):  # the first run loads networks: seconds
        return compute_radar(
            terr, person, k=args.k, itineraries="all", strict_dates=args.strict_dates
        )


def run(args: argparse.Namespace) -> int:
    """Compute (or reload) the radar and write the requested files."""
    lang = getattr(args, "lang", "fr")
    _check_outputs(args)
    if args.from_json is not None:
        if args.lonlat:
            raise CliInputError("give either --lonlat (compute a radar) or --from-json, not both.")
        if not args.from_json.is_file():
            raise CliInputError(f"--from-json {args.from_json}: no such file.")
        from ..radar import Radar

        radar = Radar.from_json(args.from_json)
    else:
        if not args.lonlat:
            raise CliInputError(
                "give the person's home with --lonlat LON,LAT (e.g. 3.8200,43.6321), or a saved "
                "radar with --from-json FILE."
            )
        radar = _compute(args, lang)
    for choice in args.choose or ():
        role, _, sid = choice.partition("=")
        if not sid:
            raise CliInputError(f"--choose {choice!r}: write ROLE=STRUCTURE_ID.")
        radar = radar.choose(role.strip(), sid.strip())

    written: list[Path] = []
    if args.json:
        radar.to_json(args.json)
        written.append(args.json)
    if args.geojson:
        import json

        from .._outputs import atomic_write_text

        geojson = radar.to_geojson(exact_home=args.exact_home)
        atomic_write_text(args.geojson, json.dumps(geojson, ensure_ascii=False))
        written.append(args.geojson)
    if args.html:
        from .._outputs import atomic_write
        from ..render.map import radar_map

        the_map = radar_map(radar, lang=lang, exact_home=args.exact_home)
        atomic_write(args.html, lambda tmp: the_map.save(str(tmp)))
        written.append(args.html)
    if args.pdf:
        from ..render.card import sender_name
        from ..render.poster import radar_poster

        radar_poster(
            radar,
            args.pdf,
            paper=args.paper,
            lang=lang,
            layout=args.poster_layout,
            agent=args.agent,
            relay=sender_name(radar, args.from_relay) if args.from_relay else "",
        )
        written.append(args.pdf)
    if args.card:
        from ..render.card import recommendation_card

        recommendation_card(
            radar,
            args.card,
            to=args.card_to,
            from_relay=args.from_relay,
            agent=args.agent,
            note=args.card_note,
            paper=args.card_paper,
            lang=lang,
        )
        written.append(args.card)
    elif args.card_to:
        raise PersonError("--card-to needs --card FILE.pdf to write the card.")

    _print_summary(radar, lang)
    if args.card and args.from_relay:
        from ..render.card import sender_name
        from ..render.labels import t

        name = sender_name(radar, args.from_relay)
        if name != args.from_relay:  # an id of the table: say whose name the card prints
            entry_id = clean_terminal(args.from_relay.strip())
            print(t("cli.from_relay_id", lang, name=clean_terminal(name), entry_id=entry_id))
    for path in written:
        print(f"→ {clean_terminal(path.resolve())}")
    return 0


def _print_summary(radar: Radar, lang: str) -> None:
    """A short table per role on stdout (data text is never read as markup nor as terminal
    control codes)."""
    from rich.console import Console
    from rich.markup import escape as markup_escape
    from rich.table import Table

    def escape(text: str) -> str:
        return markup_escape(clean_terminal(text))

    from ..render import labels
    from ..render.trip import clock_text

    console = Console(file=sys.stdout, soft_wrap=True, highlight=False)
    where = escape(radar.home_qpv_name or "—")
    console.print(
        f"[bold]{labels.t('title', lang)}[/bold] · {where} · {labels.when_text(radar, lang)}"
        f" · {escape(labels.modes_text(radar, lang))}"
    )
    appointment = radar.person.appointment
    if appointment is not None:
        console.print(labels.t("arrive_by.ranked", lang, time=clock_text(appointment, lang)))
    for role in radar.roles:
        if not radar.entries.get(role):
            continue  # the notices below say why (none in the territory, none within reach)
        table = Table(
            title=labels.role_name(role, lang), title_justify="left", box=None, pad_edge=False
        )
        for col in (
            "#",
            "id",
            labels.t("cli.col.name", lang),
            "min",
            "mode",
            labels.t("cli.col.state", lang),
            labels.t("cli.col.opening", lang),
            labels.t("cli.col.source", lang),
        ):
            # ids are meant to be copied into --card-to / --choose: never wrapped
            table.add_column(col, overflow="fold", no_wrap=col == "id")
        if appointment is not None:
            table.add_column(labels.t("cli.col.leave", lang), no_wrap=True)
        for e in radar.entries.get(role, ()):
            stale = labels.stale_text(e, radar, lang)
            source = labels.source_text(e, lang) + (f" — {stale}" if stale else "")
            table.add_row(
                str(e.rank),
                escape(e.id),
                escape(e.name),
                labels.duration(e.best_minutes, lang).split()[0],
                labels.mode_name(e.best_mode, lang, short=True) if e.best_mode else "—",
                labels.STATE_SYMBOLS[e.state] + " " + labels.t(f"state.short.{e.state}", lang),
                escape(labels.open_status(e, lang)) if e.state != "unknown" else "—",
                escape(source),
                *([_leave_cell(e, lang)] if appointment is not None else []),
            )
        console.print(table)
    for n in radar.notices:
        console.print(f"[yellow]⚠ {escape(labels.notice_text(n, lang))}[/yellow]")


def _leave_cell(e: Entry, lang: str) -> str:
    """The latest departure from home (an appointment), or what says none arrives in time."""
    from ..render.labels import t
    from ..render.trip import clock_text

    return clock_text(e.leave_by, lang) if e.leave_by else t("arrive_by.none_short", lang)
