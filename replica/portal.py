"""Routing: a request path → a `Response`, rendered from the sites as they are right now.

Pure apart from the random view counter, and independent of HTTP, so routes can be tested (and
faults composed) without a socket. The server in replica/server.py is only transport.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus

from replica import themes
from replica.model import Site

HTML = "text/html; charset=utf-8"
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"

# A minimal valid PDF, for the attachment links in the chrome (a crawler must not parse it).
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
_LIST_PAGE = re.compile(r"(?:index(?:_(\d+))?\.html)?")
_DETAIL_PAGE = re.compile(r"content/post_(\d+)\.html")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()


class Portal:
    """One host's pages: home, robots.txt, static pages, and each site's lists and details."""

    def __init__(self, sites: Sequence[Site], site_name: str | None = None) -> None:
        columns = [s.column for s in sites]
        if len(set(columns)) != len(columns):
            raise ValueError(f"replica: two sites share a column: {columns}")
        self.sites = list(sites)
        self.site_name = site_name or (sites[0].site_name if sites else "replica")

    def respond(self, path: str, base_url: str) -> Response:
        """The page at `path` (no query string); `base_url` is how the client reached us."""
        if path == "/robots.txt":
            return Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        if path in ("/", "/index.html"):
            return self._html(themes.render_home(self.sites, self.site_name, base_url))
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
        site = self._site_for(path)
        if site is not None:
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
        matching = [s for s in self.sites if path.startswith(s.column)]
        return max(matching, key=lambda s: len(s.column), default=None)

    def _site_page(self, site: Site, rest: str, base_url: str) -> Response | None:
        if m := _LIST_PAGE.fullmatch(rest):
            page = int(m.group(1) or 1)
            # NFCMS numbers the second page index_2.html; index_1.html and pages past the end 404.
            if m.group(1) == "1" or page > site.page_count():
                return None
            return self._html(themes.render_list(site, page, self.sites, base_url))
        if m := _DETAIL_PAGE.fullmatch(rest):
            notice = site.find(int(m.group(1)))
            if notice is None:
                return None
            views = random.randint(100, 5000)  # page chrome: differs on every request
            return self._html(themes.render_detail(site, notice, self.sites, views))
        return None

    @staticmethod
    def _html(page: str) -> Response:
        return Response(200, page.encode("utf-8"))
