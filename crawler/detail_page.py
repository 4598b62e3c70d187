"""What a fetched detail page is: text to parse, or a failure of the notice (crawl and re-check alike).

Pure: plain values in (status, final URL, bytes, Content-Type, the source's encoding, whether a
redirect led away from detail pages), a verdict out. The spider (crawler/kinds/base.py) and the
re-check (monitor/crawl/recheck.py) fetch, follow redirects and parse each their own way; what they make
of the page they end on is decided here, so they cannot drift apart.

A failure has a kind for the store (DetailFailure.kind: gone, redirected and blocked count toward
removal, error never does), a one-line reason, and the crawl's problem kind (report_problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.challenge import detect_challenge
from crawler.notice import Notice
from crawler.parser import ParseError, parse_html
from crawler.parser.decoding import decode, looks_like_html, looks_truncated

GONE_STATUSES = (404, 410)
# What a notice's page may be served as. A missing, generic or plain-text type is judged by the bytes.
HTML_TYPES = ("text/html", "application/xhtml+xml")
UNTYPED = ("", "text/plain", "application/octet-stream", "binary/octet-stream")
# First bytes of formats CMSs serve at article URLs instead of a page (attachments, scans).
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP/Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office (OLE) document"),
    (b"{\\rtf", "an RTF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip data"),
)


@dataclass(frozen=True)
class Readable:
    """A page to parse: its decoded text."""

    text: str


@dataclass(frozen=True)
class Failed:
    """Not a page of the notice."""

    kind: str  # gone | redirected | blocked | error (DetailFailure.kind)
    reason: str  # one line
    problem: str  # blocked | detail_failed | not_html | truncated | empty_body (the crawl's problem kind)


Verdict = Readable | Failed

NO_ARTICLE_TEXT = Failed("error", "detail page has no article text", "empty_body")


def judge(
    status: int,
    final_url: str,
    body: bytes,
    content_type: str | None = None,
    encoding: str | None = None,
    redirected_away: bool = False,
    redirected_from: str | None = None,
) -> Verdict:
    """The verdict on the page a detail URL ended on (`final_url`, after any redirects followed).

    In this order: a challenge or ban page (by status, URL or a short page's text) is "blocked";
    404/410 are "gone", any other 4xx/5xx an "error"; a redirect away from detail pages (home, a
    list, off-site) is "redirected"; any other status but 200 is an "error"; then the bytes must
    be text (`decode`, honouring the source's `encoding`), and not cut off (`looks_truncated`).
    A challenge is looked for even in an error answer or a redirect's target: blocked is what
    it is, whatever else the page says. `redirected_from`: the URL first requested, when redirects
    led to `final_url` (a login page is evidence only at the end of a redirect).
    An answer that is no HTML page (a PDF, a Word file, an image — by its type or its first bytes)
    is "not_html": parsed, it would be a version of the notice with every field empty."""
    other_format = non_html_format(body, content_type)
    try:
        text, unreadable = ("", other_format) if other_format else (decode(body, content_type, encoding), None)
    except ParseError as exc:
        text, unreadable = "", str(exc)
    if unreadable is None and text.strip() and not _typed_html(content_type) and not looks_like_html(text):
        text, unreadable = "", "the answer is plain text or data, not an HTML page"
    challenge = detect_challenge(status, final_url, text, redirected_from)
    if challenge:
        return Failed("blocked", challenge, "blocked")
    if status in GONE_STATUSES:
        return Failed("gone", f"HTTP {status}", "detail_failed")
    if status >= 400:
        return Failed("error", f"HTTP {status}", "detail_failed")
    if redirected_away:
        return Failed("redirected", f"redirected to {final_url}", "detail_failed")
    if status != 200:
        return Failed("error", f"HTTP {status}", "detail_failed")
    if unreadable is not None:
        return Failed("error", unreadable, "not_html")
    if looks_truncated(text):
        # A cut-off page (a CMS that died mid-render, a cache holding half a page) would be
        # stored as a notice missing its end — and compared, as a bogus "changed" event.
        return Failed("error", "the page is cut off before its </body></html>", "truncated")
    return Readable(text)


def _typed_html(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() in HTML_TYPES


def non_html_format(body: bytes, content_type: str | None, by_type: bool = True) -> str | None:
    """Why an answer is no HTML page (its declared type, unless not `by_type` — list APIs answer
    JSON or XML — or its first bytes), else None."""
    head = body[:16].lstrip()
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"the answer is {what}, not an HTML page"
    if not by_type:
        return None
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if declared and declared not in HTML_TYPES and declared not in UNTYPED:
        return f"the answer is {declared}, not an HTML page"
    return None


def judge_parsed(body_text: str) -> Failed | None:
    """The verdict on a parsed page: a failure when it has no article text, else None (a notice)."""
    return None if body_text.strip() else NO_ARTICLE_TEXT


def read(
    status: int,
    final_url: str,
    body: bytes,
    content_type: str | None = None,
    encoding: str | None = None,
    redirected_away: bool = False,
    *,
    url: str,
    redirected_from: str | None = None,
    **parse_options: Any,
) -> Notice | Failed:
    """A fetched detail page, whole: `judge` it, parse it (crawler.parser.parse_html(text, url,
    **parse_options)), `judge_parsed` the result — the notice, or why there is none. What the
    parse worker does with a page (crawler/parsepool.py), so the crawl's reactor does none of it."""
    verdict = judge(status, final_url, body, content_type, encoding, redirected_away, redirected_from)
    if isinstance(verdict, Failed):
        return verdict
    notice = parse_html(verdict.text, url, **parse_options)
    return judge_parsed(notice.body_text) or notice
