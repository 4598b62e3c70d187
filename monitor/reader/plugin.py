"""The noticewatch Datasette plugin: our pages, read-only connections, and the security headers.

Registered once in Datasette's plugin manager (`register`); the hooks act only on a Datasette that
carries a `noticewatch_reader` (`pages.Reader`, set by server.build_datasette before Datasette builds
its app), so several instances (tests) can live in one process and plain Datasettes are left alone.

- register_routes: the pages of monitor/reader/pages.py, ahead of Datasette's own routes.
- prepare_connection: `PRAGMA query_only` on every connection, on top of the `mode=ro` URI.
- asgi_wrapper: only GET and HEAD reach Datasette (no form, login or write endpoint answers), and
  every response carries a Content-Security-Policy (no inline or foreign script: a portal's script
  copied into a notice can never run), nosniff, no-referrer and no framing.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

from monitor.reader.pages import DB_NAME, Reader, routes

PLUGIN_NAME = "noticewatch"
# Datasette's own pages load their scripts from /-/static/; inline ones are refused (they degrade:
# the table pages lose their column menus, nothing else).
DEFAULT_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
ALLOWED_METHODS = frozenset({"GET", "HEAD"})

Asgi = Callable[[dict[str, Any], Callable[[], Awaitable[Any]], Callable[[dict[str, Any]], Awaitable[None]]],
                Awaitable[None]]


def register() -> None:
    """Put this module in Datasette's plugin manager (once per process)."""
    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name=PLUGIN_NAME)
    # Datasette's default error handler dumps every exception — a 404 included — with its locals to
    # the console when rich is importable (it is: our CLI uses it): forty lines per missing page.
    # Without it, client errors print nothing and server errors a plain traceback.
    import datasette.handle_exception

    datasette.handle_exception.rich = None


def reader_of(datasette: Any) -> Reader | None:
    reader = getattr(datasette, "noticewatch_reader", None)
    return reader if isinstance(reader, Reader) else None


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    reader = reader_of(datasette)
    return routes(reader) if reader is not None else []


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    if reader_of(datasette) is not None and database == DB_NAME:  # Datasette's own in-memory catalogue stays writable
        conn.execute("pragma query_only = 1")


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Asgi], Asgi] | None:
    if reader_of(datasette) is None:
        return None
    return guard


def guard(app: Asgi) -> Asgi:
    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope.get("method", "GET").upper() not in ALLOWED_METHODS:
            await _refuse(send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {bytes(name).lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", DEFAULT_CSP.encode()))
                headers += [h for h in HEADERS if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return guarded


async def _refuse(send: Any) -> None:
    body = b"the noticewatch reader is read-only: only GET and HEAD are answered\n"
    await send({"type": "http.response.start", "status": 405, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD"),
        (b"content-security-policy", DEFAULT_CSP.encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})
