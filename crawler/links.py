"""A list page's links to detail pages, made canonical: one URL per notice, http(s) only.

Lists link the same notice more than once (title and "more" links, a carousel) and with tracking
query strings (`post_5.html?from=index`, `…#top`). Stored under each spelling, one notice becomes
several, and the store reads each new spelling as the notice having moved — on every crawl. And a
link that is not http(s) (`ftp://`, `mailto:`, `javascript:`) is no page to fetch: Scrapy's FTP
handler would hold the crawl on a host that never answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

Entry = tuple[str, str | None, str | None]  # (url, list title, list date)
WEB_SCHEMES = ("http", "https")


# `scheme://user:password@` (or `user@`) anywhere in a text, and a bare `user:password@host` (as
# Twisted quotes a URL's netloc): a start URL's credentials. An e-mail address has no colon.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")
_BARE_USERINFO = re.compile(r"(?<![\w.%+:/-])[\w.%+-]+:[^\s/@'\"]+@(?=[\w\[])")


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by *** (problem lines, logs,
    status and digests show URLs; a password in a start URL must not travel with them)."""
    if "@" not in text:
        return text
    return _BARE_USERINFO.sub("***@", _USERINFO.sub(r"\1***@", text))


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host (what a crawl may request)."""
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        return False


def canonical_url(url: str, id_in_path: Callable[[str], bool]) -> str:
    """`url` without its fragment, and without its query string when the path alone names the
    page (`id_in_path(url without query)`: the kind's detail-URL pattern, e.g. NFCMS post_{id});
    a query that carries the id (`?id=5`) stays."""
    parts = urlsplit(url)
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    if parts.query and id_in_path(bare):
        return bare
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def canonical_entries(entries: Iterable[Entry], id_in_path: Callable[[str], bool]) -> tuple[list[Entry], int]:
    """The entries with canonical URLs, each URL once (its first title and date kept, filled from
    later duplicates), non-web links left out; and how many entries were dropped."""
    seen: dict[str, Entry] = {}
    total = 0
    for url, title, date in entries:
        total += 1
        if not is_web_url(url):
            continue
        key = canonical_url(url, id_in_path)
        first = seen.get(key)
        seen[key] = (key, title, date) if first is None else (key, first[1] or title, first[2] or date)
    return list(seen.values()), total - len(seen)
