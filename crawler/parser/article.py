"""HTML detail page → Article (title, date, source, body text), with the page chrome removed.

Theme-agnostic on purpose: Guangdong NFCMS sites share meta tags but not CSS, TRS WCM pages put the body
in div.TRS_Editor, ccdi uses h2.tit; unknown themes fall back to the element whose <p> children hold
the most Chinese text (docs/portals.md, "Facts about the real portals").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .dates import parse_date
from .header import find_header_date, find_header_source, split_header
from .text import cjk_count, clean_line, clean_lines, fold_width, has_cjk
from .tree import BLOCK_BREAK, Element, Page, block_text, parse_tree, scan, text_content

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
_SITE_SUFFIX_RE = re.compile(r"\s*(?:[_|]|\s[-–—]\s|--)\s*([^_|]{1,24})$")
_SITE_WORD_RE = re.compile(r"网|站|门户|政府|平台|频道|在线|新闻|日报|纪委|监委")
_URL_DATE_RES = (
    re.compile(r"/t(\d{4})(\d{2})(\d{2})_"),
    re.compile(r"/(\d{4})-(\d{2})/(\d{2})/"),
    re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/(\d{4})(\d{2})(\d{2})/"),
)
_MIN_BODY_CJK = 20
_WIDE = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]"
# Spaces around a line break between wide characters (or after a CJK character and ASCII punctuation).
# Written to start with its first character, [ \t\r\n], with the look-behinds after it: the regex
# engine then skips to candidate positions instead of testing both look-behinds at every character.
_WRAP_BETWEEN_CJK_RE = re.compile(
    rf"[ \t\r\n](?:(?<={_WIDE}[ \t\r\n])|(?<=[\u3400-\u9fff][,.;:!?)][ \t\r\n]))"
    rf"(?:(?<=[\r\n])|(?<=[ \t])[ \t]*[\r\n])[\r\n]*[ \t]*(?={_WIDE})"
)


@dataclass(frozen=True)
class Article:
    title: str | None
    published_at: str | None
    source_name: str | None
    body_text: str


def read_meta(metas: Iterable[Element]) -> dict[str, str]:
    """<meta name=…> contents by lower-cased name (NFCMS: articletitle, pubdate, contentsource)."""
    out: dict[str, str] = {}
    for meta in metas:
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name and content and name not in out:
            out[name] = content
    return out


def page_text(page: Page, element: Element, stop: Element | None = None, keep: Element | None = None) -> str:
    """Chrome-free text of `element` (up to `stop`), one line per block.

    Newlines in the HTML source are only whitespace; between Chinese characters they are editor
    line-wrapping and vanish (as in a browser), elsewhere they become a space."""
    text = _WRAP_BETWEEN_CJK_RE.sub("", block_text(element, stop, chrome=page.chrome, keep=keep))
    return text.replace("\r", " ").replace("\n", " ").replace(BLOCK_BREAK, "\n")


def find_body(page: Page, body_selectors: Sequence[str] = ()) -> Element | None:
    """The article container: given selectors, then known ones (innermost match with text), then the
    element whose direct <p> children hold the most Chinese text."""
    for selector in (*body_selectors, *KNOWN_BODY_SELECTORS):
        matches = [el for el in page.select(selector) if has_cjk(text_content(el), _MIN_BODY_CJK)]
        if len(matches) == 1:
            return matches[0]
        matched = set(matches)
        innermost = [el for el in matches if not any(other in matched for other in el.iterdescendants())]
        if innermost:
            return innermost[0]
    # Each <p> counts for its parent; chrome elements are no candidates.
    scores: dict[Element, int] = {}
    for p in page.paragraphs:
        parent = p.getparent()
        if parent is not None and parent not in page.chrome:
            scores[parent] = scores.get(parent, 0) + cjk_count(text_content(p))
    best, best_score = None, 0
    for el in page.elements:
        score = scores.get(el, 0)
        if score > best_score:
            best, best_score = el, score
    return best


def find_title(page: Page, meta: dict[str, str], body: Element | None) -> str | None:
    """meta ArticleTitle, then the heading nearest the body (ccdi h2.tit, Founder e-paper
    <founder-title>, h1/h2 outside header/nav), then <title> without the site name."""
    if meta.get("articletitle"):
        return clean_line(meta["articletitle"])
    tree = page.root
    headings = [
        h
        for h in (*page.select("h2.tit"), *tree.iter("founder-title", "h1", "h2"))
        if has_cjk(text_content(h), 4) and not any(a in page.chrome for a in h.iterancestors())
    ]
    if headings:
        order = {el: i for i, el in enumerate(tree.iter())}
        body_at = order.get(body, len(order)) if body is not None else len(order)
        nearest = min(headings, key=lambda h: abs(order.get(h, 0) - body_at))
        return clean_line(text_content(nearest))
    for el in tree.iter("title"):
        return strip_site_name(clean_line(text_content(el))) or None
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
    page = scan(tree)
    meta = read_meta(page.metas)
    body = find_body(page, body_selectors)
    title = find_title(page, meta, body)
    if body is not None:
        body_lines = clean_lines(page_text(page, body, keep=body))
    else:
        body_lines = clean_lines(page_text(page, tree))

    @functools.cache
    def header_lines() -> list[str]:
        # Read only if the meta tags leave the date or the source open (NFCMS pages state both).
        if body is None:
            return body_lines[:40]
        # Only the text above the body is the header zone: walk the page up to the body, not past it.
        return clean_lines(page_text(page, tree, stop=body, keep=body))[-40:]

    # A broad container (.content) may hold the title and the "来源/日期" line itself.
    inner = split_header(body_lines, known_title=title or "")
    published = (
        parse_date(meta.get("pubdate", ""))
        or find_header_date(header_lines())
        or inner.published_at
        or date_from_url(url)
    )
    source = meta.get("contentsource") or find_header_source(header_lines()) or inner.source_name
    body_text = "\n".join(inner.body or body_lines)
    return Article(title, published, fold_width(source).strip() if source else None, body_text)
