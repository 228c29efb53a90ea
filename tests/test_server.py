"""The local web page (issue 11): the server started for real on a free loopback port, its JSON
API on every error path, and a real headless Chromium that does an agent's whole job."""

from __future__ import annotations

import base64
import html
import http.client
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import CHROMIUM, Browser

from qpv_radar.radar import Radar
from qpv_radar.server import TerritoryData, create_app
from qpv_radar.server.guard import MAX_BODY
from qpv_radar.server.run import Running, is_loopback, start

MOSSON = {"lon": 3.8200, "lat": 43.6321}
TUESDAY = {"day": "2024-01-16", "from": "09:00", "until": "12:00"}  # inside the TaM feed
EVIL = "<img src=x onerror=alert(1)>"
TOKEN = "s3cret-token-for-tests"
DOCS = Path(__file__).resolve().parents[1] / "docs"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> TerritoryData:
    directory = tmp_path_factory.mktemp("directory") / "montpellier.csv"
    return TerritoryData.load("montpellier", directory)


@pytest.fixture(scope="module")
def server(data: TerritoryData) -> Iterator[Running]:
    running = start(create_app(data))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token_server(data: TerritoryData) -> Iterator[Running]:
    running = start(create_app(data, token=TOKEN))
    yield running
    running.stop()


def call(
    url: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request; (status, headers, body), errors included."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    req = urllib.request.Request(url + path, data=data, headers=hdrs | (headers or {}),
                                 method=method)  # fmt: skip
    try:
        with _OPENER.open(req, timeout=120) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def error_of(body: bytes) -> str:
    return str(json.loads(body)["error"])


# ---- the page and the radar ------------------------------------------------------------------
def test_page_in_french_and_english_without_cdn(server: Running) -> None:
    status, headers, body = call(server.url, "/")
    page = html.unescape(body.decode())
    assert status == 200
    assert "Radar d'accompagnement — Montpellier" in page
    assert "créer une activité" in page and "api-adresse.data.gouv.fr" in page
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unpkg" not in page and "cdn" not in page.lower()
    en = html.unescape(call(server.url, "/?lang=en")[2].decode())
    assert "Support radar — Montpellier" in en and "start a business" in en
    assert call(server.url, "/static/leaflet/leaflet.js")[0] == 200
    assert call(server.url, "/static/app.js")[0] == 200


def test_radar_answer(server: Running) -> None:
    body = {"home": MOSSON, "needs": ["creation"], "modes": ["walk", "transit"], **TUESDAY}
    status, headers, raw = call(server.url, "/api/radar", body)
    assert status == 200, raw[:300]
    d = json.loads(raw)
    radar = Radar.from_dict(d["radar"])
    assert radar.person.when.isoformat() == "2024-01-16T09:00:00"
    assert radar.home_qpv_name and "Mosson" in radar.home_qpv_name
    entries = [e for r in d["view"]["roles"] for e in r["entries"]]
    assert len(entries) >= 5
    assert all(e["duration"].endswith("min") for e in entries if e["minutes"] is not None)
    assert {e["marker"] for e in entries} <= {"open", "closed", "unknown", "beyond"}
    kinds = {f["properties"]["kind"] for f in d["geojson"]["features"]}
    assert {"home", "structure", "ring"} <= kinds
    assert "43.6321" not in json.dumps(headers)  # the home is in the body only


def test_radar_choose_and_pdfs(server: Running, tmp_path: Path) -> None:
    d = json.loads(call(server.url, "/api/radar", {"home": MOSSON, **TUESDAY})[2])
    second = d["view"]["roles"][0]["entries"][1]
    status, _, raw = call(
        server.url, "/api/card.pdf",
        {"radar": d["radar"], "choose": {"relay": second["id"]}, "agent": "Awa Diallo"},
    )  # fmt: skip
    assert status == 200 and raw.startswith(b"%PDF")
    status, headers, poster = call(server.url, "/api/poster.pdf", {"radar": d["radar"]})
    assert status == 200 and headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        pdf = tmp_path / "poster.pdf"
        pdf.write_bytes(poster)
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                               check=True).stdout  # fmt: skip
        assert d["view"]["roles"][0]["entries"][0]["name"].split()[-1] in words
        cards = tmp_path / "cards.pdf"
        cards.write_bytes(raw)
        text = subprocess.run(["pdftotext", str(cards), "-"], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
        assert "Awa Diallo" in text


# ---- every error path: a French sentence and a 4xx ------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"home": {"lon": 2.35, "lat": 48.85}}, 400, "hors du territoire"),
        ({"home": MOSSON, "from": "", "until": ""}, 400, "Horaires vides"),
        ({"home": MOSSON, "from": "12:00", "until": "09:00"}, 400, "doit venir après"),
        ({"home": MOSSON, "from": "9h"}, 400, "Heure '9h' illisible"),
        ({"home": MOSSON, "needs": ["astrologie"]}, 400, "besoin(s) inconnu(s)"),
        ({"home": MOSSON, "needs": []}, 400, "« needs » est vide"),
        ({"home": MOSSON, "modes": ["teleport"]}, 400, "Mode(s) inconnu(s)"),
        ({"home": MOSSON, "max_minutes": 1000}, 400, "Temps maximal"),
        ({"home": MOSSON, "day": "16/01/2024"}, 400, "AAAA-MM-JJ"),
        ({"needs": ["creation"]}, 400, "Domicile manquant"),
        ({"home": {"lon": "x", "lat": 1}}, 400, "Domicile manquant"),
        ({"home": MOSSON, "choose": {"relay": "nope"}}, 400, "nope"),
        ([1, 2], 400, "objet JSON"),
    ],
)
def test_radar_errors(server: Running, body: Any, status: int, words: str) -> None:
    got, headers, raw = call(server.url, "/api/radar", body)
    assert got == status, raw[:300]
    assert headers["content-type"].startswith("application/json")
    assert words in error_of(raw)
    assert "Traceback" not in raw.decode()


def test_errors_in_english_and_not_json(server: Running) -> None:
    got, _, raw = call(server.url, "/api/radar", {"home": MOSSON, "from": "", "lang": "en"})
    assert got == 400 and "Empty hours" in error_of(raw)
    got, _, raw = call(server.url, "/api/radar", raw=b"{not json")
    assert got == 400 and "JSON" in error_of(raw)
    got, _, raw = call(server.url, "/api/radar", raw=b"x", headers={"Content-Type": "text/plain"})
    assert got == 415 and "Content-Type" in error_of(raw)
    got, _, raw = call(server.url, "/nowhere")
    assert got == 404 and "introuvable" in error_of(raw)
    got, _, raw = call(server.url, "/api/radar")
    assert got == 405 and "GET" in error_of(raw)
    got, _, raw = call(server.url, "/api/poster.pdf", {"radar": {"type": "other"}})
    assert got == 400


def test_too_large_body_is_413(server: Running) -> None:
    big = {"home": MOSSON, "pad": "x" * (MAX_BODY + 10)}
    got, _, raw = call(server.url, "/api/radar", big)
    assert got == 413 and "trop grande" in error_of(raw)
    # without Content-Length (chunked): cut while reading
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    chunks = (b"x" * 8192 for _ in range(MAX_BODY // 8192 + 2))
    conn.request("POST", "/api/radar", body=chunks, encode_chunked=True,
                 headers={"Content-Type": "application/json"})  # fmt: skip
    resp = conn.getresponse()
    assert resp.status == 413 and "trop grande" in error_of(resp.read())
    conn.close()


def test_token_required_on_every_request(token_server: Running) -> None:
    url = token_server.url
    for path, body in (("/", None), ("/api/structures", None), ("/api/radar", {"home": MOSSON})):
        got, _, raw = call(url, path, body)
        assert got == 401 and "jeton" in error_of(raw)
        assert call(url, path, body, headers={"X-QPV-Token": "wrong"})[0] == 401
    got, headers, _ = call(url, "/api/structures", headers={"X-QPV-Token": TOKEN})
    assert got == 200
    got, headers, _ = call(url, f"/?token={TOKEN}")
    assert got == 200 and "HttpOnly" in headers["set-cookie"]
    cookie = headers["set-cookie"].split(";")[0]
    assert call(url, "/api/qpv", headers={"Cookie": cookie})[0] == 200
    body = {"home": MOSSON, **TUESDAY}
    assert call(url, "/api/radar", body, headers={"Cookie": cookie})[0] == 200


def test_loopback_only_and_same_origin(server: Running) -> None:
    got, _, raw = call(server.url, "/", headers={"Host": "evil.example"})
    assert got == 400 and "hôte" in error_of(raw)
    body = {"home": MOSSON, **TUESDAY}
    got, _, raw = call(server.url, "/api/radar", body, headers={"Origin": "http://evil.example"})
    assert got == 403 and "autre page" in error_of(raw)
    got, _, raw = call(server.url, "/api/directory", {"action": "add"},
                       headers={"Referer": "http://evil.example/x"})  # fmt: skip
    assert got == 403
    assert call(server.url, "/api/radar", body, headers={"Origin": server.url})[0] == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_directory_validation_and_hostile_names(server: Running, data: TerritoryData) -> None:
    got, _, raw = call(server.url, "/api/directory", {"action": "permanence", "id": "x"})
    assert got == 422
    message = error_of(raw)
    assert "pas enregistrée" in message and "auteur" in message.lower()
    got, _, raw = call(server.url, "/api/directory", {"action": "explode"})
    assert got == 400 and "action" in error_of(raw)
    evil = {"action": "add", "name": EVIL, "roles": "relay", "author": "test",
            "lon": 3.8215, "lat": 43.6330, "hours": "Mo-Fr 08:00-18:00"}  # fmt: skip
    got, _, raw = call(server.url, "/api/directory", evil)
    assert got == 201, raw[:400]
    assert data.directory.is_file() and EVIL in data.directory.read_text(encoding="utf-8-sig")
    rows = json.loads(call(server.url, "/api/directory")[2])["rows"]
    assert rows[-1]["name"] == EVIL
    names = [s["name"] for s in json.loads(call(server.url, "/api/structures")[2])["structures"]]
    assert EVIL in names  # data stays data in JSON (served as application/json, nosniff)
    d = json.loads(call(server.url, "/api/radar", {"home": MOSSON, **TUESDAY})[2])
    assert EVIL in [e["name"] for e in d["view"]["roles"][0]["entries"]]
    page = call(server.url, "/print", {"radar": d["radar"], "agent": "<b>Awa</b>"})[2].decode()
    assert EVIL not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>Awa</b>" not in page and "&lt;b&gt;Awa&lt;/b&gt;" in page


# ---- a real browser -------------------------------------------------------------------------
class LocalBrowser(Browser):
    """The DevTools browser letting requests to our server through (the rest as before)."""

    server_url = ""

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """As :meth:`Browser.call`, waiting for its own id: requests answered meanwhile (a
        page's fetch during ``Runtime.evaluate``) take ids of their own."""
        self._id += 1
        own = self._id
        msg: dict[str, Any] = {"id": own, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == own:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            if "id" not in reply:
                self._handle(reply)

    def _serve(self, p: dict[str, Any]) -> None:
        if p["request"]["url"].startswith(self.server_url):
            self._id += 1
            msg = {"id": self._id, "sessionId": self.session, "method": "Fetch.continueRequest",
                   "params": {"requestId": p["requestId"]}}  # fmt: skip
            self.ws.send(json.dumps(msg))
            return
        super()._serve(p)


def _wait(browser: Browser, expression: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.eval(expression)
        if value:
            return value
        browser.pump(0.2)
    raise TimeoutError(expression)


def _click_latlng(browser: Browser, lon: float, lat: float) -> None:
    browser.eval(f"window.qpvMap.setView([{lat}, {lon}], 16, {{animate: false}}); true")
    browser.pump(0.3)
    x, y = browser.eval(
        f"""(() => {{ const p = window.qpvMap.latLngToContainerPoint([{lat}, {lon}]);
        const r = document.getElementById('map').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }})()"""
    )
    for kind in ("mousePressed", "mouseReleased"):
        browser.page("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                     clickCount=1)  # fmt: skip
    browser.pump(0.3)


def _compute(browser: Browser) -> dict[str, Any]:
    browser.eval("window.qpvState.view = null; document.getElementById('compute').click(); 1")
    _wait(browser, "window.qpvState.view !== null || "
          "document.getElementById('status').classList.contains('error')")  # fmt: skip
    status = browser.eval("document.getElementById('status').textContent")
    assert "Erreur" not in status, status
    return dict(browser.eval("window.qpvState.view"))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium missing: run .ci/system-deps")
def test_agent_in_chromium(server: Running, data: TerritoryData, tmp_path: Path) -> None:
    browser = LocalBrowser()
    browser.server_url = server.url
    try:
        browser.open(server.url + "/", settle_s=1.0)
        assert browser.errors() == []
        assert _wait(browser, "document.querySelectorAll('path.qpv-perimeter').length") > 5
        _click_latlng(browser, 3.8200, 43.6321)
        home = browser.eval("window.qpvState.home")
        assert abs(home["lon"] - 3.82) < 2e-4 and abs(home["lat"] - 43.6321) < 2e-4
        browser.eval("document.querySelector('input[name=need][value=creation]').click(); 1")
        browser.eval("document.getElementById('day').value = '2024-01-16'; 1")
        view = _compute(browser)
        rows = browser.eval(
            "[...document.querySelectorAll('li.entry')].map(li => "
            "[li.querySelector('strong').textContent, li.querySelector('.minutes').textContent])"
        )
        assert len(rows) >= 5
        assert all(m.strip().endswith("min") for _, m in rows)
        assert browser.eval("document.querySelectorAll('path.qpv-route').length") >= 1
        # the README's screenshot is refreshed on demand (QPV_RADAR_SCREENSHOTS=1), never by
        # an ordinary test run (a test does not rewrite the repository)
        shots = DOCS if os.environ.get("QPV_RADAR_SCREENSHOTS") else tmp_path
        browser.screenshot(shots / "server.png")
        assert (shots / "server.png").stat().st_size > 10_000
        # the poster, fetched as the print button does, read back with pdftotext
        b64 = browser.eval(
            "qpvPdf('poster', 'a4').then(b => b.arrayBuffer()).then(buf => { let s = '';"
            " for (const c of new Uint8Array(buf)) s += String.fromCharCode(c); return btoa(s); })"
        )
        pdf = tmp_path / "poster.pdf"
        pdf.write_bytes(base64.b64decode(b64))
        assert pdf.read_bytes().startswith(b"%PDF")
        if shutil.which("pdftotext"):
            words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout  # fmt: skip
            assert rows[0][0].split()[-1] in words
        # a permanence of the entry door at the nearest relay, through the form
        relay = view["roles"][0]["entries"][0]
        door = next(r for r in view["roles"] if r["role"] == "entry_door")["entries"][-1]
        fields = {"dir-id": door["id"], "dir-host": relay["id"], "dir-hours": "Mo-Fr 09:00-12:00",
                  "dir-author": "Agent test"}  # fmt: skip
        for field, value in fields.items():
            browser.eval(f"document.getElementById({json.dumps(field)}).value = "
                         f"{json.dumps(value)}; 1")  # fmt: skip
        browser.eval("document.getElementById('dir-action').value = 'permanence';"
                     "document.getElementById('dir-form').requestSubmit(); 1")  # fmt: skip
        saved = _wait(browser, "document.getElementById('dir-status').textContent")
        assert "Enregistré" in saved, saved
        view = _compute(browser)
        doors = next(r for r in view["roles"] if r["role"] == "entry_door")["entries"]
        perm = [e for e in doors if e["id"] == f"{door['id']}@{relay['id']}"]
        assert perm and perm[0]["minutes"] <= relay["minutes"] + 1
        assert perm[0]["name"] in browser.eval("document.getElementById('roles').textContent")
        # hostile names (added through the API by the test before) stay text
        assert browser.eval("document.querySelectorAll('img[src=x]').length") == 0
        assert browser.eval("window.__alerts.length") == 0 and browser.dialogs() == []
        assert browser.errors() == []
        assert browser.blocked == [] or all("tile" in u for u in browser.blocked)
    finally:
        browser.close()


# ---- the command ----------------------------------------------------------------------------
def test_serve_command_beyond_loopback_needs_the_token() -> None:
    import argparse

    from qpv_radar.cli import serve

    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers())
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--port", "9"])
    assert args.func is serve.run and args.port == 9 and not args.open
    app, token = serve.build_app(args)
    assert token and len(token) >= 24
    running = start(app)  # listened on loopback here; the app behaves as for --host 0.0.0.0
    try:
        assert call(running.url, "/api/qpv")[0] == 401
        assert call(running.url, "/api/qpv", headers={"X-QPV-Token": token})[0] == 200
        got = call(running.url, "/", headers={"Host": "192.168.1.10:8765", "X-QPV-Token": token})
        assert got[0] == 200  # any host name then, the token guards
    finally:
        running.stop()
    local = parser.parse_args(["serve"])
    assert local.host == "127.0.0.1" and local.port == serve.DEFAULT_PORT
