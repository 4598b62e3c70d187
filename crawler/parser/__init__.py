"""Notice parser: detail page (bytes, HTML or plain text) → `crawler.notice.Notice`.

Pure functions, no I/O. `extract_article` is the HTML half (chrome removal), `parse_*` add the notice
fields; `normalise_for_compare`/`content_hash` are what change detection compares.
"""

from .article import Article, extract_article
from .decoding import ParseError
from .record import build_notice, parse_bytes, parse_html, parse_text
from .text import content_hash, normalise_for_compare

__all__ = [
    "Article",
    "ParseError",
    "build_notice",
    "content_hash",
    "extract_article",
    "normalise_for_compare",
    "parse_bytes",
    "parse_html",
    "parse_text",
]
