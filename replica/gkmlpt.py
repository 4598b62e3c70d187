"""gkmlpt: the Guangdong open-government catalogue (政府信息公开目录) of the 集约化 platform.

`GET /gkmlpt/api/all/{cat}?page=N&sid=SID` answers JSON
`{"articles": [{id, title, url, date, identifier, document_number, publisher, attachment, …}],
"total": N}`, `Site.per_page` (100 on real sites) a page, newest first; `date` is a Unix time.
A wrong sid or category answers an empty list. Details are NFCMS-like pages at
`/gkmlpt/content/{id // 1000000}/{id // 1000}/post_{id}.html` (the API's `url` adds `#{cat}`), with
a header table (索引号, 分类, 发布机构, 成文日期, 文号, 发布日期, 名称) above `div.article-content`.

Site options: `sid` (str), `category` (int), `identifiers` / `document_numbers` ({post id: text};
a post without one gets a generated 索引号 and an empty 文号), `api_blank` (post ids whose API entry
has an empty 索引号; their detail page still shows it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import escape

from replica.model import ReplicaNotice, Site
from replica.portal import Portal
from replica.response import Response
from replica.schemes import KindRequest, detail_answer, page_response
from replica.themes import INDENT
from replica.validators import cms_time

_API = re.compile(r"/gkmlpt/api/all/(\d+)")
_DETAIL = re.compile(r"/gkmlpt/content/(\d+)/(\d+)/post_(\d+)\.html")
ORG_CODE = "11440400007049337C"


def identifier(site: Site, notice: ReplicaNotice) -> str:
    given = site.options.get("identifiers", {}).get(notice.post_id)
    return given or f"{ORG_CODE}/{notice.published[:4]}-{notice.post_id % 100000:05d}"


def document_number(site: Site, notice: ReplicaNotice) -> str:
    return site.options.get("document_numbers", {}).get(notice.post_id, "")


class GkmlptScheme:
    def list_url(self, site: Site, page: int) -> str:
        return f"/gkmlpt/api/all/{site.options['category']}?page={page}&sid={site.options['sid']}"

    def detail_url(self, site: Site, notice: ReplicaNotice) -> str:
        n = notice.post_id
        return f"/gkmlpt/content/{n // 1_000_000}/{n // 1000}/post_{n}.html"

    def route(self, portal: Portal, site: Site, request: KindRequest) -> Response | None:
        if request.path in ("/gkmlpt/index", "/gkmlpt/", "/gkmlpt/index.html"):
            return page_response(site, _index(site, portal.sites))
        if m := _API.fullmatch(request.path):
            if m.group(1) != str(site.options["category"]):
                return None  # another catalogue category: maybe another site's
            return self._api(site, request)
        if (m := _DETAIL.fullmatch(request.path)) and (
            site.find(int(m.group(3))) or int(m.group(3)) in site.detail_faults
        ):
            post_id = int(m.group(3))
            render = lambda n, views: page_response(site, render_detail(site, n, views))  # noqa: E731
            return detail_answer(portal, site, post_id, render, request.base_url)
        return None

    def _api(self, site: Site, request: KindRequest) -> Response:
        try:
            page = max(1, int(request.query.get("page", "1")))
        except ValueError:
            page = 1
        notices = site.newest_first() if request.query.get("sid") == str(site.options["sid"]) else []
        shown = notices[(page - 1) * site.per_page : page * site.per_page]
        data = {
            "articles": [self._article(site, n, request.base_url) for n in shown],
            "total": len(notices),
            "page": page,
            "pageSize": site.per_page,
        }
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return Response(200, body, "application/json;charset=UTF-8")

    def _article(self, site: Site, notice: ReplicaNotice, base_url: str) -> dict[str, object]:
        stamp = int(cms_time(notice.published).timestamp())
        return {
            "id": notice.post_id,
            "title": notice.title,
            "url": f"{base_url}{self.detail_url(site, notice)}#{site.options['category']}",
            "date": stamp,
            "created_at": stamp,
            "publisher": notice.source_name,
            # Some catalogue entries come without 索引号 in the API (`api_blank`): the page has it.
            "identifier": ""
            if notice.post_id in site.options.get("api_blank", ())
            else identifier(site, notice),
            "document_number": document_number(site, notice),
            "attachment": [],
            "classify_main_name": site.column_name,
        }


SCHEME = GkmlptScheme()


def tree(site: Site, sites: Sequence[Site]) -> list[dict[str, object]]:
    """The catalogue's category TREE: the host's gkmlpt sites (their `category`, `column_name` and
    `tree_parent`, default 综合政务) under their parents, and empty categories around them, as the
    index page's app configuration holds it."""
    catalogue = [s for s in sites if s.kind == "gkmlpt" and s.options.get("sid") == site.options["sid"]]
    parents: dict[str, list[dict[str, object]]] = {"综合政务": [], "其他": []}
    for s in catalogue:
        node = {
            "id": int(s.options["category"]),
            "name": s.column_name,
            "children": [],
            "jump_url": "",
            "post_count": len(s.notices),
        }
        parents.setdefault(str(s.options.get("tree_parent", "综合政务")), []).append(node)
    parents["综合政务"].append(
        {"id": 9001, "name": "政府文件", "children": [], "jump_url": "", "post_count": 0}
    )
    parents["其他"].append(
        {
            "id": 9002,
            "name": "政务服务",
            "children": [],
            "jump_url": "https://www.gdzwfw.gov.cn/",
            "post_count": 0,
        }
    )
    return [
        {
            "id": 8000 + i,
            "name": name,
            "children": children,
            "jump_url": "",
            "post_count": sum(int(c["post_count"]) for c in children),
        }  # type: ignore[call-overload]
        for i, (name, children) in enumerate(parents.items())
    ]


def _index(site: Site, sites: Sequence[Site]) -> str:
    # The real index is a JavaScript app that reads the API; its HTML carries no list, only the
    # app's configuration: the site id and the category tree (docs/portals.md, "More facts").
    config = (
        f"window._CONFIG = {{\n  SID: '{site.options['sid']}',\n"
        f"  TREE: {json.dumps(tree(site, sites), ensure_ascii=False)},\n  SERVICE_AREA_ID: 1\n}};"
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(site.site_name)}政府信息公开</title>\n</head>\n<body>\n"
        f'<div id="app"></div>\n<script>{config}</script>\n'
        '<script src="/gkmlpt/static/js/app.js"></script>\n</body>\n</html>\n'
    )


def render_detail(site: Site, notice: ReplicaNotice, views: int) -> str:
    paragraphs = "\n".join(f"<p>{INDENT}{escape(p)}</p>" for p in notice.paragraphs)
    meta = {
        "ArticleTitle": notice.title,
        "PubDate": notice.published_minute,
        "ContentSource": notice.source_name,
        "ColumnName": site.column_name,
    }
    tags = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())
    table = (
        '<div class="classify"><table class="table-content">\n'
        f"<tr><td>索引号:</td><td>{escape(identifier(site, notice))}</td>"
        f"<td>分类:</td><td>{escape(site.column_name)}</td></tr>\n"
        f"<tr><td>发布机构:</td><td>{escape(notice.source_name)}</td>"
        f"<td>成文日期:</td><td>{notice.published_date}</td></tr>\n"
        f'<tr><td>名称:</td><td colspan="3">{escape(notice.title)}</td></tr>\n'
        f"<tr><td>文号:</td><td>{escape(document_number(site, notice))}</td>"
        f"<td>发布日期:</td><td>{notice.published_date}</td></tr>\n</table></div>\n"
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"{tags}<title>{escape(notice.title)}</title>\n</head>\n<body>\n"
        f'<div class="header"><a href="/gkmlpt/index">{escape(site.site_name)}政府信息公开</a></div>\n'
        '<div class="main">\n'
        + table
        + f'<div class="content"><h1 class="title">{escape(notice.title)}</h1>\n'
        f'<div class="article-content">\n{paragraphs}\n</div>\n'
        f'<div class="count">访问量:{notice.presentation.views_base + views}</div></div>\n'
        "</div>\n</body>\n</html>\n"
    )
