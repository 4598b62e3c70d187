"""Founder (方正) e-paper: Macao Daily's layout, in traditional script.

An edition is `/html/YYYY-MM/DD/`; its pages (版) are `node_2.htm` (A01), `node_3.htm` … linked
from every page by `<a id="pageLink">`; each page lists its articles (`content_{id}.htm`, same
directory) in `#main-ed-articlenav-list` and an image map. An article has its title in
`<founder-title>` and its text in `#ozoom` `<founder-content>`; the date is only in the URL.
Editions are the posts' publication dates; a date without posts has no edition (404).

Site options: `pages` (pages per edition, default 3). Posts are spread over an edition's pages in
order. Notices are converted to traditional script by `traditional_notice` (replica/sites.py).
"""

from __future__ import annotations

import re
from html import escape

from replica.model import ReplicaNotice, Site
from replica.portal import Portal
from replica.response import Response
from replica.schemes import KindRequest, detail_answer, page_response

_PAGE = re.compile(r"/html/(\d{4})-(\d{2})/(\d{2})/node_(\d+)\.htm")
_ARTICLE = re.compile(r"/html/(\d{4})-(\d{2})/(\d{2})/content_(\d+)\.htm")
_SECTIONS = ("要聞", "澳聞", "粵港澳", "中國新聞", "國際新聞", "體育")
FIRST_NODE = 2


def edition_dir(day: str) -> str:
    return f"/html/{day[:7]}/{day[8:10]}/"


class EpaperScheme:
    def list_url(self, site: Site, page: int) -> str:
        """Page 1 of the newest edition (page N: the N-th page of it)."""
        days = editions(site)
        return f"{edition_dir(days[0])}node_{FIRST_NODE + page - 1}.htm" if days else "/html/"

    def detail_url(self, site: Site, notice: ReplicaNotice) -> str:
        return f"{edition_dir(notice.published_date)}content_{notice.post_id}.htm"

    def route(self, portal: Portal, site: Site, request: KindRequest) -> Response | None:
        if m := _PAGE.fullmatch(request.path):
            day = f"{m[1]}-{m[2]}-{m[3]}"
            pages = edition_pages(site, day)
            index = int(m[4]) - FIRST_NODE
            if not 0 <= index < len(pages):
                return portal.error(404)
            return page_response(site, render_page(site, day, index, pages))
        if m := _ARTICLE.fullmatch(request.path):
            post_id = int(m[4])
            notice = site.find(post_id)
            if notice is not None and self.detail_url(site, notice) != request.path:
                return portal.error(404)
            render = lambda n, views: page_response(site, render_article(site, n))  # noqa: E731
            return detail_answer(portal, site, post_id, render, request.base_url)
        return None


SCHEME = EpaperScheme()


def editions(site: Site) -> list[str]:
    """Edition dates, newest first."""
    return sorted({n.published_date for n in site.notices}, reverse=True)


def edition_pages(site: Site, day: str) -> list[list[ReplicaNotice]]:
    """The posts of the edition of `day`, page by page (`pages` pages, the last ones maybe empty)."""
    posts = sorted((n for n in site.notices if n.published_date == day), key=lambda n: n.post_id)
    if not posts:
        return []
    count = int(site.options.get("pages", 3))
    return [posts[i::count] for i in range(count)]


def _chrome(site: Site, day: str, title: str, main: str) -> str:
    y, m, d = day.split("-")
    return (
        '<HTML>\n<HEAD>\n<META http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<TITLE>{escape(title)}</TITLE>\n"
        '<script language="javascript" src="../../../script/common.js"></script>\n</HEAD>\n<BODY>\n'
        f'<TABLE class="header"><TR><TD><A href="../../../node_1.htm">{escape(site.site_name)}</A> '
        f"{int(y)}年{int(m)}月{int(d)}日</TD><TD>"
        '<A href="../../../index.htm">往期回顧</A></TD></TR></TABLE>\n'
        f"{main}"
        f'<TABLE class="footer"><TR><TD>版權所有 {escape(site.site_name)} 不得轉載</TD></TR></TABLE>\n'
        "</BODY>\n</HTML>\n"
    )


def _page_links(pages: list[list[ReplicaNotice]]) -> str:
    links = "".join(
        f'<TR><TD class="pagelist"><A id="pageLink" href="node_{FIRST_NODE + i}.htm">'
        f"第A{i + 1:02d}版:{_SECTIONS[i % len(_SECTIONS)]}</A></TD></TR>\n"
        for i in range(len(pages))
    )
    return f'<TABLE width="100%" class="pages">\n{links}</TABLE>\n'


def render_page(site: Site, day: str, index: int, pages: list[list[ReplicaNotice]]) -> str:
    posts = pages[index]
    nav = "".join(
        f'<LI><A href="content_{n.post_id}.htm"><DIV style="display:inline" id="mp{n.post_id}">'
        f"{escape(n.title)}</DIV></A></LI>\n"
        for n in posts
    )
    areas = "".join(
        f'<AREA shape="polygon" coords="10,{20 + 90 * i},480,{20 + 90 * i},480,{100 + 90 * i}" '
        f'href="content_{n.post_id}.htm">\n'
        for i, n in enumerate(posts)
    )
    main = (
        _page_links(pages)
        + f'<IMG src="../../../page/{day[:7]}/{day[8:10]}/A{index + 1:02d}/res.jpg" usemap="#PagePicMap">\n'
        + f'<MAP name="PagePicMap">\n{areas}</MAP>\n'
        + f'<DIV id="main-ed-articlenav-list"><UL>\n{nav}</UL></DIV>\n'
    )
    return _chrome(site, day, f"{site.site_name}電子版", main)


def render_article(site: Site, notice: ReplicaNotice) -> str:
    paragraphs = "\n".join(f"<P>\u3000\u3000{escape(p)}</P>" for p in notice.paragraphs)
    main = (
        '<TABLE width="100%"><TR><TD align="center">\n'
        f"<founder-title>{escape(notice.title)}</founder-title>\n<founder-subtitle></founder-subtitle>\n"
        f"<founder-author>{escape(notice.source_name)}</founder-author>\n"
        "</TD></TR>\n<TR><TD>\n"
        f'<DIV id="ozoom"><founder-content>\n{paragraphs}\n</founder-content></DIV>\n'
        '</TD></TR></TABLE>\n<TABLE><TR><TD><A href="javascript:history.back()">返回</A></TD></TR></TABLE>\n'
    )
    return _chrome(site, notice.published_date, f"{site.site_name}電子版", main)
