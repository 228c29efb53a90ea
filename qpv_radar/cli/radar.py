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

from .._defaults import DEFAULT_TERRITORY
from .._errors import PersonError
from ..radar import Entry, Radar
from ._util import CliInputError, parse_lonlat


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``radar`` command."""
    p = sub.add_parser(
        "radar",
        help="radar personnel : carte, affiche, carte de recommandation / personal radar",
        description=(
            "Les structures d'accompagnement autour d'une personne, classées par temps de "
            "trajet pour ses modes et ses horaires. Rien n'est envoyé en ligne. / The support "
            "structures around one person, ranked by travel time for their modes and hours."
        ),
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help="territory name or TOML file")
    p.add_argument("--lonlat", help="home as LON,LAT (WGS84), e.g. 3.8200,43.6321")
    p.add_argument(
        "--from-json", type=Path, metavar="RADAR.json",
        help="draw a radar saved with --json instead of computing one (no --lonlat then)",
    )  # fmt: skip
    p.add_argument(
        "--when",
        help="start, local ISO time, e.g. 2026-12-08T09:00 (default: the next working day, "
        "Monday to Friday and not a public holiday, at 09:00)",
    )
    p.add_argument(
        "--strict-dates",
        action="store_true",
        help="refuse a date outside the loaded public-transport timetable (default: route on "
        "a representative day of the same weekday inside it, and say so on every output)",
    )
    p.add_argument("--until", help="end of the person's hours, HH:MM (default: start + 3 h)")
    p.add_argument(
        "--arrive-by",
        metavar="HH:MM",
        help="an appointment: the latest departure from home that arrives by then, for each "
        "structure, ranked by it (departures from --when; default --when: 3 h before)",
    )
    p.add_argument(
        "--modes",
        default="walk,transit",
        help="comma list of walk,bike,car,transit (first = "
        "main mode, its rings are drawn; default walk,transit)",
    )
    p.add_argument(
        "--needs",
        default="creation",
        help="comma list: creation, emploi, mobilite, roles "
        "(relay, entry_door, support_financing, employment, mobility) or data·inclusion "
        "thematiques (default creation)",
    )
    p.add_argument("--max-minutes", type=float, default=45.0, help="how far (default 45)")
    p.add_argument("-k", type=int, default=5, help="structures kept per role (default 5)")
    p.add_argument("--html", type=Path, help="write the interactive map here")
    p.add_argument("--pdf", type=Path, help="write the printable poster here")
    p.add_argument("--paper", choices=("a4", "a3"), default="a4", help="poster paper")
    p.add_argument(
        "--poster-layout", choices=("sectors", "compass"), default="sectors",
        help="poster: one sector per role (default) or every structure at its true bearing",
    )  # fmt: skip
    p.add_argument("--card", type=Path, help="write a recommendation card here")
    p.add_argument(
        "--card-to",
        action="append",
        metavar="STRUCTURE_ID",
        help="structure recommended on the card (repeatable; default: the path's next step)",
    )
    p.add_argument(
        "--from-relay",
        help="who recommends on the card: a structure id from the table (its name is printed) "
        "or free text (default: the suggested relay)",
    )
    p.add_argument("--agent", default="", help="the agent's name on the card")
    p.add_argument("--card-note", default="", help="free-text line of the card")
    p.add_argument(
        "--card-paper",
        choices=("a4", "a6"),
        default="a4",
        help="two cards per A4 page (default) or one per A6",
    )
    p.add_argument("--json", type=Path, help="write the radar as JSON (exact home: keep private)")
    p.add_argument("--geojson", type=Path, help="write the radar as GeoJSON (home blurred)")
    p.add_argument(
        "--choose",
        action="append",
        metavar="ROLE=STRUCTURE_ID",
        help="override a step of the suggested path (repeatable)",
    )
    p.add_argument(
        "--exact-home", action="store_true", help="show the exact home (default: rounded to 100 m)"
    )
    p.add_argument(
        "--lang",
        choices=("fr", "en"),
        default=argparse.SUPPRESS,
        help="language of the outputs (default fr)",
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

    from ..radar import Person, compute_radar
    from ..render import labels
    from ..territory import load_territory

    terr = load_territory(args.territory)
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
    if args.from_json is not None:
        if args.lonlat:
            raise CliInputError("give either --lonlat (compute a radar) or --from-json, not both.")
        if not args.from_json.is_file():
            raise CliInputError(f"--from-json {args.from_json}: no such file.")
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

        args.geojson.write_text(
            json.dumps(radar.to_geojson(exact_home=args.exact_home), ensure_ascii=False),
            encoding="utf-8",
        )
        written.append(args.geojson)
    if args.html:
        from ..render.map import radar_map

        radar_map(radar, lang=lang, exact_home=args.exact_home).save(str(args.html))
        written.append(args.html)
    if args.pdf:
        from ..render.poster import radar_poster

        radar_poster(radar, args.pdf, paper=args.paper, lang=lang, layout=args.poster_layout)
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
            print(t("cli.from_relay_id", lang, name=name, entry_id=args.from_relay.strip()))
    for path in written:
        print(f"→ {path.resolve()}")
    return 0


def _print_summary(radar: Radar, lang: str) -> None:
    """A short table per role on stdout (data text is never read as markup)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

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
