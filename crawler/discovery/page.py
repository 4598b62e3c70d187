"""What one fetched page says to discovery: which CMS family its list is, its list entries, and
the navigation links worth following. Pure: URL and text in, a frozen dataclass out.

A family is recognised by the URLs of the detail links the page lists — the kinds' own patterns
(`…/content/post_N.html` NFCMS, `/YYYYMM/tYYYYMMDD_N.html` TRS, `/art/Y/M/D/art_C_N.html` Hanweb,
`content_N.htm` Founder), the most frequent one winning — and by page structure where the list is
not in the HTML: a Hanweb column's jpage data island (`dataproxy.jsp`), a gkmlpt index's `SID` and
`TREE`. NFCMS pages also name their column id (`NFCMS_CAT_ID`, crawler/postmeta.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler import catalogue, postmeta
from crawler.kinds import founder_epaper, hanweb, nfcms, trs

Entry = tuple[str, str | None, str | None]  # (detail url, list title, list date)

DETAIL_PATTERNS = (
    ("gkmlpt", re.compile(r"/gkmlpt/content/")),
    ("nfcms", nfcms.DETAIL_PATH),
    ("trs", trs.DETAIL_PATH),
    ("hanweb", hanweb.DETAIL_PATH),
    ("founder_epaper", founder_epaper.ARTICLE),
)
_ASSET = re.compile(r"\.(?:pdf|docx?|xlsx?|zip|rar|jpe?g|png|gif|css|js|mp4)$", re.I)
_HOME = re.compile(r"^/(?:index\.s?html?)?$")
# Paging links of a list: its other pages are the same column.
_PAGING_PATH = re.compile(r"/index_\d+\.s?html?$")
_PAGING_TEXT = re.compile(r"^(?:首页|上一页|下一页|尾页|末页|\d+|[<>«»]+)$")
# Link texts by how likely their column holds inspection notices: lower is sooner.
_PRIORITIES = (
    (re.compile(r"巡视|巡察|整改|巡視"), 0),
    (re.compile(r"纪检|监察|监督|廉政|党风|纪律|作风"), 1),
    (re.compile(r"通知公告|公告|公示|通知|信息公开|政务公开|公开目录|公開"), 2),
    (re.compile(r"动态|要闻|新闻|工作|资讯|專題|专题|专栏"), 3),
)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    priority: int  # 0 (巡视/巡察/整改 in its text) … 4 (anything else)


@dataclass(frozen=True)
class PageReading:
    url: str
    kind: str | None  # a kind of crawler/kinds, or None: no list recognised
    entries: tuple[Entry, ...]
    evidence: str  # why the kind: one phrase
    name: str | None  # the column's name as the page states it (ColumnName meta, heading)
    site_name: str | None
    column_id: str | None = None  # NFCMS_CAT_ID
    links: tuple[Link, ...] = ()
    index: catalogue.CatalogueIndex | None = None  # a gkmlpt index page's SID and TREE
    hanweb_form: tuple[str, dict[str, str]] | None = field(default=None, compare=False)
    html_list: tuple[dict[str, str], str] | None = None  # guessed selectors and detail_pattern


def link_priority(text: str) -> int:
    for pattern, priority in _PRIORITIES:
        if pattern.search(text):
            return priority
    return 4


def _clean(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


def read_page(url: str, text: str) -> PageReading:
    """Read a fetched page for discovery (`url` is its final URL)."""
    try:
        root = lxml.html.fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError):
        root = None
    site_name = _meta(root, "SiteName")
    name = _meta(root, "ColumnName") or _heading(root)
    links = tuple(_navigation(root, url)) if root is not None else ()
    if "TREE" in text and "SID" in text:
        try:
            index = catalogue.read_index(text)
        except catalogue.CatalogueError:
            index = None
        if index is not None and index.categories:
            evidence = f"gkmlpt catalogue index (SID {index.sid}, {len(index.categories)} categories)"
            return PageReading(url, "gkmlpt", (), evidence, name, site_name, links=links, index=index)
    if hanweb.COLUMN_ID.search(urlsplit(url).path) and ("dataproxy.jsp" in text or "<datastore" in text):
        rows = [
            row
            for record in hanweb.RECORD.findall(text)
            for row in _anchors_in(record, url, hanweb.DETAIL_PATH)
        ]
        form = hanweb.column_form(text, url)
        evidence = "Hanweb column (/col/colN/, jpage data proxy)"
        return PageReading(
            url, "hanweb", tuple(rows), evidence, name, site_name, links=links, hanweb_form=form
        )
    kind, entries = _detail_links(root, url) if root is not None else (None, [])
    column_id = postmeta.column_id_in(text) if kind == "nfcms" or "NFCMS_" in text else None
    if kind is None and column_id:
        kind = "nfcms"
    if kind is None and root is not None and (generic := _generic_list(root, url)) is not None:
        rows, selectors, pattern = generic
        evidence = (
            f"a list of no known CMS family ({len(rows)} entries in {selectors['item']}, links {pattern})"
        )
        return PageReading(
            url,
            "html_list",
            tuple(rows),
            evidence,
            name,
            site_name,
            links=links,
            html_list=(selectors, pattern),
        )
    evidence = _evidence(kind, len(entries), column_id)
    return PageReading(url, kind, tuple(entries), evidence, name, site_name, column_id, links)


def _shape(path: str) -> str:
    """A URL path as a pattern, digit runs generalised: /news/detail/88001.shtml → /news/detail/\\d+\\.shtml$."""
    return re.escape(re.sub(r"\d+", "0", path)).replace("0", r"\d+") + "$"


def _signature(element: etree._Element) -> str | None:
    classes = (element.get("class") or "").split()
    return f"{element.tag}.{classes[0]}" if classes and isinstance(element.tag, str) else None


def _generic_list(root: etree._Element, url: str) -> tuple[list[Entry], dict[str, str], str] | None:
    """A list of no known CMS family: at least 3 same-host links of one URL shape with post-like
    texts, each in its own element of one tag and class (the entry). (rows, html_list selectors,
    detail_pattern), or None."""
    groups: dict[str, list[etree._Element]] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        target = urljoin(url, href)
        parts = urlsplit(target)
        text = _clean(anchor.get("title") or anchor.text_content())
        if not href or href.startswith(("javascript", "#")) or not _same_host(target, url) or len(text) < 8:
            continue
        if not re.search(r"\d", parts.path) or _ASSET.search(parts.path):
            continue
        groups.setdefault(_shape(parts.path), []).append(anchor)
    if not groups:
        return None
    pattern, anchors = max(groups.items(), key=lambda kv: len(kv[1]))
    for depth in range(1, 5):
        items = [_ancestor(a, depth) for a in anchors]
        counts: dict[str, int] = {}
        for item in items:
            signature = _signature(item) if item is not None else None
            if signature:
                counts[signature] = counts.get(signature, 0) + 1
        best = max(counts, key=lambda k: counts[k], default=None)
        if best is None or counts[best] < 3:
            continue
        rows: dict[str, Entry] = {}
        used: set[int] = set()
        for anchor, item in zip(anchors, items, strict=True):
            target = urljoin(url, (anchor.get("href") or "").strip())
            if item is None or _signature(item) != best or target in rows or id(item) in used:
                continue
            used.add(id(item))
            rows[target] = (target, _clean(anchor.get("title") or anchor.text_content()) or None, _date(item))
        if len(rows) < 3:
            continue
        selectors = {"item": best}
        nxt = next(
            (a for a in root.iter("a") if _clean(a.text_content()) in ("下一页", "下页") and a.get("class")),
            None,
        )
        if nxt is not None:
            selectors["next_page"] = f"a.{nxt.get('class', '').split()[0]}"
        return list(rows.values()), selectors, pattern
    return None


def _date(element: etree._Element | None) -> str | None:
    found = nfcms.DATE.search(element.text_content()) if element is not None else None
    return f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else None


def _ancestor(element: etree._Element, depth: int) -> etree._Element | None:
    for i, ancestor in enumerate(element.iterancestors(), 1):
        if i == depth:
            return ancestor
    return None


def _evidence(kind: str | None, count: int, column_id: str | None) -> str:
    shapes = {
        "nfcms": "NFCMS list (detail links …/content/post_N.html)",
        "trs": "TRS WCM list (detail links /YYYYMM/tYYYYMMDD_N.html)",
        "hanweb": "Hanweb list (detail links /art/…/art_C_N.html)",
        "founder_epaper": "Founder e-paper page (content_N.htm articles)",
        "gkmlpt": "gkmlpt catalogue links",
    }
    if kind is None:
        return "no list of a known CMS family"
    extra = f", NFCMS_CAT_ID {column_id}" if column_id else ""
    return f"{shapes[kind]}: {count} entries{extra}"


def _meta(root: etree._Element | None, name: str) -> str | None:
    if root is None:
        return None
    values = root.xpath(f"//meta[@name='{name}']/@content")
    return _clean(values[0]) or None if values else None


def _heading(root: etree._Element | None) -> str | None:
    if root is None:
        return None
    for path in ("//div[contains(@class,'column-title')]//h2", "//h2", "//title"):
        found = root.xpath(path)
        if found:
            text = _clean(found[0].text_content())
            return re.split(r"[_|\-–—]", text)[0].strip() or None
    return None


def _same_host(url: str, base: str) -> bool:
    return urlsplit(url).netloc == urlsplit(base).netloc


def _detail_links(root: etree._Element, url: str) -> tuple[str | None, list[Entry]]:
    """The most frequent family of detail links on the page, and its entries in page order."""
    found: dict[str, list[Entry]] = {}
    done: set[str] = set()
    column = nfcms.column_of(url)
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript", "#", "mailto:")):
            continue
        target, _ = urldefrag(urljoin(url, href))
        if target in done or not _same_host(target, url):
            continue
        path = urlsplit(target).path
        kind = next((k for k, pattern in DETAIL_PATTERNS if pattern.search(path)), None)
        if kind is None:
            continue
        done.add(target)
        title = _clean(anchor.get("title") or anchor.text_content()) or None
        found.setdefault(kind, []).append((target, title, nfcms.NfcmsSpider.item_date(anchor)))
    if not found:
        return None, []
    kind = max(found, key=lambda k: len(found[k]))
    entries = found[kind]
    if kind == "nfcms":  # sidebars link other columns' posts: the column's own, when it has some
        own = [e for e in entries if urlsplit(e[0]).path.startswith(column)]
        entries = own or entries
    return kind, entries


def _anchors_in(snippet: str, base: str, pattern: re.Pattern[str]) -> list[Entry]:
    try:
        root = lxml.html.fromstring(f"<ul>{snippet}</ul>")
    except (etree.ParserError, ValueError):
        return []
    rows = []
    for anchor in root.iter("a"):
        target = urljoin(base, (anchor.get("href") or "").strip())
        if pattern.search(urlsplit(target).path):
            title = _clean(anchor.get("title") or anchor.text_content()) or None
            rows.append((target, title, nfcms.NfcmsSpider.item_date(anchor)))
    return rows


def _navigation(root: etree._Element, url: str) -> list[Link]:
    """Links to other pages of the site that may be columns: same host, not a detail page, an
    asset or the home page, with a short text (a menu entry, a block's heading, 更多)."""
    links: dict[str, Link] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript", "#", "mailto:")):
            continue
        target, _ = urldefrag(urljoin(url, href))
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not _same_host(target, url) or target == url:
            continue
        if _ASSET.search(parts.path) or _HOME.match(parts.path or "/") or "/api/" in parts.path:
            continue
        if _PAGING_PATH.search(parts.path) or "page=" in parts.query:
            continue
        if any(pattern.search(parts.path) for _, pattern in DETAIL_PATTERNS):
            continue
        text = _clean(anchor.get("title") or anchor.text_content())
        # "更多>>" repeats a block's heading link; long texts are posts or prose, not menu entries.
        if not 2 <= len(text) <= 16 or text.startswith(("更多", "more", "More")) or _PAGING_TEXT.match(text):
            continue
        key = target if not target.endswith("/index.html") else target[: -len("index.html")]
        link = Link(target, text, link_priority(text))
        if key not in links or link.priority < links[key].priority:
            links[key] = link
    return list(links.values())
