"""NFCMS page rendering: shared page chrome plus per-site list/detail themes.

Real Guangdong 集约化 (NFCMS) sites share URL scheme and meta tags but differ in markup; a crawler
must find detail links by URL pattern, not by one theme's CSS (DESIGN.md, "Facts about the real
portals"). So the chrome here is deliberately noisy: navigation to other columns and static pages,
a pagination bar, an attachment PDF, `javascript:` links, off-site links, a robots-disallowed
/private/ link, and a mix of absolute URLs, absolute paths and relative hrefs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from replica.model import ReplicaNotice, Site

INDENT = "\u3000\u3000"  # the two full-width spaces NFCMS bodies start paragraphs with
ATTACHMENT_PATH = "/attachment/0/512/512345/4512345.pdf"
PRIVATE_PATH = "/private/index.html"
OFFSITE_LINKS = (
    ("https://www.ccdi.gov.cn/", "中央纪委国家监委网站"),
    ("http://www.gd.gov.cn/", "广东省人民政府"),
    ("https://www.12388.gov.cn/", "12388举报网站"),
)
STATIC_PAGES = {
    "/gywm/index.html": ("关于我们", "本网站由主办单位建设维护。联系我们:请通过页面底部的联系方式。"),
    "/wzdt/index.html": ("网站地图", ""),  # the map lists the columns, filled in at render time
}

# Signature and date lines are right-aligned on real pages, not indented.
_SIGNATURE = re.compile(r"^(中共\S{2,30}|\S{4,12}年\S{1,3}月\S{1,4}日)$")


@dataclass(frozen=True)
class Theme:
    name: str
    render_items: Callable[[Site, Sequence[ReplicaNotice], str], str]
    body_open: str  # the element wrapping the article body
    body_close: str
    label_colon: str  # half- or full-width colon after 来源/日期 — sites differ
    position_label: str  # "所在位置" vs "当前位置"


def _wendang_items(site: Site, notices: Sequence[ReplicaNotice], base_url: str) -> str:
    # 南粤清风网 writes full absolute URLs (scheme and host) into its lists.
    rows = "".join(
        f'<li><a href="{escape(base_url + site.detail_url(n.post_id))}" target="_blank" '
        f'title="{escape(n.title)}">{escape(n.title)}</a><strong>{n.published_date}</strong></li>\n'
        for n in notices
    )
    return f'<div class="wendangListC">\n<ul>\n{rows}</ul>\n</div>'


def _list_items(site: Site, notices: Sequence[ReplicaNotice], base_url: str) -> str:
    # Municipal sites write hrefs relative to the list page.
    rows = "".join(
        f'<li><a href="content/post_{n.post_id}.html" target="_blank">{escape(n.title)}</a>'
        f"<span>{n.published_date}</span></li>\n"
        for n in notices
    )
    return f'<ul class="list">\n{rows}</ul>'


THEMES: dict[str, Theme] = {
    "wendang": Theme("wendang", _wendang_items, '<div id="zoomcon">', "</div>", ":", "所在位置"),
    "list": Theme("list", _list_items, '<div class="article-content">', "</div>", "\uff1a", "当前位置"),
}


def theme_of(site: Site) -> Theme:
    try:
        return THEMES[site.theme]
    except KeyError:
        raise ValueError(
            f"site {site.id}: unknown theme {site.theme!r} (valid: {', '.join(THEMES)})"
        ) from None


def _head(title: str, meta: dict[str, str] | None = None) -> str:
    tags = "".join(f'<meta name="{escape(k)}" content="{escape(v)}">\n' for k, v in (meta or {}).items())
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"{tags}<title>{escape(title)}</title>\n"
        '<link rel="stylesheet" href="/css/common.css">\n'
        '<script src="/js/common.js"></script>\n</head>\n<body>\n'
    )


def _header(site_name: str, sites: Sequence[Site], current: Site | None) -> str:
    links = ['<li><a href="/">首页</a></li>']
    for i, s in enumerate(sites):
        # Mixed on purpose: a column's directory path in some links, its index.html in others.
        href = s.column if i % 2 == 0 else s.list_url(1)
        cls = ' class="on"' if s is current else ""
        links.append(f'<li{cls}><a href="{escape(href)}">{escape(s.column_name)}</a></li>')
    links += [
        '<li><a href="/gywm/index.html">关于我们</a></li>',
        '<li><a href="javascript:void(0)" onclick="toggleAccessibility()">无障碍浏览</a></li>',
        f'<li><a href="{OFFSITE_LINKS[0][0]}" target="_blank">{OFFSITE_LINKS[0][1]}</a></li>',
    ]
    return (
        '<div class="header">\n'
        f'<div class="logo"><a href="/"><img src="/images/logo.png" alt="{escape(site_name)}">'
        f"</a></div>\n"
        '<div class="search"><form action="javascript:void(0)"><input type="text" name="q">'
        "<button>搜索</button></form></div>\n"
        f'<ul class="nav">\n{chr(10).join(links)}\n</ul>\n</div>\n'
    )


def _footer(site_name: str) -> str:
    offsite = " | ".join(f'<a href="{u}" target="_blank">{escape(t)}</a>' for u, t in OFFSITE_LINKS)
    return (
        '<div class="footer">\n'
        '<p><a href="/wzdt/index.html">网站地图</a> | <a href="/gywm/index.html">联系我们</a> | '
        f'<a href="{PRIVATE_PATH}">内部办公</a></p>\n'
        f"<p>相关链接:{offsite}</p>\n"
        f"<p>主办单位:{escape(site_name)} 粤ICP备05012345号 粤公网安备44010402000123号</p>\n"
        "</div>\n</body>\n</html>\n"
    )


def _position(site: Site, theme: Theme, *, detail: bool) -> str:
    # From a detail page (…/content/post_N.html) the column is one directory up.
    column_href = "../index.html" if detail else site.list_url(1)
    parts = ['<a href="/">首页</a>']
    if site.parent_name:
        parts.append(f'<a href="{escape(site.column)}">{escape(site.parent_name)}</a>')
    parts.append(f'<a href="{escape(column_href)}">{escape(site.column_name)}</a>')
    if detail:
        parts.append("正文")
    trail = " &gt; ".join(parts)
    return f'<div class="position">{theme.position_label}{theme.label_colon}{trail}</div>\n'


def _pagination(page: int, pages: int, total: int) -> str:
    def href(n: int) -> str:
        return "index.html" if n == 1 else f"index_{n}.html"

    parts = [f'<a href="{href(1)}" class="first">首页</a>']
    prev_href = href(page - 1) if page > 1 else "javascript:void(0)"
    parts.append(f'<a href="{prev_href}" class="prev">上一页</a>')
    for n in range(1, pages + 1):
        if n == page:
            parts.append(f'<span class="current">{n}</span>')
        else:
            parts.append(f'<a href="{href(n)}">{n}</a>')
    next_href = href(page + 1) if page < pages else "javascript:void(0)"
    parts.append(f'<a href="{next_href}" class="next">下一页</a>')
    parts.append(f'<a href="{href(pages)}" class="last">尾页</a>')
    parts.append(f"<span>共{total}条 {pages}页</span>")
    return '<div class="pagination">\n' + "\n".join(parts) + "\n</div>\n"


def render_list(site: Site, page: int, sites: Sequence[Site], base_url: str) -> str:
    """List page `page` (1-based) of a site's column; the caller checks the page exists."""
    theme = theme_of(site)
    notices = site.newest_first()
    shown = notices[(page - 1) * site.per_page : page * site.per_page]
    return (
        _head(
            f"{site.column_name}_{site.site_name}",
            {"SiteName": site.site_name, "ColumnName": site.column_name},
        )
        + _header(site.site_name, sites, site)
        + '<div class="main">\n'
        + _position(site, theme, detail=False)
        + f'<div class="column-title"><h2>{escape(site.column_name)}</h2></div>\n'
        + theme.render_items(site, shown, base_url)
        + "\n"
        + _pagination(page, site.page_count(), len(notices))
        + '<div class="sidebar"><h3>相关文件</h3><ul>'
        f'<li><a href="{ATTACHMENT_PATH}">中国共产党巡视工作条例.pdf</a></li></ul></div>\n'
        + "</div>\n"
        + _footer(site.site_name)
    )


def _paragraph(text: str) -> str:
    if _SIGNATURE.match(text):
        return f'<p style="text-align: right;">{escape(text)}</p>'
    return f"<p>{INDENT}{escape(text)}</p>"


def render_detail(site: Site, notice: ReplicaNotice, sites: Sequence[Site], views: int) -> str:
    """A notice's detail page: NFCMS meta tags, header lines, chrome, then the body."""
    theme = theme_of(site)
    c = theme.label_colon
    meta = {
        "SiteName": site.site_name,
        "ColumnName": site.column_name,
        "ArticleTitle": notice.title,
        "PubDate": notice.published_minute,
        "ContentSource": notice.source_name,
        "Keywords": "巡视整改" if "巡视" in notice.title else "巡察整改",
        "Description": (notice.paragraphs[0][:80] if notice.paragraphs else notice.title),
    }
    body = "\n".join(_paragraph(p) for p in notice.paragraphs)
    return (
        _head(f"{notice.title}_{site.site_name}", meta)
        + _header(site.site_name, sites, site)
        + '<div class="main">\n'
        + _position(site, theme, detail=True)
        + '<div class="article">\n'
        + f"<h1>{escape(notice.title)}</h1>\n"
        + f'<div class="info"><span>来源{c}{escape(notice.source_name)}</span> '
        f"<span>日期{c}{notice.published}</span> "
        '<a href="javascript:window.print()">【打印】</a></div>\n'
        + f'<div class="count">浏览次数{c}<span id="hits">{views}</span></div>\n'
        + '<div class="share">扫一扫,分享到微信朋友圈<img src="/images/qrcode.png" alt=""></div>\n'
        + f"{theme.body_open}\n{body}\n{theme.body_close}\n"
        + f'<div class="attachment">相关附件:<a href="{ATTACHMENT_PATH}">附件.pdf</a></div>\n'
        + "</div>\n</div>\n"
        + _footer(site.site_name)
    )


def render_home(sites: Sequence[Site], site_name: str, base_url: str) -> str:
    blocks = []
    for site in sites:
        latest = site.newest_first()[:5]
        items = theme_of(site).render_items(site, latest, base_url)
        blocks.append(
            f'<div class="block"><h3><a href="{escape(site.list_url(1))}">'
            f"{escape(site.column_name)}</a></h3>\n{items}\n"
            f'<a class="more" href="{escape(site.column)}">更多&gt;&gt;</a></div>\n'
        )
    return (
        _head(site_name, {"SiteName": site_name})
        + _header(site_name, sites, None)
        + '<div class="main">\n'
        + "".join(blocks)
        + "</div>\n"
        + _footer(site_name)
    )


def render_page(title: str, text: str, sites: Sequence[Site], site_name: str) -> str:
    """A plain chrome-wrapped page: static pages, the private page, error pages."""
    return (
        _head(f"{title}_{site_name}")
        + _header(site_name, sites, None)
        + f'<div class="main">\n<h2>{escape(title)}</h2>\n<p>{escape(text)}</p>\n</div>\n'
        + _footer(site_name)
    )


def render_sitemap(sites: Sequence[Site], site_name: str) -> str:
    items = "".join(f'<li><a href="{escape(s.list_url(1))}">{escape(s.column_name)}</a></li>' for s in sites)
    return (
        _head(f"网站地图_{site_name}")
        + _header(site_name, sites, None)
        + f'<div class="main">\n<h2>网站地图</h2>\n<ul class="sitemap">{items}</ul>\n</div>\n'
        + _footer(site_name)
    )
