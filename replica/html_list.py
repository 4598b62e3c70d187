"""A portal of no known CMS family: the `html_list` kind reads it with selectors from config.yaml.

List `/news/list.shtml`, further pages `/news/list.shtml?page=N` reached by a `a.next-page` link;
items `div.news-item` with the link in `h4 a` and the date in `span.pubdate` ("发布于 2024年09月26日");
a 热门文章 sidebar links posts too (not items). Details `/news/detail/{id}.shtml` with the body in
`div.article-body` and a sidebar denser in text than many bodies.
"""

from __future__ import annotations

import re
from html import escape

from replica.model import ReplicaNotice, Site
from replica.portal import Portal
from replica.response import Response
from replica.schemes import KindRequest, detail_answer, page_response
from replica.themes import INDENT

_DETAIL = re.compile(r"/news/detail/(\d+)\.shtml")
LIST = "/news/list.shtml"


class HtmlListScheme:
    def list_url(self, site: Site, page: int) -> str:
        return LIST if page == 1 else f"{LIST}?page={page}"

    def detail_url(self, site: Site, notice: ReplicaNotice) -> str:
        return f"/news/detail/{notice.post_id}.shtml"

    def route(self, portal: Portal, site: Site, request: KindRequest) -> Response | None:
        if request.path == LIST:
            try:
                page = int(request.query.get("page", "1"))
            except ValueError:
                page = 0
            if not 1 <= page <= site.page_count():
                return portal.error(404)
            return page_response(site, render_list(site, page))
        if m := _DETAIL.fullmatch(request.path):
            render = lambda n, views: page_response(site, render_detail(site, n))  # noqa: E731
            return detail_answer(portal, site, int(m[1]), render, request.base_url)
        return None


SCHEME = HtmlListScheme()


def _page(site: Site, title: str, main: str) -> str:
    hot = "".join(
        f'<li><a href="{SCHEME.detail_url(site, n)}">{escape(n.title)}</a></li>'
        for n in site.newest_first()[:3]
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n"
        f'<div class="site-top"><a href="/">{escape(site.site_name)}</a> <a href="{LIST}">{escape(site.column_name)}</a></div>\n'
        f'<div class="wrap">\n{main}\n<div class="side"><h3>热门文章</h3><ul>{hot}</ul></div>\n</div>\n'
        f'<div class="site-bottom">{escape(site.site_name)} 版权所有</div>\n</body>\n</html>\n'
    )


def render_list(site: Site, page: int) -> str:
    shown = site.newest_first()[(page - 1) * site.per_page : page * site.per_page]
    items = "".join(
        f'<div class="news-item"><h4><a href="{SCHEME.detail_url(site, n)}">{escape(n.title)}</a></h4>'
        f'<p class="summary">{escape(n.paragraphs[0][:40])}…</p>'
        f'<span class="pubdate">发布于 {n.published[:4]}年{n.published[5:7]}月{n.published[8:10]}日</span></div>\n'
        for n in shown
    )
    nxt = f'<a class="next-page" href="{LIST}?page={page + 1}">下一页</a>' if page < site.page_count() else ""
    main = f'<div class="news-list">\n{items}</div>\n<div class="pager">第{page}页 {nxt}</div>'
    return _page(site, f"{site.column_name}-{site.site_name}", main)


def render_detail(site: Site, notice: ReplicaNotice) -> str:
    paragraphs = "\n".join(f"<p>{INDENT}{escape(p)}</p>" for p in notice.paragraphs)
    main = (
        f'<div class="art"><h1 class="art-title">{escape(notice.title)}</h1>\n'
        f'<div class="art-meta">发布时间:{notice.published_minute} 来源:{escape(notice.source_name)}</div>\n'
        f'<div class="article-body">\n{paragraphs}\n</div></div>'
    )
    return _page(site, f"{notice.title}-{site.site_name}", main)
