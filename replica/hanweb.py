"""Hanweb 大汉 (jcms) sites: a column page plus a POSTed data proxy, served in GBK.

The column page `/col/col{columnid}/index.html` holds the list as a jpage data island: a
`<script type="text/xml"><datastore>` whose `<nextgroup>` names the proxy and its parameters
(`/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=…&path=/&columnid=…&unitid=…&webname=…`),
then a script that pages through it. Items come from
`POST /module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15` with the form fields
`col, appid, webid, path, columnid, sourceContentType, unitid, webname, permissiontype` →
`<datastore><totalrecord>N</totalrecord><recordset><record><![CDATA[<li>…</li>]]></record>…`.
A request whose columnid/unitid do not match answers an empty datastore. Details are
`/art/Y/M/D/art_{columnid}_{id}.html` (month and day not zero-padded), body in `div#zoom`.

Site options: `columnid`, `unitid`, `webid` (ints).
"""

from __future__ import annotations

import re
from html import escape

from replica.model import ReplicaNotice, Site
from replica.portal import Portal
from replica.response import Response
from replica.schemes import KindRequest, detail_answer, page_response
from replica.themes import INDENT

PROXY = "/module/web/jpage/dataproxy.jsp"
_DETAIL = re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html")


def _record(site: Site, notice: ReplicaNotice) -> str:
    return (
        f'<li><a href="{SCHEME.detail_url(site, notice)}" title="{escape(notice.title)}" target="_blank">'
        f"{escape(notice.title)}</a><span>{notice.published_date}</span></li>"
    )


def datastore(site: Site, start: int, end: int, total_only: bool = False) -> str:
    notices = site.newest_first()
    records = "".join(
        f"<record><![CDATA[{_record(site, n)}]]></record>\n" for n in notices[max(0, start - 1) : end]
    )
    return f"<datastore>\n<totalrecord>{len(notices)}</totalrecord>\n<recordset>\n{records}</recordset>\n</datastore>"


class HanwebScheme:
    def list_url(self, site: Site, page: int) -> str:
        return f"{site.column}index.html"  # one column page; the proxy pages

    def detail_url(self, site: Site, notice: ReplicaNotice) -> str:
        y, m, d = (int(x) for x in notice.published_date.split("-"))
        return f"/art/{y}/{m}/{d}/art_{site.options['columnid']}_{notice.post_id}.html"

    def route(self, portal: Portal, site: Site, request: KindRequest) -> Response | None:
        if request.path in (site.column, f"{site.column}index.html"):
            return page_response(site, render_column(site))
        if request.path == PROXY:
            if request.param("columnid") != str(site.options["columnid"]):
                return None  # maybe another column's
            return self._proxy(site, request)
        if (m := _DETAIL.fullmatch(request.path)) and m.group(4) == str(site.options["columnid"]):
            post_id = int(m.group(5))
            render = lambda n, views: page_response(site, render_detail(site, n, views))  # noqa: E731
            return detail_answer(portal, site, post_id, render, request.base_url)
        return None

    def _proxy(self, site: Site, request: KindRequest) -> Response:
        try:
            start = int(request.param("startrecord") or 1)
            end = int(request.param("endrecord") or start + 44)
        except ValueError:
            start, end = 1, 0
        xml = datastore(site, start, end)
        if request.param("unitid") != str(site.options["unitid"]):
            xml = "<datastore>\n<totalrecord>0</totalrecord>\n<recordset>\n</recordset>\n</datastore>"
        gbk = site.encoding.lower() not in ("utf-8", "utf8")
        declared = "GBK" if gbk else "UTF-8"
        text = f'<?xml version="1.0" encoding="{declared}"?>\n{xml}\n'
        body = text.encode("gb18030" if gbk else "utf-8", "xmlcharrefreplace")
        return Response(200, body, "text/xml")


SCHEME = HanwebScheme()


def _charset(site: Site) -> str:
    return "utf-8" if site.encoding.lower() in ("utf-8", "utf8") else "gb2312"


def _page(site: Site, title: str, meta: dict[str, str], main: str) -> str:
    tags = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={_charset(site)}">\n'
        f"{tags}<title>{escape(title)}</title>\n"
        '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n</head>\n<body>\n'
        f'<div class="top"><a href="/">{escape(site.site_name)}</a> '
        '<a href="/col/col100/index.html">政务公开</a> <a href="/col/col200/index.html">互动交流</a> '
        '<a href="http://www.gd.gov.cn/" target="_blank">广东省人民政府</a></div>\n'
        f'<div class="main">\n{main}\n</div>\n'
        f'<div class="bottom">主办:{escape(site.site_name)} 技术支持:南京大汉网络有限公司</div>\n'
        "</body>\n</html>\n"
    )


def render_column(site: Site) -> str:
    o = site.options
    group = site.per_page * 3
    proxy = (
        f"{PROXY}?page=1&appid=1&webid={o['webid']}&path=/&columnid={o['columnid']}&unitid={o['unitid']}"
        f"&webname={site.site_name}&permissiontype=0"
    )
    island = (
        f'<div id="{o["unitid"]}"><script type="text/xml">\n<datastore>\n'
        f'<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>\n'
        + datastore(site, 1, group)[len("<datastore>\n") :]
        + "\n</script></div>\n"
    )
    script = (
        '<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>\n'
        f'<script>$("#{o["unitid"]}").jpage({{dataStore: "{o["unitid"]}", proxyUrl: "{PROXY}", '
        f"perPage: {site.per_page}, groupSize: 3, totalRecord: {len(site.notices)}, "
        f'barPosition: "bottom", ajaxParam: {{col: 1, appid: 1, webid: {o["webid"]}, path: "/", '
        f"columnid: {o['columnid']}, sourceContentType: 1, unitid: {o['unitid']}, "
        f'webname: "{site.site_name}", permissiontype: 0}}}});</script>\n'
    )
    main = (
        f'<div class="position">当前位置:<a href="/">首页</a> &gt; {escape(site.column_name)}</div>\n'
        f'<div class="lmtitle">{escape(site.column_name)}</div>\n<div class="list">\n{island}</div>\n{script}'
    )
    return _page(site, f"{site.column_name} {site.site_name}", {"ColumnName": site.column_name}, main)


def render_detail(site: Site, notice: ReplicaNotice, views: int) -> str:
    paragraphs = "\n".join(f"<p>{INDENT}{escape(p)}</p>" for p in notice.paragraphs)
    meta = {
        "SiteName": site.site_name,
        "ColumnName": site.column_name,
        "ArticleTitle": notice.title,
        "PubDate": notice.published_minute,
        "ContentSource": notice.source_name,
    }
    main = (
        f'<div class="position">当前位置:<a href="/">首页</a> &gt; '
        f'<a href="{site.column}index.html">{escape(site.column_name)}</a></div>\n'
        f'<div class="article"><div class="title">{escape(notice.title)}</div>\n'
        f'<div class="info">发布日期:{notice.published_minute} 信息来源:{escape(notice.source_name)} '
        f'浏览次数:<script>document.write("{notice.presentation.views_base + views}")</script> '
        '字号:[ <a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> ]</div>\n'
        f'<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><div id="zoom">\n{paragraphs}\n</div>'
        '<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->\n'
        '<div class="print"><a href="javascript:window.print()">打印本页</a> '
        '<a href="javascript:window.close()">关闭窗口</a></div></div>'
    )
    return _page(site, notice.title, meta, main)
