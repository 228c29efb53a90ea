"""The Starlette application: the page, its static files and the JSON API.

Routes
------
``GET /``
    The page (French; ``?lang=en`` for English).
``GET /static/…``
    Leaflet (shipped in :mod:`qpv_radar._static`) and the page's script and style.
``GET /api/structures`` · ``GET /api/qpv``
    Every structure of the territory (local directory applied) · the QPV perimeters (GeoJSON).
``POST /api/radar``
    A radar: ``{"radar": Radar.to_dict(), "geojson": …, "view": …}`` (see
    :func:`~qpv_radar.server.inputs.radar_request` for the body).
``GET /api/directory`` · ``POST /api/directory``
    The local directory's rows · add one row (``correct``, ``add``, ``permanence``), checked
    against the whole directory and the sources before the file is written.
``POST /api/poster.pdf`` · ``POST /api/card.pdf`` · ``POST /print``
    The poster, the recommendation cards, a printable HTML page: the body holds either
    ``radar`` (a radar answered before) or the same fields as ``/api/radar``.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .._errors import QpvRadarError, RadarFileError, WebRequestError
from .._messages import LANGS, en, text
from .._static import leaflet_files
from ..radar import Radar, compute_radar
from ..territory import Territory
from .directory import directory_rows, save_row
from .guard import MAX_BODY, Guard, error_body, request_lang
from .inputs import choice, radar_request, text_field
from .state import TerritoryData
from .views import radar_answer, radar_view

__all__ = ["DEFAULT_TILES", "create_app"]

HERE = Path(__file__).resolve().parent
#: Background tiles (URL template, attribution): the only thing the page fetches online.
DEFAULT_TILES = (
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "© contributeurs OpenStreetMap",
)
_JS_WORDS = [code for code in en.WORDS if code.startswith("web.js.")]


def _lang(request: Request) -> str:
    lang = getattr(request.state, "lang", None) or request_lang(request.scope)
    return lang if lang in LANGS else "fr"


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object of a POST (its ``lang`` remembered for the error messages)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise WebRequestError("web.error.too_large", status=413, size=len(raw), limit=MAX_BODY)
    if ctype == "application/x-www-form-urlencoded":  # the print form: one field, payload
        raw = (parse_qs(raw.decode("utf-8", "replace")).get("payload") or ["{}"])[0].encode()
    elif ctype != "application/json":
        raise WebRequestError("web.error.content_type", status=415, ctype=ctype[:60] or "—")
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WebRequestError("web.error.json", detail=str(exc)[:80]) from None
    if not isinstance(body, dict):
        raise WebRequestError("web.error.object", kind=type(body).__name__)
    if body.get("lang") in LANGS:
        request.state.lang = body["lang"]
    return body


class _Api:
    """The handlers, around one loaded territory."""

    def __init__(self, data: TerritoryData, tiles: tuple[str, str]) -> None:
        self.data = data
        self.tiles = tiles
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )

    def default_day(self) -> date:
        from ..networks.gtfs.days import next_working_day

        now = datetime.now(ZoneInfo(self.data.territory.timezone)).replace(tzinfo=None)
        return next_working_day(now).date()

    # ---- radar ---------------------------------------------------------------------------
    def _compute(self, body: dict[str, Any]) -> Radar:
        req = radar_request(body, self.default_day())
        d = self.data
        with d.lock:
            radar = compute_radar(d.territory, req.person, networks=d.networks, k=req.k,
                                  actors=d.actors, qpv=d.qpv, itineraries="all")  # fmt: skip
        for role, sid in req.choose.items():
            radar = radar.choose(role, sid)
        return radar

    def _radar_of(self, body: dict[str, Any]) -> Radar:
        """The radar given (``radar``) or computed from the body."""
        given = body.get("radar")
        if given is None:
            return self._compute(body)
        if not isinstance(given, dict):
            raise RadarFileError("web.error.object", kind=type(given).__name__)
        radar = Radar.from_json(json.dumps(given))
        choose = body.get("choose") or {}
        if isinstance(choose, dict):
            for role, sid in choose.items():
                radar = radar.choose(str(role), str(sid))
        return radar

    async def radar(self, request: Request) -> Response:
        body = await _body(request)
        radar = await run_in_threadpool(self._compute, body)
        return JSONResponse(radar_answer(radar, _lang(request)))

    # ---- printing ------------------------------------------------------------------------
    def _pdf(self, body: dict[str, Any], kind: str, lang: str) -> bytes:
        radar = self._radar_of(body)
        with tempfile.TemporaryDirectory(prefix="qpv-web-") as tmp:
            out = Path(tmp) / "out.pdf"
            with self.data.lock:  # matplotlib and reportlab: one drawing at a time
                if kind == "poster":
                    from ..render.poster import radar_poster

                    paper = choice(body, "paper", ("a4", "a3"))
                    layout = choice(body, "layout", ("sectors", "compass"))
                    radar_poster(
                        radar, out, paper=paper, lang=lang, layout=layout,
                        agent=text_field(body, "agent"), relay=text_field(body, "relay"),
                    )  # fmt: skip
                else:
                    from ..render.card import recommendation_card

                    to = body.get("to") or None
                    if to is not None and not (isinstance(to, list) and all(
                        isinstance(x, str) for x in to
                    )):  # fmt: skip
                        raise WebRequestError("web.error.list", field="to", example='["bge:1"]')
                    recommendation_card(
                        radar, out, to=to, from_relay=text_field(body, "relay") or None,
                        agent=text_field(body, "agent"), note=text_field(body, "note"),
                        paper=choice(body, "paper", ("a4", "a6")), lang=lang,
                    )  # fmt: skip
            return out.read_bytes()

    async def poster(self, request: Request) -> Response:
        return await self._pdf_response(request, "poster")

    async def card(self, request: Request) -> Response:
        return await self._pdf_response(request, "card")

    async def _pdf_response(self, request: Request, kind: str) -> Response:
        body = await _body(request)
        pdf = await run_in_threadpool(self._pdf, body, kind, _lang(request))
        name = "radar.pdf" if kind == "poster" else "cartes.pdf"
        headers = {"content-disposition": f'inline; filename="{name}"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    async def printable(self, request: Request) -> Response:
        body = await _body(request)
        lang = _lang(request)
        radar = await run_in_threadpool(self._radar_of, body)
        page = self.env.get_template("print.html").render(
            lang=lang, w=lambda code, **p: text(code, lang, **p), view=radar_view(radar, lang),
            agent=text_field(body, "agent"), relay=text_field(body, "relay"),
        )  # fmt: skip
        return HTMLResponse(page)

    # ---- data ----------------------------------------------------------------------------
    async def structures(self, request: Request) -> Response:
        items = await run_in_threadpool(self.data.structures)
        return JSONResponse({"territory": self.data.territory.name, "structures": items})

    async def qpv(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.data.qpv_geojson))

    async def directory(self, request: Request) -> Response:
        if request.method == "GET":
            rows = await run_in_threadpool(directory_rows, self.data)
            return JSONResponse({"file": str(self.data.directory), "rows": rows})
        body = await _body(request)
        row = await run_in_threadpool(save_row, self.data, body, _lang(request))
        return JSONResponse({"file": str(self.data.directory), "saved": row}, status_code=201)

    # ---- the page ------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        lang = _lang(request)
        d = self.data
        words = {code: text(code, lang) for code in _JS_WORDS}
        config = {
            "lang": lang,
            "bounds": [float(x) for x in d.bounds()],
            "tiles": self.tiles[0],
            "attribution": self.tiles[1],
            "words": words,
        }
        html = self.env.get_template("index.html").render(
            lang=lang, other="en" if lang == "fr" else "fr",
            w=lambda code, **p: text(code, lang, **p),
            territory=d.territory.label or d.territory.name,
            config=config, day=self.default_day().isoformat(),
        )  # fmt: skip
        tiles = _origin(self.tiles[0].replace("{s}.", "*."))
        csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: {tiles}; "
            "connect-src 'self' https://api-adresse.data.gouv.fr; frame-ancestors 'none'"
        )
        return HTMLResponse(html, headers={"content-security-policy": csp})


def _origin(url: str) -> str:
    parts = url.split("/")
    return "/".join(parts[:3]) if len(parts) >= 3 else url


def _handlers(api: _Api) -> dict[Any, Any]:
    async def known(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QpvRadarError)
        status = exc.status if isinstance(exc, WebRequestError) else 400
        return Response(error_body(exc.message(_lang(request))), status_code=status,
                        media_type="application/json")  # fmt: skip

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        lang = _lang(request)
        if exc.status_code == 405:
            msg = text("web.error.method", lang, method=request.method)
        else:
            msg = text("web.error.not_found", lang, path=request.url.path[:80])
        return Response(error_body(msg), status_code=exc.status_code,
                        media_type="application/json")  # fmt: skip

    return {QpvRadarError: known, HTTPException: http}


def create_app(
    territory: Territory | str | TerritoryData,
    *,
    token: str | None = None,
    directory: str | Path | None = None,
    loopback_only: bool = True,
    tiles: tuple[str, str] = DEFAULT_TILES,
) -> Guard:
    """The web application of one territory (an ASGI app for uvicorn).

    Parameters
    ----------
    territory
        A territory (name, file or :class:`~qpv_radar.Territory`), or a
        :class:`~qpv_radar.server.state.TerritoryData` already loaded (shared by several apps,
        e.g. in tests). Its networks, structures and QPVs are loaded here, once.
    token
        The access token every request must carry (``X-QPV-Token`` header, ``qpv_token``
        cookie, or ``?token=`` on the page); ``None``: no token (loopback only).
    directory
        The local directory file (default: the territory's, the CLI's).
    loopback_only
        Answer only host names ``127.0.0.1``, ``localhost``, ``[::1]`` (default); set
        ``False`` when serving beyond loopback (then give a ``token``).
    tiles
        Background tile URL template and its attribution.
    """
    data = (
        territory
        if isinstance(territory, TerritoryData)
        else TerritoryData.load(territory, directory)
    )
    api = _Api(data, tiles)
    leaflet = leaflet_files()["js"].parent
    routes = [
        Route("/", api.page),
        Route("/api/radar", api.radar, methods=["POST"]),
        Route("/api/structures", api.structures),
        Route("/api/qpv", api.qpv),
        Route("/api/directory", api.directory, methods=["GET", "POST"]),
        Route("/api/poster.pdf", api.poster, methods=["POST"]),
        Route("/api/card.pdf", api.card, methods=["POST"]),
        Route("/print", api.printable, methods=["POST"]),
        Mount("/static/leaflet", StaticFiles(directory=leaflet), name="leaflet"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=_handlers(api))
    app.state.data = data
    return Guard(app, token=token, loopback_only=loopback_only)
