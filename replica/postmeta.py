"""NFCMS's JSON (docs/portals.md, "More facts"), for the replica's NFCMS sites that set `column_id`:

- `/postmeta/i/{column_id}.json` → `{"articles": [{id, title, url, date, publish_time, …}],
  "children": [], "category": {id, name}, "updated": …}`, newest first, every post (no paging);
- `/postmeta/p/{id // 10**6}/{id // 10**3}/{id}.json` → `{id, title, content, publish_time, source,
  attachment, keywords}` for each live post of such a site — served even when the post's HTML page
  answers a challenge (`Site.detail_faults`), as a JSON API behind no firewall script would be.

The column's list pages state `NFCMS_SITE_ID` / `NFCMS_CAT_ID` page variables (replica/themes.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import escape

from replica.model import ReplicaNotice, Site
from replica.response import Response
from replica.validators import cms_time

_COLUMN = re.compile(r"/postmeta/i/(\d+)\.json")
_POST = re.compile(r"/postmeta/p/(\d+)/(\d+)/(\d+)\.json")


def _json(data: object) -> Response:
    return Response(
        200, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8"
    )


def _stamp(cms: str) -> int:
    return int(cms_time(cms).timestamp())


def article(site: Site, notice: ReplicaNotice, base_url: str) -> dict[str, object]:
    return {
        "id": notice.post_id,
        "title": notice.title,
        "url": base_url + site.detail_url(notice.post_id),
        "date": notice.published,
        "publish_time": _stamp(notice.published),
        "category_id": site.options["column_id"],
        "source": notice.source_name,
    }


def column_json(site: Site, base_url: str) -> dict[str, object]:
    return {
        "articles": [article(site, n, base_url) for n in site.newest_first()],
        "children": [],
        "category": {"id": site.options["column_id"], "name": site.column_name},
        "updated": _stamp(site.last_modified()),
    }


def post_json(site: Site, notice: ReplicaNotice) -> dict[str, object]:
    content = "\n".join(f"<p>\u3000\u3000{escape(p)}</p>" for p in notice.paragraphs)
    return {
        "id": notice.post_id,
        "title": notice.title,
        "content": content,
        "publish_time": _stamp(notice.published),
        "source": notice.source_name,
        "attachment": [],
        "keywords": "",
    }


def route(sites: Sequence[Site], path: str, base_url: str) -> Response | None:
    """The JSON at `path`, or None when no NFCMS site with a `column_id` has it."""
    with_json = [
        s for s in sites if s.kind == "nfcms" and "column_id" in s.options and not s.options.get("dead")
    ]
    if m := _COLUMN.fullmatch(path):
        site = next((s for s in with_json if str(s.options["column_id"]) == m.group(1)), None)
        return _json(column_json(site, base_url)) if site else None
    if m := _POST.fullmatch(path):
        post_id = int(m.group(3))
        if (post_id // 10**6, post_id // 10**3) != (int(m.group(1)), int(m.group(2))):
            return None
        for site in with_json:
            notice = site.find(post_id)
            if notice is not None:
                return _json(post_json(site, notice))
    return None
