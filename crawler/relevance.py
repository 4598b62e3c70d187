"""Relevance before fetching: which list entries of a column are worth a detail request.

A dedicated column (整改落实) is fetched whole. A generic one (通知公告, 工作动态) carries a few
inspection notices among hundreds of other entries, each another request at 8 s: a source of it sets
`keywords`, and only entries whose list title holds one of them are fetched (`match: title`, the
default), or every entry is fetched and only pages whose title or text holds one are kept
(`match: text`). Words match in either script: a title and a word are compared as printed and
after traditional → simplified conversion (巡視 finds 巡视 and the other way round).

`title_score` is discovery's measure of how much a list title looks like an inspection notice.
Pure: no Scrapy, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawler.parser.text import to_simplified

RELEVANCE_KEYS = ("keywords", "match")
MATCHES = ("title", "text")
# What a generic column is filtered by when `match` is given without `keywords`.
INSPECTION_WORDS = ("巡视", "巡察", "整改")

# A title that is, or announces, a party-inspection document (simplified script).
_NOTICE_TITLE = re.compile(
    r"(?:巡视|巡察)[^,。]{0,16}整改[^,。]{0,12}(?:情况|进展)|整改进展情况的?(?:通报|公告|公示)"
)
_ANNOUNCEMENT_TITLE = re.compile(r"(?:巡视|巡察)[^,。]{0,10}(?:公告|进驻)|进驻[^,。]{0,20}(?:巡视|巡察)")
_INSPECTION = re.compile(r"巡视|巡察")


class RelevanceError(ValueError):
    """A bad `keywords` / `match` value: `key` names it."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Relevance:
    """A source's filter. No keywords: everything is relevant (a dedicated column)."""

    keywords: tuple[str, ...] = ()
    match: str = "title"

    @property
    def filters_titles(self) -> bool:
        """Whether list entries are chosen by title before any detail request."""
        return bool(self.keywords) and self.match == "title"

    @property
    def filters_pages(self) -> bool:
        """Whether fetched pages are kept only when their title or text matches."""
        return bool(self.keywords) and self.match == "text"

    def matches(self, text: str | None) -> bool:
        """Whether `text` holds one of the keywords, in either script."""
        if not self.keywords:
            return True
        text = text or ""
        simplified = to_simplified(text)
        return any(word in text or to_simplified(word) in simplified for word in self.keywords)

    def wants_entry(self, title: str | None) -> bool:
        """Whether a list entry with this title is fetched."""
        return not self.filters_titles or self.matches(title)

    def keeps_page(self, title: str | None, body_text: str) -> bool:
        """Whether a fetched page is stored."""
        return not self.filters_pages or self.matches(f"{title or ''}\n{body_text}")


def check_relevance(options: dict[str, Any]) -> dict[str, Any]:
    """`keywords` (a list of words, or one string of words split at commas/spaces) and `match`
    (title | text), normalised; RelevanceError for a bad one. Keys absent stay absent."""
    out: dict[str, Any] = {}
    if "keywords" in options:
        words = options["keywords"]
        if isinstance(words, str):
            words = [w for w in re.split(r"[,,\s]+", words) if w]
        if (
            not isinstance(words, list | tuple)
            or not words
            or not all(isinstance(w, str) and w.strip() for w in words)
        ):
            raise RelevanceError("keywords", f"expected a list of words, got {words!r}")
        out["keywords"] = tuple(w.strip() for w in words)
    if "match" in options:
        if options["match"] not in MATCHES:
            raise RelevanceError("match", f"expected 'title' or 'text', got {options['match']!r}")
        out["match"] = options["match"]
    return out


def relevance_of(options: dict[str, Any], default_keywords: Iterable[str] = ()) -> Relevance:
    """The filter a source's checked options describe (`default_keywords` when it sets none)."""
    keywords = tuple(options.get("keywords", default_keywords))
    if not keywords and "match" in options:
        keywords = INSPECTION_WORDS
    return Relevance(keywords, options.get("match", "title"))


def title_score(title: str | None) -> int:
    """How much a list title looks like an inspection notice: 3 a rectification notice's title,
    2 an inspection announcement's, 1 any other title naming 巡视/巡察, 0 the rest."""
    text = to_simplified(title or "")
    if _NOTICE_TITLE.search(text):
        return 3
    if _ANNOUNCEMENT_TITLE.search(text):
        return 2
    return 1 if _INSPECTION.search(text) else 0
