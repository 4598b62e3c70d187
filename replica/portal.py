"""Routing: a request path → a `Response`, rendered from the sites as they are right now.

Pure apart from the view counters, and independent of HTTP, so routes can be tested (and faults
composed) without a socket. The server in replica/server.py is only transport. List and detail
pages carry `ETag` and `Last-Modified` (replica/validators.py); a post's `detail_faults` entry
(a redirect, a challenge page) answers instead of its page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from http import HTTPStatus

from replica import themes
from replica.model import ReplicaNotice, Site
from replica.response import HTML, Response
from replica.validators import with_validators

__all__ = ["HTML", "ROBOTS_TXT", "Portal", "Response"]

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"

# A minimal valid PDF, for the attachment links in the chrome (a crawler must not parse it).
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
_LIST_PAGE = re.compile(r"(?:index(?:_(\d+))?\.html)?")
_DETAIL_PAGE = re.compile(r"content/post_(\d+)\.html")


def detail_etag_basis(site: Site, notice: ReplicaNotice) -> str:
    """What a detail page's ETag hashes: the post's content and dressing and the theme — not the
    per-request chrome (view counter) nor what neighbouring posts put on the page."""
    return repr(
        (
            site.theme,
            site.detail_url(notice.post_id),
            notice.title,
            notice.published,
            notice.source_name,
            notice.paragraphs,
            notice.presentation,
        )
    )


class Portal:
    """One host's pages: home, robots.txt, static pages, and each site's lists and details."""

    def __init__(self, sites: Sequence[Site], site_name: str | None = None) -> None:
        columns = [s.column for s in sites]
        if len(set(columns)) != len(columns):
            raise ValueError(f"replica: two sites share a column: {columns}")
        self.sites = list(sites)
        self.site_name = site_name or (sites[0].site_name if sites else "replica")
        self._hits: dict[tuple[str, int], int] = {}  # view counters, by (column, post id)
        self._hits_lock = threading.Lock()

    def respond(
        self, path: str, base_url: str, method: str = "GET", query: str = "", body: bytes = b""
    ) -> Response:
        """The page at `path`; `base_url` is how the client reached us. Non-NFCMS kinds
        (replica/schemes.py) also see the method, the query string and a POSTed form."""
        if path != "/robots.txt":
            for site in self.sites:
                if site.kind == "nfcms":
                    continue
                from replica.schemes import KindRequest, scheme_for

                request = KindRequest.of(method, path, query, body, base_url)
                answer = scheme_for(site.kind).route(self, site, request)
                if answer is not None:
                    return answer
        if path == "/robots.txt":
            return Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        if path in ("/", "/index.html"):
            nfcms = [s for s in self.sites if s.kind == "nfcms"]
            return self._html(themes.render_home(nfcms, self.site_name, base_url))
        if path.startswith("/private/"):
            return self._html(
                themes.render_page("内部办公系统", "请登录后使用。", self.sites, self.site_name)
            )
        if path.startswith("/attachment/") and path.endswith(".pdf"):
            return Response(200, _PDF, "application/pdf")
        if path == "/wzdt/index.html":
            return self._html(themes.render_sitemap(self.sites, self.site_name))
        if path in themes.STATIC_PAGES:
            title, text = themes.STATIC_PAGES[path]
            return self._html(themes.render_page(title, text, self.sites, self.site_name))
        if path == "/css/common.css":
            return Response(200, b"body{margin:0}\n", "text/css")
        if path == "/js/common.js":
            return Response(200, b"function toggleAccessibility(){}\n", "application/javascript")
        if path.startswith("/postmeta/"):
            from replica import postmeta

            answer = postmeta.route(self.sites, path, base_url)
            return answer if answer is not None else self.error(404)
        site = self._site_for(path)
        if site is not None and not site.options.get("dead"):  # a dead column: linked, 404
            response = self._site_page(site, path[len(site.column) :], base_url)
            if response is not None:
                return response
        return self.error(404)

    def error(self, status: int) -> Response:
        """An HTML error page in the site's chrome, as NFCMS serves them."""
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        title = "页面不存在" if status == 404 else f"{status} {reason}".strip()
        text = "您访问的页面不存在或已被删除。" if status == 404 else "服务暂时不可用,请稍后再试。"
        page = themes.render_page(title, text, self.sites, self.site_name)
        return Response(status, page.encode("utf-8"))

    def _site_for(self, path: str) -> Site | None:
        # Longest column first, so /zhzf/xsxc/ wins over a site at /zhzf/.
        matching = [s for s in self.sites if s.kind == "nfcms" and path.startswith(s.column)]
        return max(matching, key=lambda s: len(s.column), default=None)

    def _site_page(self, site: Site, rest: str, base_url: str) -> Response | None:
        if m := _LIST_PAGE.fullmatch(rest):
            page = int(m.group(1) or 1)
            # NFCMS numbers the second page index_2.html; index_1.html and pages past the end 404.
            if m.group(1) == "1" or page > site.page_count():
                return None
            html = themes.render_list(site, page, self.sites, base_url)
            return with_validators(self._html(html), html, site.last_modified())
        if m := _DETAIL_PAGE.fullmatch(rest):
            post_id = int(m.group(1))
            fault = site.detail_faults.get(post_id)
            notice = site.find(post_id)
            if fault is not None:
                path = site.detail_url(post_id)
                return fault.apply(lambda: self._detail(site, post_id, base_url), self.error, path, base_url)
            if notice is None:
                return None
            return self._detail(site, post_id, base_url)
        return None

    def hit(self, site: Site, post_id: int) -> int:
        """Count one view of a post (page chrome: the counter differs on every request)."""
        with self._hits_lock:
            hits = self._hits[(site.column, post_id)] = self._hits.get((site.column, post_id), 0) + 1
        return hits

    def _detail(self, site: Site, post_id: int, base_url: str) -> Response:
        notice = site.find(post_id)
        if notice is None:
            return self.error(404)
        with self._hits_lock:  # page chrome: the counter differs on every request
            hits = self._hits[(site.column, post_id)] = self._hits.get((site.column, post_id), 0) + 1
        views = notice.presentation.views_base + hits
        html = themes.render_detail(site, notice, self.sites, views, base_url)
        return with_validators(self._html(html), detail_etag_basis(site, notice), notice.last_modified)

    @staticmethod
    def _html(page: str) -> Response:
        return Response(200, page.encode("utf-8"))
