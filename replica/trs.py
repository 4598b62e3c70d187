"""TRS WCM sites (ccdi.gov.cn and many provincial/municipal portals).

Lists are `{col}index.html`, then `index_1.html` for page 2, `index_2.html` for page 3 … (404 past
the end); the page count is in a `createPageHTML(count, current, "index", "html")` script call.
Details are `{col}YYYYMM/tYYYYMMDD_{id}.html`, linked relatively (`./202409/t20240926_1.html`).
The body sits in `div.TRS_Editor`.

Themes (`Site.theme`):
- "ccdi": 中央纪委国家监委网站 — title in `h2.tit`, 来源/发布时间 in `div.daty_con em`, no meta tags.
- "gb2312": a municipal TRS site served in GBK with `<meta charset=gb2312>` and a bare
  `Content-Type: text/html`; title in `div.title`, "发布日期:… 来源:…" line, meta tags.
"""

from __future__ import annotations

import re
from html import escape

from replica.model import ReplicaNotice, Site
from replica.portal import Portal
from replica.response import Response
from replica.schemes import KindRequest, detail_answer, page_response
from replica.themes import INDENT

_LIST = re.compile(r"index(?:_(\d+))?\.html")
_DETAIL = re.compile(r"(\d{6})/t(\d{8})_(\d+)\.html")


def _charset(site: Site) -> str:
    return "utf-8" if site.encoding.lower() in ("utf-8", "utf8") else "gb2312"


class TrsScheme:
    def list_url(self, site: Site, page: int) -> str:
        return f"{site.column}index.html" if page == 1 else f"{site.column}index_{page - 1}.html"

    def detail_url(self, site: Site, notice: ReplicaNotice) -> str:
        day = notice.published_date.replace("-", "")
        return f"{site.column}{day[:6]}/t{day}_{notice.post_id}.html"

    def route(self, portal: Portal, site: Site, request: KindRequest) -> Response | None:
        if not request.path.startswith(site.column):
            return None
        rest = request.path[len(site.column) :]
        if rest == "" or (m := _LIST.fullmatch(rest)):
            page = 1 if rest == "" else int(m.group(1) or 0) + 1  # index_1.html is page 2
            if page > site.page_count():
                return portal.error(404)
            return page_response(site, render_list(site, page))
        if m := _DETAIL.fullmatch(rest):
            post_id = int(m.group(3))
            notice = site.find(post_id)
            if notice is not None and self.detail_url(site, notice) != request.path:
                return portal.error(404)
            render = lambda n, views: page_response(site, render_detail(site, n, views))  # noqa: E731
            return detail_answer(portal, site, post_id, render, request.base_url)
        return None


SCHEME = TrsScheme()


def _head(site: Site, title: str, meta: dict[str, str]) -> str:
    tags = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html>\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={_charset(site)}">\n'
        f"{tags}<title>{escape(title)}</title>\n"
        '<script type="text/javascript" src="/images/jquery.min.js"></script>\n</head>\n<body>\n'
    )


def _nav(site: Site) -> str:
    return (
        '<div class="top"><div class="logo"><a href="/">'
        f'<img src="/images/logo.png" alt="{escape(site.site_name)}"></a></div>\n'
        '<ul class="menu"><li><a href="/">首页</a></li>'
        f'<li><a href="{escape(site.column)}">{escape(site.column_name)}</a></li>'
        '<li><a href="/xxgk/">信息公开</a></li><li><a href="/hdjl/">互动交流</a></li>'
        '<li><a href="https://www.12388.gov.cn/" target="_blank">举报网站</a></li></ul></div>\n'
    )


def _footer(site: Site) -> str:
    return (
        '<div class="footer"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>\n'
        f"<p>版权所有:{escape(site.site_name)} 京ICP备10023095号-1</p></div>\n"
        '<script type="text/javascript">var _trs_uv = "";</script>\n</body>\n</html>\n'
    )


def _position(site: Site, detail: bool) -> str:
    here = " &gt; <span>正文</span>" if detail else ""
    up = "../" if detail else "./"
    return (
        '<div class="position">当前位置:<a href="/">首页</a> &gt; '
        f'<a href="{up}">{escape(site.column_name)}</a>{here}</div>\n'
    )


def render_list(site: Site, page: int) -> str:
    notices = site.newest_first()[(page - 1) * site.per_page : page * site.per_page]
    rows = "".join(
        f'<li><a href="./{SCHEME.detail_url(site, n)[len(site.column) :]}" target="_blank" '
        f'title="{escape(n.title)}">{escape(n.title)}</a><span class="more">{n.published_date}</span></li>\n'
        for n in notices
    )
    box = "list_news_dl2 fixed" if site.theme == "ccdi" else "list"
    return (
        _head(site, f"{site.column_name}_{site.site_name}", {})
        + _nav(site)
        + '<div class="other_center fixed">\n'
        + _position(site, detail=False)
        + f'<div class="list_tit">{escape(site.column_name)}</div>\n'
        + f'<ul class="{box}">\n{rows}</ul>\n'
        # TRS paging: the script writes the links; page numbers are 0-based here.
        + '<div class="page"><script type="text/javascript">'
        f'createPageHTML({site.page_count()}, {page - 1}, "index", "html");</script></div>\n'
        + "</div>\n"
        + _footer(site)
    )


def _paragraphs(notice: ReplicaNotice) -> str:
    return "\n".join(f'<p style="text-indent: 2em;">{INDENT}{escape(p)}</p>' for p in notice.paragraphs)


def render_detail(site: Site, notice: ReplicaNotice, views: int) -> str:
    body = f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{_paragraphs(notice)}\n</div></div>'
    if site.theme == "ccdi":
        head = _head(site, f"{notice.title}_{site.site_name}", {})
        article = (
            f'<h2 class="tit">{escape(notice.title)}</h2>\n'
            '<div class="daty"><div class="daty_con">'
            f'<em class="e e1">来源:{escape(notice.source_name)}</em>'
            f'<em class="e e2">发布时间:{notice.published_minute}</em></div>'
            '<div class="daty_r"><span>【字号 <a href="javascript:;">大</a> <a href="javascript:;">中</a> '
            '<a href="javascript:;">小</a>】</span><a href="javascript:window.print();">【打印】</a></div></div>\n'
            f'<div class="content_text">{body}</div>\n'
            '<div class="fenxiang">分享到:<a class="wx" href="javascript:;">微信</a></div>\n'
        )
    else:
        head = _head(
            site,
            f"{notice.title}",
            {
                "ArticleTitle": notice.title,
                "ContentSource": notice.source_name,
                "ColumnName": site.column_name,
            },
        )
        article = (
            f'<div class="title">{escape(notice.title)}</div>\n'
            f'<div class="info">发布日期:{notice.published_date}&nbsp;&nbsp;来源:{escape(notice.source_name)}'
            f'&nbsp;&nbsp;浏览次数:<span id="hits">{notice.presentation.views_base + views}</span></div>\n'
            f"{body}\n"
        )
    return (
        head
        + _nav(site)
        + '<div class="content">\n'
        + _position(site, detail=True)
        + article
        + '<div class="related"><a href="../">返回列表</a></div>\n</div>\n'
        + _footer(site)
    )
