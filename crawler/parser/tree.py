"""The page's lxml tree, read in one pass: elements in document order, which of them are chrome, and
an id/class index that answers the known body selectors without an XPath run per selector.

Plain `lxml.etree` elements, not `lxml.html` ones: the same libxml2 parse, but lxml.html looks up a
Python element class for every element it hands out, which cost more than the rest of the walk.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import lxml.etree

Element = lxml.etree._Element

_DROP_TAGS = frozenset(
    ("script", "style", "noscript", "iframe", "select", "button", "template", "svg", "object")
)
_CHROME_TAGS = frozenset(("nav", "header", "footer", "aside", "form"))
_CHROME_ATTR_RE = re.compile(
    r"share|bdshare|jiathis|print|close|fontsize|font-size|crumb|position|location|weizhi|"
    r"(?:^|[-_ ])(?:nav|menu|footer|foot|header|topbar|sidebar|comment|related|pager|pagination)(?:$|[-_ ])",
    re.IGNORECASE,
)
_CHROME_ATTR_LOWER_RE = re.compile(_CHROME_ATTR_RE.pattern)  # for lower-cased ASCII attributes
_BLOCK_TAGS = frozenset(
    "p div br li ul ol tr td th table h1 h2 h3 h4 h5 h6 section article blockquote pre dd dt dl hr center".split()
)
BLOCK_BREAK = "\x1e"  # stands for a block boundary while source newlines are folded
# XPath's normalize-space() splits on these four only (a class attribute's tokens, as CSS sees them).
_XML_SPACE = re.compile(r"[ \t\n\r]+")
# "#id", ".class", "tag.class", "tag#id" with plain identifiers: answered from the index.
_SIMPLE_SELECTOR = re.compile(r"(?P<tag>[a-z][a-z0-9]*)?(?P<kind>[#.])(?P<name>[A-Za-z_][A-Za-z0-9_-]*)")

# lxml.html's `text_content()`: the string value of the element.
text_content = lxml.etree.XPath("string()", smart_strings=False)


# Deeper than this, a page is parsed again flatter: libxml2 drops what lies below 256 levels (2048
# with huge_tree), and the tree walks here recurse once per level (Python stops near 1000).
MAX_DEPTH = 300
_TOO_DEEP = lxml.etree.XPath(f"boolean(//*[count(ancestor::*) > {MAX_DEPTH}])")
# Flattening, in two steps: container tags dropped (their text stays, in order), then every tag
# but those that make paragraphs and the head.
_CONTAINER_TAGS = re.compile(
    r"</?(?:div|span|font|section|article|center|table|tbody|thead|tr|td|th|b|i|u|s|strong|em|small|big|"
    r"blockquote|ul|ol|li|dl|dt|dd|a|sup|sub|label|cite|ins|del|nobr|o:p)\b[^>]*>",
    re.I,
)
_ANY_BUT_PARAGRAPHS = re.compile(r"<(?!/?(?:p|br|html|head|body|title|meta)\b)/?[a-zA-Z][^>]*>")


def parse_tree(html: str) -> Element | None:
    """lxml tree, or None for input lxml cannot make a document of (empty, only comments).

    A page nested deeper than MAX_DEPTH (an editor's runaway <div>s, a hostile page) would lose
    its article. Wrappers that only wrap (a container without id or class, alone in a parent with
    no text of its own) are taken out first; a page still too deep (or past libxml2's limit) is
    parsed again with container tags dropped, then if need be every tag but paragraphs — its text
    kept, in order."""
    root, too_deep, cut = _parse(html)
    if too_deep and not cut and root is not None and _unwrap_chains(root):
        too_deep = bool(_TOO_DEEP(root))
    for flatten in (_CONTAINER_TAGS, _ANY_BUT_PARAGRAPHS):
        if not too_deep:
            break
        flatter, too_deep, _ = _parse(flatten.sub("", html))
        root = flatter if flatter is not None else root
    return root


_WRAPPERS = frozenset("div span font section article center blockquote b i u strong em small big".split())


def _unwrap_chains(root: Element) -> bool:
    """Take out wrappers that only wrap (see parse_tree), deepest first; True if any was."""
    chained = [
        e for e in root.iter()
        if isinstance(e.tag, str) and e.tag.lower() in _WRAPPERS and e.get("id") is None and e.get("class") is None
        and (parent := e.getparent()) is not None and len(parent) == 1 and not (parent.text or "").strip()
        and not (e.tail or "").strip()
    ]
    for element in reversed(chained):
        parent = element.getparent()
        parent.text = (parent.text or "") + (element.text or "")
        parent.extend(list(element))
        parent.remove(element)
    return bool(chained)


def _parse(html: str) -> tuple[Element | None, bool, bool]:
    """(tree, whether it is too deep, whether libxml2 cut it); huge_tree lifts libxml2's depth
    and text-node limits."""
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        # Bytes, because lxml refuses str with an XML encoding declaration.
        root = lxml.etree.fromstring(html.encode("utf-8", "replace"), parser)
    except (lxml.etree.ParserError, ValueError, TypeError):
        return None, False, False
    if root is None:
        return None, False, False
    cut = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    return root, cut or bool(_TOO_DEEP(root)), cut


def _chrome_attrs(id_: str | None, cls: str | None) -> bool:
    """Share and print widgets, navigation, breadcrumbs … by id or class (chrome tags: _CHROME_TAGS)."""
    if id_ is None and cls is None:
        return False
    attrs = f"{id_ or ''} {cls or ''}"
    if not attrs.strip():
        return False
    if attrs.isascii():  # ASCII: ignoring case is lower-casing, and a case-sensitive regex is faster
        return _CHROME_ATTR_LOWER_RE.search(attrs.lower()) is not None
    return _CHROME_ATTR_RE.search(attrs) is not None


@dataclass
class Page:
    """One pass over the tree. Holding the elements keeps their Python proxies alive, so the sets
    below stay valid for elements met again in later walks."""

    root: Element
    elements: list[Element] = field(default_factory=list)  # element nodes, document order
    chrome: set[Element] = field(default_factory=set)
    paragraphs: list[Element] = field(default_factory=list)  # <p>
    metas: list[Element] = field(default_factory=list)  # <meta>
    ids: dict[str, list[Element]] = field(default_factory=dict)
    classes: dict[str, list[Element]] = field(default_factory=dict)

    def select(self, selector: str) -> list[Element]:
        """What `lxml.cssselect.CSSSelector(selector, translator="html")(root)` returns."""
        simple = _SIMPLE_SELECTOR.fullmatch(selector)
        if simple is None:
            return _select(self.root, selector)
        index = self.ids if simple["kind"] == "#" else self.classes
        found = index.get(simple["name"], [])
        tag = simple["tag"]
        return [el for el in found if el.tag == tag] if tag else list(found)


def scan(root: Element) -> Page:
    page = Page(root, list(root.iter(lxml.etree.Element)))  # elements only: no comments, PIs
    chrome, paragraphs, ids, classes = page.chrome, page.paragraphs, page.ids, page.classes
    for el in page.elements:
        tag = el.tag
        if tag == "meta":  # as root.iter("meta") finds them
            page.metas.append(el)
        tag = tag.lower()
        if tag in _CHROME_TAGS:
            chrome.add(el)
        elif tag == "p":
            paragraphs.append(el)
        id_, cls = el.get("id"), el.get("class")
        if id_ is None and cls is None:
            continue
        if _chrome_attrs(id_, cls):
            chrome.add(el)
        if id_ is not None:
            ids.setdefault(id_, []).append(el)
        if cls is not None:
            for token in _class_tokens(cls):
                classes.setdefault(token, []).append(el)
    return page


def _class_tokens(cls: str) -> Iterable[str]:
    """The class attribute's distinct tokens, as CSS (XPath's normalize-space) sees them."""
    if "\t" in cls or "\n" in cls or "\r" in cls:
        tokens = _XML_SPACE.split(cls)
    elif " " in cls:
        tokens = cls.split(" ")
    else:
        return (cls,) if cls else ()
    return [token for token in dict.fromkeys(tokens) if token]


@functools.lru_cache(maxsize=256)
def _compiled(selector: str) -> lxml.etree.XPath | None:
    # Compiling a selector costs more than running it: compile each one once per process. Imported
    # here: the known selectors never need cssselect (~10 ms to import).
    import lxml.cssselect
    from cssselect import SelectorError

    try:
        return lxml.cssselect.CSSSelector(selector, translator="html")
    except (SelectorError, lxml.etree.XPathError, SyntaxError):
        return None


def _select(root: Element, selector: str) -> list[Element]:
    compiled = _compiled(selector)
    if compiled is None:
        return []
    try:
        return compiled(root)
    except lxml.etree.XPathError:
        return []


class _Stop(Exception):
    """Raised inside `block_text`'s walk on reaching `stop`."""


def block_text(
    element: Element,
    stop: Element | None = None,
    *,
    chrome: Iterable[Element] = (),
    keep: Element | None = None,
) -> str:
    """Text with BLOCK_BREAK at every block boundary, so each <p> becomes one line.

    Newlines in the HTML source are still in the text (see `article.page_text`). With `stop`,
    only the text before that element (the page header above the body) is returned. Elements in
    `chrome`, other than `element`, `keep` and the ancestors of `keep`, are left out with their
    content (their tail stays, as with drop_tree)."""
    parts: list[str] = []
    append = parts.append
    skip = set(chrome)
    if keep is not None:
        skip.difference_update((keep, *keep.iterancestors()))
    skip.discard(element)

    # Each child is handled in its parent's loop, and only children with children of their own cost a
    # call: most elements (<p>, <a>, <span>) are leaves. Text and tail are read once (each read
    # decodes libxml2's UTF-8 anew).
    def children(node: Element) -> None:
        for child in node:
            if child is stop:
                raise _Stop
            tag = child.tag
            if isinstance(tag, str):
                # Chrome goes with its content, a dropped tag (script, style …) with its own text
                # and children: only the text after them stays, as with drop_tree.
                if child not in skip and (tag := tag.lower()) not in _DROP_TAGS:
                    block = tag in _BLOCK_TAGS
                    if block:
                        append(BLOCK_BREAK)
                    text = child.text
                    if text:
                        append(text)
                    if len(child):
                        children(child)
                    if block:
                        append(BLOCK_BREAK)
            elif len(child):
                children(child)
            tail = child.tail
            if tail:
                append(tail)

    try:
        if element is stop:
            raise _Stop
        tag = element.tag
        if not isinstance(tag, str):
            children(element)
        elif (tag := tag.lower()) not in _DROP_TAGS:
            block = tag in _BLOCK_TAGS
            if block:
                append(BLOCK_BREAK)
            text = element.text
            if text:
                append(text)
            children(element)
            if block:
                append(BLOCK_BREAK)
    except _Stop:
        pass
    return "".join(parts)
