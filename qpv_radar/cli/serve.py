"""``qpv-radar serve``: the local web page for agents (click the home, print the radar).

Example::

    qpv-radar serve --open                 # http://127.0.0.1:8765 in the browser
    qpv-radar serve --host 0.0.0.0         # other machines too: an access token is printed
"""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from .._defaults import DEFAULT_TERRITORY
from ._util import t

DEFAULT_PORT = 8765


def register(sub: Any) -> None:
    """Add the ``serve`` command."""
    p: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="page web locale pour les agents / local web page for agents",
        description=(
            "Une page web sur cet ordinateur : cliquer le domicile, choisir besoins et "
            "horaires, imprimer le radar. / A web page on this machine: click the home, "
            "choose needs and hours, print the radar."
        ),
    )
    p.add_argument("--territory", default=DEFAULT_TERRITORY, help="territory name or TOML file")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; any other address "
        "requires the access token printed at start)",
    )
    p.add_argument("--open", action="store_true", help="open the page in the browser")
    p.add_argument("--directory", type=Path, help="local directory file (default: the CLI's)")
    p.add_argument(
        "--tiles",
        help="background tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    )
    p.add_argument("--tiles-attribution", help="attribution of --tiles")
    p.set_defaults(func=run)


def build_app(args: argparse.Namespace) -> tuple[Any, str | None]:
    """The application for ``args`` and its access token (``None`` on loopback)."""
    from ..server import DEFAULT_TILES, create_app
    from ..server.run import is_loopback

    loopback = is_loopback(args.host)
    token = None if loopback else secrets.token_urlsafe(24)
    tiles = (args.tiles or DEFAULT_TILES[0], args.tiles_attribution or DEFAULT_TILES[1])
    app = create_app(args.territory, token=token, directory=args.directory,
                     loopback_only=loopback, tiles=tiles)  # fmt: skip
    return app, token


def _open_when_ready(server: Any, url: str) -> None:
    def wait() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            webbrowser.open(url)

    threading.Thread(target=wait, daemon=True).start()


def run(args: argparse.Namespace) -> int:
    """Load the territory, then serve until interrupted."""
    import uvicorn

    from ..server.run import uvicorn_config

    lang = getattr(args, "lang", "fr")
    print(t("cli.serve.loading", lang, territory=args.territory), file=sys.stderr, flush=True)
    started = time.perf_counter()
    app, token = build_app(args)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{args.port}/"
    if lang == "en":
        url += "?lang=en"
    if token is not None:
        url += ("&" if "?" in url else "?") + f"token={token}"
        print(t("cli.serve.token", lang), file=sys.stderr)
    print(t("cli.serve.ready", lang, url=url, seconds=time.perf_counter() - started), flush=True)
    server = uvicorn.Server(uvicorn_config(app, args.host, args.port))
    if args.open:
        _open_when_ready(server, url)
    server.run()
    return 0
