"""A real headless Chromium driven through the DevTools protocol (websocket-client), no network.

The browser gets a fresh profile and a host resolver that maps every name to NOTFOUND; requests
to http(s) are intercepted: Leaflet's CDN files are answered with Debian's copy
(``libjs-leaflet``, installed by ``.ci/system-deps``), map tiles with a blank tile, anything
else fails and is recorded in :attr:`Page.blocked`. Console errors, uncaught exceptions and
JavaScript dialogs (``alert``) are recorded.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LEAFLET_DIR = Path("/usr/share/javascript/leaflet")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1200,850",
]


def _blank_png(size: int = 256) -> bytes:
    """A light-grey PNG tile, made here (no file needed)."""
    row = b"\x00" + b"\xee\xee\xee" * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        import struct

        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    import struct

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class Browser:
    """One headless Chromium process with one page."""

    def __init__(self) -> None:
        if CHROMIUM is None:
            raise RuntimeError("chromium not found: run .ci/system-deps")
        self.profile = tempfile.mkdtemp(prefix="qpv-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=30)
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its answer (events seen meanwhile are kept)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._handle(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        """A command on the page's session."""
        return self.call(method, self.session, **params)

    def _handle(self, ev: dict[str, Any]) -> None:
        if ev.get("method") == "Fetch.requestPaused":
            self._serve(ev["params"])
        elif ev.get("method") == "Page.javascriptDialogOpening":
            self.events.append(ev)
            self._pending_dialog = True
        else:
            self.events.append(ev)

    def _serve(self, p: dict[str, Any]) -> None:
        url: str = p["request"]["url"]
        rid = p["requestId"]
        body: bytes | None = None
        ctype = "text/plain"
        if "leaflet" in url and url.endswith("leaflet.js"):
            body, ctype = (LEAFLET_DIR / "leaflet.js").read_bytes(), "application/javascript"
        elif "leaflet" in url and url.endswith("leaflet.css"):
            body, ctype = (LEAFLET_DIR / "leaflet.css").read_bytes(), "text/css"
        elif "tile.openstreetmap.org" in url:
            body, ctype = _blank_png(), "image/png"
        msg: dict[str, Any]
        if body is None:
            self.blocked.append(url)
            msg = {
                "method": "Fetch.failRequest",
                "params": {"requestId": rid, "errorReason": "BlockedByClient"},
            }
        else:
            msg = {
                "method": "Fetch.fulfillRequest",
                "params": {
                    "requestId": rid,
                    "responseCode": 200,
                    "responseHeaders": [
                        {"name": "Content-Type", "value": ctype},
                        {"name": "Access-Control-Allow-Origin", "value": "*"},
                    ],
                    "body": base64.b64encode(body).decode(),
                },
            }
        self._id += 1
        msg["id"] = self._id
        msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))

    def open(self, url: str, *, settle_s: float = 1.5) -> None:
        """Load ``url``, wait for the load event, then ``settle_s`` more seconds."""
        self.blocked: list[str] = []
        self._pending_dialog = False
        for domain in ("Page", "Runtime", "Log"):
            self.page(f"{domain}.enable")
        self.page("Fetch.enable", patterns=[{"urlPattern": "http*"}])
        # Record any alert() without blocking the page.
        self.page(
            "Page.addScriptToEvaluateOnNewDocument",
            source="window.__alerts=[];window.alert=function(m){window.__alerts.push(String(m));};",
        )
        self.page("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired", 30)
        self.pump(settle_s)

    def wait_for(self, method: str, timeout: float) -> dict[str, Any]:
        """Wait for an event."""
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                ev = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            self._handle(ev)
            if ev.get("method") == method:
                return ev
        raise TimeoutError(method)

    def pump(self, seconds: float) -> None:
        """Process events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self._handle(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        self.ws.settimeout(30)

    def eval(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value."""
        res = self.page(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"])
        return res["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors seen so far."""
        out = []
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(json.dumps(p.get("args", []))[:500])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(p["entry"].get("text", "")[:500])
        return out

    def dialogs(self) -> list[dict[str, Any]]:
        """JavaScript dialogs (alert, confirm…) the page opened."""
        return [ev for ev in self.events if ev.get("method") == "Page.javascriptDialogOpening"]

    def screenshot(self, path: Path) -> None:
        """Save a PNG of the page."""
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        try:
            if hasattr(self, "ws"):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            shutil.rmtree(self.profile, ignore_errors=True)
