"""HTML detail page → Article (title, date, source, body text), with the page chrome removed.

Theme-agnostic on purpose: Guangdong NFCMS sites share meta tags but not CSS, TRS WCM pages put the body
in div.TRS_Editor, ccdi uses h2.tit; unknown themes fall back to the element whose <p> children hold
the most Chinese text (../shared/DESIGN.md, "Facts about the real portals").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import lxml.cssselect
import lxml.etree
import lxml.html
from cssselect import SelectorError

from .dates import parse_date
from .header import find_header_date, find_header_source, split_header
from .text import cjk_count, clean_line, clean_lines, fold_width

KNOWN_BODY_SELECTORS = (
    "#zoomcon",
    ".news_cont_d_wrap",
    ".artContent",
    ".article-content",
    "div.TRS_Editor",
    "#ozoom",
    "#zoom",  # Hanweb 大汉 detail pages
    ".content",
)
_DROP_TAGS = ("script", "style", "noscript", "iframe", "select", "button", "template", "svg", "object")
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form")
_CHROME_ATTR_RE = re.compile(
    r"share|bdshare|jiathis|print|close|fontsize|font-size|crumb|position|location|weizhi|"
    r"(?:^|[-_ ])(?:nav|menu|footer|foot|header|topbar|sidebar|comment|related|pager|pagination)(?:$|[-_ ])",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol tr td th table h1 h2 h3 h4 h5 h6 section article blockquote pre dd dt dl hr center".split()
)
_SITE_SUFFIX_RE = re.compile(r"\s*(?:[_|]|\s[-–—]\s|--)\s*([^_|]{1,24})$")
_SITE_WORD_RE = re.compile(r"网|站|门户|政府|平台|频道|在线|新闻|日报|纪委|监委")
_URL_DATE_RES = (
    re.compile(r"/t(\d{4})(\d{2})(\d{2})_"),
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"),
    re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/(\d{4})(\d{2})(\d{2})/"),
)
_MIN_BODY_CJK = 20
_BLOCK_BREAK = "\x1e"  # stands for a block boundary while source newlines are folded
_WIDE = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]"
_WRAP_BETWEEN_CJK_RE = re.compile(
    rf"(?:(?<={_WIDE})|(?<=[\u3400-\u9fff][,.;:!?)]))[ \t]*[\r\n]+[ \t]*(?={_WIDE})"
)


@dataclass(frozen=True)
class Article:
    title: str | None
    published_at: str | None
    source_name: str | None
    body_text: str


def parse_tree(html: str) -> lxml.html.HtmlElement | None:
    """lxml tree, or None for input lxml cannot make a document of (empty, only comments)."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        # Bytes, because lxml refuses str with an XML encoding declaration.
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError, TypeError):
        return None


def read_meta(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """<meta name=…> contents by lower-cased name (NFCMS: articletitle, pubdate, contentsource)."""
    out: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name and content and name not in out:
            out[name] = content
    return out


class _Stop(Exception):
    """Raised inside `block_text`'s walk on reaching `stop`."""


def block_text(
    element: lxml.html.HtmlElement,
    stop: lxml.html.HtmlElement | None = None,
    *,
    skip_chrome: bool = False,
    keep: lxml.html.HtmlElement | None = None,
) -> str:
    """Text with a line break at every block boundary, so each <p> becomes one line.

    Newlines in the HTML source are only whitespace; between Chinese characters they are editor
    line-wrapping and vanish (as in a browser), elsewhere they become a space. With `stop`, only the
    text before that element (the page header above the body) is returned. With `skip_chrome`, chrome
    elements (see `drop_chrome`) other than `keep` and its ancestors are left out, in the same walk."""
    parts: list[str] = []
    protected = {*keep.iterancestors(), keep} if keep is not None else set()

    def walk(node: lxml.html.HtmlElement) -> None:
        if node is stop:
            raise _Stop
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if skip_chrome and tag and node is not element and node not in protected and _is_chrome(node):
            if node.tail:  # like drop_tree: the element goes, the text after it stays
                parts.append(node.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append(_BLOCK_BREAK)
        if tag and tag not in _DROP_TAGS and node.text:
            parts.append(node.text)
        if tag not in _DROP_TAGS:
            for child in node:
                walk(child)
        if block:
            parts.append(_BLOCK_BREAK)
        if node.tail and node is not element:
            parts.append(node.tail)

    try:
        walk(element)
    except _Stop:
        pass
    text = _WRAP_BETWEEN_CJK_RE.sub("", "".join(parts))
    return text.replace("\r", " ").replace("\n", " ").replace(_BLOCK_BREAK, "\n")


def _is_chrome(element: lxml.html.HtmlElement) -> bool:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag in _CHROME_TAGS:
        return True
    attrs = f"{element.get('id', '')} {element.get('class', '')}"
    return bool(attrs.strip()) and bool(_CHROME_ATTR_RE.search(attrs))


def drop_chrome(root: lxml.html.HtmlElement, keep: lxml.html.HtmlElement | None = None) -> None:
    """Remove scripts, navigation, share widgets … below `root`, but never an ancestor of `keep`."""
    protected = set(keep.iterancestors()) | {keep} if keep is not None else set()
    doomed = [
        el
        for el in root.iterdescendants()
        if isinstance(el.tag, str)
        and el not in protected
        and (el.tag.lower() in _DROP_TAGS or _is_chrome(el))
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


@functools.lru_cache(maxsize=256)
def _compiled(selector: str) -> lxml.cssselect.CSSSelector | None:
    # Compiling a selector costs more than running it: compile each one once per process.
    try:
        return lxml.cssselect.CSSSelector(selector, translator="html")
    except (SelectorError, lxml.etree.XPathError, SyntaxError):
        return None


def _select(tree: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    compiled = _compiled(selector)
    if compiled is None:
        return []
    try:
        return compiled(tree)
    except lxml.etree.XPathError:
        return []


def find_body(
    tree: lxml.html.HtmlElement, body_selectors: Sequence[str] = ()
) -> lxml.html.HtmlElement | None:
    """The article container: given selectors, then known ones (innermost match with text), then the
    element whose direct <p> children hold the most Chinese text."""
    for selector in (*body_selectors, *KNOWN_BODY_SELECTORS):
        matches = [el for el in _select(tree, selector) if cjk_count(el.text_content()) >= _MIN_BODY_CJK]
        innermost = [el for el in matches if not any(other in matches for other in el.iterdescendants())]
        if innermost:
            return innermost[0]
    best, best_score = None, 0
    for el in tree.iter():
        if not isinstance(el.tag, str) or _is_chrome(el):
            continue
        score = sum(
            cjk_count(p.text_content()) for p in el if isinstance(p.tag, str) and p.tag.lower() == "p"
        )
        if score > best_score:
            best, best_score = el, score
    return best


def find_title(
    tree: lxml.html.HtmlElement, meta: dict[str, str], body: lxml.html.HtmlElement | None
) -> str | None:
    """meta ArticleTitle, then the heading nearest the body (ccdi h2.tit, Founder e-paper
    <founder-title>, h1/h2 outside header/nav), then <title> without the site name."""
    if meta.get("articletitle"):
        return clean_line(meta["articletitle"])
    order = {el: i for i, el in enumerate(tree.iter())}
    body_at = order.get(body, len(order)) if body is not None else len(order)
    headings = [
        h
        for h in (*_select(tree, "h2.tit"), *tree.iter("founder-title", "h1", "h2"))
        if cjk_count(h.text_content()) >= 4 and not any(_is_chrome(a) for a in h.iterancestors())
    ]
    if headings:
        nearest = min(headings, key=lambda h: abs(order.get(h, 0) - body_at))
        return clean_line(nearest.text_content())
    for el in tree.iter("title"):
        return strip_site_name(clean_line(el.text_content())) or None
    return None


def strip_site_name(title: str) -> str:
    """ "…的通报_南粤清风网" → "…的通报"; cut only suffixes that look like a site's name, then the
    short column names between it and the title ("…的通报_通知公告_某某区人民政府网")."""
    cut_site = False
    while True:
        m = _SITE_SUFFIX_RE.search(title)
        if not m or m.start() < 4:
            return title
        is_column = cut_site and "_" in m[0] and len(m[1]) <= 8
        if not (_SITE_WORD_RE.search(m[1]) or is_column):
            return title
        title, cut_site = title[: m.start()].strip(), True


def date_from_url(url: str | None) -> str | None:
    for pattern in _URL_DATE_RES:
        m = pattern.search(url or "")
        if m:
            return parse_date(f"{m[1]}-{m[2]}-{m[3]}")
    return None


def extract_article(html: str, url: str | None = None, body_selectors: Sequence[str] = ()) -> Article:
    """The HTML-level part of a detail page: title, date, source and chrome-free body text."""
    tree = parse_tree(html)
    if tree is None:
        return Article(None, None, None, "")
    meta = read_meta(tree)
    body = find_body(tree, body_selectors)
    title = find_title(tree, meta, body)
    if body is not None:
        # Only the text above the body is the header zone: walk the page up to the body, not past it.
        header_lines = clean_lines(block_text(tree, stop=body, skip_chrome=True, keep=body))[-40:]
        body_lines = clean_lines(block_text(body, skip_chrome=True, keep=body))
    else:
        body_lines = clean_lines(block_text(tree, skip_chrome=True))
        header_lines = body_lines[:40]
    # A broad container (.content) may hold the title and the "来源/日期" line itself.
    inner = split_header(body_lines, known_title=title or "")
    published = (
        parse_date(meta.get("pubdate", ""))
        or find_header_date(header_lines)
        or inner.published_at
        or date_from_url(url)
    )
    source = meta.get("contentsource") or find_header_source(header_lines) or inner.source_name
    body_text = "\n".join(inner.body or body_lines)
    return Article(title, published, fold_width(source).strip() if source else None, body_text)
