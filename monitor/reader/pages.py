"""The reader's own pages, as Datasette route handlers: front, notice, search, sources.

Each handler reads through `queries` on Datasette's read-only connection and renders a template of
monitor/reader/templates/. Everything scraped (titles, bodies, contacts, URLs) reaches the page
through Jinja's autoescaping only — no `|safe`, no markup built from scraped text — and links to the
original page are offered only for http(s) addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from datasette.utils.asgi import NotFound, Response

from crawler.notice import NOTICE_FIELDS
from monitor.changes import BodyDiff
from monitor.digest.words import field_label
from monitor.reader import queries

DB_NAME = "noticewatch"
# Our pages run no script at all; Datasette's own pages get theirs (security.py).
PAGE_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
DIFF_CONTEXT = 60  # unchanged characters kept on each side of a change
SHOWN_FIELDS = tuple(f for f in NOTICE_FIELDS if f not in ("body_text", "url"))
STORE_FIELDS = ("status", "first_seen", "last_seen", "last_checked", "last_listed", "removed_at",
                "consecutive_failures", "last_failure", "version_count", "list_title", "list_date")


@dataclass(frozen=True)
class Reader:
    """What the handlers need besides the request: the day in China (a callable, so tests can fix it)."""

    today: Callable[[], date]


def routes(reader: Reader) -> list[tuple[str, Callable[..., Any]]]:
    """Datasette `register_routes` entries: (path regex, async handler)."""

    async def front(datasette: Any, request: Any) -> Response:
        page = await _read(datasette, lambda conn: queries.front_page(conn, reader.today()))
        return await _render(datasette, request, "nw_front.html", {"page": page, "today": reader.today()})

    async def notice(datasette: Any, request: Any) -> Response:
        notice_id = int(request.url_vars["id"])
        page = await _read(datasette, lambda conn: queries.notice_page(conn, notice_id, reader.today()))
        if page is None:
            raise NotFound(f"no notice {notice_id}")
        return await _render(datasette, request, "nw_notice.html", {
            "page": page, "today": reader.today(), "fields": _fields(page), "store_fields": _store_fields(page),
            "original": safe_link(page.listed.stored.notice.url),
            "versions": [(v, diff_segments(v.diff) if v.diff else ()) for v in reversed(page.versions)],
        })

    async def search(datasette: Any, request: Any) -> Response:
        query = (request.args.get("q") or "").strip()
        status = request.args.get("status") or ""
        if status not in ("", "active", "removed"):
            status = ""
        found = await _read(datasette, lambda conn: queries.find(conn, query, reader.today(), status)) if query else ()
        return await _render(datasette, request, "nw_search.html", {"q": query, "status": status, "found": found})

    async def sources(datasette: Any, request: Any) -> Response:
        listing = await _read(datasette, queries.sources)
        return await _render(datasette, request, "nw_sources.html", {"sources": listing})

    async def source(datasette: Any, request: Any) -> Response:
        source_id = request.url_vars["id"]
        page = await _read(datasette, lambda conn: queries.source_page(conn, source_id, reader.today()))
        if page is None:
            raise NotFound(f"no source {source_id}")
        return await _render(datasette, request, "nw_source.html", {"page": page})

    return [
        (r"^/$", front),
        (r"^/notices/(?P<id>\d{1,18})$", notice),
        (r"^/search$", search),
        (r"^/sources$", sources),
        (r"^/sources/(?P<id>[A-Za-z0-9_\-]{1,200})$", source),
    ]


def safe_link(url: str | None) -> str | None:
    """The URL if it is an http(s) address (a javascript: or data: 'original' is never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def diff_segments(diff: BodyDiff, context: int = DIFF_CONTEXT) -> tuple[tuple[str, str], ...]:
    """('same' | 'del' | 'ins' | 'gap', text): unchanged runs longer than 2×context shortened to
    their ends around a 'gap'; the whole text when nothing changed."""
    out: list[tuple[str, str]] = []
    last = len(diff.ops) - 1
    for index, (op, text) in enumerate(diff.ops):
        if op == -1:
            out.append(("del", text))
        elif op == 1:
            out.append(("ins", text))
        elif diff.changed and len(text) > 2 * context:
            head = text[:context] if index > 0 else ""
            tail = text[-context:] if index < last else ""
            if head:
                out.append(("same", head))
            out.append(("gap", f"{len(text) - len(head) - len(tail)} unchanged characters"))
            if tail:
                out.append(("same", tail))
        else:
            out.append(("same", text))
    return tuple(out)


def _fields(page: queries.NoticePage) -> list[tuple[str, str, Any]]:
    """(field name, label, value) for every notice field but the body."""
    data = page.listed.stored.notice.to_dict()
    return [(name, field_label(name), data[name]) for name in SHOWN_FIELDS]


def _store_fields(page: queries.NoticePage) -> list[tuple[str, Any]]:
    return [(name, page.row.get(name)) for name in STORE_FIELDS if name in page.row]


async def _read(datasette: Any, fn: Callable[[Any], Any]) -> Any:
    return await datasette.get_database(DB_NAME).execute_fn(fn)


async def _render(datasette: Any, request: Any, template: str, context: dict[str, Any]) -> Response:
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, headers={"Content-Security-Policy": PAGE_CSP})
