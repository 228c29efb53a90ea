"""The server's gate, in front of every route (a plain ASGI middleware).

* **host**: bound to loopback, only ``127.0.0.1``, ``localhost`` and ``[::1]`` are answered
  (a page of another site cannot reach the server through a name it controls);
* **token**: when the server has one (always when bound beyond loopback), every request
  carries it: the ``X-QPV-Token`` header, the ``qpv_token`` cookie, or ``?token=`` on the
  page itself (which then sets the cookie);
* **origin**: a request that changes or computes something (``POST``…) coming from a browser
  page must come from the server's own page (``Origin``, else ``Referer``);
* **size**: bodies larger than :data:`MAX_BODY` bytes are refused (413) before being read;
* **no traceback**: an unexpected error is answered with a French sentence and a 500 and
  logged without the request's body.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._errors import WebRequestError
from .._messages import LANGS, text

__all__ = ["LOOPBACK_HOSTS", "MAX_BODY", "Guard", "error_body", "request_lang"]

logger = logging.getLogger("qpv_radar.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Largest request body accepted, bytes.
MAX_BODY = 64 * 1024
#: Host names answered when bound to loopback.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE = "qpv_token"


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def request_lang(scope: Scope) -> str:
    """The language asked by ``?lang=`` or the ``X-QPV-Lang`` header (default French)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    lang = (query.get("lang") or [_headers(scope).get("x-qpv-lang", "fr")])[0]
    return lang if lang in LANGS else "fr"


def error_body(message: str) -> bytes:
    """The JSON of an error answer: ``{"error": message}``."""
    return json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """Host, token, origin and size checks around ``app`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback_only: bool) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = request_lang(scope)
        try:
            set_cookie = self._check(scope)
        except WebRequestError as err:
            await self._answer(send, err.status, err.message(lang))
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += _security_headers()
                if set_cookie:
                    cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, _limited(receive), sending)
        except Exception:  # never a traceback to the page; the body is not logged
            logger.exception("error answering %s %s", scope["method"], scope["path"])
            if not started:
                await self._answer(send, 500, text("web.error.internal", lang))

    def _check(self, scope: Scope) -> bool:
        """Raise for a refused request; whether the answer sets the token cookie."""
        headers = _headers(scope)
        host = headers.get("host", "")
        if self.loopback_only and _hostname(host) not in LOOPBACK_HOSTS:
            raise WebRequestError("web.error.host", status=400, host=host[:80])
        set_cookie = False
        if self.token is not None:
            cookie = SimpleCookie()
            cookie.load(headers.get("cookie", ""))
            given = headers.get("x-qpv-token") or (cookie[COOKIE].value if COOKIE in cookie else "")
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if not given and scope["method"] == "GET" and query.get("token"):
                given, set_cookie = query["token"][0], True
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                raise WebRequestError("web.error.token", status=401)
        if scope["method"] not in _SAFE:
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                raise WebRequestError("web.error.too_large", status=413, size=length[:20],
                                      limit=MAX_BODY)  # fmt: skip
            _check_origin(headers, scope)
        return set_cookie

    @staticmethod
    async def _answer(send: Send, status: int, message: str) -> None:
        body = error_body(message)
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *_security_headers(),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _check_origin(headers: dict[str, str], scope: Scope) -> None:
    """A browser's state-changing request must come from this server's own page."""
    own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
    origin = headers.get("origin")
    if origin is not None:
        if origin != own:
            raise WebRequestError("web.error.origin", status=403, origin=origin[:80])
        return
    referer = headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        if f"{parts.scheme}://{parts.netloc}" != own:
            raise WebRequestError("web.error.origin", status=403, origin=referer[:80])


def _limited(receive: Receive) -> Receive:
    """``receive`` that stops a body growing past :data:`MAX_BODY` (chunked uploads)."""
    seen = 0

    async def inner() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise WebRequestError("web.error.too_large", status=413, size=f"> {seen}",
                                      limit=MAX_BODY)  # fmt: skip
        return message

    return inner


def _security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cache-control", b"no-store"),
    ]
