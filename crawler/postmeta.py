"""NFCMS's JSON: a column's list in one request, a post's content when its HTML page is blocked.

Guangdong 集约化 (NFCMS) sites publish (docs/portals.md, "More facts"):

- `GET /postmeta/i/{columnId}.json` → `{"articles": [{id, title, url, date, publish_time, …}],
  "children": […], "category": {…}, "updated": …}`: up to the 2,500 newest entries of the column
  (and its sub-columns), `publish_time` in Unix seconds; no paging, cookies or browser. One request
  tells whether anything changed: `read_column(...).updated` and the newest entry.
- `GET /postmeta/p/{id // 10**6}/{id // 10**3}/{id}.json` → the post: `content` (HTML), `attachment`,
  `keywords`, and (on the sites public crawlers read) `title`, `publish_time`, `source`.

A column's id is not in its URL; its list pages name it in NFCMS page variables
(`NFCMS_CAT_ID = '24471'`, with `NFCMS_SITE_ID`): `column_id_in(html)` reads it, never guesses.
Pure: text in, frozen dataclasses out; no Scrapy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

CHINA = timezone(timedelta(hours=8))
_COLUMN_VAR = re.compile(r"\bNFCMS_(?:CAT|CATEGORY|COLUMN)_ID\b\s*[=:]\s*[\"']?(\d+)")
_SITE_VAR = re.compile(r"\bNFCMS_SITE_ID\b\s*[=:]\s*[\"']?(\d+)")
_POST_ID = re.compile(r"/m?post_(\d+)\.html?$")
_DATE = re.compile(r"(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
_PERCENT_U = re.compile(r"%u([0-9a-fA-F]{4})")


class PostmetaError(ValueError):
    """An answer that is not the JSON the URL promises (a challenge page, an error page)."""


@dataclass(frozen=True)
class ColumnEntry:
    url: str  # absolute, without fragment
    title: str | None
    date: str | None  # YYYY-MM-DD, China time
    post_id: int | None
    published: int | None  # Unix seconds


@dataclass(frozen=True)
class ColumnListing:
    entries: tuple[ColumnEntry, ...]  # as the JSON lists them (newest first on real sites)
    updated: str | None  # the column's own change stamp, as given
    name: str | None  # category.name, when given


@dataclass(frozen=True)
class PostContent:
    title: str | None
    content_html: str
    published: str | None  # "YYYY-MM-DD HH:MM" China time, when given
    source: str | None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def column_json_url(site_url: str, column_id: int | str) -> str:
    """The column JSON's URL on the host of `site_url` (any page of the site)."""
    return f"{origin_of(site_url)}/postmeta/i/{int(column_id)}.json"


def post_json_url(detail_url: str) -> str | None:
    """The post JSON's URL for a detail page `…/content/post_{id}.html` (None: no post id in it)."""
    found = _POST_ID.search(urlsplit(detail_url).path)
    if not found:
        return None
    n = int(found.group(1))
    return f"{origin_of(detail_url)}/postmeta/p/{n // 10**6}/{n // 10**3}/{n}.json"


def column_id_in(html: str) -> str | None:
    """The column id an NFCMS page states in its page variables (`NFCMS_CAT_ID`), else None."""
    found = _COLUMN_VAR.search(html)
    return found.group(1) if found else None


def site_id_in(html: str) -> str | None:
    """`NFCMS_SITE_ID` of an NFCMS page (= the gkmlpt sid on the sites it was compared on)."""
    found = _SITE_VAR.search(html)
    return found.group(1) if found else None


def unescape_title(text: str) -> str:
    """Titles sometimes come `%uXXXX`-escaped (JavaScript `escape()`): decoded."""
    if "%u" not in text:
        return text
    return unquote(_PERCENT_U.sub(lambda m: chr(int(m.group(1), 16)), text))


def china_date(value: Any) -> str | None:
    """A Unix time (seconds or milliseconds) or a date string, as the day in China (YYYY-MM-DD)."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 10**11:
            seconds /= 1000
        return datetime.fromtimestamp(seconds, UTC).astimezone(CHINA).date().isoformat()
    found = _DATE.search(str(value))
    return f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else None


def _load(body: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise PostmetaError(f"{what} is not JSON") from None
    if not isinstance(data, dict):
        raise PostmetaError(f"{what} is not a JSON object")
    return data


def read_column(body: bytes, json_url: str) -> ColumnListing:
    """The entries of a column JSON answer (`json_url` resolves relative entry URLs). Entries
    without a URL are left out; PostmetaError when the answer is not a column JSON."""
    data = _load(body, "the column JSON")
    articles = data.get("articles")
    if not isinstance(articles, list):
        raise PostmetaError("the column JSON has no 'articles' list")
    entries = []
    for article in articles:
        if not isinstance(article, dict) or not article.get("url"):
            continue
        url, _ = urldefrag(urljoin(json_url, str(article["url"]).strip()))
        title = unescape_title(str(article.get("title") or "").strip()) or None
        stamp = article.get("publish_time")
        published = int(stamp) if isinstance(stamp, int | float) and not isinstance(stamp, bool) else None
        date = china_date(published) if published else china_date(article.get("date"))
        post_id = article.get("id")
        entries.append(
            ColumnEntry(url, title, date, post_id if isinstance(post_id, int) else None, published)
        )
    category = data.get("category")
    name = category.get("name") if isinstance(category, dict) else None
    updated = data.get("updated")
    return ColumnListing(tuple(entries), str(updated) if updated not in (None, "") else None, name)


def read_post(body: bytes) -> PostContent:
    """A post JSON answer; PostmetaError when it has no `content`."""
    data = _load(body, "the post JSON")
    content = data.get("content")
    if not isinstance(content, str) or not content.strip():
        raise PostmetaError("the post JSON has no 'content'")
    stamp = data.get("publish_time")
    published = None
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp:
        seconds = stamp / 1000 if stamp > 10**11 else stamp
        published = datetime.fromtimestamp(seconds, UTC).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    title = unescape_title(str(data.get("title") or "").strip()) or None
    source = str(data.get("source") or "").strip() or None
    return PostContent(title, content, published, source)


def post_page(post: PostContent, list_title: str | None = None) -> str:
    """A post JSON as the detail page the parser reads: NFCMS meta tags and the body in #zoomcon."""
    title = post.title or list_title or ""
    meta = {"ArticleTitle": title, "PubDate": post.published or "", "ContentSource": post.source or ""}
    tags = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items() if v)
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n{tags}<title>{escape(title)}</title>\n'
        f'</head>\n<body>\n<h1>{escape(title)}</h1>\n<div id="zoomcon">\n{post.content_html}\n</div>\n'
        "</body>\n</html>\n"
    )
