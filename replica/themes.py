"""NFCMS page rendering: shared page chrome plus per-site list/detail themes.

Real Guangdong 集约化 (NFCMS) sites share URL scheme and meta tags but differ in markup; a crawler
must find detail links by URL pattern, not by one theme's CSS (docs/portals.md, "Facts about the real
portals"). So the chrome here is deliberately noisy: navigation to other columns and static pages,
a pagination bar, an attachment PDF, `javascript:` links, off-site links, a robots-disallowed
/private/ link, and a mix of absolute URLs, absolute paths and relative hrefs.

Themes (`THEMES`), each a variant met on real sites:

- "wendang" (南粤清风网): `div.wendangListC li`, absolute URLs, date in `<strong>`; body `#zoomcon`.
- "list" (municipal): `ul.list li`, relative hrefs, date in `<span>`; body `.article-content`.
- "news_list" (zhuhai.gov.cn family): date *before* the link in `span.time` with slashes, `./`
  hrefs; detail without any meta tag, title only in `.news_cont_d_title h3` and `<title>`, a
  "发布时间:… 来源:… 【字体:大 中 小】" line, body `.news_cont_d_wrap`.
- "table": `table.tab` rows, titles truncated with "…" (full in `title=`), a 热点推荐 sidebar
  linking another column's posts on the same host; detail with ArticleTitle but no PubDate, the
  date as "日期:2024年09月26日", body `.artContent`.
- "mobile": `div.item` with `a.title` + `p.date`, protocol-relative or absolute links; detail
  with ArticleTitle and PubDate, body `.article-content`, then a long 相关新闻 block and a wordy
  footer — more Chinese text outside the body than in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from replica.model import Presentation, ReplicaNotice, Site

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
# The NFCMS meta tags a detail page may carry, in page order; a theme may carry fewer.
NFCMS_META = ("SiteName", "ColumnName", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Description")

# Signature and date lines are right-aligned on real pages, not indented.
_SIGNATURE = re.compile(r"^(中共\S{2,30}|\S{4,12}年\S{1,3}月\S{1,4}日)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_TRUNCATE_AT = 20  # "table" lists cut titles to this many characters and add "…"


@dataclass(frozen=True)
class DetailPage:
    """What a detail page is rendered from; the argument of a theme's detail hooks."""

    site: Site
    notice: ReplicaNotice
    sites: Sequence[Site]
    views: int
    base_url: str
    label_colon: str


def _standard_heading(page: DetailPage) -> str:
    n, c = page.notice, page.label_colon
    return (
        f"<h1>{escape(n.title)}</h1>\n"
        f'<div class="info"><span>来源{c}{escape(n.source_name)}</span> '
        f"<span>日期{c}{n.published}</span> "
        '<a href="javascript:window.print()">【打印】</a></div>\n'
        f'<div class="count">浏览次数{c}<span id="hits">{page.views}</span></div>\n'
        '<div class="share">扫一扫,分享到微信朋友圈<img src="/images/qrcode.png" alt=""></div>\n'
    )


def _attachment(page: DetailPage) -> str:
    return f'<div class="attachment">相关附件:<a href="{ATTACHMENT_PATH}">附件.pdf</a></div>\n'


def _files_aside(site: Site, sites: Sequence[Site], base_url: str) -> str:
    return (
        '<div class="sidebar"><h3>相关文件</h3><ul>'
        f'<li><a href="{ATTACHMENT_PATH}">中国共产党巡视工作条例.pdf</a></li></ul></div>\n'
    )


@dataclass(frozen=True)
class Theme:
    name: str
    render_items: Callable[[Site, Sequence[ReplicaNotice], str], str]
    body_open: str  # the element wrapping the article body
    body_close: str
    label_colon: str  # half- or full-width colon after 来源/日期 — sites differ
    position_label: str  # "所在位置" vs "当前位置"
    meta_names: tuple[str, ...] = NFCMS_META  # which meta tags the theme's pages carry
    title_format: str = "{title}_{site}"  # the detail <title>: {title}, {column}, {site}
    render_heading: Callable[[DetailPage], str] = _standard_heading  # title, 来源/日期, counters
    render_after_body: Callable[[DetailPage], str] = _attachment
    render_list_aside: Callable[[Site, Sequence[Site], str], str] = _files_aside  # list sidebar(s)
    aside_first: bool = False  # whether the list sidebar comes before the items in the page
    footer_note: str = ""  # extra footer text ({site} is the site name)


# -- list items --------------------------------------------------------------------------------


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


def _news_list_items(site: Site, notices: Sequence[ReplicaNotice], base_url: str) -> str:
    # zhuhai.gov.cn family: the date comes first, with slashes; hrefs start with "./".
    rows = "".join(
        f'<li><span class="time">{n.published_date.replace("-", "/")}</span>'
        f'<a href="./content/post_{n.post_id}.html" target="_blank">{escape(n.title)}</a></li>\n'
        for n in notices
    )
    return f'<div class="news_list">\n<ul>\n{rows}</ul>\n</div>'


def truncated(title: str, limit: int = _TRUNCATE_AT) -> str:
    """A list's shortened title: the first `limit` characters and "…" (whole if short enough)."""
    return title if len(title) <= limit else title[:limit] + "…"


def _table_items(site: Site, notices: Sequence[ReplicaNotice], base_url: str) -> str:
    # Absolute paths; the anchor text is cut short, the title attribute has it whole.
    rows = "".join(
        f'<tr><td><a href="{escape(site.detail_url(n.post_id))}" title="{escape(n.title)}" '
        f'target="_blank">{escape(truncated(n.title))}</a></td><td>{n.published_date}</td></tr>\n'
        for n in notices
    )
    return f'<table class="tab">\n<tr><th>标题</th><th>发布日期</th></tr>\n{rows}</table>'


def protocol_relative(base_url: str) -> str:
    """ "http://127.0.0.1:8000" → "//127.0.0.1:8000" (the scheme left to the page's own)."""
    return base_url[base_url.index("//") :] if "//" in base_url else base_url


def _mobile_items(site: Site, notices: Sequence[ReplicaNotice], base_url: str) -> str:
    # Mobile templates write the host in: protocol-relative and full absolute URLs, mixed.
    rows = []
    for i, n in enumerate(notices):
        host = protocol_relative(base_url) if i % 2 == 0 else base_url
        href = host + site.detail_url(n.post_id)
        rows.append(
            f'<div class="item"><a class="title" href="{escape(href)}">{escape(n.title)}</a>'
            f'<p class="date">{n.published_date}</p></div>\n'
        )
    return f'<div class="list-m">\n{"".join(rows)}</div>'


# -- list sidebars -----------------------------------------------------------------------------


def _neighbour(site: Site, sites: Sequence[Site]) -> Site | None:
    """Another column on the host with posts, for cross-column sidebars."""
    return next((s for s in sites if s is not site and s.notices), None)


def _hot_aside(site: Site, sites: Sequence[Site], base_url: str) -> str:
    # 热点推荐: the three newest posts of another column on the same host.
    other = _neighbour(site, sites)
    hot = ""
    if other is not None:
        rows = "".join(
            f'<li><a href="{escape(other.detail_url(n.post_id))}" title="{escape(n.title)}">'
            f"{escape(truncated(n.title, 16))}</a><span>{n.published_date}</span></li>"
            for n in other.newest_first()[:3]
        )
        hot = f'<div class="hot"><h3>热点推荐</h3><ul>{rows}</ul></div>\n'
    return hot + _files_aside(site, sites, base_url)


def _load_more_aside(site: Site, sites: Sequence[Site], base_url: str) -> str:
    more = '<a class="load-more" href="index_2.html">加载更多</a>\n' if site.page_count() > 1 else ""
    return more + _files_aside(site, sites, base_url)


# -- detail headings and what follows the body -------------------------------------------------


def _news_list_heading(page: DetailPage) -> str:
    n = page.notice
    return (
        f'<div class="news_cont_d_title"><h3>{escape(n.title)}</h3></div>\n'
        f'<div class="news_cont_d_info">发布时间:{n.published}&nbsp;&nbsp;来源:{escape(n.source_name)}'
        '&nbsp;&nbsp;<span class="zt">【字体:<a href="javascript:doZoom(18)">大</a> '
        '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span></div>\n'
        f'<div class="news_cont_d_hits">浏览量:<span id="hits">{page.views}</span></div>\n'
    )


def _table_heading(page: DetailPage) -> str:
    n = page.notice
    day = f"{n.published[:4]}年{n.published[5:7]}月{n.published[8:10]}日"
    return (
        f'<div class="artTitle"><h2>{escape(n.title)}</h2></div>\n'
        f'<div class="artInfo">来源:{escape(n.source_name)}&nbsp;&nbsp;日期:{day}&nbsp;&nbsp;'
        f'浏览量:<span id="hits">{page.views}</span></div>\n'
    )


def _mobile_heading(page: DetailPage) -> str:
    n = page.notice
    return (
        f'<div class="article-hd"><h1 class="article-title">{escape(n.title)}</h1>\n'
        f'<p class="article-info"><span>{n.published_minute}</span> <span>{escape(n.source_name)}</span> '
        f"<span>阅读 <em>{page.views}</em></span></p></div>\n"
    )


def _related_news(page: DetailPage) -> str:
    """相关新闻 with excerpts of the column's other posts — more text than the body itself, so a
    page reader that misses `.article-content` and takes the densest block gets the wrong one."""
    others = [n for n in page.site.newest_first() if n.post_id != page.notice.post_id]
    goal = len(_CJK.findall(page.notice.body_text)) * 6 // 5
    rows: list[str] = []
    shown = 0
    host = protocol_relative(page.base_url)
    for other in others:
        if shown > goal:
            break
        href = host + page.site.detail_url(other.post_id)
        rows.append(f'<p><a href="{escape(href)}">{escape(other.title)}</a></p>')
        for text in other.paragraphs[:6]:
            rows.append(f"<p>{escape(text)}</p>")
            shown += len(_CJK.findall(text))
    return (
        '<div class="xgxw">\n<div class="xgxw-hd">相关新闻</div>\n<div class="xgxw-bd">\n'
        + "\n".join(rows)
        + "\n</div>\n</div>\n"
    )


_MOBILE_FOOTER = (
    "<p>本网站是{site}的官方网站,是{site}在互联网上发布政务信息、提供在线服务、与公众互动交流的重要"
    "平台。网站所刊登的各种信息和各类专栏资料,均为本网站版权所有,未经协议授权,禁止下载使用或建立"
    "镜像。如需转载,请注明来源为本网站,并不得对内容作实质性修改。</p>"
    "<p>本网站所发布的政策文件、通知公告等信息以正式印发的纸质文件为准。对于网站上的错误信息,欢迎"
    "广大网民通过网站的纠错渠道提出意见和建议,我们将及时核实处理。网站部分内容来源于其他媒体,转载"
    "的目的在于传递更多信息,并不代表本网站赞同其观点或对其真实性负责。</p>"
    "<p>为保障网站安全稳定运行,请勿使用自动化工具频繁访问本网站。本网站支持IPv6访问,建议使用"
    "主流浏览器的最新版本浏览本网站,以获得更好的浏览体验。联系电话:0762-3388123。</p>"
)


def _mobile_after_body(page: DetailPage) -> str:
    return _related_news(page)


THEMES: dict[str, Theme] = {
    "wendang": Theme("wendang", _wendang_items, '<div id="zoomcon">', "</div>", ":", "所在位置"),
    "list": Theme("list", _list_items, '<div class="article-content">', "</div>", "\uff1a", "当前位置"),
    "news_list": Theme(
        "news_list",
        _news_list_items,
        '<div class="news_cont_d_wrap">',
        "</div>",
        ":",
        "当前位置",
        meta_names=(),
        title_format="{title}_{column}_{site}",
        render_heading=_news_list_heading,
    ),
    "table": Theme(
        "table",
        _table_items,
        '<div class="artContent">',
        "</div>",
        ":",
        "您的位置",
        meta_names=tuple(m for m in NFCMS_META if m != "PubDate"),
        render_heading=_table_heading,
        render_list_aside=_hot_aside,
        aside_first=True,
    ),
    "mobile": Theme(
        "mobile",
        _mobile_items,
        '<div class="article-content">',
        "</div>",
        ":",
        "当前位置",
        meta_names=("SiteName", "ColumnName", "ArticleTitle", "PubDate"),
        title_format="{title}-{site}",
        render_heading=_mobile_heading,
        render_after_body=_mobile_after_body,
        render_list_aside=_load_more_aside,
        footer_note=_MOBILE_FOOTER,
    ),
}


def theme_of(site: Site) -> Theme:
    try:
        return THEMES[site.theme]
    except KeyError:
        raise ValueError(
            f"site {site.id}: unknown theme {site.theme!r} (valid: {', '.join(THEMES)})"
        ) from None


# -- page chrome -------------------------------------------------------------------------------


def _head(title: str, meta: dict[str, str] | None = None, script: str = "") -> str:
    tags = "".join(f'<meta name="{escape(k)}" content="{escape(v)}">\n' for k, v in (meta or {}).items())
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"{tags}<title>{escape(title)}</title>\n{script}"
        '<link rel="stylesheet" href="/css/common.css">\n'
        '<script src="/js/common.js"></script>\n</head>\n<body>\n'
    )


def _topbar(presentation: Presentation) -> str:
    # Set by churn (replica.mutations): today's date in the top bar, as many portals print it.
    if not presentation.chrome_date:
        return ""
    return f'<div class="topbar">今天是{escape(presentation.chrome_date)}</div>\n'


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


def _footer(site_name: str, note: str = "") -> str:
    offsite = " | ".join(f'<a href="{u}" target="_blank">{escape(t)}</a>' for u, t in OFFSITE_LINKS)
    extra = f'<div class="m-bottom">{note.format(site=escape(site_name))}</div>\n' if note else ""
    return (
        extra + '<div class="footer">\n'
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


def _meta(theme: Theme, values: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in values.items() if name in theme.meta_names}


def _page_variables(site: Site) -> str:
    """NFCMS page variables a list page states when the site has a column id (replica/postmeta.py)."""
    if "column_id" not in site.options:
        return ""
    site_id = site.options.get("site_id", "756001")
    return (
        f"<script>var NFCMS_SITE_ID = '{site_id}'; var NFCMS_CAT_ID = '{site.options['column_id']}';"
        f" var NFCMS_CAT_NAME = '{escape(site.column_name)}';</script>\n"
    )


def render_list(site: Site, page: int, sites: Sequence[Site], base_url: str) -> str:
    """List page `page` (1-based) of a site's column; the caller checks the page exists."""
    theme = theme_of(site)
    notices = site.newest_first()
    shown = notices[(page - 1) * site.per_page : page * site.per_page]
    aside = theme.render_list_aside(site, sites, base_url)
    items = (
        theme.render_items(site, shown, base_url) + "\n" + _pagination(page, site.page_count(), len(notices))
    )
    return (
        _head(
            f"{site.column_name}_{site.site_name}",
            _meta(theme, {"SiteName": site.site_name, "ColumnName": site.column_name}),
            _page_variables(site),
        )
        + _header(site.site_name, sites, site)
        + '<div class="main">\n'
        + _position(site, theme, detail=False)
        + f'<div class="column-title"><h2>{escape(site.column_name)}</h2></div>\n'
        + (aside + items if theme.aside_first else items + aside)
        + "</div>\n"
        + _footer(site.site_name, theme.footer_note)
    )


def wrapped(text: str, width: int) -> list[str]:
    """`text` cut into lines of about `width` characters, only ever between two Chinese characters
    (where a browser shows no space), so the rendered text is unchanged."""
    if width <= 0:
        return [text]
    lines, start = [], 0
    for i in range(1, len(text)):
        if i - start >= width and _CJK.match(text[i - 1]) and _CJK.match(text[i]):
            lines.append(text[start:i])
            start = i
    lines.append(text[start:])
    return lines


def _paragraph(text: str, wrap: int = 0) -> str:
    html = "\n".join(escape(line) for line in wrapped(text, wrap))
    if _SIGNATURE.match(text):
        return f'<p style="text-align: right;">{html}</p>'
    return f"<p>{INDENT}{html}</p>"


def render_detail(
    site: Site, notice: ReplicaNotice, sites: Sequence[Site], views: int, base_url: str = ""
) -> str:
    """A notice's detail page: the theme's meta tags and heading, chrome, then the body."""
    theme = theme_of(site)
    page = DetailPage(site, notice, sites, views, base_url, theme.label_colon)
    meta = {
        "SiteName": site.site_name,
        "ColumnName": site.column_name,
        "ArticleTitle": notice.title,
        "PubDate": notice.published_minute,
        "ContentSource": notice.source_name,
        "Keywords": "巡视整改" if "巡视" in notice.title else "巡察整改",
        "Description": (notice.paragraphs[0][:80] if notice.paragraphs else notice.title),
    }
    title = theme.title_format.format(title=notice.title, column=site.column_name, site=site.site_name)
    body = "\n".join(_paragraph(p, notice.presentation.wrap) for p in notice.paragraphs)
    return (
        _head(title, _meta(theme, meta))
        + _topbar(notice.presentation)
        + _header(site.site_name, sites, site)
        + '<div class="main">\n'
        + _position(site, theme, detail=True)
        + '<div class="article">\n'
        + theme.render_heading(page)
        + f"{theme.body_open}\n{body}\n{theme.body_close}\n"
        + theme.render_after_body(page)
        + "</div>\n</div>\n"
        + _footer(site.site_name, theme.footer_note)
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
